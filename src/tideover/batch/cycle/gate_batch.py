"""The day's gate, set-based: one decision per kind of action, the ledger read in bulk.

What :func:`tideover.batch.cycle.gate.gate_actions` decides one action at a
time (about 30–57 µs each, bench/RESULTS.md), this module decides once per
*kind* of action and hands the decision to every action of that kind.  A kind
is what the decision can depend on besides the borrower: the candidate time
zones, the policy channel (so the send time, the gate channel, automated or
not) and, for a legal referral, whether the debt is time-barred.  For a kind,
the rule of :mod:`tideover.compliance.reschedule` (the reference, which the
per-action path calls) is asked once with an empty contact profile and an
empty ledger: time windows in local time, holidays and closed days, consent,
the workplace and visit rules all give the same answer to every action of the
kind.

What can differ between borrowers of one kind is read set-based and
conservatively:

- **holds**: a borrower with a stored hold is decided one action at a time;
- **caps and quiet periods over the ledger**: for each cap the kind meets, the
  borrower's past contacts on the counted channels over a span covering every
  local day the decision can look at (the days the business date covers in
  every candidate zone, back to the start of the cap's
  period), plus
  every earlier action of the borrower in this run on those channels, must stay
  under the limit; for a quiet period, no telephone conversation (inbound
  included) in its horizon.  These counts are never lower than what any check
  of the reference would count, so a borrower who passes them is allowed by
  every cap at every instant the reference would try, and gets the kind's
  decision.  A borrower who does not is decided one action at a time;
- a kind the set-based path does not take on at all (a rule on third parties
  reads per-recipient counts) is decided one action at a time.

A borrower decided one action at a time has all their actions go through the
per-action path, in the day's order, with the run's ledger, so the caps count
their earlier actions exactly as before; borrowers never share ledger entries,
so the two paths cannot interfere.  The actions decided by kind are not
recorded in the in-memory ledger: nothing reads it after the gate (the next
run reads the stored contact ledger).

Differential test: ``tests/unit/test_gate_batch.py`` (random days, packs, zones,
holds, ledgers and several actions per borrower: the same state, instant and
rule ids as ``gate_actions`` for every action).
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from tideover.batch.cycle.gate import (
    CONTACT_CHANNEL,
    GatedAction,
    GateSettings,
    PlannedAction,
    gate_actions,
)
from tideover.compliance.contacts import Attempt, Channel, ContactProfile, LegalReferral
from tideover.compliance.evaluators import (
    CapCheck,
    ConsentCheck,
    HoldCheck,
    QuietCheck,
    WindowCheck,
)
from tideover.compliance.gate import CompiledPack
from tideover.compliance.ledger import CHANNEL_BIT, CountKind, InMemoryLedger
from tideover.compliance.localdays import ZoneDays, zone_days
from tideover.compliance.place_checks import VisitCheck, WorkplaceCheck
from tideover.compliance.reschedule import Scheduled, schedule_contact, schedule_referral

# Checks whose answer depends only on the kind of action and the (empty) profile, or
# that are covered by the bulk reads below.
_BY_KIND = (HoldCheck, ConsentCheck, WindowCheck, CapCheck, QuietCheck, WorkplaceCheck, VisitCheck)
_PROBE = "\x00probe"  # a borrower id no stored borrower has (ids are safe characters)


@dataclass(frozen=True, slots=True)
class _Cap:
    mask: int  # counted channels (ledger bits)
    kind: CountKind
    limit: int
    since: int  # epoch seconds: the widest span any tried instant could count
    until: int


@dataclass(frozen=True, slots=True)
class _Kind:
    """One kind of action: its decision and what a borrower's ledger must stay under."""

    decided: Scheduled | None  # None: this kind is decided one action at a time
    bit: int  # the action's own ledger bit (0 for a referral: never recorded)
    caps: tuple[_Cap, ...]
    quiet: tuple[tuple[int, int], ...]  # (since, before) spans with no conversation allowed


def gate_actions_batch(
    actions: Sequence[PlannedAction],
    *,
    as_of: date,
    ledger: InMemoryLedger,
    settings: GateSettings,
) -> list[GatedAction]:
    """Every action with its decision, in input order: what ``gate_actions`` gives.

    The cyclic garbage collector is paused meanwhile: the decisions are hundreds of
    thousands of new objects without a reference cycle, and each collection it would
    start walks every live object of the run (the ledger, the actions) again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _gate(actions, as_of, ledger, settings)
    finally:
        if enabled:
            gc.enable()


def _gate(
    actions: Sequence[PlannedAction],
    as_of: date,
    ledger: InMemoryLedger,
    settings: GateSettings,
) -> list[GatedAction]:
    kinds: dict[tuple[object, ...], _Kind] = {}
    kind_of: list[_Kind] = []
    one_by_one: set[str] = {b for b, held in settings.holds.items() if held}
    earlier: dict[str, list[int]] = {}  # borrower -> ledger bits of their earlier actions
    no_history: dict[str, bool] = {}  # borrower -> nothing in the ledger a check could read
    for action in actions:
        channel = CONTACT_CHANNEL[action.channel]
        key = (action.time_zones, action.channel, channel is None and action.time_barred)
        kind = kinds.get(key)
        if kind is None:
            kind = kinds[key] = _kind(action, as_of, settings)
        kind_of.append(kind)
        borrower = action.borrower_id
        if borrower in one_by_one:
            continue
        if kind.decided is None:
            one_by_one.add(borrower)
            continue
        if not kind.bit:  # a referral: no ledger, no cap
            continue
        bits = earlier.get(borrower)
        clean = no_history.get(borrower)
        if clean is None:
            clean = no_history[borrower] = _no_history(ledger, borrower)
        if (clean and bits is None) or _clear(kind, borrower, ledger, bits, clean):
            if bits is None:
                earlier[borrower] = [kind.bit]
            else:
                bits.append(kind.bit)
        else:
            one_by_one.add(borrower)
    decided: list[GatedAction | None] = [None] * len(actions)
    if one_by_one:
        slow = [i for i, a in enumerate(actions) if a.borrower_id in one_by_one]
        gated = gate_actions(
            [actions[i] for i in slow], as_of=as_of, ledger=ledger, settings=settings
        )
        for i, one in zip(slow, gated, strict=True):
            decided[i] = one
    # The frozen dataclass's __init__ sets each field through object.__setattr__, a third
    # of this path's time; filling the new instance's dict gives the very same object
    # (fields, equality, hash) for a fraction of the cost.
    new = object.__new__
    out: list[GatedAction] = []
    for action, kind, found in zip(actions, kind_of, decided, strict=True):
        if found is not None:
            out.append(found)
            continue
        done = kind.decided
        assert done is not None  # kinds without a decision go one by one
        made = new(GatedAction)
        fields = made.__dict__
        fields["action"] = action
        fields["state"] = done.state
        fields["at"] = done.at
        fields["rule_ids"] = done.rule_ids
        out.append(made)
    return out


def _no_history(ledger: InMemoryLedger, borrower: str) -> bool:
    """Whether no cap can count anything of ``borrower``'s past and no quiet period starts in
    it: no outbound contact and no conversation at any time."""
    every = (1 << 8) - 1
    counted = ledger.count(borrower, -(2**39), 2**39, channels=every, kind=CountKind.ATTEMPTS)
    spoke = ledger.last_conversation(borrower, -(2**39), 2**39, debt_id=None, include_inbound=True)
    return counted == 0 and spoke is None


def _clear(
    kind: _Kind, borrower: str, ledger: InMemoryLedger, bits: list[int] | None, clean: bool
) -> bool:
    """Whether no cap or quiet period of ``kind`` can bind for ``borrower`` (conservative):
    ``bits`` are the borrower's earlier actions in this run, ``clean`` says the ledger has
    nothing of theirs."""
    for cap in kind.caps:
        used = sum(1 for b in bits if b & cap.mask) if bits else 0
        if not clean:
            # Every outbound contact on the channels, whatever its debt or number: never
            # fewer than the check counts.
            used += ledger.count(borrower, cap.since, cap.until, channels=cap.mask, kind=cap.kind)
        if used >= cap.limit:
            return False
    if clean:
        return True
    for since, before in kind.quiet:
        found = ledger.last_conversation(
            borrower, since, before, debt_id=None, include_inbound=True
        )
        if found is not None:
            return False
    return True


def _kind(action: PlannedAction, as_of: date, settings: GateSettings) -> _Kind:
    """The decision of an action of this kind for a borrower without history or holds."""
    zone = ZoneInfo(action.time_zones[0])
    planned = datetime.combine(as_of, settings.send_time(action.channel), zone).astimezone(UTC)
    channel = CONTACT_CHANNEL[action.channel]
    if channel is None:
        referral = LegalReferral(
            _PROBE, _PROBE, settings.actor, planned, time_barred=action.time_barred
        )
        return _Kind(schedule_referral(referral, settings.packs), 0, (), ())
    attempt = Attempt(
        _PROBE,
        _PROBE,
        channel,
        settings.actor,
        planned,
        automated=action.channel in settings.automated,
        visitors=None if channel is Channel.VISIT else (),
    )
    profile = ContactProfile(_PROBE, action.time_zones)
    decided = schedule_contact(
        attempt,
        business_date=as_of,
        zone=zone,
        ledger=InMemoryLedger(),
        profile=profile,
        packs=settings.packs,
    )
    checks = [c for pack in settings.packs for c in _live(pack, attempt)]
    if not all(isinstance(c, _BY_KIND) for c in checks):
        return _Kind(None, CHANNEL_BIT[channel], (), ())
    caps = tuple(_cap_span(c, action.time_zones, as_of) for c in checks if isinstance(c, CapCheck))
    quiet = tuple(
        _quiet_span(c, action.time_zones, as_of) for c in checks if isinstance(c, QuietCheck)
    )
    return _Kind(decided, CHANNEL_BIT[channel], caps, quiet)


def _live(pack: CompiledPack, attempt: Attempt) -> list[object]:
    """Every check of ``pack`` that applies to ``attempt`` (the gate's own plan)."""
    plan = pack.plan(attempt)
    return [*plan.holds, *plan.consent, *plan.timed, *plan.third_party]


def _days(zones: Sequence[str], as_of: date) -> list[tuple[ZoneDays, range]]:
    """Each candidate zone with the local days the business date (in the first zone, where
    the reference keeps every instant it tries) covers there.

    An instant the reference's search for the earliest allowed time looks at beyond the
    business date can only lead to a time on another date, and so to a drop, whatever
    the ledger holds: only the business date's instants decide."""
    first = zone_days(zones[0])
    start = first.midnight(as_of.toordinal())
    end = first.midnight(as_of.toordinal() + 1) - 1
    found = []
    for name in zones:
        days = zone_days(name)
        found.append((days, range(days.day(start), days.day(end) + 1)))
    return found


def _cap_span(check: CapCheck, zones: Sequence[str], as_of: date) -> _Cap:
    """The widest span the cap counts on any of the days around the business date."""
    p = check.p
    since, until = [], []
    for days, ordinals in _days(zones, as_of):
        for ordinal in ordinals:
            if p.period == "day":
                first, nxt = ordinal - p.length + 1, ordinal + 1
            else:
                day = date.fromordinal(ordinal)
                month = day.month - p.length + 1
                year = day.year + (month - 1) // 12
                first = date(year, (month - 1) % 12 + 1, 1).toordinal()
                nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1).toordinal()
            since.append(days.midnight(first))
            until.append(days.midnight(nxt))
    return _Cap(check.mask, check.kind, p.limit, min(since), max(until))


def _quiet_span(check: QuietCheck, zones: Sequence[str], as_of: date) -> tuple[int, int]:
    """From the quiet period's horizon before the first day to the end of the last."""
    spans = _days(zones, as_of)
    first = min(days.midnight(ordinals[0]) for days, ordinals in spans)
    last = max(days.midnight(ordinals[-1] + 1) for days, ordinals in spans)
    return first - (check.p.days + 2) * 86400, last
