"""Use case: the portfolio's delinquency as of a business date, stored as bucket history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tideover.domain.delinquency import (
    BucketScheme,
    DelinquencyStatus,
    RollRate,
    roll_rates,
)
from tideover.domain.errors import NotFound
from tideover.domain.money import Currency, Money, total
from tideover.domain.platforms import PlatformSettings
from tideover.i18n import N_
from tideover.services.common import ProgressFn, no_progress
from tideover.services.platforms import settings_of
from tideover.services.portfolio.positions import portfolio_delinquency
from tideover.services.portfolio.results import BucketLine, BucketRoll, DelinquencyReport
from tideover.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class BucketTotals:
    """A bucket's open accounts and balances, in money."""

    bucket: str
    accounts: int
    outstanding_principal: Money
    overdue: Money


def _is_closed(status: DelinquencyStatus) -> bool:
    return not status.outstanding_principal and not status.overdue_total


def summarise(
    statuses: Sequence[DelinquencyStatus], scheme: BucketScheme, currency: Currency
) -> tuple[tuple[BucketTotals, ...], int]:
    """Bucket lines over open loans, and the number of closed (fully repaid) loans."""
    open_by_bucket: dict[str, list[DelinquencyStatus]] = {label: [] for label in scheme.labels}
    closed = 0
    for status in statuses:
        if _is_closed(status):
            closed += 1
        else:
            open_by_bucket[status.bucket].append(status)
    lines = tuple(
        BucketTotals(
            bucket=label,
            accounts=len(members),
            outstanding_principal=total((s.outstanding_principal for s in members), currency),
            overdue=total((s.overdue_total for s in members), currency),
        )
        for label, members in open_by_bucket.items()
    )
    return lines, closed


def compute_delinquency(
    *,
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    store: bool = True,
    progress: ProgressFn = no_progress,
) -> DelinquencyReport:
    """DPD, bucket and overdue amounts of every loan of ``platform`` as of ``as_of``.

    Each loan is replayed on its schedule in force on ``as_of`` (a relief plan's
    or a re-aged version: docs/cycle.md), as the daily cycle does.  With
    ``store`` the statuses replace that date's bucket history (a rerun gives the
    same rows), and roll rates are measured against the latest earlier date on
    record.
    """
    label = f"{platform}: delinquency as of {as_of}"
    with uow:
        settings = settings_of(uow, platform)
        progress(label, 0, 1)
        book = portfolio_delinquency(uow, platform, as_of, settings)
        statuses = book.statuses
        history = uow.delinquency(platform)
        previous_as_of = history.previous_date(as_of)
        previous = history.for_date(previous_as_of) if previous_as_of is not None else None
        progress(label, 1, 1)
        if store:
            history.replace(as_of, statuses)
            uow.commit()
    not_yet = book.not_yet_disbursed
    return _report(platform, as_of, settings, statuses, not_yet, previous_as_of, previous)


def report_from_history(*, uow: UnitOfWork, platform: str, as_of: date) -> DelinquencyReport:
    """The report of a date already on record (e.g. written by the daily cycle)."""
    with uow:
        settings = settings_of(uow, platform)
        history = uow.delinquency(platform)
        current = history.for_date(as_of)
        if not current:
            raise NotFound(
                N_("platform %(platform)s has no delinquency on record for %(as_of)s"),
                platform=repr(platform),
                as_of=as_of,
            )
        previous_as_of = history.previous_date(as_of)
        previous = history.for_date(previous_as_of) if previous_as_of is not None else None
        not_yet = uow.loans(platform).count() - len(current)
    statuses = list(current.values())
    return _report(platform, as_of, settings, statuses, not_yet, previous_as_of, previous)


def _report(
    platform: str,
    as_of: date,
    settings: PlatformSettings,
    statuses: Sequence[DelinquencyStatus],
    not_yet: int,
    previous_as_of: date | None,
    previous: Mapping[str, DelinquencyStatus] | None,
) -> DelinquencyReport:
    rolls: Mapping[str, RollRate] = {}
    if previous is not None:
        current = {s.loan_id: s for s in statuses}
        rolls = roll_rates(previous, current, settings.buckets)
    lines, closed = summarise(statuses, settings.buckets, settings.currency)
    return DelinquencyReport(
        platform=platform,
        as_of=as_of,
        currency=settings.currency.code,
        open_accounts=sum(line.accounts for line in lines),
        delinquent_accounts=sum(line.accounts for line in lines[1:]),
        closed_accounts=closed,
        not_yet_disbursed=not_yet,
        outstanding_principal=total(
            (line.outstanding_principal for line in lines), settings.currency
        ).amount,
        buckets=[
            BucketLine(
                bucket=line.bucket,
                accounts=line.accounts,
                outstanding_principal=line.outstanding_principal.amount,
                overdue=line.overdue.amount,
            )
            for line in lines
        ],
        previous_as_of=previous_as_of,
        roll_rates=BucketRoll.by_bucket(rolls),
    )
