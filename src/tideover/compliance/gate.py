"""The contact gate: ``check(attempt, ledger, borrower, pack) -> Decision``.

Order (issue 5; reference "Behaviour worth copying"): holds, which block before
anything else is evaluated; consent and opt-outs; time windows in the
borrower's local time; frequency caps; quiet periods; third-party and
contact-person rules; message checks.  After the holds every stage runs, so a
decision lists every rule that fired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from tideover.compliance.calendars import calendar_for
from tideover.compliance.contacts import (
    ActorRole,
    Attempt,
    Channel,
    ContactProfile,
    Decision,
    Finding,
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
from tideover.compliance.messages import MessagePlan, check_text
from tideover.compliance.rules import (
    ConsentParams,
    FrequencyCapParams,
    HoldParams,
    MessageParams,
    Pack,
    QuietPeriodParams,
    RequiredElementsParams,
    ThirdPartyParams,
    TimeWindowParams,
)
from tideover.compliance.text import MessageChecker, default_checker

SEARCH_STEPS = 400  # retries when looking for the earliest allowed instant
SEARCH_HORIZON_DAYS = 400


@dataclass(frozen=True, slots=True)
class Plan:
    """The checks that apply to one kind of attempt, by stage."""

    holds: tuple[HoldCheck, ...]
    consent: tuple[ConsentCheck, ...]
    timed: tuple[WindowCheck | CapCheck | QuietCheck, ...]
    third_party: tuple[ThirdPartyCheck, ...]
    messages: MessagePlan


PlanKey = tuple[Channel, ActorRole, Target, str]


class CompiledPack:
    """A pack turned into check objects once, with plans cached per kind of attempt."""

    def __init__(self, pack: Pack) -> None:
        self.version = pack.version
        calendar = calendar_for(pack.holiday_country, pack.holiday_subdivision)
        self.checks: list[Check] = []
        self.message_rules: list[tuple[Check, frozenset[str]]] = []
        self.required: list[tuple[Check, frozenset[str]]] = []
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
            third_party=tuple(c for c in live if isinstance(c, ThirdPartyCheck)),
            messages=MessagePlan(
                forbidden=tuple(
                    (c.rule_id, cats) for c, cats in self.message_rules if c.applies(attempt)
                ),
                required=tuple((c.rule_id, els) for c, els in self.required if c.applies(attempt)),
            ),
        )


_COMPILED: dict[str, CompiledPack] = {}


def compile_pack(pack: Pack) -> CompiledPack:
    """The compiled form of ``pack``, cached by its content version."""
    compiled = _COMPILED.get(pack.version)
    if compiled is None:
        compiled = _COMPILED[pack.version] = CompiledPack(pack)
    return compiled


@lru_cache(maxsize=4096)
def _zones(names: tuple[str, ...]) -> tuple[ZoneInfo, ...]:
    return tuple(ZoneInfo(name) for name in names)


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
    at = attempt.planned_at.astimezone(UTC)
    denials = _run(plan.holds, ctx, at) if borrower.holds else []
    if denials:  # holds beat everything: nothing else is evaluated
        return _denied(denials, (), compiled, plan, ctx)
    denials = _run(plan.consent, ctx, at)
    denials += _run(plan.timed, ctx, at)
    denials += _run(plan.third_party, ctx, at)
    findings: tuple[Finding, ...] = ()
    if attempt.message is not None:
        findings = check_text(
            attempt.message,
            plan.messages,
            checker or default_checker(),
            sender_name=attempt.sender_name,
        )
    if not denials and not findings:
        return Decision(True, (), compiled.version, attempt.planned_at)
    return _denied(denials, findings, compiled, plan, ctx)


def _run(checks: tuple[Any, ...], ctx: Context, at: datetime) -> list[Denial]:
    return [d for d in [c.evaluate(ctx, at) for c in checks] if d is not None]


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
        denials = _run(plan.timed, ctx, instant)
        if ctx.profile.holds:
            denials += _run(plan.holds, ctx, instant)
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
) -> tuple[Finding, ...]:
    """Findings for ``text`` sent on ``channel`` by ``actor`` to ``target`` under ``pack``."""
    compiled = pack if isinstance(pack, CompiledPack) else compile_pack(pack)
    probe = Attempt("-", "-", channel, actor, datetime(2000, 1, 1, tzinfo=UTC), target=target)
    plan = compiled.plan(probe)
    return check_text(text, plan.messages, checker or default_checker(), sender_name=sender_name)
