"""The cycle's KPI statements, the portfolio report and the chart against ``domain.kpis``.

Random portfolios — buckets, DPD and balances on two dates, accounts new since
the earlier date, closed on either, missing from the later one, money on the
day — go through the reference definitions and through the DuckDB statements
of ``batch.cycle.kpis``: every count, amount and base must be identical, per
segment and arm.  ``tests/integration/test_kpi_definitions_spark.py`` does the
same with the statements transpiled for Spark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch.cycle.kpis import NO_SEGMENT, OUTCOME_SCHEMA, outcome_kpis, portfolio_kpis
from tideover.domain.allocation import Component
from tideover.domain.delinquency import (
    DEFAULT_BUCKETS,
    DelinquencyStatus,
    cure_counts,
    roll_rates,
)
from tideover.domain.kpis import (
    AccountState,
    DayMoney,
    Figure,
    bucket_figures,
    cure_figures,
    delinquency_figures,
    recovery_figures,
    roll_figures,
)
from tideover.domain.money import Money, currency
from tideover.services.cycle.kpi_chart import kpi_series
from tideover.services.cycle.results import KpiFigure, KpiReport

LABELS = DEFAULT_BUCKETS.labels
CNY = currency("CNY")
SEGMENTS = (("early", ""), ("early", "champion"), ("early", "challenger"), ("late", ""))
Key = tuple[str, str, str, str]  # segment, arm, metric, key

ASSIGNED_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("borrower_id", pa.string()),
        ("segment", pa.string()),
        ("arm", pa.string()),
        ("is_open", pa.bool_()),
        ("dpd", pa.int32()),
        ("bucket", pa.string()),
        ("overdue_minor", pa.int64()),
        ("balance_minor", pa.int64()),
    ]
)
PREVIOUS_SCHEMA = pa.schema(
    [("account_id", pa.string()), ("bucket", pa.string()), ("balance_minor", pa.int64())]
)


@dataclass(frozen=True)
class Account:
    """One account of a random portfolio: where it stood on each date and its day's money."""

    account_id: str
    earlier: AccountState | None  # None: new since the earlier date
    later: AccountState | None  # None: missing from today's table
    segment: str
    arm: str
    overdue_minor: int  # today's overdue amount
    money: DayMoney | None  # None: no money on the day (it starts the day as it ends it)


# -- random portfolios ------------------------------------------------------------------------

dpds = st.one_of(st.integers(0, 400), st.sampled_from([0, 1, 30, 31, 60, 61, 90, 91, 180, 181]))
balances = st.one_of(st.integers(0, 10**10), st.sampled_from([0, 1, 100_000]))


@st.composite
def states(draw: st.DrawFn, *, history: bool) -> AccountState:
    dpd = draw(dpds)
    bucket = DEFAULT_BUCKETS.bucket_for(dpd).label
    balance = draw(balances)
    if history:  # the bucket history: open means owing
        return AccountState.from_history(bucket, balance, dpd)
    # Today's table carries its own flag: the definitions must read it, whatever it says.
    return AccountState(bucket, dpd, balance, draw(st.booleans()))


day_money = st.builds(
    DayMoney, st.sampled_from(LABELS), st.integers(0, 10**8), st.integers(-(10**7), 10**8)
)


@st.composite
def portfolios(draw: st.DrawFn) -> list[Account]:
    accounts = []
    for i in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(["both", "both", "both", "new", "missing"]))
        segment, arm = draw(st.sampled_from(SEGMENTS))
        accounts.append(
            Account(
                account_id=f"L{i}",
                earlier=None if kind == "new" else draw(states(history=True)),
                later=None if kind == "missing" else draw(states(history=False)),
                segment=segment,
                arm=arm,
                overdue_minor=draw(st.one_of(st.just(0), st.integers(0, 10**8))),
                money=draw(st.one_of(st.none(), day_money)),
            )
        )
    return accounts


# -- the cycle's statements ----------------------------------------------------------------------


def tables(accounts: Sequence[Account]) -> dict[str, pa.Table]:
    """The KPI stage's three inputs: today's assigned accounts, yesterday's, the day's money."""
    assigned = [
        {
            "account_id": a.account_id,
            "borrower_id": f"B-{a.account_id}",
            "segment": a.segment,
            "arm": a.arm,
            "is_open": a.later.is_open,
            "dpd": a.later.dpd,
            "bucket": a.later.bucket,
            "overdue_minor": a.overdue_minor,
            "balance_minor": a.later.balance_minor,
        }
        for a in accounts
        if a.later is not None
    ]
    previous = [
        {
            "account_id": a.account_id,
            "bucket": a.earlier.bucket,
            "balance_minor": a.earlier.balance_minor,
        }
        for a in accounts
        if a.earlier is not None
    ]
    outcomes = [
        {
            "account_id": a.account_id,
            "borrower_id": None,  # a missing account's money is attributed to nobody
            "metric": metric,
            "key": a.money.start_bucket,
            "items": 1,
            "amount_minor": amount,
        }
        for a in accounts
        if a.money is not None
        for metric, amount in (
            ("received", a.money.received_minor),
            ("start_overdue", a.money.start_overdue_minor),
        )
    ]
    return {
        "assigned": pa.Table.from_pylist(assigned, schema=ASSIGNED_SCHEMA),
        "previous": pa.Table.from_pylist(previous, schema=PREVIOUS_SCHEMA),
        "outcomes": pa.Table.from_pylist(outcomes, schema=OUTCOME_SCHEMA),
    }


def cycle_rows(con: Any) -> list[dict[str, Any]]:
    """The portfolio and recovery rows of the KPI stage, on ``con`` (DuckDB, or Spark's twin)."""
    rows = portfolio_kpis(
        con, assigned="assigned", previous="previous", labels=LABELS, currency="CNY"
    )
    outcomes = outcome_kpis(con, assigned="assigned", outcomes="outcomes", currency="CNY")
    return rows + [r for r in outcomes if r["metric"] == "recovery"]


def keyed(rows: Iterable[Mapping[str, Any]]) -> dict[Key, Figure]:
    out: dict[Key, Figure] = {}
    for r in rows:
        key = (r["segment"], r["arm"], r["metric"], r["key"])
        assert key not in out, f"two rows for {key}"
        out[key] = Figure(
            r["accounts"], r["amount_minor"], r["base_accounts"], r["base_amount_minor"]
        )
    return out


def duckdb_figures(accounts: Sequence[Account]) -> dict[Key, Figure]:
    con = duckdb.connect()
    for name, table in tables(accounts).items():
        con.register(name, table)
    return keyed(cycle_rows(con))


# -- the reference, per segment and arm as the cycle attributes ---------------------------------


def reference_figures(accounts: Sequence[Account]) -> dict[Key, Figure]:
    """Every row the cycle writes: stock figures where the group has any account counted,
    roll, cure and recovery rows where the bucket has a base."""
    out: dict[Key, Figure] = {}
    today: dict[tuple[str, str], list[Account]] = defaultdict(list)
    then: dict[tuple[str, str], dict[str, AccountState]] = defaultdict(dict)
    later = {a.account_id: a.later for a in accounts if a.later is not None}
    for a in accounts:
        if a.later is not None:
            today[(a.segment, a.arm)].append(a)
        if a.earlier is not None:
            where = (a.segment, a.arm) if a.later is not None else (NO_SEGMENT, NO_SEGMENT)
            then[where][a.account_id] = a.earlier
    for (segment, arm), members in today.items():
        states_now = [m.later for m in members if m.later is not None]
        days = [
            m.money or DayMoney(m.later.bucket, m.overdue_minor, 0)
            for m in members
            if m.later is not None
        ]
        for metric, figures in (
            ("bucket", bucket_figures(states_now, LABELS)),
            ("delinquent", delinquency_figures(states_now)),
        ):
            out |= {(segment, arm, metric, k): f for k, f in figures.items() if f.accounts}
        out |= {(segment, arm, "recovery", k): f for k, f in recovery_figures(days).items()}
    for (segment, arm), earlier in then.items():
        for metric, figures in (
            ("roll", roll_figures(earlier, later, LABELS)),
            ("cure", cure_figures(earlier, later, LABELS)),
        ):
            out |= {(segment, arm, metric, k): f for k, f in figures.items() if f.base_accounts}
    return out


@settings(max_examples=150, deadline=None)
@given(portfolios())
def test_the_cycle_statements_give_the_reference_figures(accounts: list[Account]) -> None:
    assert duckdb_figures(accounts) == reference_figures(accounts)


# -- the chart: the platform's rates from the stored figures -------------------------------------


def platform(figures: Iterable[Figure]) -> Figure:
    return sum(figures, Figure())


def percent(part: int, whole: int) -> Decimal | None:
    return Decimal(part) * 100 / Decimal(whole) if whole else None


@settings(max_examples=60, deadline=None)
@given(portfolios())
def test_the_chart_draws_the_reference_rates(accounts: list[Account]) -> None:
    rows = [{**r, "as_of": "2026-11-30"} for r in cycle_rows(_registered(accounts))]
    series = kpi_series(
        KpiReport(platform="p", first=date(2026, 11, 30), last=date(2026, 11, 30),
                  buckets=list(LABELS), rows=[KpiFigure.of(r) for r in rows])
    )  # fmt: skip
    earlier = {a.account_id: a.earlier for a in accounts if a.earlier is not None}
    later = {a.account_id: a.later for a in accounts if a.later is not None}
    now = list(later.values())
    open_now = [s for s in now if s.is_open]
    days = [a.money or DayMoney(a.later.bucket, a.overdue_minor, 0) for a in accounts
            if a.later is not None]  # fmt: skip
    delinquent = delinquency_figures(now)
    roll = roll_figures(earlier, later, LABELS)["M1"]
    cure = platform(cure_figures(earlier, later, LABELS).values())
    recovery = platform(recovery_figures(days).values())
    expected = {
        "30+": percent(delinquent["30+"].accounts, len(open_now)),
        "90+": percent(delinquent["90+"].accounts, len(open_now)),
        "roll": percent(roll.accounts, roll.base_accounts),
        "cure": percent(cure.accounts, cure.base_accounts),
        "recovery": percent(recovery.amount_minor, recovery.base_amount_minor),
    }
    if not rows:  # a date without any row draws nothing
        assert series.dates == []
        return
    assert {k: series.values[k][0] for k in expected} == expected


def _registered(accounts: Sequence[Account]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, table in tables(accounts).items():
        con.register(name, table)
    return con


# -- the portfolio report: statuses as storage keeps them, through both paths -------------------


@st.composite
def statuses(draw: st.DrawFn, loan_id: str, as_of: date) -> DelinquencyStatus:
    """A status as the replay gives it: closed owes nothing, overdue principal is inside the
    outstanding principal, penalty may remain on a settled installment."""
    dpd = draw(dpds)
    principal = draw(st.one_of(st.just(0), st.integers(0, 10**9)))
    overdue = {
        Component.PRINCIPAL: draw(st.integers(0, principal)) if dpd else 0,
        Component.INTEREST: draw(st.integers(0, 10**6)) if dpd else 0,
        Component.FEES: draw(st.integers(0, 10**5)) if dpd else 0,
        Component.PENALTY: draw(st.integers(0, 10**5)),
    }
    return DelinquencyStatus(
        loan_id=loan_id,
        as_of=as_of,
        dpd=dpd,
        bucket=DEFAULT_BUCKETS.bucket_for(dpd).label,
        oldest_unpaid_due=None,
        overdue={c: Money(v, CNY) for c, v in overdue.items()},
        outstanding_principal=Money(principal, CNY),
    )


@st.composite
def status_pairs(
    draw: st.DrawFn,
) -> tuple[dict[str, DelinquencyStatus], dict[str, DelinquencyStatus]]:
    previous: dict[str, DelinquencyStatus] = {}
    current: dict[str, DelinquencyStatus] = {}
    for i in range(draw(st.integers(0, 25))):
        loan_id, kind = f"L{i}", draw(st.sampled_from(["both", "both", "new", "missing"]))
        if kind != "new":
            previous[loan_id] = draw(statuses(loan_id, date(2026, 10, 31)))
        if kind != "missing":
            current[loan_id] = draw(statuses(loan_id, date(2026, 11, 30)))
    return previous, current


def _storage_tables(
    previous: Mapping[str, DelinquencyStatus], current: Mapping[str, DelinquencyStatus]
) -> dict[str, pa.Table]:
    """The cycle's inputs built by storage's own formulas, not by ``balance_of``: today's
    balance as ``services.cycle.inputs.accounts_table`` (principal + overdue − overdue
    principal, open while principal or overdue), yesterday's as
    ``DelinquencyRepository.buckets_on`` (principal + overdue interest, fees, penalty)."""
    assigned = []
    for loan_id, s in current.items():
        overdue = s.overdue_total.minor
        assigned.append({
            "account_id": loan_id, "borrower_id": loan_id, "segment": "s", "arm": "",
            "is_open": bool(s.outstanding_principal.minor or overdue), "dpd": s.dpd,
            "bucket": s.bucket, "overdue_minor": overdue,
            "balance_minor": s.outstanding_principal.minor + overdue
            - s.overdue[Component.PRINCIPAL].minor,
        })  # fmt: skip
    rows = [
        {"account_id": loan_id, "bucket": s.bucket,
         "balance_minor": s.outstanding_principal.minor + sum(
             s.overdue[c].minor for c in (Component.INTEREST, Component.FEES, Component.PENALTY))}
        for loan_id, s in previous.items()
    ]  # fmt: skip
    return {
        "assigned": pa.Table.from_pylist(assigned, schema=ASSIGNED_SCHEMA),
        "previous": pa.Table.from_pylist(rows, schema=PREVIOUS_SCHEMA),
    }


@settings(max_examples=150, deadline=None)
@given(status_pairs())
def test_the_report_and_the_cycle_give_the_same_roll_and_cure_figures(
    pair: tuple[dict[str, DelinquencyStatus], dict[str, DelinquencyStatus]],
) -> None:
    previous, current = pair
    con = duckdb.connect()
    for name, table in _storage_tables(previous, current).items():
        con.register(name, table)
    rows = portfolio_kpis(
        con, assigned="assigned", previous="previous", labels=LABELS, currency="CNY"
    )
    cycle: dict[tuple[str, str], Figure] = defaultdict(Figure)
    for r in rows:
        if r["metric"] in ("roll", "cure"):
            figure = Figure(r["accounts"], r["amount_minor"], r["base_accounts"],
                            r["base_amount_minor"])  # fmt: skip
            cycle[(r["metric"], r["key"])] += figure
    report = {
        ("roll", label): Figure(
            rate.rolled_accounts, rate.rolled_balance.minor, rate.accounts, rate.balance.minor
        )
        for label, rate in roll_rates(previous, current).items()
        if rate.accounts
    }
    assert {k: f for k, f in cycle.items() if k[0] == "roll"} == report
    # Cures: the report's counts, over the same base as the bucket's roll rate.
    cures = cure_counts(previous, current)
    for label in LABELS[1:]:
        if ("roll", label) in report:
            figure = cycle[("cure", label)]
            assert figure.accounts == cures[label]
            assert figure.base_accounts == report[("roll", label)].base_accounts
        else:
            assert ("cure", label) not in cycle
            assert cures[label] == 0
