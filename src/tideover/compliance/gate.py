"""The contact gate: ``check(attempt, ledger, borrower, pack) -> Decision``.

Order (issue 5; reference "Behaviour worth copying"): holds, which block before
anything else is evaluated; consent and opt-outs; time windows in the
borrower's local time; frequency caps; quiet periods; third-party and
contact-person rules, the workplace and the visit team; message checks.  After
the holds every stage runs, so a decision lists every rule that fired.

A legal referral is enforcement, not a contact: :func:`check_referral` applies
the rules on suing (no suit on a time-barred debt) to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from tideover.compliance.calendars import calendar_for
from tideover.compliance.contacts import (
    ActorRole,
    Attempt,
    Channel,
    ContactProfile,
    Decision,
    Finding,
    LegalReferral,
    Reason,
    Target,
)
from tideover.compliance.evaluators import (
    CapCheck,
    Check,
    ConsentCheck,
    Context,
    Denial,
    HoldCheck,
    QuietCheck,
    ThirdPartyCheck,
    WindowCheck,
)
from tideover.compliance.ledger import ContactLedger
from tideover.compliance.localdays import ZoneDays, zone_days
from tideover.compliance.messages import MessageFacts, MessagePlan, check_text
from tideover.compliance.place_checks import VisitCheck, WorkplaceCheck
from tideover.compliance.rules import (
    ConsentParams,
    FrequencyCapParams,
    HoldParams,
    MessageParams,
    Pack,
    QuietPeriodParams,
    RequiredElementsParams,
    ThirdPartyParams,
    TimeBarredParams,
    TimeWindowParams,
    VisitParams,
    VoicemailParams,
    WorkplaceParams,
)
from tideover.compliance.text import MessageChecker, default_checker
from tideover.i18n import N_, Wording

SEARCH_STEPS = 400  # retries when looking for the earliest allowed instant
SEARCH_HORIZON_DAYS = 400


@dataclass(frozen=True, slots=True)
class Plan:
    """The checks that apply to one kind of attempt, by stage."""

    holds: tuple[HoldCheck, ...]
    consent: tuple[ConsentCheck, ...]
    timed: tuple[WindowCheck | CapCheck | QuietCheck, ...]
    third_party: tuple[ThirdPartyCheck | WorkplaceCheck | VisitCheck, ...]
    messages: MessagePlan


PlanKey = tuple[Channel, ActorRole, Target, str]


class CompiledPack:
    """A pack turned into check objects once, with plans cached per kind of attempt."""

    def __init__(self, pack: Pack) -> None:
        self.code = pack.code  # whose jurisdiction: queue items are placed by it
        self.version = pack.version
        calendar = calendar_for(pack.holiday_country, pack.holiday_subdivision)
        self.checks: list[Check] = []
        self.message_rules: list[tuple[Check, frozenset[str]]] = []
        self.required: list[tuple[Check, frozenset[str]]] = []
        self.time_barred: list[tuple[Check, TimeBarredParams]] = []
        self.voicemail: list[tuple[Check, VoicemailParams]] = []
        for rule in pack.rules:
            p = rule.params
            if isinstance(p, HoldParams):
                self.checks.append(HoldCheck(rule, p))
            elif isinstance(p, ConsentParams):
                self.checks.append(ConsentCheck(rule, p))
            elif isinstance(p, TimeWindowParams):
                self.checks.append(WindowCheck(rule, p, calendar))
            elif isinstance(p, FrequencyCapParams):
                self.checks.append(CapCheck(rule, p))
            elif isinstance(p, QuietPeriodParams):
                self.checks.append(QuietCheck(rule, p))
            elif isinstance(p, ThirdPartyParams):
                self.checks.append(ThirdPartyCheck(rule, p))
                if p.no_debt_disclosure:
                    self.message_rules.append((Check(rule), frozenset({"disclosure"})))
            elif isinstance(p, MessageParams):
                self.message_rules.append((Check(rule), p.categories))
            elif isinstance(p, RequiredElementsParams):
                self.required.append((Check(rule), frozenset(p.elements)))
            elif isinstance(p, WorkplaceParams):
                self.checks.append(WorkplaceCheck(rule, p))
            elif isinstance(p, VisitParams):
                self.checks.append(VisitCheck(rule, p))
            elif isinstance(p, TimeBarredParams):
                self.time_barred.append((Check(rule), p))
            elif isinstance(p, VoicemailParams):
                self.voicemail.append((Check(rule), p))
        self._plans: dict[PlanKey, Plan] = {}

    def plan(self, attempt: Attempt) -> Plan:
        key = (attempt.channel, attempt.actor, attempt.target, attempt.debt_type)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._build(attempt)
        return plan

    def _build(self, attempt: Attempt) -> Plan:
        live = [c for c in self.checks if c.applies(attempt)]
        return Plan(
            holds=tuple(c for c in live if isinstance(c, HoldCheck)),
            consent=tuple(c for c in live if isinstance(c, ConsentCheck)),
            timed=tuple(c for c in live if isinstance(c, WindowCheck | CapCheck | QuietCheck)),
            third_party=tuple(
                c for c in live if isinstance(c, ThirdPartyCheck | WorkplaceCheck | VisitCheck)
            ),
            messages=MessagePlan(
                forbidden=tuple(
                    (c.rule_id, cats) for c, cats in self.message_rules if c.applies(attempt)
                ),
                required=tuple((c.rule_id, els) for c, els in self.required if c.applies(attempt)),
                time_barred=tuple(
                    (c.rule_id, p.categories) for c, p in self.time_barred if c.applies(attempt)
                ),
                voicemail=tuple(
                    (c.rule_id, p.forbidden, frozenset(p.required))
                    for c, p in self.voicemail
                    if c.applies(attempt)
                ),
            ),
        )

    def referral_rules(self, referral: LegalReferral) -> tuple[str, ...]:
        """Ids of the rules barring the legal referral of a time-barred debt, in scope."""
        return tuple(
            c.rule_id
            for c, p in self.time_barred
            if p.no_legal_referral
            and referral.actor in c.actors
            and (not c.debt_types or referral.debt_type in c.debt_types)
        )


_COMPILED: dict[str, CompiledPack] = {}


def compile_pack(pack: Pack) -> CompiledPack:
    """The compiled form of ``pack``, cached by its content version."""
    compiled = _COMPILED.get(pack.version)
    if compiled is None:
        compiled = _COMPILED[pack.version] = CompiledPack(pack)
    return compiled


@lru_cache(maxsize=4096)
def _zones(names: tuple[str, ...]) -> tuple[ZoneDays, ...]:
    return tuple(zone_days(name) for name in names)


def check(
    attempt: Attempt,
    ledger: ContactLedger,
    borrower: ContactProfile,
    pack: Pack | CompiledPack,
    *,
    checker: MessageChecker | None = None,
) -> Decision:
    """Decide whether ``attempt`` may go ahead; see the module docstring for the order."""
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    plan = compiled.plan(attempt)
    ctx = Context(attempt, borrower, ledger, _zones(borrower.time_zones))
    at = attempt.planned_at
    now = int(at.timestamp())
    denials = _run(plan.holds, ctx, at, now) if borrower.holds else []
    if denials:  # holds beat everything: nothing else is evaluated
        return _denied(denials, (), compiled, plan, ctx)
    denials = _run(plan.consent, ctx, at, now)
    denials += _run(plan.timed, ctx, at, now)
    denials += _run(plan.third_party, ctx, at, now)
    findings: tuple[Finding, ...] = ()
    if attempt.message is not None or attempt.voicemail:
        findings = check_text(
            attempt.message or "",
            plan.messages,
            checker or default_checker(),
            sender_name=attempt.sender_name,
            facts=MessageFacts(
                attempt.sender_name, attempt.time_barred, attempt.voicemail, attempt.caller_name
            ),
        )
    if not denials and not findings:
        return Decision(True, (), compiled.version, attempt.planned_at)
    return _denied(denials, findings, compiled, plan, ctx)


def _run(checks: tuple[Any, ...], ctx: Context, at: datetime, now: int) -> list[Denial]:
    found = []
    for check_ in checks:
        denial = check_.evaluate(ctx, at, now)
        if denial is not None:
            found.append(denial)
    return found


def _denied(
    denials: list[Denial],
    findings: tuple[Finding, ...],
    compiled: CompiledPack,
    plan: Plan,
    ctx: Context,
) -> Decision:
    reasons = [d.reason for d in denials]
    seen = {r.rule_id for r in reasons}
    for finding in findings:
        for rule_id in finding.rule_ids:
            if rule_id not in seen:
                seen.add(rule_id)
                reasons.append(finding.reason(rule_id))
    earliest = None
    if not findings and all(d.retry_at is not None for d in denials):
        start = max(d.retry_at for d in denials if d.retry_at is not None)
        earliest = _earliest(plan, ctx, start)
    return Decision(False, tuple(reasons), compiled.version, earliest, findings)


def _earliest(plan: Plan, ctx: Context, start: int) -> datetime | None:
    """First instant from ``start`` at which every time-dependent check passes."""
    limit = start + SEARCH_HORIZON_DAYS * 86400
    at = start
    for _ in range(SEARCH_STEPS):
        if at > limit:
            return None
        instant = datetime.fromtimestamp(at, UTC)
        denials = _run(plan.timed, ctx, instant, at)
        if ctx.profile.holds:
            denials += _run(plan.holds, ctx, instant, at)
        if not denials:
            return instant
        if any(d.retry_at is None for d in denials):
            return None
        at = max(at + 1, *(d.retry_at for d in denials if d.retry_at is not None))
    return None


def check_message(
    text: str,
    pack: Pack | CompiledPack,
    *,
    channel: Channel = Channel.SMS,
    actor: ActorRole = ActorRole.CREDITOR,
    target: Target = Target.DEBTOR,
    sender_name: str | None = None,
    checker: MessageChecker | None = None,
    time_barred: bool = False,
    voicemail: bool = False,
    caller_name: str | None = None,
) -> tuple[Finding, ...]:
    """Findings for ``text`` sent on ``channel`` by ``actor`` to ``target`` under ``pack``.

    ``time_barred``: the message is about a time-barred debt; ``voicemail``: it is
    left as a voicemail (``channel`` must then be a call) naming ``caller_name``.
    """
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    probe = Attempt(
        "-",
        "-",
        channel,
        actor,
        datetime(2000, 1, 1, tzinfo=UTC),
        target=target,
        voicemail=voicemail,
    )
    plan = compiled.plan(probe)
    facts = MessageFacts(sender_name, time_barred, voicemail, caller_name)
    return check_text(
        text, plan.messages, checker or default_checker(), sender_name=sender_name, facts=facts
    )


def check_referral(referral: LegalReferral, pack: Pack | CompiledPack) -> Decision:
    """Whether a debt may be referred for suit: never a time-barred one (12 CFR 1006.26(b)).

    Waiting does not help a time-barred debt, so a denial has no earliest time.
    """
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    rule_ids = compiled.referral_rules(referral) if referral.time_barred else ()
    if not rule_ids:
        return Decision(True, (), compiled.version, referral.planned_at)
    reasons = tuple(
        Reason(
            rule_id,
            Wording(
                N_("debt %(debt_id)s is time-barred: it may not be referred for suit"),
                debt_id=referral.debt_id,
            ),
        )
        for rule_id in rule_ids
    )
    return Decision(False, reasons, compiled.version, None)
