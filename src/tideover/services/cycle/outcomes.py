"""The day's recorded outcomes per account, for the cycle's KPI stage.

The DuckDB stages never touch the database, so what the KPIs need from storage
— money received, promises, plans, contact attempts and complaints — is read
here in a few bulk queries and handed over as one Arrow table of per-account
figures (``tideover.batch.cycle.kpis.OUTCOME_SCHEMA``).  The KPI stage then
attributes each figure to the account's segment and arm of the day.

What the figures mean, and the decisions behind them:

- **Recovery** is money received on the business date (``paid_on == as_of``),
  net of reversals valued that day, from accounts overdue at the *start* of
  the day.  The base is that start-of-day overdue amount: the loan replayed
  (on its schedule in force, as the delinquency stage does) without the day's
  payments.  The previous cycle date is not the base: it may be weeks earlier,
  and installments falling due since then belong to the base.  Only the loans
  that received money are replayed; every other account starts the day as it
  ends it.
- **Promises** due, and decided kept or broken, on the date (a review run for
  that date before the cycle; a later review is counted by a rerun); promises
  *made* in the window of the contacts (below), since they are made in
  conversations.
- **Plans**: status changes dated on the date (offered, accepted, active,
  completed, broken, cancelled) and the plans active at its end.
- **Contacts**: the ledger's outbound attempts and its complaints (a contact
  whose result is ``complaint``, inbound or outbound) in the run's *window*:
  the business dates from ``since`` (the previous run's date) up to the day
  before ``as_of``, in the platform's time zone.  The cycle runs at the start
  of its day and plans that day's contacts, so they happen after it: the next
  run reports them.  Consecutive runs' windows follow each other without gap
  or overlap, a rerun has the same window, and a first run's window is the
  previous day.  The rate per 1,000 is over the window's attempts; a longer
  period is the sum of the counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import TypedDict
from zoneinfo import ZoneInfo

import pyarrow as pa

from tideover.adapters.repositories.plans import PlanTimeline
from tideover.batch.cycle.kpis import OUTCOME_SCHEMA
from tideover.domain.delinquency import PausePeriod
from tideover.domain.loans import Loan
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.schedule_in_force import status_in_force
from tideover.plans.lifecycle import Outcome, PlanStatus, ScheduleVersion
from tideover.services.platforms import settings_of
from tideover.services.portfolio.start_of_day import StartOfDay
from tideover.services.unit_of_work import UnitOfWork


class Figure(TypedDict):
    """One per-account figure: a row of ``OUTCOME_SCHEMA``, the KPI stage's input."""

    account_id: str
    borrower_id: str | None
    metric: str
    key: str
    items: int
    amount_minor: int


def outcome_figures(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    *,
    since: date | None = None,
    start_of_day: StartOfDay | None = None,
) -> pa.Table:
    """Per-account figures of ``as_of`` (``OUTCOME_SCHEMA``), from a few bulk queries.

    Contacts and promises made are those of the dates ``since`` .. ``as_of`` - 1
    (``since`` defaults to the day before).  ``run_cycle`` passes the previous
    completed run's date and attaches the figures to the stage inputs, and the
    delinquency stage's ``start_of_day`` (the same recovery figures, from the rows it
    has read); without it they come from ``recovery_figures``.
    """
    first = since if since is not None and since < as_of else as_of - timedelta(days=1)
    with uow:
        settings = settings_of(uow, platform)
        loans = uow.loans(platform)
        paid = uow.payments(platform).by_loan_paid_on(as_of) if start_of_day is None else {}
        payers = loans.get_many(paid) if paid else {}
        pauses = loans.pauses_by_loan() if paid else {}
        plans = uow.plans(platform)
        histories = uow.schedules(platform).schedule_histories(paid) if paid else {}
        promises = uow.promises(platform).promises_on(as_of, made_since=first)
        timelines = plans.plan_timelines(as_of)
        totals = plans.plan_totals(
            t.plan_id for t in timelines if any(e.on == as_of for e in t.events)
        )
        start = datetime.combine(first, clock_time.min, ZoneInfo(settings.time_zone))
        end = datetime.combine(as_of, clock_time.min, start.tzinfo)
        contacts = uow.contacts(platform).attempts_and_complaints(since=start, until=end)
    if start_of_day is None:
        rows = recovery_figures(payers, paid, pauses, as_of, settings, histories=histories)
    else:
        rows = opening_figures(start_of_day)
    for p in promises:
        keys = [
            ("made", first <= p.promise.made_on < as_of),
            ("due", p.promise.due == as_of),
            (p.outcome.value, p.decided_on == as_of and p.outcome is not Outcome.PENDING),
        ]
        rows += [
            _figure(p.loan_id, "promises", key, amount=p.promise.amount.minor)
            for key, counted in keys
            if counted
        ]
    rows += plan_figures(timelines, totals, as_of)
    for c in contacts:
        if c.attempts:
            rows.append(_figure(c.debt_id, "attempted", c.channel, c.attempts, c.borrower_id))
        if c.complaints:
            rows.append(_figure(c.debt_id, "complaints", "all", c.complaints, c.borrower_id))
    return pa.Table.from_pylist(rows, schema=OUTCOME_SCHEMA)


def _figure(
    account_id: str,
    metric: str,
    key: str,
    items: int = 1,
    borrower_id: str | None = None,
    *,
    amount: int = 0,
) -> Figure:
    return {
        "account_id": account_id,
        "borrower_id": borrower_id,
        "metric": metric,
        "key": key,
        "items": items,
        "amount_minor": amount,
    }


def recovery_figures(
    loans: Mapping[str, Loan],
    payments: Mapping[str, Sequence[Payment]],
    pauses: Mapping[str, Sequence[PausePeriod]],
    as_of: date,
    settings: PlatformSettings,
    *,
    histories: Mapping[str, Sequence[ScheduleVersion]] | None = None,
) -> list[Figure]:
    """For each loan with money valued on ``as_of``: the net received and where it started.

    The start of the day is the loan replayed as the delinquency stage replays
    it (on its schedule in force, ``domain.schedule_in_force``, given its
    schedule ``histories``) with the payments and reversals valued before
    ``as_of`` only: its bucket and overdue amount (penalty included, as the
    cycle's ``overdue_minor``).
    """
    rows: list[Figure] = []
    for loan_id, paid in sorted(payments.items()):
        loan = loans[loan_id]
        # A reversal carries the original's (positive) amount: it takes that money back.
        received = sum(
            -p.amount.minor if p.reverses else p.amount.minor for p in paid if p.paid_on == as_of
        )
        _, status = status_in_force(
            loan,
            [p for p in paid if p.paid_on < as_of],
            as_of,
            versions=(histories or {}).get(loan_id, ()),
            waterfall=settings.waterfall,
            penalty=settings.penalty,
            pauses=pauses.get(loan_id, ()),
            scheme=settings.buckets,
        )
        rows.append(_figure(loan_id, "received", status.bucket, amount=received))
        rows.append(
            _figure(loan_id, "start_overdue", status.bucket, amount=status.overdue_total.minor)
        )
    return rows


def opening_figures(start: StartOfDay) -> list[Figure]:
    """``recovery_figures`` from the delinquency stage's start of the day (same rows, same
    order: by loan id)."""
    rows: list[Figure] = []
    for loan_id, received, bucket, overdue in zip(
        start.loan_ids, start.received, start.buckets, start.overdue, strict=True
    ):
        rows.append(_figure(loan_id, "received", bucket, amount=received))
        rows.append(_figure(loan_id, "start_overdue", bucket, amount=overdue))
    return rows


def plan_figures(
    timelines: Sequence[PlanTimeline], totals: Mapping[str, int], as_of: date
) -> list[Figure]:
    """Status changes dated ``as_of`` (amount: the plan's total) and plans active at its end."""
    rows: list[Figure] = []
    for t in timelines:
        for event in t.events:
            if event.on == as_of:
                rows.append(
                    _figure(t.loan_id, "plans", event.status.value, amount=totals[t.plan_id])
                )
        so_far = [e for e in t.events if e.on <= as_of]
        if so_far and so_far[-1].status is PlanStatus.ACTIVE:
            rows.append(_figure(t.loan_id, "plans", "in_force"))
    return rows
