"""Use cases of the assignment engine: assign a portfolio, preview a new version's impact.

File-based for now: the policy versions are files and the portfolio a Parquet
file of per-account features (storage of versions comes later).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from tideover.batch.assign import assign_to_parquet
from tideover.batch.impact import impact
from tideover.policy.diff import diff_policies
from tideover.policy.document import CompiledPolicy, load_policy
from tideover.policy.hashing import assignment_key


def assign_policy_file(
    *, policy: Path, portfolio: Path, out: Path, platform: str, as_of: date
) -> dict[str, Any]:
    """Assign every account of ``portfolio`` under ``policy``; write ``out``; counts.

    ``as_of`` is the business date the features describe; it is recorded in the
    output's metadata (the features already carry the days past due).
    """
    assignment_key(platform, "x", "")  # refuse a platform id the hash cannot use, early
    compiled = load_policy(policy)
    report = assign_compiled(compiled, portfolio=portfolio, out=out, platform=platform, as_of=as_of)
    return {**report, "file": str(policy)}


def assign_compiled(
    compiled: CompiledPolicy, *, portfolio: Path, out: Path, platform: str, as_of: date
) -> dict[str, Any]:
    """Assign every account of ``portfolio`` under an already checked policy; write ``out``."""
    summary = assign_to_parquet(
        compiled, portfolio, out, platform=platform, as_of=as_of.isoformat()
    )
    return {
        "policy": compiled.policy.policy,
        "platform": platform,
        "as_of": as_of,
        "portfolio": str(portfolio),
        "out": str(out),
        "accounts": summary.rows,
        "segments": summary.segments,
        "arms": summary.arms,
    }


def impact_of_policy_files(
    *, old: Path, new: Path, portfolio: Path, platform: str, out: Path | None = None
) -> dict[str, Any]:
    """Structural diff plus who moves where, and who changes materially (listed in ``out``)."""
    assignment_key(platform, "x", "")
    before, after = load_policy(old), load_policy(new)
    result = impact(before, after, portfolio, platform=platform, out=out)
    return {
        "old": str(old),
        "new": str(new),
        "platform": platform,
        "portfolio": str(portfolio),
        "changes": [c.to_dict() for c in diff_policies(before.policy, after.policy)],
        "accounts": result.accounts,
        "balance": result.balance,
        "moves": [asdict(m) for m in result.moves],
        "material": {
            "accounts": result.material_accounts,
            "balance": result.material_balance,
            "treatment_changed": result.treatment_changed,
            "offers_changed": result.offers_changed,
            "out": None if out is None else str(out),
        },
    }
