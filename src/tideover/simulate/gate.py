"""The compliance gate at month level: a pack's frequency caps, quiet periods and holds.

The daily gate (``tideover.compliance.gate``) decides one attempt at one
instant.  A monthly simulation needs its effect in bulk, so this module applies
the same rules coarsely and says how:

- **Caps** (``frequency_cap``): a treatment's planned steps are passed through
  every cap once, day by day along the treatment's clock, as if the account
  stayed in that treatment: on each day the attempts a cap counts are cut to
  what its rolling window still allows.  A cap on connected (or unanswered)
  attempts counts the expected share that connects (or does not), at the
  median of the reach prior.
- **Quiet periods** (``quiet_period``): after a conversation no call for the
  rule's days; an attempt on a day is kept with the chance that none of the
  calls kept on the days before it within the period connected.
- **Holds** (``hold``): an account under a hold the pack blocks gets no contact
  in the month (a dispute flag on the book; a complaint raises a complaint hold
  for the next month, as a real complaint does).
- Time windows, consent and message checks move an attempt within its day or
  change its text; they do not change a month's count and are not applied.

Only rules that reach the creditor contacting the debtor apply: the platform
collects its own book.  A legal referral is not a contact and is never capped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tideover.compliance.contacts import ActorRole, Channel, HoldKind, Target
from tideover.compliance.rules import FrequencyCapParams, HoldParams, Pack, QuietPeriodParams, Rule
from tideover.policy.model import Channel as PolicyChannel

FloatArray = npt.NDArray[np.float64]

# Policy channels as the gate knows them (as in the daily cycle's gate stage).
GATE_CHANNEL: dict[PolicyChannel, Channel | None] = {
    PolicyChannel.SMS: Channel.SMS,
    PolicyChannel.EMAIL: Channel.EMAIL,
    PolicyChannel.APP_PUSH: Channel.APP_PUSH,
    PolicyChannel.LETTER: Channel.LETTER,
    PolicyChannel.ROBOT_CALL: Channel.CALL,
    PolicyChannel.HUMAN_CALL: Channel.CALL,
    PolicyChannel.FIELD_VISIT: Channel.VISIT,
    PolicyChannel.LEGAL_REFERRAL: None,
}
DAYS_PER_MONTH_PERIOD = 30


@dataclass(frozen=True)
class MonthGate:
    """The rules of one pack that a month-level simulation applies."""

    pack: str
    version: str
    caps: tuple[tuple[str, FrequencyCapParams, frozenset[Channel]], ...]
    quiet: tuple[tuple[str, QuietPeriodParams, frozenset[Channel]], ...]
    holds: frozenset[HoldKind]

    @property
    def blocks_disputes(self) -> bool:
        return HoldKind.DISPUTE in self.holds

    @property
    def blocks_complaints(self) -> bool:
        return HoldKind.COMPLAINT in self.holds

    def allowed(
        self,
        planned: FloatArray,
        channels: Sequence[PolicyChannel],
        reach: Mapping[Channel, float],
    ) -> FloatArray:
        """Planned attempts per (combo, clock day) cut to what the caps and quiet periods allow.

        ``planned`` has one row per combo of ``channels`` and one column per day.
        """
        allowed = planned.astype(np.float64).copy()
        gate_channels = [GATE_CHANNEL[c] for c in channels]
        days = allowed.shape[1]
        for _, params, scope in self.caps:
            counted_channels = params.counted_channels or scope
            rows = [i for i, g in enumerate(gate_channels) if g is not None and g in scope]
            counted = [
                i for i, g in enumerate(gate_channels) if g is not None and g in counted_channels
            ]
            if not rows:
                continue
            share = np.array([_counted_share(params, gate_channels[i], reach) for i in counted])
            span = params.length * (1 if params.period == "day" else DAYS_PER_MONTH_PERIOD)
            used = np.zeros(days)
            for day in range(days):
                spent = used[max(0, day - span + 1) : day].sum()
                room = max(0.0, params.limit - spent)
                mass = float(allowed[counted, day] @ share) if counted else 0.0
                if mass > room:
                    keep = room / mass
                    allowed[rows, day] *= keep
                used[day] = float(allowed[counted, day] @ share) if counted else 0.0
        for _, quiet, scope in self.quiet:
            rows = [i for i, g in enumerate(gate_channels) if g is not None and g in scope]
            if not rows:
                continue
            calls = np.zeros(days)
            for day in range(days):
                before = calls[max(0, day - quiet.days + 1) : day]
                # Kept with the chance that no call kept in the period before connected.
                free = (1.0 - _quiet_reach(scope, reach)) ** float(before.sum())
                allowed[rows, day] *= free
                calls[day] = allowed[rows, day].sum()
        return allowed


def _reach(channel: Channel | None, reach: Mapping[Channel, float]) -> float:
    return reach.get(channel, 1.0) if channel is not None else 1.0


def _quiet_reach(scope: frozenset[Channel], reach: Mapping[Channel, float]) -> float:
    return max((reach.get(c, 1.0) for c in scope), default=1.0)


def _counted_share(
    params: FrequencyCapParams, channel: Channel | None, reach: Mapping[Channel, float]
) -> float:
    if params.count == "connected":
        return _reach(channel, reach)
    if params.count == "unanswered":
        return 1.0 - _reach(channel, reach)
    return 1.0


def _applies(rule: Rule) -> bool:
    scope = rule.scope
    return (
        ActorRole.CREDITOR in scope.actor_roles
        and Target.DEBTOR in scope.targets
        and not scope.debt_types
    )


def month_gate(pack: Pack) -> MonthGate:
    """The caps, quiet periods and holds of ``pack`` that reach the creditor and the debtor."""
    caps, quiet = [], []
    holds: set[HoldKind] = set()
    for rule in pack.rules:
        if not _applies(rule):
            continue
        p = rule.params
        if isinstance(p, FrequencyCapParams):
            caps.append((rule.id, p, frozenset(rule.scope.channels)))
        elif isinstance(p, QuietPeriodParams):
            quiet.append((rule.id, p, frozenset(rule.scope.channels)))
        elif isinstance(p, HoldParams):
            holds |= p.blocks
    return MonthGate(pack.code, pack.version, tuple(caps), tuple(quiet), frozenset(holds))


def open_gate() -> MonthGate:
    """No rules: what a policy would do with no compliance gate (for comparison only)."""
    return MonthGate("none", "", (), (), frozenset())
