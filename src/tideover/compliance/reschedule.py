"""Reschedule or drop: what becomes of a planned contact the gate denies.

The rule, for a contact planned on a business date in the borrower's local time:

- every pack allows it at the planned instant: it goes ahead then;
- a pack denies it: it moves to the latest of the denying packs' earliest
  allowed instants and is checked there again (one pack's earliest time may be
  refused by another pack, or by a cap), at most :data:`MAX_RETRIES` times;
- it is **dropped** when a pack says no later instant would do (a hold, a
  message finding), when the instant it would move to falls on another local
  date than the business date (tomorrow's cycle plans tomorrow, with
  tomorrow's facts), or when the retries run out.

Either way the ids of every rule that denied it are kept, in the order first
met.  A legal referral is work on the file, not a contact: only the rules on
suing apply to it (:func:`tideover.compliance.gate.check_referral`), and a
referral they refuse is dropped, never moved, since waiting does not make a
debt less time-barred.

This module is the reference, and the only implementation: the daily cycle's
gate (``tideover.batch.cycle.gate.gate_actions``, for the DuckDB and the Spark
engine alike) calls :func:`schedule_contact` and :func:`schedule_referral` for
every planned action, and ``tests/unit/test_gate_reschedule.py`` checks that
what it gives a day's actions is what these give one by one.  The ledger is
only read here: recording an allowed contact, so that the caps count it for
the borrower's later actions, is the caller's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from tideover.compliance.contacts import Attempt, ContactProfile, Decision, LegalReferral
from tideover.compliance.gate import CompiledPack, check, check_referral
from tideover.compliance.ledger import ContactLedger
from tideover.compliance.rules import Pack

# Re-checks at a later instant when one pack's earliest time is refused by another.
MAX_RETRIES = 3

State = Literal["allowed", "rescheduled", "dropped"]


@dataclass(frozen=True)
class Scheduled:
    """What becomes of one planned action."""

    state: State
    at: datetime | None  # UTC; None only when dropped
    rule_ids: tuple[str, ...]  # every rule that denied it, in the order first met


def schedule_contact(
    attempt: Attempt,
    *,
    business_date: date,
    zone: ZoneInfo,
    ledger: ContactLedger,
    profile: ContactProfile,
    packs: Sequence[Pack | CompiledPack],
) -> Scheduled:
    """``attempt`` (at its planned instant) allowed, moved later on ``business_date`` in
    ``zone``, or dropped; see the module doc."""
    planned = attempt.planned_at
    rules: dict[str, None] = {}
    at: datetime | None = planned
    for _ in range(MAX_RETRIES + 1):
        if at is None or at.astimezone(zone).date() != business_date:
            break
        if at != attempt.planned_at:
            attempt = replace(attempt, planned_at=at)
        denied = denials(attempt, ledger, profile, packs)
        if not denied:
            return Scheduled("allowed" if at == planned else "rescheduled", at, tuple(rules))
        for decision in denied:
            rules.update(dict.fromkeys(decision.rule_ids))
        at = next_instant(denied)
    return Scheduled("dropped", None, tuple(rules))


def next_instant(denied: Sequence[Decision]) -> datetime | None:
    """The instant to try next: the latest of the packs' earliest allowed instants, or None
    when one of them says no later instant would do."""
    later = [d.earliest_allowed for d in denied]
    if any(t is None for t in later):
        return None
    return max(t for t in later if t is not None)


def denials(
    attempt: Attempt,
    ledger: ContactLedger,
    profile: ContactProfile,
    packs: Sequence[Pack | CompiledPack],
) -> list[Decision]:
    """The packs' decisions that deny ``attempt``, in pack order."""
    decisions = [check(attempt, ledger, profile, pack) for pack in packs]
    return [d for d in decisions if not d.allowed]


def schedule_referral(referral: LegalReferral, packs: Sequence[Pack | CompiledPack]) -> Scheduled:
    """A legal referral goes ahead at its planned instant unless a rule on suing refuses it;
    then it is dropped (no retry)."""
    rules: dict[str, None] = {}
    for pack in packs:
        rules.update(dict.fromkeys(check_referral(referral, pack).rule_ids))
    if rules:
        return Scheduled("dropped", None, tuple(rules))
    return Scheduled("allowed", referral.planned_at, ())
