"""What the policy use cases return: versions, events, validation, diffs, lint, assignments.

Field names and order are the JSON the CLI prints with ``--json`` and the API
serves; change them only together with ``docs/policy.md``.
"""

from __future__ import annotations

from datetime import date

from pydantic import JsonValue

from tideover.adapters.repositories import StoredEvent, StoredPolicy
from tideover.compliance.lint_model import LintFinding, LintReport
from tideover.policy.diff import Change
from tideover.policy.problems import Problem
from tideover.policy.workflow import Event
from tideover.services.results import Exact, Instant, Result


class PolicyProblem(Result):
    """An error or warning in a policy document, with its place in the file."""

    code: str
    severity: str
    where: str
    line: int | None
    column: int | None
    en: str
    zh: str

    @classmethod
    def of(cls, problem: Problem) -> PolicyProblem:
        return cls.model_validate(problem.to_dict())


class PolicyChange(Result):
    """One structural change between two versions (``tideover.policy.diff``)."""

    kind: str
    area: str
    path: str
    before: JsonValue
    after: JsonValue
    en: str
    zh: str

    @classmethod
    def of(cls, change: Change) -> PolicyChange:
        return cls.model_validate(change.to_dict())


class PolicyVersionInfo(Result):
    """A stored version: number, state, who wrote and approved it, its hash."""

    version: int
    policy: str
    status: str
    author: str
    approver: str | None
    effective_from: date | None
    sha256: str
    submitted_at: Instant

    @classmethod
    def fields_of(cls, stored: StoredPolicy) -> dict[str, object]:
        v = stored.version
        return {
            "version": v.number,
            "policy": stored.policy,
            "status": v.status.value,
            "author": v.author,
            "approver": v.approver,
            "effective_from": v.effective_from,
            "sha256": stored.sha256,
            "submitted_at": stored.submitted_at,
        }

    @classmethod
    def of(cls, stored: StoredPolicy) -> PolicyVersionInfo:
        return cls.model_validate(cls.fields_of(stored))


class PolicyEvent(Result):
    """One step of a version's workflow (draft, submit, approve, activate, ...)."""

    version: int
    action: str
    actor: str
    at: Instant
    before: str | None
    after: str
    note: str | None

    @classmethod
    def fields_of(cls, event: Event) -> dict[str, object]:
        return {
            "version": event.version,
            "action": event.action,
            "actor": event.actor,
            "at": event.at,
            "before": None if event.before is None else event.before.value,
            "after": event.after.value,
            "note": event.note,
        }

    @classmethod
    def of(cls, event: Event) -> PolicyEvent:
        return cls.model_validate(cls.fields_of(event))


class StoredPolicyEvent(PolicyEvent):
    """A stored workflow step with the effective date it set."""

    effective_from: date | None

    @classmethod
    def stored(cls, stored: StoredEvent) -> StoredPolicyEvent:
        fields = PolicyEvent.fields_of(stored.event)
        return cls.model_validate({**fields, "effective_from": stored.effective_from})


class SubmittedVersion(PolicyVersionInfo):
    """A version just submitted for review, with the document's warnings."""

    warnings: list[PolicyProblem]


class VersionTransition(PolicyVersionInfo):
    """A version after a workflow step, with the events that step recorded."""

    events: list[PolicyEvent]


class VersionHistory(PolicyVersionInfo):
    """A version with every event of its workflow."""

    events: list[StoredPolicyEvent]


class VersionDetail(VersionHistory):
    """A version, its events and its exact document text."""

    document: str


class PolicyVersions(Result):
    """Every version of a platform's policy, oldest first."""

    platform: str
    active: int | None
    versions: list[VersionHistory]


class PolicyValidation(Result):
    """A policy file checked: valid or not, what it holds, every problem found."""

    file: str
    valid: bool
    policy: str | None = None
    jurisdiction: str | None = None
    segments: list[str] | None = None
    treatments: list[str] | None = None
    experiments: list[str] | None = None
    problems: list[PolicyProblem]


class PolicyDiff(Result):
    """Structural changes from one version (or file) to another."""

    old: str
    new: str
    old_version: PolicyVersionInfo | None = None
    changes: list[PolicyChange]


class PackVersion(Result):
    pack: str
    version: str


class LintLocation(Result):
    segments: list[str]
    treatment: str | None
    step: int | None
    template: str | None
    text: str


class PolicyLintFinding(Result):
    """A finding of the compliance linter: the rule, how serious, where, and why."""

    rule_id: str
    severity: str
    pack: str | None
    location: LintLocation
    en: str
    zh: str

    @classmethod
    def of(cls, finding: LintFinding) -> PolicyLintFinding:
        where = finding.location
        return cls(
            rule_id=finding.rule_id,
            severity=finding.severity.value,
            pack=finding.pack,
            location=LintLocation(
                segments=list(where.segments),
                treatment=where.treatment,
                step=where.step,
                template=where.template,
                text=str(where),
            ),
            en=finding.en,
            zh=finding.zh,
        )


class LintCounts(Result):
    blocking: int
    warning: int


class PolicyLint(Result):
    """The compliance linter's report on a policy file."""

    policy: str
    file: str
    packs: list[PackVersion]
    actor: str | None
    blocking: bool
    counts: LintCounts
    findings: list[PolicyLintFinding]

    @classmethod
    def of(cls, report: LintReport, *, file: str, actor: str | None) -> PolicyLint:
        return cls(
            policy=report.policy,
            file=file,
            packs=[PackVersion(pack=code, version=version) for code, version in report.packs],
            actor=actor,
            blocking=not report.approvable,
            counts=LintCounts(blocking=len(report.blocking), warning=len(report.warnings)),
            findings=[PolicyLintFinding.of(f) for f in report.findings],
        )


class Assignment(Result):
    """A portfolio assigned under a policy: where the file went, accounts by segment and arm."""

    policy: str
    platform: str
    as_of: date
    portfolio: str
    out: str
    accounts: int
    segments: dict[str, int]
    arms: dict[str, dict[str, int]]
    file: str | None = None
    version: int | None = None
    sha256: str | None = None


class Move(Result):
    """Accounts going from one (segment, treatment) to another, and their balance."""

    old_segment: str
    old_treatment: str
    new_segment: str
    new_treatment: str
    accounts: int
    balance: Exact


class MaterialChange(Result):
    """Accounts whose treatment or offers change: those a policy-change notice is owed to."""

    accounts: int
    balance: Exact
    treatment_changed: int
    offers_changed: int
    out: str | None


class Impact(Result):
    """A new version's impact: the structural diff, who moves where, who changes materially."""

    old: str
    new: str
    old_version: PolicyVersionInfo | None = None
    as_of: date | None = None
    portfolio: str
    platform: str
    changes: list[PolicyChange]
    accounts: int
    balance: Exact
    moves: list[Move]
    material: MaterialChange
