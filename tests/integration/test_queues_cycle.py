"""The daily cycle places its queue items with collectors, in its final transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.support import cycle_under

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.compliance.jurisdictions import permits
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.services.demo.story import demo_policy_text, load_demo_platform
from tideover.services.queues import collectors as collector_service
from tideover.services.queues.items import list_queue

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
DATA = Path(__file__).parents[1] / "data"
AS_OF = date(2026, 11, 30)
DAY = date(2026, 12, 31)  # a month on, ten calls are due on the US demo portfolio
CLOCK = FixedClock(datetime(2026, 12, 31, 20, 0, tzinfo=UTC))
PLATFORM = "demo-us"


class Crash(Exception):
    pass


@pytest.fixture
def demo_us(uow_factory: UowFactory, tmp_path: Path) -> tuple[UowFactory, Path]:
    frame = pd.read_csv(DATA / "lendingclub2016_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS[PLATFORM], load_source=lambda: frame, as_of=AS_OF
    )
    policy = tmp_path / "us.yaml"
    policy.write_text(demo_policy_text(PLATFORM), encoding="utf-8")
    for cid, places, cap in (("amy", ["US"], 3), ("bob", ["US-CA", "US-MI"], 2)):
        collector_service.add_collectors(
            uow=uow_factory(),
            platform=PLATFORM,
            collectors=[
                collector_service.build_collector(
                    collector_id=cid,
                    name=cid,
                    team="us",
                    jurisdictions=places,
                    queues=["*"],
                    daily_capacity=cap,
                )
            ],
            by="lead",
        )
    return uow_factory, policy


def _run(uow: UowFactory, policy: Path, **options: Any) -> dict[str, Any]:
    return cycle_under(
        uow=uow(), platform=PLATFORM, as_of=DAY, clock=CLOCK, policy_file=policy, **options
    ).to_json()


def _items(uow: UowFactory) -> list[dict[str, Any]]:
    listed = list_queue(uow=uow(), platform=PLATFORM, as_of=DAY).to_json()
    items: list[dict[str, Any]] = listed["items"]
    return items


def test_the_cycle_assigns_its_items_to_permitted_collectors_within_capacity(
    demo_us: tuple[UowFactory, Path],
) -> None:
    uow, policy = demo_us
    summary = _run(uow, policy)
    items = _items(uow)
    assert len(items) >= 6
    with uow() as unit:
        states = {
            b.borrower_id: b.attributes.get("state") for b in unit.borrowers(PLATFORM).list_all()
        }
        collectors = {c.collector_id: c for c in unit.collectors(PLATFORM).list()}
    for item in items:
        assert item["jurisdiction"] == f"US-{states[item['borrower_id']]}"
        if item["assigned_to"]:
            assert permits(collectors[item["assigned_to"]].jurisdictions, item["jurisdiction"])
            assert item["assigned_by"] == "system"
            assert item["assigned_at"] == CLOCK.now().isoformat()  # the run's start
        elif item["state"] == "open":
            # New York and Massachusetts need their own permission, which nobody here holds.
            overlay = item["jurisdiction"] in ("US-NY", "US-MA")
            assert item["unassigned_reason"] == (
                "no_permitted_collector" if overlay else "capacity_exhausted"
            )
    held = Counter(i["assigned_to"] for i in items if i["assigned_to"])
    assert held == {"amy": 3, "bob": 2}
    counts = summary["counts"]
    assert counts["queue_assigned"] == sum(held.values())
    assert counts["queue_capacity_exhausted"] == sum(
        1 for i in items if i["unassigned_reason"] == "capacity_exhausted"
    )


def test_a_rerun_keeps_every_assignment_of_the_items_it_plans_again(
    demo_us: tuple[UowFactory, Path],
) -> None:
    uow, policy = demo_us
    _run(uow, policy)
    first = _items(uow)
    summary = _run(uow, policy)
    again = _items(uow)
    key = ("account_id", "step", "assigned_to", "assigned_at", "state", "unassigned_reason")
    assert sorted(tuple(i[k] for k in key) for i in again) == sorted(
        tuple(i[k] for k in key) for i in first
    )
    # An assigned item keeps its id too (an open one is written anew).
    ids = {(i["account_id"], i["step"]): i["item_id"] for i in again}
    for item in first:
        if item["assigned_to"]:
            assert ids[(item["account_id"], item["step"])] == item["item_id"]
    assigned = sum(1 for i in first if i["assigned_to"])
    assert summary["counts"]["queue_assignments_kept"] == assigned
    assert summary["counts"]["queue_assigned"] == 0


def test_a_crash_before_the_commit_leaves_no_assignment(demo_us: tuple[UowFactory, Path]) -> None:
    uow, policy = demo_us

    def fault(stage: str) -> None:
        if stage == "commit":
            raise Crash(stage)

    with pytest.raises(Crash):
        _run(uow, policy, fault=fault)
    assert _items(uow) == []
    with uow() as unit:
        assert unit.queues(PLATFORM).loads(DAY) == {}
