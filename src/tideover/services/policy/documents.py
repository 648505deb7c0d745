"""Use cases on policy files: validate, diff, publish the JSON Schema (no storage)."""

from __future__ import annotations

from pathlib import Path

from pydantic import JsonValue

from tideover.policy.diff import diff_policies
from tideover.policy.document import CompiledPolicy, json_schema, load_policy, parse_policy
from tideover.policy.problems import PolicyRejected
from tideover.services.policy.results import (
    PolicyChange,
    PolicyDiff,
    PolicyProblem,
    PolicyValidation,
)


def validate_policy_file(*, path: Path) -> PolicyValidation:
    """Check a policy file; the report lists every problem (never raises on bad content)."""
    try:
        compiled = load_policy(path)
    except PolicyRejected as exc:
        return PolicyValidation(
            file=str(path), valid=False, problems=[PolicyProblem.of(p) for p in exc.problems]
        )
    return _valid(compiled, str(path))


def validate_text(*, text: str, source: str = "<policy>") -> PolicyValidation:
    """Check a policy document's text (the console's editor); never raises on bad content."""
    try:
        compiled = parse_policy(text, source=source)
    except PolicyRejected as exc:
        return PolicyValidation(
            file=source, valid=False, problems=[PolicyProblem.of(p) for p in exc.problems]
        )
    return _valid(compiled, source)


def _valid(compiled: CompiledPolicy, source: str) -> PolicyValidation:
    policy = compiled.policy
    return PolicyValidation(
        file=source,
        valid=True,
        policy=policy.policy,
        jurisdiction=policy.jurisdiction,
        segments=[s.id for s in policy.segments],
        treatments=sorted(policy.treatments),
        experiments=[e.id for e in policy.experiments],
        problems=[PolicyProblem.of(p) for p in compiled.warnings],
    )


def diff_policy_files(*, old: Path, new: Path) -> PolicyDiff:
    """Structural changes from ``old`` to ``new``; both must be valid (PolicyRejected)."""
    before, after = load_policy(old), load_policy(new)
    changes = diff_policies(before.policy, after.policy)
    return PolicyDiff(old=str(old), new=str(new), changes=[PolicyChange.of(c) for c in changes])


def policy_schema() -> dict[str, JsonValue]:
    """The JSON Schema of a policy document (what editors validate against)."""
    return json_schema()
