"""The strategy manager's KPI dashboard: the stored figures of a range as series per date.

Every rate is a sum of stored counts over a sum of stored bases, for the
segment and arm chosen (all of them when none is), rounded once when read
(``domain.kpis``, docs/cycle.md "KPIs"): never an average of daily rates.  The
roll-rate matrix comes from the bucket history (``delinquency_snapshots``) of
the range's first and last snapshot dates, for the whole platform (the history
carries no segment or arm).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import ConfigDict, Field

from tideover.domain.clock import Clock, SystemClock, business_date
from tideover.domain.errors import ValidationError
from tideover.domain.kpis import CLOSED, MISSING, AccountState, Figure, transition_figures
from tideover.i18n import N_
from tideover.services.platforms import settings_of
from tideover.services.results import Exact, Result
from tideover.services.unit_of_work import UnitOfWork

Sums = Mapping[tuple[date, str, str], Figure]
DEFAULT_DAYS = 30
MAX_DAYS = 400  # a little over a year of daily figures on one page


class Series(Result):
    """One line of a chart: a value per date of the dashboard (None where there is no base)."""

    key: str
    values: list[Exact | None]


class RollMatrix(Result):
    """Where the accounts of each bucket on ``earlier`` are on ``later`` (docs/cycle.md)."""

    earlier: date | None
    later: date | None
    rows: list[str]
    columns: list[str]  # the buckets, then closed and missing
    accounts: list[list[int]]
    base_accounts: list[int]
    rates: list[list[Exact | None]]  # accounts over the row's base, 4 places


class KpiDashboard(Result):
    """A platform's KPIs of ``from``..``to`` for one segment and arm (or all of them)."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    platform: str
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    segment: str | None
    arm: str | None
    segments: list[str]
    arms: list[str]
    currency: str
    dates: list[date]
    buckets: list[str]
    bucket_accounts: list[Series]  # open accounts per bucket (counts, as Exact integers)
    delinquency: list[Series]  # 30+ and 90+, by balance
    roll: list[Series]  # roll rate per bucket but the last, by balance
    cure: list[Series]  # cure rate per delinquent bucket, by accounts
    recovery: Series  # money received over the overdue amount at the start of the day
    cost: Series  # cost to collect per date, in major units
    cost_total: Exact
    attempts: Series
    complaints_per_1000: Series
    complaints_per_1000_total: Exact | None
    matrix: RollMatrix


def kpi_dashboard(
    *,
    uow: UnitOfWork,
    platform: str,
    first: date | None = None,
    last: date | None = None,
    segment: str | None = None,
    arm: str | None = None,
    clock: Clock | None = None,
) -> KpiDashboard:
    """The dashboard of ``first..last`` (default: the 30 days up to the last completed run,
    or up to the platform's business date before its first run)."""
    with uow:
        settings = settings_of(uow, platform)
        repo = uow.cycle(platform)
        if last is None:
            last = repo.last_completed_date() or business_date(
                clock or SystemClock(), settings.time_zone
            )
        if first is None:
            first = last - timedelta(days=DEFAULT_DAYS - 1)
        _check_range(first, last)
        rows = repo.kpis(first, last)
        history = uow.delinquency(platform)
        stored = [d for d in history.dates() if first <= d <= last]
        later = stored[-1] if stored else None
        earlier = None
        if later is not None:
            earlier = stored[0] if len(stored) > 1 else history.previous_date(later)
        states = {
            day: {
                loan: AccountState.from_history(bucket, int(balance))
                for loan, bucket, balance in history.buckets_on(day)
            }
            for day in (earlier, later)
            if day is not None
        }
    labels = list(settings.buckets.labels)
    digits = settings.currency.minor_digits
    segments = sorted({r["segment"] for r in rows})
    arms = sorted({r["arm"] for r in rows})
    chosen = [
        r
        for r in rows
        if (segment is None or r["segment"] == segment) and (arm is None or r["arm"] == arm)
    ]
    dates = sorted({r["as_of"] for r in rows})
    sums = _sums(chosen)
    complaints = [sums.get((d, "complaints", "all"), Figure()) for d in dates]
    whole = sum(complaints, Figure())
    cost = _totals(sums, "cost")
    return KpiDashboard(
        platform=platform,
        first=first,
        last=last,
        segment=segment,
        arm=arm,
        segments=segments,
        arms=arms,
        currency=settings.currency.code,
        dates=dates,
        buckets=labels,
        bucket_accounts=[_counts(b, _totals(sums, "bucket", b), dates) for b in labels],
        delinquency=[_delinquency(k, sums, dates) for k in ("30+", "90+")],
        roll=[_series(b, sums, dates, "roll", b, by="amount") for b in labels[:-1]],
        cure=[_series(b, sums, dates, "cure", b, by="accounts") for b in labels[1:]],
        recovery=_total_series("recovery", sums, dates, "recovery", by="amount"),
        cost=Series(key="cost", values=[_major(cost[d].amount_minor, digits) for d in dates]),
        cost_total=_major(sum(cost[d].amount_minor for d in dates), digits),
        attempts=_counts("attempts", _totals(sums, "attempted"), dates),
        complaints_per_1000=Series(key="complaints", values=[_per_1000(f) for f in complaints]),
        complaints_per_1000_total=_per_1000(whole),
        matrix=_matrix(labels, earlier, later, states),
    )


def _check_range(first: date, last: date) -> None:
    if last < first:
        raise ValidationError(
            N_("the range ends (%(last)s) before it starts (%(first)s)"),
            last=last.isoformat(),
            first=first.isoformat(),
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError(
            N_("a dashboard shows at most %(max_days)s days; choose a shorter range"),
            max_days=MAX_DAYS,
        )


def _sums(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[date, str, str], Figure]:
    """Stored rows summed over segments and arms, per (date, metric, key)."""
    sums: dict[tuple[date, str, str], Figure] = defaultdict(Figure)
    for r in rows:
        sums[(r["as_of"], r["metric"], r["key"])] += Figure(
            r["accounts"], r["amount_minor"], r["base_accounts"] or 0,
            r["base_amount_minor"] or 0,
        )  # fmt: skip
    return sums


def _rate(part: int, whole: int, places: str = "0.0001") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _value(f: Figure, by: str) -> Decimal | None:
    if by == "amount":
        return _rate(f.amount_minor, f.base_amount_minor)
    return _rate(f.accounts, f.base_accounts)


def _series(
    key: str,
    sums: Sums,
    dates: list[date],
    metric: str,
    name: str,
    *,
    by: str,
) -> Series:
    return Series(
        key=key, values=[_value(sums.get((d, metric, name), Figure()), by) for d in dates]
    )


def _delinquency(key: str, sums: Sums, dates: list[date]) -> Series:
    """Balance more than 30 (90) days past due over the open book's balance.  The book is the
    sum of the bucket rows: a delinquency row is stored only for a segment and arm that has
    such accounts, so summing its own bases would leave the others' books out."""
    book = _totals(sums, "bucket")
    late = _totals(sums, "delinquent", key)
    values = [
        _rate(late.get(d, Figure()).amount_minor, book.get(d, Figure()).amount_minor) for d in dates
    ]
    return Series(key=key, values=values)


def _totals(sums: Sums, metric: str, key: str | None = None) -> dict[date, Figure]:
    """``metric`` per date, of its ``key`` or summed over its keys (e.g. over channels)."""
    totals: dict[date, Figure] = defaultdict(Figure)
    for (day, m, k), f in sums.items():
        if m == metric and (key is None or k == key):
            totals[day] += f
    return totals


def _counts(key: str, totals: Mapping[date, Figure], dates: list[date]) -> Series:
    return Series(key=key, values=[Decimal(totals.get(d, Figure()).accounts) for d in dates])


def _total_series(key: str, sums: Sums, dates: list[date], metric: str, *, by: str) -> Series:
    """A metric summed over its keys (e.g. recovery over the buckets) per date."""
    totals = _totals(sums, metric)
    return Series(key=key, values=[_value(totals.get(d, Figure()), by) for d in dates])


def _per_1000(f: Figure) -> Decimal | None:
    return _rate(f.accounts * 1000, f.base_accounts, "0.01")


def _major(minor: int, digits: int) -> Decimal:
    return Decimal(minor).scaleb(-digits)


def _matrix(
    labels: list[str],
    earlier: date | None,
    later: date | None,
    states: Mapping[date, Mapping[str, AccountState]],
) -> RollMatrix:
    columns = [*labels, CLOSED, MISSING]
    if earlier is None or later is None:
        return RollMatrix(earlier=earlier, later=later, rows=labels, columns=columns,
                          accounts=[], base_accounts=[], rates=[])  # fmt: skip
    cells = transition_figures(states[earlier], states[later], labels)
    return RollMatrix(
        earlier=earlier,
        later=later,
        rows=labels,
        columns=columns,
        accounts=[[cells[row][col].accounts for col in columns] for row in labels],
        base_accounts=[cells[row][labels[0]].base_accounts for row in labels],
        rates=[
            [_rate(cells[row][col].accounts, cells[row][col].base_accounts) for col in columns]
            for row in labels
        ],
    )
