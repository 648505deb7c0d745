"""Use case: play out one business day's contacts with simulated borrowers (the demo's story).

After the daily cycle of ``as_of`` has planned and gated the day's actions,
this "sends" them: every pending outbox message and every open queue item is
one contact, answered by the rules of ``tideover.demo.responses``.  What comes
of it is stored the way a real day's events would be:

- each contact in the contact ledger (the gate reads it tomorrow), with a
  complaint raising its hold as a real complaint does;
- outbox messages delivered or failed, queue items done;
- promises to pay recorded through the promises service;
- payments (the overdue amount paid, a promise kept on its due date) written as
  a payments file in the platform's inbox, which the next cycle ingests.

A day is simulated once: a second call for the same date finds its first
contact already in the ledger and changes nothing.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tideover.adapters.repositories import ContactEvent, ContactResult
from tideover.batch.cycle.gate import CONTACT_CHANNEL
from tideover.compliance.contacts import ActorRole, Attempt, Outcome, Target
from tideover.demo.responses import PROMISE_DAYS, Contact, keeps_promise, respond
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict
from tideover.domain.money import Money
from tideover.plans.lifecycle import Outcome as PromiseOutcome
from tideover.services.compliance.holds import raise_result_hold
from tideover.services.demo.results import SimulatedDay
from tideover.services.plans.promises import record_promise
from tideover.services.platforms import settings_of
from tideover.services.unit_of_work import UnitOfWork

SIMULATED = "borrower:simulated"  # the simulated borrowers act for themselves
LOOK_BACK_DAYS = 7  # the fatigue window of the response rules


@dataclass(frozen=True)
class _Planned:
    """A contact of the day as the cycle left it: outbox row or queue item."""

    account_id: str
    borrower_id: str
    step: str
    channel: str
    tone: str
    at: datetime
    queue: bool


def _attempt_id(as_of: date, p: _Planned) -> str:
    return f"sim:{as_of.isoformat()}:{p.account_id}:{p.step}"


def _planned(
    rows: Iterable[Mapping[str, Any]], *, queue: bool, fallback: datetime
) -> list[_Planned]:
    live = ("open", "assigned") if queue else ("pending",)
    return [
        _Planned(
            r["account_id"],
            r["borrower_id"],
            r["step"],
            r["channel"],
            r["tone"],
            r["due_at" if queue else "scheduled_at"] or fallback,
            queue,
        )
        for r in rows
        if r["state"] in live
    ]


def simulate_day(
    *,
    uow_factory: Callable[[], UnitOfWork],
    platform: str,
    as_of: date,
    inbox: Path,
    seed: int,
    paid_on: date | None = None,
    answer_calls: bool = True,
) -> SimulatedDay:
    """Answer the day's contacts; store outcomes and promises; write tomorrow's payments file.

    The money arrives with value date ``paid_on`` (default ``as_of``): the demo gives the
    next business day, when the morning's ingest brings it in.
    """
    with uow_factory() as uow:
        settings = settings_of(uow, platform)
        zone = ZoneInfo(settings.time_zone)
        noon = datetime.combine(as_of, clock_time(12), zone)
        repo = uow.cycle(platform)
        planned = _planned(repo.outbox(as_of), queue=False, fallback=noon)
        if answer_calls:  # else the day's queue is left for people to work
            planned += _planned(repo.queue_items(as_of), queue=True, fallback=noon)
        planned.sort(key=lambda p: (p.at, p.account_id, p.step))
        if planned and uow.contacts(platform).get(_attempt_id(as_of, planned[0])) is not None:
            return SimulatedDay(platform=platform, as_of=as_of, already_done=True)
        earlier = _recent_contacts(uow, platform, as_of)
        statuses = uow.delinquency(platform).for_date(as_of)
        due_promises = [
            p for p in uow.promises(platform).all_promises(outcome=PromiseOutcome.PENDING)
            if p.promise.due == as_of
        ]  # fmt: skip
    clock = FixedClock(noon.astimezone(UTC))
    events: list[ContactEvent] = []
    outbox_states: dict[tuple[str, str], str] = {}
    done: dict[tuple[str, str], str] = {}
    payments: dict[str, Money] = {}
    promised: dict[str, tuple[Money, str]] = {}
    seen: Counter[str] = Counter()
    tally: Counter[str] = Counter()  # contacts, reached, complaints, promises (kept)
    for p in planned:
        status = statuses.get(p.account_id)
        seen[p.borrower_id] += 1
        contact = Contact(
            p.account_id,
            p.channel,
            p.tone,
            status.dpd if status else 0,
            earlier[p.borrower_id] + seen[p.borrower_id],
        )
        response = respond(contact, on=as_of, seed=seed)
        tally["contacts"] += 1
        key = (p.account_id, p.step)
        if p.queue:
            done[key] = "done"
        else:
            outbox_states[key] = "delivered" if response.outcome == "delivered" else "failed"
        event = _event(as_of, p, response.outcome, response.complaint, response.promises)
        if event is not None:
            events.append(event)
        if response.outcome in ("conversation", "delivered"):
            tally["reached"] += 1
        tally["complaints"] += response.complaint
        overdue = status.overdue_total if status else None
        if overdue is None or not overdue.minor or p.account_id in payments:
            continue
        if response.pays:
            payments[p.account_id] = overdue
        elif response.promises and p.account_id not in promised:
            promised[p.account_id] = (overdue, p.channel)
    for stored in due_promises:
        channel = stored.recorded_by.removeprefix(f"{SIMULATED}:")
        made_on = stored.promise.made_on
        if keeps_promise(stored.loan_id, made_on=made_on, channel=channel, seed=seed):
            tally["promises_kept"] += 1
            if stored.loan_id not in payments:
                payments[stored.loan_id] = stored.promise.amount
    with uow_factory() as uow:
        uow.contacts(platform).add_many(events)
        for event in events:
            raise_result_hold(uow, platform, event, clock)
        uow.cycle(platform).mark_outbox(as_of, outbox_states)
        uow.cycle(platform).mark_queue_items(as_of, done)
        uow.commit()
    for loan_id, (amount, channel) in sorted(promised.items()):
        try:
            record_promise(
                uow=uow_factory(),
                platform=platform,
                loan_id=loan_id,
                amount=amount.amount,
                due=as_of + timedelta(days=PROMISE_DAYS),
                by=f"{SIMULATED}:{channel}",
                clock=clock,
            )
            tally["promises"] += 1
        except Conflict:
            continue  # a promise is already pending on the loan: one at a time
    write_payments(inbox, paid_on or as_of, payments)
    return SimulatedDay(
        platform=platform,
        as_of=as_of,
        contacts=tally["contacts"],
        reached=tally["reached"],
        payments=len(payments),
        paid_minor=sum(m.minor for m in payments.values()),
        promises=tally["promises"],
        promises_kept=tally["promises_kept"],
        complaints=tally["complaints"],
    )


def _recent_contacts(uow: UnitOfWork, platform: str, as_of: date) -> Counter[str]:
    """Contacts per borrower on the LOOK_BACK_DAYS - 1 days before ``as_of``."""
    counts: Counter[str] = Counter()
    repo = uow.cycle(platform)
    for back in range(1, LOOK_BACK_DAYS):
        day = as_of - timedelta(days=back)
        for row in repo.outbox(day):
            counts[row["borrower_id"]] += row["state"] in ("delivered", "failed", "sent")
        for row in repo.queue_items(day):
            counts[row["borrower_id"]] += row["state"] == "done"
    return counts


def _event(
    as_of: date, p: _Planned, outcome: str, complaint: bool, promises: bool
) -> ContactEvent | None:
    channel = CONTACT_CHANNEL.get(p.channel)
    if channel is None:  # a legal referral is work on the file, not a contact
        return None
    result = (
        ContactResult.COMPLAINT if complaint else ContactResult.PROMISE_TO_PAY if promises else None
    )
    attempt = Attempt(
        borrower_id=p.borrower_id,
        debt_id=p.account_id,
        channel=channel,
        actor=ActorRole.CREDITOR,
        target=Target.DEBTOR,
        planned_at=p.at.astimezone(UTC),
        automated=p.channel == "robot_call",
    )
    return ContactEvent(
        _attempt_id(as_of, p), attempt, Outcome(outcome), p.at.astimezone(UTC), False, result
    )


def write_payments(inbox: Path, as_of: date, payments: Mapping[str, Money]) -> Path | None:
    """The day's payments as an inbox file (written whole, then renamed into place)."""
    if not payments:
        return None
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / f"payments-responses-{as_of.isoformat()}.csv"  # as_of: the value date
    partial = inbox / f".{target.name}.partial"
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["payment_id", "loan_id", "amount", "paid_on", "channel"])
        for loan_id, amount in sorted(payments.items()):
            writer.writerow(
                [f"SIM-{as_of.isoformat()}-{loan_id}", loan_id, amount.amount, as_of, "simulated"]
            )
    os.replace(partial, target)
    return target
