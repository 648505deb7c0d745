"""Use cases of the compliance engine: rules, message checks, gate, ledger, audit, policy lint.

The gate itself is pure and in process; these handlers read its inputs (an
attempt document, a platform's contact ledger), record what it decided in the
platform's audit trail, and verify that trail.  The attempt document is
described in ``docs/compliance.md`` ("Attempt files").
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pydantic
from pydantic import Field, JsonValue

from tideover.adapters.repositories.contacts import ContactEvent
from tideover.adapters.repositories.contacts import ContactResult as ContactResult
from tideover.compliance.audit import verify
from tideover.compliance.contacts import (
    ActorRole,
    AgreedTime,
    Attempt,
    Channel,
    ContactProfile,
    Decision,
    Hold,
    HoldKind,
    Outcome,
    Target,
    ThirdPartyRole,
)
from tideover.compliance.gate import check, check_message
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack
from tideover.compliance.overrides import effective_pack
from tideover.compliance.rules import FrequencyCapParams, Pack, QuietPeriodParams
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.contacts import check_time_zone
from tideover.domain.errors import NotFound, UsageError, ValidationError
from tideover.i18n import N_, Wording
from tideover.services.compliance.holds import raise_result_hold
from tideover.services.compliance.results import (
    AuditStamp,
    AuditVerification,
    ChainHead,
    ChainProblem,
    GateDecision,
    MessageFinding,
    PackRules,
    RecordedContact,
    TextCheck,
)
from tideover.services.inputs import PlausibleInstant, StrictModel, problems
from tideover.services.unit_of_work import UnitOfWork

GATE_DECISION = "gate_decision"


class HoldIn(StrictModel):
    kind: HoldKind
    debt_id: str | None = None
    until: PlausibleInstant | None = None


class AgreedTimeIn(StrictModel):
    start: time
    end: time
    weekdays: frozenset[int] = frozenset(range(7))


class BorrowerIn(StrictModel):
    """The borrower's state; ``time_zones`` may be left out when a platform is given."""

    time_zones: tuple[str, ...] | None = None
    holds: tuple[HoldIn, ...] = ()
    opted_out: frozenset[Channel] = frozenset()
    automated_consent: frozenset[Channel] = frozenset()
    agreed_times: tuple[AgreedTimeIn, ...] = ()
    debtor_reachable: bool = True
    employer_prohibits_contact: bool = False
    workplace_consent: bool = False


class AttemptIn(StrictModel):
    borrower_id: str = Field(min_length=1, max_length=64)
    debt_id: str = Field(min_length=1, max_length=64)
    channel: Channel
    actor: ActorRole
    planned_at: PlausibleInstant
    target: Target = Target.DEBTOR
    recipient_id: str | None = Field(default=None, max_length=64)
    third_party_role: ThirdPartyRole | None = None
    number: str | None = None
    automated: bool = False
    debt_type: str = Field(default="consumer_loan", max_length=64)
    message: str | None = None
    sender_name: str | None = None
    time_barred: bool = False
    at_workplace: bool = False
    voicemail: bool = False
    caller_name: str | None = None
    visitors: tuple[str, ...] | None = ()  # null: a visit whose team is not assigned yet
    recorded: bool = False


class PastContactIn(StrictModel):
    """A past contact with the same borrower; debt and number default to the attempt's."""

    at: PlausibleInstant
    outcome: Outcome
    channel: Channel = Channel.CALL
    actor: ActorRole | None = None
    debt_id: str | None = None
    number: str | None = None
    inbound: bool = False


class AttemptDocument(StrictModel):
    attempt: AttemptIn
    borrower: BorrowerIn = BorrowerIn()
    history: tuple[PastContactIn, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedAttempt:
    attempt: Attempt
    borrower: BorrowerIn
    history: tuple[PastContactIn, ...]


def parse_attempt_document(data: object, *, source: str = "attempt") -> ParsedAttempt:
    """The attempt, borrower state and history in ``data``; every mistake is a ValidationError."""
    try:
        doc = AttemptDocument.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError(
            N_("%(source)s: not a valid attempt document (%(problems)s)"),
            source=source,
            problems=problems(exc.errors()[:3]),
        ) from exc
    for zone in doc.borrower.time_zones or ():
        check_time_zone(zone)
    a = doc.attempt
    attempt = Attempt(**a.model_dump(exclude={"planned_at"}), planned_at=a.planned_at)
    return ParsedAttempt(attempt, doc.borrower, doc.history)


def _profile(
    borrower_id: str,
    state: BorrowerIn,
    zones: tuple[str, ...],
    stored_holds: tuple[Hold, ...] = (),
) -> ContactProfile:
    return ContactProfile(
        borrower_id,
        zones,
        holds=tuple(Hold(h.kind, h.debt_id, h.until) for h in state.holds) + stored_holds,
        opted_out=state.opted_out,
        automated_consent=state.automated_consent,
        agreed_times=tuple(AgreedTime(t.start, t.end, t.weekdays) for t in state.agreed_times),
        debtor_reachable=state.debtor_reachable,
        employer_prohibits_contact=state.employer_prohibits_contact,
        workplace_consent=state.workplace_consent,
    )


def ledger_horizon(pack: Pack) -> timedelta:
    """How far back the gate may look for ``pack``: its longest cap window or quiet period."""
    days = 1
    for rule in pack.rules:
        p = rule.params
        if isinstance(p, FrequencyCapParams):
            days = max(days, p.length * (31 if p.period == "month" else 1))
        elif isinstance(p, QuietPeriodParams):
            days = max(days, p.days)
    return timedelta(days=days + 2)  # local days can start up to a day before UTC ones


def list_rules(*, pack: str) -> PackRules:
    """The effective rules of ``pack`` with their scope, parameters, sources and confidence."""
    return PackRules.of(load_pack(pack))


def check_text(
    *,
    pack: str,
    text: str,
    channel: Channel = Channel.SMS,
    actor: ActorRole = ActorRole.CREDITOR,
    target: Target = Target.DEBTOR,
    sender_name: str | None = None,
) -> TextCheck:
    """Findings for an outbound text; every finding blocks sending it."""
    loaded = load_pack(pack)
    findings = check_message(
        text, loaded, channel=channel, actor=actor, target=target, sender_name=sender_name
    )
    return TextCheck(
        pack=loaded.code,
        pack_version=loaded.version,
        channel=channel.value,
        actor=actor.value,
        target=target.value,
        blocking=bool(findings),
        findings=[MessageFinding.of(f) for f in findings],
    )


def check_attempt(
    *,
    pack: str,
    document: object,
    source: str = "attempt",
    uow: UnitOfWork | None = None,
    platform: str | None = None,
    clock: Clock | None = None,
) -> GateDecision:
    """Run the gate on an attempt document.

    Without a platform the ledger is the document's ``history``.  With one, the
    ledger is the platform's stored contacts, the time zones default to the
    stored borrower's, and the decision is appended to the platform's audit trail.
    """
    if (platform is None) != (uow is None):
        raise UsageError(
            N_("check_attempt needs both a platform and a unit of work, or neither"),
        )
    parsed = parse_attempt_document(document, source=source)
    if platform is None or uow is None:
        loaded = load_pack(pack)
        zones = _required_zones(parsed, source)
        profile = _profile(parsed.attempt.borrower_id, parsed.borrower, zones)
        decision = check(parsed.attempt, _history_ledger(parsed), profile, loaded)
        return GateDecision.of(decision, pack=loaded.code, zones=zones)
    if parsed.history:
        raise ValidationError(
            N_(
                "%(source)s: 'history' cannot be used with a platform: its stored "
                "contacts are the ledger"
            ),
            source=source,
        )
    with uow:
        loaded = platform_pack(uow, platform, pack)
        contacts = uow.contacts(platform)
        zones = parsed.borrower.time_zones or _stored_zones(uow, platform, parsed.attempt)
        keyed = contacts.keyed(parsed.attempt)
        since = parsed.attempt.planned_at - ledger_horizon(loaded)
        ledger = contacts.load_ledger(since=since, borrower_ids=[keyed.borrower_id])
        stored = uow.holds(platform).gate_holds(
            at=parsed.attempt.planned_at, borrower_ids=[keyed.borrower_id]
        )
        profile = _profile(
            keyed.borrower_id, parsed.borrower, zones, stored.get(keyed.borrower_id, ())
        )
        decision = check(keyed, ledger, profile, loaded)
        now = (clock or SystemClock()).now()
        payload = _audit_payload(decision, keyed, loaded.code)
        record = uow.audit(platform).append(GATE_DECISION, payload, at=now)
        uow.commit()
    audit = AuditStamp(platform=platform, seq=record.seq, hash=record.hash)
    return GateDecision.of(decision, pack=loaded.code, zones=tuple(zones), audit=audit)


def platform_pack(uow: UnitOfWork, platform: str, code: str) -> Pack:
    """Pack ``code`` as ``platform`` applies it: tightened by its settings' rule overrides."""
    record = uow.platforms.get(platform)
    if record is None:
        raise NotFound(N_("unknown platform %(platform)s"), platform=repr(platform))
    return effective_pack(code.upper(), record.settings.get("rule_overrides"))


def _required_zones(parsed: ParsedAttempt, source: str) -> tuple[str, ...]:
    zones = parsed.borrower.time_zones
    if not zones:
        raise ValidationError(
            N_(
                "%(source)s: borrower.time_zones is required without --platform (IANA "
                'names, e.g. ["Asia/Shanghai"])'
            ),
            source=source,
        )
    return zones


def _stored_zones(uow: UnitOfWork, platform: str, attempt: Attempt) -> tuple[str, ...]:
    borrower = uow.borrowers(platform).get(attempt.borrower_id)
    if borrower is None or not borrower.candidate_time_zones:
        raise ValidationError(
            N_(
                "borrower %(borrower_id)s is not stored on platform %(platform)s with a "
                "time zone; give borrower.time_zones in the attempt file"
            ),
            borrower_id=repr(attempt.borrower_id),
            platform=repr(platform),
        )
    return borrower.candidate_time_zones


def _history_ledger(parsed: ParsedAttempt) -> InMemoryLedger:
    ledger = InMemoryLedger()
    base = parsed.attempt
    for past in parsed.history:
        attempt = Attempt(
            base.borrower_id,
            past.debt_id or base.debt_id,
            past.channel,
            past.actor or base.actor,
            past.at,
            number=past.number or base.number,
        )
        ledger.record(attempt, past.outcome, inbound=past.inbound)
    return ledger


def _audit_payload(decision: Decision, attempt: Attempt, pack: str) -> dict[str, JsonValue]:
    """What the trail keeps of a decision: no message text and no phone number, only hashes."""
    message = attempt.message
    return {
        "pack": pack,
        "pack_version": decision.pack_version,
        "allowed": decision.allowed,
        "rule_ids": list(decision.rule_ids),
        "earliest_allowed": decision.earliest_allowed.isoformat()
        if decision.earliest_allowed
        else None,
        "attempt": {
            "borrower_id": attempt.borrower_id,
            "debt_id": attempt.debt_id,
            "channel": attempt.channel.value,
            "actor": attempt.actor.value,
            "target": attempt.target.value,
            "recipient_id": attempt.recipient_id,
            "planned_at": attempt.planned_at.isoformat(),
            "number_hash": attempt.number,  # already the keyed look-up hash
            "automated": attempt.automated,
            "debt_type": attempt.debt_type,
            "message_sha256": hashlib.sha256(message.encode()).hexdigest() if message else None,
            "time_barred": attempt.time_barred,
            "at_workplace": attempt.at_workplace,
            "voicemail": attempt.voicemail,
            "visitors": list(attempt.visitors) if attempt.visitors is not None else None,
            "recorded": attempt.recorded,
        },
        "findings": [
            {"rule_ids": list(f.rule_ids), "category": f.category, "start": f.start, "end": f.end}
            for f in decision.findings
        ],
    }


def record_contact(
    *,
    uow: UnitOfWork,
    platform: str,
    attempt: Attempt,
    outcome: Outcome,
    at: datetime | None = None,
    inbound: bool = False,
    result: ContactResult | None = None,
    attempt_id: str | None = None,
    clock: Clock | None = None,
) -> RecordedContact:
    """Record one contact (or inbound call) in the platform's ledger; returns its id.

    A dispute or complaint it records raises a hold in the same transaction.
    """
    event = ContactEvent(
        attempt_id or uuid.uuid4().hex,
        attempt,
        outcome,
        at or attempt.planned_at,
        inbound,
        result,
    )
    with uow:
        uow.contacts(platform).add(event)
        raised = raise_result_hold(uow, platform, event, clock or SystemClock())
        uow.commit()
    return RecordedContact.of(event, platform=platform, raised=raised)


def set_contact_outcome(
    *,
    uow: UnitOfWork,
    platform: str,
    attempt_id: str,
    outcome: Outcome,
    result: ContactResult | None = None,
    at: datetime | None = None,
    clock: Clock | None = None,
) -> RecordedContact:
    """The outcome of a contact recorded earlier (as planned, say), once it is known.

    A dispute or complaint raises a hold in the same transaction (once per contact
    and kind); changing the result later does not lift it: that is done explicitly.
    """
    with uow:
        event = uow.contacts(platform).set_outcome(attempt_id, outcome, result=result, at=at)
        raised = raise_result_hold(uow, platform, event, clock or SystemClock())
        uow.commit()
    return RecordedContact.of(event, platform=platform, raised=raised)


def verify_audit_trail(
    *, uow: UnitOfWork, platform: str, expected_head: str | None = None
) -> AuditVerification:
    """Re-verify a platform's chain; ``expected_head`` (kept elsewhere) overrides the stored one."""
    with uow:
        repo = uow.audit(platform)
        records = repo.records()
        head = repo.head()
    anchor = expected_head or (head.hash if head else None)
    result = verify(records, expected_head=anchor)
    issues = [ChainProblem.of(i) for i in result.issues]
    if records and head is None and expected_head is None:
        head_missing = Wording(
            N_("the chain head is missing: records cut off the end cannot be ruled out")
        )
        issues.append(
            ChainProblem(
                problem="head_missing",
                seq=None,
                index=-1,
                en=head_missing.en,
                zh=head_missing.zh,
            )
        )
    return AuditVerification(
        platform=platform,
        records=len(records),
        head=ChainHead(seq=head.seq, hash=head.hash) if head else None,
        ok=not issues,
        issues=issues,
    )
