"""Collectors and work queues on SQLite and PostgreSQL: assignment, re-assignment, reruns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.borrowers import Borrower
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict, NotFound, TideoverError, UsageError, ValidationError
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import USD, Money
from tideover.domain.schedules import build_schedule, terms_for
from tideover.services.plans.promises import record_promise
from tideover.services.queues import collectors as collector_service
from tideover.services.queues import items as queue_service

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
DAY = date(2026, 3, 2)
CLOCK = FixedClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
LATER = FixedClock(datetime(2026, 3, 2, 15, 30, tzinfo=UTC))
# Borrower -> state: two in Massachusetts (overlay), three in California, one unknown.
STATES = {"B1": "MA", "B2": "MA", "B3": "CA", "B4": "CA", "B5": "CA", "B6": None}


def _row(account: str, borrower: str, priority: int, **extra: Any) -> dict[str, Any]:
    state = STATES[borrower]
    row: dict[str, Any] = {
        "account_id": account,
        "borrower_id": borrower,
        "step": "call#0",
        "channel": "human_call",
        "template": "call_script",
        "tone": "neutral",
        "segment": "early",
        "arm": "",
        "treatment": "call",
        "rescheduled": False,
        "rule_ids": [],
        "queue": "early",
        "priority": priority,
        "due_at": datetime(2026, 3, 2, 14, 0, tzinfo=UTC),
        "state": "open",
        "assigned_to": None,
        "jurisdiction": f"US-{state}" if state else "US",
        "offers": ["settlement"],
        "summary": {"dpd": 12},
        "run_id": 1,
    }
    return {**row, **extra}


ROWS = [
    _row("L1", "B1", 900),  # US-MA
    _row("L2", "B2", 800),  # US-MA
    _row("L3", "B3", 700),  # US-CA
    _row("L4", "B4", 600),  # US-CA
    _row("L5", "B5", 500),  # US-CA
    _row("L6", "B6", 400),  # US
]


@pytest.fixture
def uow(uow_factory: UowFactory) -> UowFactory:
    """Platform ``bank`` (USD, New York time) with six borrowers and loans L1..L6, their
    call items of ``DAY``; an empty platform ``other`` with a collector ``zed``."""
    terms = terms_for(
        principal=Money.of("5000", USD),
        annual_rate=Decimal("0.18"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 6, 1),
    )
    with uow_factory() as unit:
        for code in ("bank", "other"):
            unit.platforms.ensure(
                code, name=code, currency=USD, settings={"time_zone": "America/New_York"}
            )
        unit.borrowers("bank").add_many(
            [
                Borrower(platform="bank", borrower_id=b, name=b, attributes={"state": s or ""})
                for b, s in STATES.items()
            ]
        )
        unit.loans("bank").add_many(
            [
                Loan("bank", f"L{n}", f"B{n}", terms, build_schedule(terms))
                for n in range(1, len(STATES) + 1)
            ]
        )
        unit.cycle("bank").replace_queue_items(DAY, ROWS)
        unit.commit()
    add(uow_factory, "zed", "US", "US-MA", platform="other")
    return uow_factory


def add(
    uow: UowFactory, cid: str, *places: str, cap: int = 5, platform: str = "bank", **kw: Any
) -> None:
    collector = collector_service.build_collector(
        collector_id=cid,
        name=kw.pop("name", cid.title()),
        team=kw.pop("team", "east"),
        role=kw.pop("role", "collector"),
        jurisdictions=places,
        queues=kw.pop("queues", ["early"]),
        daily_capacity=cap,
    )
    collector_service.add_collectors(
        uow=uow(), platform=platform, collectors=[collector], by="lead", clock=CLOCK
    )


def items(uow: UowFactory) -> dict[str, dict[str, Any]]:
    """The date's items by account, as listed (with the reason an open item is left)."""
    listed = queue_service.list_queue(uow=uow(), platform="bank", as_of=DAY).to_json()
    return {i["account_id"]: i for i in listed["items"]}


def holders(uow: UowFactory) -> dict[str, str | None]:
    return {account: item["assigned_to"] for account, item in items(uow).items()}


def assign(uow: UowFactory) -> dict[str, Any]:
    return queue_service.assign_queue(uow=uow(), platform="bank", as_of=DAY, clock=CLOCK).to_json()


def snapshot(uow: UowFactory) -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    with uow() as unit:
        return {
            "items": [i.to_json() for i in unit.queues("bank").items()],
            "collectors": [c.to_json() for c in unit.collectors("bank").list()],
            "audit": unit.audit("bank").count(),
        }


# --- collectors ------------------------------------------------------------------------------


def test_collectors_are_added_listed_changed_and_scoped_to_their_platform(
    uow: UowFactory,
) -> None:
    add(uow, "amy", "us", "us-ma", cap=3, role="team-lead")
    add(uow, "bob", "US", team="west")
    listed = collector_service.list_collectors(uow=uow(), platform="bank").to_json()["collectors"]
    assert [c["collector_id"] for c in listed] == ["amy", "bob"]
    assert listed[0]["jurisdictions"] == ["US", "US-MA"]
    assert listed[0]["role"] == "team_lead"
    west = collector_service.list_collectors(uow=uow(), platform="bank", team="west").to_json()
    assert [c["collector_id"] for c in west["collectors"]] == ["bob"]
    changed = collector_service.set_collector(
        uow=uow(),
        platform="bank",
        collector_id="bob",
        by="lead",
        changes={"daily_capacity": 9, "queues": ["early", "late"]},
        clock=CLOCK,
    ).to_json()
    assert changed["changed"] == {"queues": ["early", "late"], "daily_capacity": 9}
    with uow() as unit:
        assert unit.collectors("bank").require("bob").daily_capacity == 9
        assert unit.collectors("other").get("amy") is None
        assert unit.audit("bank").count() == 3
    with pytest.raises(Conflict):
        add(uow, "amy", "US")
    with pytest.raises(ValidationError) as raised:
        add(uow, "cat", "US-ZZ")
    assert "US-MA" in raised.value.en
    assert "辖区" in raised.value.zh
    with pytest.raises(ValidationError):
        add(uow, "cat", "US", cap=10_001)
    with pytest.raises(UsageError):
        collector_service.set_collector(
            uow=uow(), platform="bank", collector_id="bob", by="lead", changes={"team": None}
        )
    with pytest.raises(ValidationError):  # a collector must be permitted somewhere
        collector_service.set_collector(
            uow=uow(), platform="bank", collector_id="bob", by="lead", changes={"jurisdictions": []}
        )
    with uow() as unit:
        assert unit.audit("bank").count() == 3


def test_the_database_refuses_another_platforms_collector_on_an_item(uow: UowFactory) -> None:
    with uow() as unit:
        statement = text("UPDATE queue_items SET assigned_to = 'zed', state = 'assigned'")
        with pytest.raises(IntegrityError):
            unit.session.execute(statement)


# --- assignment ------------------------------------------------------------------------------


def test_assignment_respects_permission_capacity_and_rank(uow: UowFactory) -> None:
    add(uow, "amy", "US-MA", cap=1)
    add(uow, "bob", "US", cap=2)
    add(uow, "cal", "US", cap=2)
    result = assign(uow)
    assert result["counts"] == {
        "assigned": 5,
        "no_permitted_collector": 0,
        "capacity_exhausted": 1,
        "first_callback": 0,
        "first_promise_due": 0,
    }
    assert holders(uow) == {
        "L1": "amy",
        "L2": None,  # US-MA: amy is full, bob and cal hold only the federal permission
        "L3": "bob",
        "L4": "cal",
        "L5": "bob",
        "L6": "cal",
    }
    state = items(uow)
    assert state["L2"]["unassigned_reason"] == "capacity_exhausted"
    assert state["L2"]["state"] == "open"
    assert state["L1"]["state"] == "assigned"
    assert state["L1"]["assigned_by"] == "system"
    assert state["L1"]["assigned_at"] == CLOCK.now().isoformat()
    with uow() as unit:
        (record,) = [r for r in unit.audit("bank").records() if r.kind == "queue_assigned"]
        assert record.payload["by_collector"] == {"amy": 1, "bob": 2, "cal": 2}


def test_no_permitted_collector_is_the_reason_where_nobody_holds_the_licence(
    uow: UowFactory,
) -> None:
    add(uow, "bob", "US", cap=50)
    assign(uow)
    state = items(uow)
    assert {a: i["unassigned_reason"] for a, i in state.items() if not i["assigned_to"]} == {
        "L1": "no_permitted_collector",
        "L2": "no_permitted_collector",
    }


def test_assignment_is_idempotent_and_places_only_what_is_still_open(uow: UowFactory) -> None:
    add(uow, "bob", "US", cap=2)
    assign(uow)
    first = items(uow)
    again = assign(uow)
    assert again["counts"]["assigned"] == 0
    assert items(uow) == first
    collector_service.set_collector(
        uow=uow(), platform="bank", collector_id="bob", by="lead", changes={"daily_capacity": 3}
    )
    assert assign(uow)["counts"]["assigned"] == 1
    assert Counter(holders(uow).values())["bob"] == 3


def test_a_promise_due_or_a_callback_requested_puts_the_borrower_first(
    uow: UowFactory,
) -> None:
    add(uow, "bob", "US", cap=2)
    record_promise(
        uow=uow(), platform="bank", loan_id="L6", amount="100.00", due=DAY, by="amy", clock=CLOCK
    )
    queue_service.request_callback(
        uow=uow(), platform="bank", loan_id="L5", on=DAY, at=time(10, 30), by="amy", clock=CLOCK
    )
    result = assign(uow)
    assert result["counts"]["first_callback"] == 1
    assert result["counts"]["first_promise_due"] == 1
    # The two lowest priorities win bob's two slots.
    assert {a for a, who in holders(uow).items() if who} == {"L5", "L6"}
    listed = queue_service.list_queue(uow=uow(), platform="bank", as_of=DAY).to_json()["items"]
    assert [i["account_id"] for i in listed][:2] == ["L5", "L6"]
    assert listed[0]["precedence"] == 2
    assert listed[0]["callback_at"] == "2026-03-02T15:30:00+00:00"  # 10:30 in New York
    assert listed[1]["precedence"] == 1


# --- re-assignment ---------------------------------------------------------------------------


def _item_id(uow: UowFactory, account: str) -> int:
    return int(items(uow)[account]["item_id"])


def test_reassigning_one_item_records_who_and_when(uow: UowFactory) -> None:
    add(uow, "bob", "US", cap=2)
    add(uow, "cal", "US", cap=3)
    assign(uow)
    item_id = _item_id(uow, "L3")
    assert holders(uow)["L3"] == "bob"
    result = queue_service.reassign_item(
        uow=uow(), platform="bank", item_id=item_id, to="cal", by="lead", clock=LATER
    ).to_json()
    assert result["moves"] == [
        {
            "item_id": item_id,
            "as_of": DAY.isoformat(),
            "account_id": "L3",
            "step": "call#0",
            "jurisdiction": "US-CA",
            "from": "bob",
            "to": "cal",
        }
    ]
    moved = items(uow)["L3"]
    assert (moved["assigned_to"], moved["assigned_by"]) == ("cal", "lead")
    assert moved["assigned_at"] == LATER.now().isoformat()
    with uow() as unit:
        kinds = [r.kind for r in unit.audit("bank").records()]
    assert kinds[-1] == "queue_reassigned"
    # An open item left for lack of capacity can be given by hand too.
    add(uow, "dan", "US", cap=1)
    queue_service.reassign_item(
        uow=uow(), platform="bank", item_id=_item_id(uow, "L6"), to="dan", by="lead"
    )
    assert items(uow)["L6"]["unassigned_reason"] is None


@pytest.mark.parametrize(
    ("case", "error", "en", "zh"),
    [
        ("unknown", NotFound, "'nobody' is not a collector of platform 'bank'", "不是平台"),
        ("other platform", NotFound, "'zed' is not a collector of platform 'bank'", "不是平台"),
        ("not permitted", ValidationError, "permitted for US only", "仅获准处理"),
        ("full", Conflict, "would exceed the daily capacity", "超出容量"),
        ("done", Conflict, "is done; only open or assigned", "只有待分配或已分配"),
        ("dropped", Conflict, "is dropped; only open or assigned", "只有待分配或已分配"),
        ("inactive", Conflict, "is inactive", "已停用"),
        ("no item", NotFound, "queue item 999999 not found", "没有队列工单"),
        ("same", Conflict, "already assigned to 'bob'", "已分配给"),
    ],
)
def test_bad_reassignments_are_refused_and_change_nothing(
    uow: UowFactory, case: str, error: type[TideoverError], en: str, zh: str
) -> None:
    add(uow, "bob", "US", cap=2)
    add(uow, "cal", "US", "US-MA", cap=2)
    add(uow, "eve", "US", "US-MA", cap=5)
    assign(uow)
    collector_service.deactivate_collector(uow=uow(), platform="bank", collector_id="eve", by="x")
    with uow() as unit:
        unit.session.execute(text("UPDATE queue_items SET state = 'done' WHERE account_id = 'L4'"))
        unit.session.execute(
            text(
                "UPDATE queue_items SET state = 'dropped', assigned_to = NULL "
                "WHERE account_id = 'L6'"
            )
        )
        unit.commit()
    item, to = {
        "unknown": ("L3", "nobody"),
        "other platform": ("L3", "zed"),
        "not permitted": ("L1", "bob"),  # US-MA needs a US-MA permission
        "full": ("L5", "cal"),
        "done": ("L4", "cal"),
        "dropped": ("L6", "cal"),
        "inactive": ("L3", "eve"),
        "no item": ("", "cal"),
        "same": ("L3", "bob"),
    }[case]
    item_id = _item_id(uow, item) if item else 999_999
    before = snapshot(uow)
    with pytest.raises(error) as raised:
        queue_service.reassign_item(uow=uow(), platform="bank", item_id=item_id, to=to, by="lead")
    assert en in raised.value.en
    assert zh in raised.value.zh
    assert snapshot(uow) == before


def test_all_of_a_collectors_items_move_together_or_not_at_all(uow: UowFactory) -> None:
    add(uow, "amy", "US", "US-MA", cap=4)
    add(uow, "bob", "US", cap=1)
    add(uow, "cal", "US", cap=10)
    collector_service.set_collector(
        uow=uow(), platform="bank", collector_id="cal", by="lead", changes={"active": False}
    )
    assign(uow)
    held = [a for a, who in holders(uow).items() if who == "amy"]
    assert len(held) == 4
    assert "L1" in held
    before = snapshot(uow)
    with pytest.raises(ValidationError):  # bob may not take the Massachusetts items
        queue_service.reassign_from(uow=uow(), platform="bank", source="amy", to="bob", by="lead")
    assert snapshot(uow) == before
    add(uow, "dee", "US", "US-MA", cap=3)
    before = snapshot(uow)
    with pytest.raises(Conflict):  # 4 items, room for 3
        queue_service.reassign_from(uow=uow(), platform="bank", source="amy", to="dee", by="lead")
    assert snapshot(uow) == before
    collector_service.set_collector(
        uow=uow(), platform="bank", collector_id="dee", by="lead", changes={"daily_capacity": 4}
    )
    moved = queue_service.reassign_from(
        uow=uow(), platform="bank", source="amy", to="dee", by="lead"
    ).to_json()
    assert len(moved["moves"]) == 4
    assert {a for a, who in holders(uow).items() if who == "dee"} == set(held)


def test_an_absent_collectors_items_are_spread_by_rule_among_the_others(uow: UowFactory) -> None:
    add(uow, "amy", "US", "US-MA", cap=6)
    assign(uow)
    assert set(holders(uow).values()) == {"amy"}
    add(uow, "bob", "US", cap=2)
    add(uow, "cal", "US", cap=1)
    result = queue_service.reassign_from(
        uow=uow(), platform="bank", source="amy", by="lead"
    ).to_json()
    assert {m["to"] for m in result["moves"]} == {"bob", "cal"}
    assert len(result["moves"]) == 3  # bob 2, cal 1: the highest-ranked federal items
    left = {x["account_id"]: x["reason"] for x in result["left"]}
    assert left == {
        "L1": "no_permitted_collector",  # Massachusetts: only amy, left out
        "L2": "no_permitted_collector",
        "L6": "capacity_exhausted",
    }
    state = items(uow)
    assert "amy" not in holders(uow).values()
    # Amy is still active with room: read now, the items left could go to her again.
    assert {state[a]["unassigned_reason"] for a in left} == {None}


def test_a_deactivated_collector_keeps_no_open_items(uow: UowFactory) -> None:
    add(uow, "amy", "US", "US-MA", cap=3)
    add(uow, "bob", "US", "US-MA", cap=3)
    assign(uow)
    result = collector_service.deactivate_collector(
        uow=uow(), platform="bank", collector_id="amy", by="lead", clock=LATER
    ).to_json()
    assert result["changed"] == {"active": False}
    assert "amy" not in holders(uow).values()
    assert Counter(holders(uow).values()) == {"bob": 3, None: 3}
    # Taking a jurisdiction away hands on the items it covered.
    collector_service.set_collector(
        uow=uow(),
        platform="bank",
        collector_id="bob",
        by="lead",
        changes={"jurisdictions": ["US"]},
    )
    assert all(
        i["assigned_to"] != "bob" for i in items(uow).values() if i["jurisdiction"] == "US-MA"
    )


# --- the cycle's rerun -----------------------------------------------------------------------


def test_a_rerun_keeps_the_assignment_of_items_it_plans_again(uow: UowFactory) -> None:
    add(uow, "bob", "US", "US-MA", cap=10)
    assign(uow)
    before = items(uow)
    rerun = [
        _row("L1", "B1", 950, run_id=2),  # planned again: same id and collector
        _row("L2", "B2", 800, run_id=2, state="dropped"),  # a hold came in: released
        _row("L3", "B3", 700, run_id=2),
        _row("L5", "B5", 500, run_id=2),
        _row("L6", "B6", 400, run_id=2),
        # L4 paid: not planned any more
    ]
    with uow() as unit:
        result = unit.cycle("bank").replace_queue_items(DAY, rerun)
        unit.commit()
    assert (result.assignments_kept, result.assignments_released) == (4, 2)
    after = items(uow)
    assert set(after) == {"L1", "L2", "L3", "L5", "L6"}
    assert after["L1"]["item_id"] == before["L1"]["item_id"]
    assert after["L1"]["assigned_to"] == "bob"
    assert after["L1"]["priority"] == 950  # the rerun's content
    assert after["L1"]["assigned_at"] == before["L1"]["assigned_at"]
    assert after["L2"]["state"] == "dropped"
    assert after["L2"]["assigned_to"] is None
    with uow() as unit:
        assert unit.queues("bank").loads(DAY) == {"bob": 4}
