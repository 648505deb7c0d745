"""The demo's story on both databases: one book, two policies, business days of cycles.

The committed Lending Club sample is booked twice (supportive and aggressive),
three business days are run with simulated borrowers, and the story is checked
for what a strategy manager reads from it — and for reruns changing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import text

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.services.cycle.run import kpi_report
from tideover.services.demo.responses import simulate_day
from tideover.services.demo.story import (
    DemoDay,
    book_payments,
    business_days,
    ensure_demo_policy,
    load_demo_platform,
    run_demo_days,
)

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
SAMPLE = Path(__file__).parents[1] / "data" / "lendingclub_sample.csv"
LAST = date(2026, 11, 30)
PLATFORMS = ("demo-cn", "demo-cn-aggressive")
TABLES = ("payments", "contact_events", "promises_to_pay", "outbox_messages", "cycle_runs")


def _clock(day: date) -> FixedClock:
    evening = datetime.combine(day, clock_time(20), ZoneInfo("Asia/Shanghai"))
    return FixedClock(evening.astimezone(UTC))


def _story(uow: UowFactory, code: str, days: list[date], inbox: Path) -> list[DemoDay]:
    frame = pd.read_csv(SAMPLE)
    preset = DEMO_PLATFORMS[code]
    load_demo_platform(
        uow=uow(), preset=preset, load_source=lambda: frame, as_of=LAST, paid_before=days[0]
    )
    ensure_demo_policy(uow_factory=uow, platform=code, as_of=days[0], clock=_clock(days[0]))
    book = book_payments(preset=preset, load_source=lambda: frame, as_of=LAST)
    return run_demo_days(
        uow_factory=uow, platform=code, days=days, book=book, inbox=inbox, clock_at=_clock
    )


def _counts(uow: UowFactory, code: str) -> dict[str, int]:
    with uow() as unit:
        session = unit.session
        pid = session.execute(text("SELECT id FROM platforms WHERE code = :c"), {"c": code}).one()
        return {
            t: session.execute(
                text(f"SELECT count(*) FROM {t} WHERE platform_id = :p"), {"p": pid[0]}
            ).scalar_one()
            for t in TABLES
        }


@pytest.fixture
def days() -> list[date]:
    return business_days(LAST, 3, "CN")


def test_business_days_skip_weekends_and_holidays() -> None:
    assert business_days(LAST, 3, "CN") == [date(2026, 11, 26), date(2026, 11, 27), LAST]
    # 2026-10-01..07 is China's National Day holiday; Saturday 2026-10-10 is a working day.
    october = business_days(date(2026, 10, 9), 4, "CN")
    assert october == [date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9)]
    assert business_days(date(2026, 10, 12), 3, "CN") == [
        date(2026, 10, 9),
        date(2026, 10, 10),
        date(2026, 10, 12),
    ]


def test_the_book_kept_from_the_load_is_the_book_built_again(uow_factory: UowFactory) -> None:
    frame = pd.read_csv(SAMPLE)
    preset = DEMO_PLATFORMS["demo-cn"]
    first = business_days(LAST, 3, "CN")[0]
    load_demo_platform(
        uow=uow_factory(), preset=preset, load_source=lambda: frame, as_of=LAST, paid_before=first
    )
    kept = book_payments(preset=preset, load_source=lambda: frame, as_of=LAST)
    built = book_payments(preset=preset, load_source=lambda: frame, as_of=LAST)  # not kept now
    assert kept == built
    assert any(p.paid_on >= first for p in kept)  # the later payments the days bring


def test_one_book_two_policies_three_days(
    uow_factory: UowFactory, days: list[date], tmp_path: Path
) -> None:
    stories = {code: _story(uow_factory, code, days, tmp_path / code) for code in PLATFORMS}
    for code, story in stories.items():
        assert [d.as_of for d in story] == days
        assert all(d.cycle is not None for d in story)
        # Each day's files are ingested the next morning: the book's and the responses'.
        filed = tmp_path / code / "done" / days[1].isoformat()
        assert (filed / f"payments-responses-{days[1].isoformat()}.csv").exists(), code
        assert (filed / f"payments-book-{days[1].isoformat()}.csv").exists(), code
    # Same book: same loans, same first-day delinquency before any treatment.
    firsts = {c: s[0].cycle.segments for c, s in stories.items()}
    assert sum(firsts["demo-cn"].values()) == sum(firsts["demo-cn-aggressive"].values())
    planned = {
        code: sum(d.cycle.counts["actions"] for d in story) for code, story in stories.items()
    }
    assert planned["demo-cn-aggressive"] > 2 * planned["demo-cn"]
    cost = {
        code: sum(
            r["amount_minor"]
            for r in kpi_report(
                uow=uow_factory(), platform=code, first=days[0], last=days[-1]
            ).to_json()["rows"]
            if r["metric"] == "cost"
        )
        for code in PLATFORMS
    }
    assert cost["demo-cn-aggressive"] > cost["demo-cn"]
    with uow_factory() as unit:
        contacts = unit.contacts("demo-cn-aggressive").count()
    assert contacts > 0


def test_a_rerun_of_a_finished_story_changes_nothing(
    uow_factory: UowFactory, days: list[date], tmp_path: Path
) -> None:
    _story(uow_factory, "demo-cn", days, tmp_path / "inbox")
    before = _counts(uow_factory, "demo-cn")
    again = _story(uow_factory, "demo-cn", days, tmp_path / "inbox")
    assert all(d.cycle is None for d in again)
    assert _counts(uow_factory, "demo-cn") == before
    # Simulating a day twice finds its contacts already recorded.
    second = simulate_day(
        uow_factory=uow_factory,
        platform="demo-cn",
        as_of=days[-1],
        inbox=tmp_path / "inbox",
        seed=1,
        answer_calls=False,  # as the story's last day
    )
    assert second.already_done or second.contacts == 0
    assert _counts(uow_factory, "demo-cn") == before


def test_the_last_days_calls_are_left_to_the_demo_collector(
    uow_factory: UowFactory, days: list[date], tmp_path: Path
) -> None:
    _story(uow_factory, "demo-cn-aggressive", days, tmp_path / "inbox")
    with uow_factory() as unit:
        repo = unit.cycle("demo-cn-aggressive")
        earlier = [q["state"] for d in days[:-1] for q in repo.queue_items(d)]
        last = repo.queue_items(days[-1])
        assert unit.collectors("demo-cn-aggressive").get("agent") is not None
    assert earlier
    assert set(earlier) <= {"done", "dropped"}  # the simulated borrowers answered them
    assert last
    assert {q["state"] for q in last} <= {"open", "assigned", "dropped"}  # none worked yet
    assert any(q["assigned_to"] == "agent" for q in last)
