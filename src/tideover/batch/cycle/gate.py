"""The compliance gate over every planned action of the day, in the borrower's local time.

Each action is placed at its channel's send time on the business date in the
borrower's first candidate time zone (the gate then checks every candidate
zone), and checked against every rule pack the policy names.  What becomes of
it, allowed, moved later that day or dropped, with the rule ids that denied
it, is the rule of :mod:`tideover.compliance.reschedule` (the reference), which
this module calls for every action: it only turns the day's planned actions
into attempts, shares one contact profile per borrower, and counts each
allowed contact in the in-memory ledger, so caps hold across one borrower's
several accounts within the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from tideover.compliance.contacts import (
    ActorRole,
    Attempt,
    Channel,
    ContactProfile,
    Hold,
    LegalReferral,
    Outcome,
)
from tideover.compliance.gate import CompiledPack
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.reschedule import State, schedule_contact, schedule_referral

# Policy channels as the gate knows them; a legal referral is work, not a contact.
CONTACT_CHANNEL: dict[str, Channel | None] = {
    "sms": Channel.SMS,
    "email": Channel.EMAIL,
    "app_push": Channel.APP_PUSH,
    "letter": Channel.LETTER,
    "robot_call": Channel.CALL,
    "human_call": Channel.CALL,
    "field_visit": Channel.VISIT,
    "legal_referral": None,
}
HUMAN_CHANNELS = frozenset({"human_call", "field_visit", "legal_referral"})


@dataclass(frozen=True)
class GateSettings:
    """Who contacts, when each channel sends (local time), and which packs apply."""

    packs: tuple[CompiledPack, ...]
    actor: ActorRole = ActorRole.CREDITOR
    send_times: Mapping[str, time] = field(default_factory=dict)
    default_send_time: time = time(9, 0)
    # Only IVR counts as autodialled by default: consent data is not stored yet.
    automated: frozenset[str] = frozenset({"robot_call"})
    # Stored holds in force (dispute, cease contact, breathing space…) by borrower id.
    holds: Mapping[str, tuple[Hold, ...]] = field(default_factory=dict)

    def send_time(self, channel: str) -> time:
        return self.send_times.get(channel, self.default_send_time)


@dataclass(frozen=True)
class PlannedAction:
    """One step due today for one account, with what dispatch and queues need."""

    account_id: str
    borrower_id: str
    time_zones: tuple[str, ...]
    step: str  # "<treatment>#<step index>"
    channel: str  # a policy channel
    template: str | None
    tone: str
    queue: str | None
    priority: int | None
    segment: str
    arm: str
    treatment: str
    offers: str | None
    dpd: int
    bucket: str
    overdue_minor: int
    balance_minor: int
    score: Decimal | None
    band: str | None
    time_barred: bool = False  # no legal referral of a time-barred debt (12 CFR 1006.26(b))


@dataclass(frozen=True)
class GatedAction:
    action: PlannedAction
    state: State
    at: datetime | None  # UTC; None only for a dropped action
    rule_ids: tuple[str, ...]


def gate_actions(
    actions: Iterable[PlannedAction],
    *,
    as_of: date,
    ledger: InMemoryLedger,
    settings: GateSettings,
) -> list[GatedAction]:
    """Every action with its decision, in input order."""
    profiles: dict[tuple[str, tuple[str, ...]], ContactProfile] = {}
    gated = []
    for action in actions:
        key = (action.borrower_id, action.time_zones)
        profile = profiles.get(key)
        if profile is None:
            profile = profiles[key] = ContactProfile(
                action.borrower_id,
                action.time_zones,
                holds=settings.holds.get(action.borrower_id, ()),
            )
        gated.append(_gate_one(action, as_of, ledger, profile, settings))
    return gated


def _gate_one(
    action: PlannedAction,
    as_of: date,
    ledger: InMemoryLedger,
    profile: ContactProfile,
    settings: GateSettings,
) -> GatedAction:
    zone = ZoneInfo(action.time_zones[0])
    planned = datetime.combine(as_of, settings.send_time(action.channel), zone).astimezone(UTC)
    channel = CONTACT_CHANNEL[action.channel]
    if channel is None:
        referral = LegalReferral(
            action.borrower_id,
            action.account_id,
            settings.actor,
            planned,
            time_barred=action.time_barred,
        )
        done = schedule_referral(referral, settings.packs)
        return GatedAction(action, done.state, done.at, done.rule_ids)
    attempt = Attempt(
        action.borrower_id,
        action.account_id,
        channel,
        settings.actor,
        planned,
        automated=action.channel in settings.automated,
        # A visit is queued before its team is known: the team is checked when it sets out.
        visitors=None if channel is Channel.VISIT else (),
    )
    done = schedule_contact(
        attempt,
        business_date=as_of,
        zone=zone,
        ledger=ledger,
        profile=profile,
        packs=settings.packs,
    )
    if done.state == "allowed":
        ledger.record(attempt, Outcome.PLANNED)
    elif done.at is not None:
        ledger.record(replace(attempt, planned_at=done.at), Outcome.PLANNED)
    return GatedAction(action, done.state, done.at, done.rule_ids)
