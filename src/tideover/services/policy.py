"""Use cases on policy documents: validate, diff, publish the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tideover.policy.diff import diff_policies
from tideover.policy.document import CompiledPolicy, json_schema, load_policy
from tideover.policy.problems import PolicyRejected


def _summary(compiled: CompiledPolicy) -> dict[str, Any]:
    policy = compiled.policy
    return {
        "policy": policy.policy,
        "jurisdiction": policy.jurisdiction,
        "segments": [s.id for s in policy.segments],
        "treatments": sorted(policy.treatments),
        "experiments": [e.id for e in policy.experiments],
    }


def validate_policy_file(*, path: Path) -> dict[str, Any]:
    """Check a policy file; the report lists every problem (never raises on bad content)."""
    try:
        compiled = load_policy(path)
    except PolicyRejected as exc:
        return {
            "file": str(path),
            "valid": False,
            "problems": [p.to_dict() for p in exc.problems],
        }
    return {
        "file": str(path),
        "valid": True,
        **_summary(compiled),
        "problems": [p.to_dict() for p in compiled.warnings],
    }


def diff_policy_files(*, old: Path, new: Path) -> dict[str, Any]:
    """Structural changes from ``old`` to ``new``; both must be valid (PolicyRejected)."""
    before, after = load_policy(old), load_policy(new)
    changes = diff_policies(before.policy, after.policy)
    return {"old": str(old), "new": str(new), "changes": [c.to_dict() for c in changes]}


def policy_schema() -> dict[str, Any]:
    return json_schema()
