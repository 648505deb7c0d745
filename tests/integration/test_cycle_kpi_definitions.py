"""On stored loans, the cycle's roll and cure figures are the portfolio report's, to the fen.

Two cycle runs a month apart on the demo sample (no payments in between, so
accounts roll while penalty and interest fall due): the cycle's ``roll`` rows
summed over segments and arms must equal ``tideover delinquency``'s roll rates
on the same dates, accounts and balances, and its ``cure`` rows the report's
cure counts.  Both are ``domain.kpis``; before, the cycle counted a rolled
account at its balance of the earlier date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path

import pandas as pd
from tests.support import cycle_under

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.delinquency import account_state, balance_of, cure_counts
from tideover.domain.kpis import Figure, rolled
from tideover.domain.money import Money, currency
from tideover.services.cycle.run import kpi_report
from tideover.services.demo.story import load_demo_platform
from tideover.services.portfolio.delinquency import report_from_history

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
SAMPLE = Path(__file__).parents[1] / "data" / "lendingclub_sample.csv"
POLICY = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
FIRST, LATER = date(2026, 11, 30), date(2026, 12, 31)
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))


def test_the_cycle_and_the_report_give_one_roll_rate(uow_factory: UowFactory) -> None:
    frame = pd.read_csv(SAMPLE)
    preset = DEMO_PLATFORMS["demo-cn"]
    load_demo_platform(uow=uow_factory(), preset=preset, load_source=lambda: frame, as_of=FIRST)
    for day in (FIRST, LATER):
        cycle_under(
            uow=uow_factory(),
            platform="demo-cn",
            as_of=day,
            clock=FixedClock(datetime.combine(day, time(20, 0), UTC)),  # each date on its day
            policy_file=POLICY,
        )

    rows = kpi_report(uow=uow_factory(), platform="demo-cn", first=LATER, last=LATER).to_json()[
        "rows"
    ]
    cycle: dict[tuple[str, str], Figure] = defaultdict(Figure)
    for r in rows:
        if r["metric"] in ("roll", "cure"):
            part = Figure(r["accounts"], r["amount_minor"], r["base_accounts"],
                          r["base_amount_minor"])  # fmt: skip
            cycle[(r["metric"], r["key"])] += part
    report = report_from_history(uow=uow_factory(), platform="demo-cn", as_of=LATER)
    assert report.previous_as_of == FIRST
    cur = currency(report.currency)
    rolls = {
        label: Figure(
            r.rolled_accounts,
            Money.of(r.rolled_balance, cur).minor,
            r.accounts,
            Money.of(r.balance, cur).minor,
        )
        for label, r in report.roll_rates.items()
        if r.accounts
    }
    assert {k[1]: f for k, f in cycle.items() if k[0] == "roll"} == rolls
    assert sum(f.accounts for f in rolls.values()) > 0

    with uow_factory() as uow:
        before = uow.delinquency("demo-cn").for_date(FIRST)
        after = uow.delinquency("demo-cn").for_date(LATER)
    cures = cure_counts(before, after)
    assert {k[1]: f.accounts for k, f in cycle.items() if k[0] == "cure"} == {
        label: n for label, n in cures.items() if label in rolls
    }
    # The month moved the rolled accounts' balances, so the earlier-balance figure the cycle
    # used to write differs from the one both give now.
    labels = [line.bucket for line in report.buckets]
    moved = [
        i
        for i, s in before.items()
        if account_state(s).is_open and rolled(account_state(s), account_state(after[i]), labels)
    ]
    assert len(moved) == sum(f.accounts for f in rolls.values())
    then = sum(balance_of(before[i]).minor for i in moved)
    assert sum(f.amount_minor for f in rolls.values()) != then
