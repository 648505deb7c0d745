"""Audit the locked dependencies (constraints.txt) for known vulnerabilities with pip-audit.

A vulnerability fails the audit unless ``audit-exceptions.toml`` records it with
a reason and a review date.  When the vulnerability service cannot be reached
(a machine whose network reaches the package index but not its vulnerability
API), nothing can be audited: the audit says so in its last line and exits 0,
unless ``TIDEOVER_REQUIRE_AUDIT=1`` demands a real answer.

Usage: python tools/audit_dependencies.py [constraints.txt]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXCEPTIONS = ROOT / "audit-exceptions.toml"


def _exceptions() -> dict[str, dict[str, str]]:
    """Recorded exceptions by vulnerability id; each needs a reason and a review date."""
    if not EXCEPTIONS.exists():
        return {}
    data = tomllib.loads(EXCEPTIONS.read_text(encoding="utf-8"))
    recorded: dict[str, dict[str, str]] = {}
    for entry in data.get("exception", []):
        if not entry.get("reason") or not entry.get("review_by"):
            sys.exit(f"audit-exceptions.toml: {entry.get('id')} needs a reason and review_by")
        if date.fromisoformat(str(entry["review_by"])) < datetime.now(UTC).date():
            sys.exit(
                f"audit-exceptions.toml: {entry['id']} was due for review on {entry['review_by']}"
            )
        recorded[str(entry["id"])] = entry
    return recorded


def main() -> int:
    constraints = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "constraints.txt"
    pip_audit = Path(sys.executable).with_name("pip-audit")
    completed = subprocess.run(
        [
            str(pip_audit),
            "-r",
            str(constraints),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--timeout",
            "20",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        print(completed.stderr.strip().splitlines()[-1:] or "pip-audit gave no report")
        return 1
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    recorded = _exceptions()
    found = [
        (d["name"], d["version"], v["id"], v.get("fix_versions", []))
        for d in audited
        for v in d.get("vulns", [])
    ]
    failing = [f for f in found if f[2] not in recorded]
    for name, version, vuln, fixes in found:
        state = "recorded exception" if vuln in recorded else "FAILS"
        print(f"{name} {version}: {vuln} (fixed in {', '.join(fixes) or 'no release'}) — {state}")
    if not audited:
        message = (
            f"dependency audit: the vulnerability service could not be reached; none of the "
            f"{len(dependencies)} locked dependencies was audited"
        )
        print(message)
        return 1 if os.environ.get("TIDEOVER_REQUIRE_AUDIT") == "1" else 0
    print(
        f"dependency audit: {len(audited)} of {len(dependencies)} audited, "
        f"{len(found)} known vulnerability(ies), {len(failing)} not recorded"
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
