"""How simulated borrowers answer the demo's contacts: simple, documented, reproducible rules.

These rules stand in for borrower behaviour until a fitted simulator exists.
They are priors taken from published evidence (``docs/demo.md`` lists each
with its source) and round numbers where there is none; they are meant to make
the demo's comparison of two policies tell a plausible story, not to be
measured against.

Every draw comes from a hash of (seed, account, date, channel, purpose), not
from a shared random stream and not from the platform: the same account
contacted the same way on the same day answers the same way on every platform
(common random numbers), so a difference between two platforms with the same
book comes from their policies, not from luck.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# Chance that a contact reaches the borrower (a call answered, a message delivered).
REACH = {
    "sms": Decimal("0.97"),
    "email": Decimal("0.95"),
    "app_push": Decimal("0.90"),
    "letter": Decimal("1"),
    "robot_call": Decimal("0.45"),
    "human_call": Decimal("0.45"),
    "field_visit": Decimal("0.60"),
    "legal_referral": Decimal("1"),
}
# Chance that a reached borrower pays the whole overdue amount that day, by days past due.
PAY_BY_DPD = ((30, Decimal("0.12")), (90, Decimal("0.05")), (None, Decimal("0.015")))
# Relative effect of the channel on paying: AI callers recovered less than human callers at
# a Chinese online lender (Choi, Huang, Yang & Zhang, NBER w33669, 2025); written reminders
# act less than a conversation.
PAY_CHANNEL = {
    "human_call": Decimal("1"),
    "field_visit": Decimal("1"),
    "robot_call": Decimal("0.8"),
    "sms": Decimal("0.5"),
    "email": Decimal("0.5"),
    "app_push": Decimal("0.5"),
    "letter": Decimal("0.3"),
    "legal_referral": Decimal("0.3"),
}
# Friendlier automated contact: 11 % more customers paid at once (FICO, 2014).
PAY_TONE = {"supportive": Decimal("1.11"), "neutral": Decimal("1"), "firm": Decimal("1")}
# More contacts do not buy more payment: a strategy with 63 % fewer actions recovered 8.1 %
# more (ICIS 2020).  Each contact beyond the third in seven days lowers the chance by 20 %.
FATIGUE_FREE = 3
FATIGUE = Decimal("0.8")
# A reached call that brings no payment brings a promise this often, kept this often;
# promises made to a machine were kept less often (Choi et al., 2025).
PROMISE = {"human_call": Decimal("0.30"), "robot_call": Decimal("0.20")}
PROMISE_KEPT = {"human_call": Decimal("0.65"), "robot_call": Decimal("0.45")}
PROMISE_DAYS = 5
# Complaints per reached contact: a base rate, raised by a firm tone, by visits, and by
# every contact beyond the third in seven days (assumptions; see docs/demo.md).
COMPLAINT_BASE = Decimal("0.002")
COMPLAINT_TONE = {"supportive": Decimal("0.6"), "neutral": Decimal("1"), "firm": Decimal("2.5")}
COMPLAINT_CHANNEL = {"field_visit": Decimal("3"), "legal_referral": Decimal("2")}
COMPLAINT_PER_EXTRA_CONTACT = Decimal("0.5")
CALLS = frozenset({"human_call", "robot_call", "field_visit"})


@dataclass(frozen=True, slots=True)
class Contact:
    """One contact that went out: to whom, how, and how many contacts came before."""

    account_id: str
    channel: str
    tone: str
    dpd: int
    contacts_last_7_days: int  # this borrower's contacts in the seven days up to this one


@dataclass(frozen=True, slots=True)
class Response:
    """What came of it: the ledger outcome and what the borrower did."""

    outcome: str  # the contact ledger's outcome
    pays: bool  # pays the overdue amount that day
    promises: bool  # promises to pay it within PROMISE_DAYS (kept or not: see keeps_promise)
    complaint: bool


def draw(seed: int, *parts: object) -> Decimal:
    """A uniform number in [0, 1) with 6 decimal places, from a hash of ``parts``."""
    key = ":".join(str(p) for p in (seed, *parts)).encode("utf-8")
    value = int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % 1_000_000
    return Decimal(value) / 1_000_000


def _pay_chance(contact: Contact) -> Decimal:
    base = next(p for limit, p in PAY_BY_DPD if limit is None or contact.dpd <= limit)
    chance = base * PAY_CHANNEL.get(contact.channel, Decimal("0.5"))
    chance *= PAY_TONE.get(contact.tone, Decimal("1"))
    extra = max(0, contact.contacts_last_7_days - FATIGUE_FREE)
    return chance * FATIGUE**extra


def _complaint_chance(contact: Contact) -> Decimal:
    chance = COMPLAINT_BASE * COMPLAINT_TONE.get(contact.tone, Decimal("1"))
    chance *= COMPLAINT_CHANNEL.get(contact.channel, Decimal("1"))
    extra = max(0, contact.contacts_last_7_days - FATIGUE_FREE)
    return chance * (1 + COMPLAINT_PER_EXTRA_CONTACT * extra)


def respond(contact: Contact, *, on: date, seed: int) -> Response:
    """The borrower's response to ``contact`` on ``on``."""

    def u(purpose: str) -> Decimal:
        return draw(seed, contact.account_id, on.isoformat(), contact.channel, purpose)

    if u("reach") >= REACH.get(contact.channel, Decimal("0.5")):
        outcome = "no_answer" if contact.channel in CALLS else "failed"
        return Response(outcome, pays=False, promises=False, complaint=False)
    outcome = "conversation" if contact.channel in CALLS else "delivered"
    complaint = u("complaint") < _complaint_chance(contact)
    pays = not complaint and u("pay") < _pay_chance(contact)
    promise = PROMISE.get(contact.channel, Decimal(0))
    promises = not pays and not complaint and u("promise") < promise
    return Response(outcome, pays=pays, promises=promises, complaint=complaint)


def keeps_promise(account_id: str, *, made_on: date, channel: str, seed: int) -> bool:
    """Whether the promise made on ``made_on`` through ``channel`` is kept on its due date."""
    chance = PROMISE_KEPT.get(channel, Decimal(0))
    return draw(seed, account_id, made_on.isoformat(), channel, "kept") < chance
