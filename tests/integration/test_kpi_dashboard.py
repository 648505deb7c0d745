"""The KPI dashboard: the stored figures of a range as series, summed (never averaged) over
segments and arms, and a roll-rate matrix that agrees with the cycle's own roll figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from tests.support import activate_policy

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.errors import ValidationError
from tideover.services.cycle.dashboard import kpi_dashboard
from tideover.services.cycle.run import run_cycle
from tideover.services.demo.story import load_demo_platform
from tideover.services.portfolio.delinquency import compute_delinquency

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
ROOT = Path(__file__).parents[2]
PLATFORM = "demo-cn"
DAYS = [date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30)]


@pytest.fixture
def cycled(uow_factory: UowFactory) -> UowFactory:
    frame = pd.read_csv(ROOT / "tests" / "data" / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS[PLATFORM], load_source=lambda: frame,
        as_of=DAYS[-1],
    )  # fmt: skip
    activate_policy(uow_factory, PLATFORM, ROOT / "src/tideover/policy/examples/supportive.yaml")
    for day in DAYS:
        clock = FixedClock(datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC))
        run_cycle(uow=uow_factory(), platform=PLATFORM, as_of=day, clock=clock)
    return uow_factory


def _stored(uow: UowFactory, day: date, metric: str, key: str) -> tuple[int, int, int, int]:
    with uow() as opened:
        rows = [r for r in opened.cycle(PLATFORM).kpis(day, day)
                if (r["metric"], r["key"]) == (metric, key)]  # fmt: skip
    return (
        sum(r["accounts"] for r in rows),
        sum(r["amount_minor"] for r in rows),
        sum(r["base_accounts"] or 0 for r in rows),
        sum(r["base_amount_minor"] or 0 for r in rows),
    )


def test_the_default_range_ends_at_the_last_run_and_sums_every_segment(
    cycled: UowFactory,
) -> None:
    board = kpi_dashboard(uow=cycled(), platform=PLATFORM)
    assert board.last == DAYS[-1]
    assert (board.last - board.first).days == 29
    assert board.dates == DAYS
    assert board.buckets[0] == "M0"  # the demo platforms call current M0
    assert board.segments  # the policy's segments, as stored
    # Bucket counts add up to the open accounts of the day, as the portfolio report has them.
    open_accounts = sum(int(s.values[-1] or 0) for s in board.bucket_accounts)
    report = compute_delinquency(uow=cycled(), platform=PLATFORM, as_of=DAYS[-1], store=False)
    assert open_accounts == report.open_accounts
    # 30+ by balance over the whole open book, not over the books of the segments that have
    # 30+ accounts (a segment per bucket: only "late" has any).
    _, amount, _, late_book = _stored(cycled, DAYS[-1], "delinquent", "30+")
    book = sum(_stored(cycled, DAYS[-1], "bucket", b)[1] for b in board.buckets)
    assert late_book < book
    expected = (Decimal(amount) / Decimal(book)).quantize(Decimal("0.0001"))
    assert board.delinquency[0].key == "30+"
    assert board.delinquency[0].values[-1] == expected


def test_one_segment_is_a_part_of_the_whole(cycled: UowFactory) -> None:
    whole = kpi_dashboard(uow=cycled(), platform=PLATFORM)
    parts = [kpi_dashboard(uow=cycled(), platform=PLATFORM, segment=s) for s in whole.segments]
    for k, bucket in enumerate(whole.buckets):
        total = sum(int(p.bucket_accounts[k].values[-1] or 0) for p in parts)
        assert total == int(whole.bucket_accounts[k].values[-1] or 0), bucket
    assert sum(p.cost_total for p in parts) == whole.cost_total


def test_the_matrix_agrees_with_the_cycles_roll_figures(cycled: UowFactory) -> None:
    board = kpi_dashboard(uow=cycled(), platform=PLATFORM, first=DAYS[1], last=DAYS[2])
    matrix = board.matrix
    assert (matrix.earlier, matrix.later) == (DAYS[1], DAYS[2])
    assert matrix.columns[-2:] == ["closed", "missing"]
    for r, bucket in enumerate(matrix.rows[:-1]):
        rolled = sum(matrix.accounts[r][c] for c in range(r + 1, len(matrix.rows)))
        n, _, base_n, _ = _stored(cycled, DAYS[2], "roll", bucket)
        assert (rolled, matrix.base_accounts[r]) == (n, base_n), bucket
        assert sum(matrix.accounts[r]) == base_n


def test_a_range_backwards_or_too_long_is_refused(cycled: UowFactory) -> None:
    with pytest.raises(ValidationError, match="before it starts"):
        kpi_dashboard(uow=cycled(), platform=PLATFORM, first=DAYS[2], last=DAYS[0])
    with pytest.raises(ValidationError, match="at most 400 days"):
        kpi_dashboard(uow=cycled(), platform=PLATFORM, first=date(2020, 1, 1), last=DAYS[0])


def test_a_platform_without_runs_has_an_empty_dashboard(uow_factory: UowFactory) -> None:
    from tideover.domain.money import CNY

    with uow_factory() as uow:
        uow.platforms.ensure("empty", name="empty", currency=CNY, settings={})
        uow.commit()
    clock = FixedClock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    board = kpi_dashboard(uow=uow_factory(), platform="empty", clock=clock)
    assert board.last == date(2026, 11, 30)
    assert board.dates == []
    assert board.matrix.accounts == []
    assert board.complaints_per_1000_total is None
