"""What the compliance use cases return: rules, message checks, gate decisions, contacts,
holds and the audit trail's verification.

Field names and order are the JSON the CLI prints with ``--json`` and the API
serves; change them only together with ``docs/compliance.md``.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, JsonValue

from tideover.adapters.repositories.contacts import ContactEvent
from tideover.compliance.audit import ChainIssue
from tideover.compliance.contacts import Decision, Finding, Reason
from tideover.compliance.holds import HoldRecord
from tideover.compliance.rules import Pack, Rule
from tideover.services.results import Instant, Result


class PackRules(Result):
    """A rule pack as in force: its rules with their scope, parameters, sources, confidence."""

    pack: str
    name_en: str
    name_zh: str
    extends: str | None
    version: str
    rules: list[Rule]

    @classmethod
    def of(cls, pack: Pack) -> PackRules:
        return cls(
            pack=pack.code,
            name_en=pack.name_en,
            name_zh=pack.name_zh,
            extends=pack.extends,
            version=pack.version,
            rules=list(pack.rules),
        )


class MessageFinding(Result):
    """A problem in a message: the rules it breaks, its category and span in the text."""

    rule_ids: list[str]
    category: str
    start: int
    end: int
    matched: str
    en: str
    zh: str

    @classmethod
    def of(cls, finding: Finding) -> MessageFinding:
        return cls(
            rule_ids=list(finding.rule_ids),
            category=finding.category,
            start=finding.start,
            end=finding.end,
            matched=finding.matched,
            en=finding.en,
            zh=finding.zh,
        )


class TextCheck(Result):
    """An outbound text checked against a pack; every finding blocks sending it."""

    pack: str
    pack_version: str
    channel: str
    actor: str
    target: str
    blocking: bool
    findings: list[MessageFinding]


class DenialReason(Result):
    """One rule that denies the attempt, and why."""

    rule_id: str
    en: str
    zh: str

    @classmethod
    def of(cls, reason: Reason) -> DenialReason:
        return cls(rule_id=reason.rule_id, en=reason.en, zh=reason.zh)


class AuditStamp(Result):
    """Where a decision sits in the platform's audit trail."""

    platform: str
    seq: int
    hash: str


class GateDecision(Result):
    """The gate's decision on an attempt; its earliest allowed time also in each candidate zone
    (zone name → local time)."""

    allowed: bool
    pack: str
    pack_version: str
    rule_ids: list[str]
    reasons: list[DenialReason]
    earliest_allowed: Instant | None
    earliest_allowed_local: dict[str, Instant]
    findings: list[MessageFinding]
    audit: AuditStamp | None

    @classmethod
    def of(
        cls,
        decision: Decision,
        *,
        pack: str,
        zones: tuple[str, ...],
        audit: AuditStamp | None = None,
    ) -> GateDecision:
        earliest = decision.earliest_allowed
        return cls(
            allowed=decision.allowed,
            pack=pack,
            pack_version=decision.pack_version,
            rule_ids=list(decision.rule_ids),
            reasons=[DenialReason.of(r) for r in decision.reasons],
            earliest_allowed=earliest,
            earliest_allowed_local={}
            if earliest is None
            else {zone: earliest.astimezone(ZoneInfo(zone)) for zone in zones},
            findings=[MessageFinding.of(f) for f in decision.findings],
            audit=audit,
        )


class HoldInfo(Result):
    """A stored hold: on whom (one debt or all), of what kind, from when, until when, why."""

    hold_id: str
    borrower_id: str
    kind: str
    debt_id: str | None
    starts_at: Instant
    ends_at: Instant | None
    reason: str
    raised_by: str
    source_attempt_id: str | None
    lifted_at: Instant | None
    lifted_by: str | None
    lift_reason: str | None
    until: Instant | None

    @classmethod
    def of(cls, hold: HoldRecord) -> HoldInfo:
        return cls.model_validate(hold.to_dict())


class HoldStatus(HoldInfo):
    """A hold and whether it is in force at the time it was read."""

    in_force: bool

    @classmethod
    def at(cls, hold: HoldRecord, now: datetime) -> HoldStatus:
        return cls.model_validate(hold.to_dict(at=now))


class HoldChange(HoldStatus):
    """A hold just added or lifted, with its audit record."""

    platform: str
    audit_seq: int

    @classmethod
    def audited(cls, hold: HoldRecord, *, now: datetime, platform: str, seq: int) -> HoldChange:
        return cls.model_validate({**hold.to_dict(at=now), "platform": platform, "audit_seq": seq})


class BorrowerHolds(Result):
    """A borrower's holds, by start."""

    platform: str
    borrower_id: str
    holds: list[HoldStatus]


class PlatformHolds(Result):
    """A platform's holds, by start; ``in_force_only``: those not ended when read."""

    platform: str
    kind: str | None
    in_force_only: bool
    holds: list[HoldStatus]


class LiftedHolds(Result):
    """The holds one request lifted, each with its audit record."""

    platform: str
    borrower_id: str
    holds: list[HoldChange]


class RecordedContact(Result):
    """A contact (or inbound call) in the platform's ledger, and the holds its result raised."""

    platform: str
    attempt_id: str
    borrower_id: str
    debt_id: str
    channel: str
    outcome: str
    result: str | None
    at: Instant
    inbound: bool
    holds_raised: list[HoldInfo]

    @classmethod
    def of(cls, event: ContactEvent, *, platform: str, raised: list[HoldInfo]) -> RecordedContact:
        return cls(
            platform=platform,
            attempt_id=event.attempt_id,
            borrower_id=event.attempt.borrower_id,
            debt_id=event.attempt.debt_id,
            channel=event.attempt.channel.value,
            outcome=event.outcome.value,
            result=event.result.value if event.result else None,
            at=event.at,
            inbound=event.inbound,
            holds_raised=raised,
        )


class ChainProblem(Result):
    """What is wrong at one place of the audit chain (``seq`` is None for the missing head)."""

    problem: str
    seq: int | None
    index: int
    en: str
    zh: str

    @classmethod
    def of(cls, issue: ChainIssue) -> ChainProblem:
        return cls(
            problem=issue.problem.value, seq=issue.seq, index=issue.index, en=issue.en, zh=issue.zh
        )


class ChainHead(Result):
    seq: int
    hash: str


class AuditVerification(Result):
    """A platform's audit trail re-verified: intact or not, and every problem found."""

    platform: str
    records: int
    head: ChainHead | None
    ok: bool
    issues: list[ChainProblem]


class AuditEntry(Result):
    """One record of the audit trail as a reader sees it (``at`` in UTC)."""

    seq: int
    kind: str
    at: Instant
    payload: dict[str, JsonValue]
    prev_hash: str
    hash: str


class AuditTrailPage(Result):
    """The records a search found, newest first, and every kind the trail holds."""

    platform: str
    kinds: list[str]
    records: list[AuditEntry]


class PackSummary(Result):
    """A rule pack as a platform applies it: its version after the platform's overrides."""

    pack: str
    name_en: str
    name_zh: str
    extends: str | None
    version: str
    rules: int
    home: bool  # the pack of the platform's own jurisdiction


class PackList(Result):
    platform: str
    jurisdiction: str
    packs: list[PackSummary]


class RuleDenials(Result):
    """How often one rule denied an action over the report's days."""

    rule_id: str
    title_en: str | None
    title_zh: str | None
    denied: int


class DeniedOnDay(Result):
    """The actions one rule denied on one business date (every segment and arm)."""

    as_of: date
    rule_id: str
    denied: int


class DenialReport(Result):
    """The gate's denials by rule and day, from the daily cycle's KPI snapshots."""

    # ``from`` is a Python keyword: the fields are ``first`` and ``last``, written ``from``
    # and ``to`` as in the KPI report.
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    platform: str
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    days: list[date]
    rules: list[RuleDenials]
    rows: list[DeniedOnDay]
