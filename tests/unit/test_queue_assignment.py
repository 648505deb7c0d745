"""The pure assignment of queue items to collectors, and the jurisdiction rule it relies on."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch.queues import assign_items
from tideover.compliance.jurisdictions import (
    OVERLAY_STATE,
    item_jurisdiction,
    parse_jurisdiction,
    permits,
)
from tideover.compliance.loader import PACK_CODES
from tideover.domain.errors import ValidationError
from tideover.queues.assignment import (
    ANY_QUEUE,
    AssignmentPlan,
    Desk,
    OpenItem,
    Unassigned,
    rank_key,
    why_unassigned,
)


def desk(
    cid: str, *places: str, queues: tuple[str, ...] = (ANY_QUEUE,), cap: int = 10, load: int = 0
) -> Desk:
    return Desk(cid, frozenset(places), frozenset(queues), cap, load)


# --- jurisdictions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "packs", "expected"),
    [
        ("MA", ("US",), "US-MA"),
        ("ma", ("US", "US-MA"), "US-MA"),
        ("CA", ("US",), "US-CA"),
        (None, ("US",), "US"),
        ("ZZ", ("US",), "US"),  # not a state: the country only
        ("110105", ("CN",), "CN"),  # a GB/T 2260 region code: China licenses no province apart
        (None, ("UK",), "UK"),
        ("IE", ("EU", "IE"), "IE"),  # the jurisdiction's own pack comes last
        ("MA", (), ""),
    ],
)
def test_item_jurisdiction_from_region_and_packs(
    region: str | None, packs: tuple[str, ...], expected: str
) -> None:
    assert item_jurisdiction(region, packs) == expected


@pytest.mark.parametrize(
    ("permitted", "item", "allowed"),
    [
        ({"US-MA"}, "US-MA", True),
        ({"US"}, "US-MA", False),  # Massachusetts has its own overlay: a US-MA permission
        ({"US"}, "US-NY", False),  # so has New York (the city's overlay lies in the state)
        ({"US"}, "US-CA", True),  # no overlay: the federal permission covers it
        ({"US"}, "US", True),
        ({"US-MA"}, "US", False),
        ({"US-MA"}, "US-CA", False),
        ({"EU"}, "IE", False),
        ({"CN"}, "CN", True),
        ({"CN", "US"}, "", False),  # unknown jurisdiction: nobody
    ],
)
def test_permission_rule(permitted: set[str], item: str, allowed: bool) -> None:
    assert permits(permitted, item) is allowed


def test_every_us_overlay_pack_names_its_state() -> None:
    overlays = {code for code in PACK_CODES if code.startswith("US-")}
    assert overlays == set(OVERLAY_STATE)


def test_permissions_are_parsed_and_bad_ones_refused() -> None:
    assert parse_jurisdiction(" us-ma ") == "US-MA"
    assert parse_jurisdiction("cn") == "CN"
    for bad in ("US-XX", "FR", "US-NYC", "", "CN-11"):
        with pytest.raises(ValidationError) as raised:
            parse_jurisdiction(bad)
        assert "US-MA" in raised.value.en
        assert "辖区" in raised.value.zh


# --- the algorithm on examples ---------------------------------------------------------------


def test_highest_rank_first_to_the_least_utilised_then_by_id() -> None:
    items = [OpenItem(i, "CN", "early", priority=100 - i) for i in range(1, 7)]
    plan = assign_items(items, [desk("b", "CN", cap=4), desk("a", "CN", cap=2)])
    # a and b start level (0/2, 0/4): a by id; then b (0/4 < 1/2); then b (1/4 < 1/2) ...
    assert plan.assigned == {1: "a", 2: "b", 3: "b", 4: "a", 5: "b", 6: "b"}
    assert plan.unassigned == {}


def test_precedence_beats_priority() -> None:
    items = [
        OpenItem(1, "CN", "early", priority=1_000_000),
        OpenItem(2, "CN", "early", priority=5, precedence=1),
        OpenItem(3, "CN", "early", priority=1, precedence=2),
    ]
    plan = assign_items(items, [desk("a", "CN", cap=2)])
    assert plan.assigned == {3: "a", 2: "a"}
    assert plan.unassigned == {1: Unassigned.CAPACITY_EXHAUSTED}


def test_reasons_no_permitted_collector_and_capacity() -> None:
    items = [
        OpenItem(1, "US-MA", "early", 10),
        OpenItem(2, "US-CA", "early", 9),
        OpenItem(3, "US-CA", "early", 8),
        OpenItem(4, "US-CA", "legal", 7),  # nobody works the legal queue
        OpenItem(5, "", "early", 6),  # unknown jurisdiction
    ]
    plan = assign_items(items, [desk("a", "US", queues=("early",), cap=1)])
    assert plan.assigned == {2: "a"}
    assert plan.unassigned == {
        1: Unassigned.NO_PERMITTED_COLLECTOR,
        3: Unassigned.CAPACITY_EXHAUSTED,
        4: Unassigned.NO_PERMITTED_COLLECTOR,
        5: Unassigned.NO_PERMITTED_COLLECTOR,
    }
    assert plan.unworkable == {("US-MA", "early"), ("US-CA", "legal"), ("", "early")}
    assert plan.counts() == {"assigned": 1, "no_permitted_collector": 3, "capacity_exhausted": 1}


def test_existing_load_counts_and_zero_capacity_is_full() -> None:
    items = [OpenItem(i, "CN", "q", 10 - i) for i in range(3)]
    plan = assign_items(items, [desk("a", "CN", cap=3, load=2), desk("z", "CN", cap=0)])
    assert plan.assigned == {0: "a"}
    assert set(plan.unassigned.values()) == {Unassigned.CAPACITY_EXHAUSTED}


@given(
    capacity=st.integers(0, 20),
    load=st.integers(0, 20),
    extra=st.integers(1, 25),
    places=st.sets(st.sampled_from(["US", "US-MA", "CN"]), min_size=1),
    where=st.sampled_from(["US", "US-MA", "US-CA", "CN", ""]),
    queue=st.sampled_from(["early", "late"]),
)
def test_a_desks_single_decisions_are_the_rules_parts(
    capacity: int, load: int, extra: int, places: set[str], where: str, queue: str
) -> None:
    """What a move by hand checks (the permission, room for ``extra`` more) is what ``place``
    checks for one item; the queue is the only part a move by hand may waive."""
    one = desk("a", *places, queues=("early",), cap=capacity, load=load)
    item = OpenItem(1, where, queue, 0)
    assert one.permitted(where) is permits(places, where)
    assert one.may_take(item) is (one.permitted(where) and queue == "early")
    assert one.has_room_for(extra) is (load + extra <= capacity)
    assert one.has_room is one.has_room_for(1)
    # Room for ``extra`` more is room for each of them placed one by one.
    assert one.has_room_for(extra) is all(
        replace(one, load=load + n).has_room for n in range(extra)
    )


def test_same_input_same_plan_whatever_the_order() -> None:
    items = [OpenItem(i, "CN", "q", i % 3) for i in range(20)]
    desks = [desk(c, "CN", cap=4) for c in "cab"]
    first = assign_items(items, desks)
    again = assign_items(list(reversed(items)), list(reversed(desks)))
    assert first == again


# --- properties ------------------------------------------------------------------------------

PLACES = ["CN", "US", "US-MA", "US-NY", "US-CA", "US-TX", ""]
QUEUES = ["early", "late", "legal"]


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[OpenItem], list[Desk]]:
    n_items = draw(st.integers(0, 60))
    items = [
        OpenItem(
            item_id=i,
            jurisdiction=draw(st.sampled_from(PLACES)),
            queue=draw(st.sampled_from(QUEUES)),
            priority=draw(st.integers(0, 50)),  # few values: ties exercise the id order
            precedence=draw(st.sampled_from([0, 0, 0, 1, 2])),
        )
        for i in range(n_items)
    ]
    n_desks = draw(st.integers(0, 6))
    desks = []
    for k in range(n_desks):
        cap = draw(st.integers(0, 8))
        desks.append(
            Desk(
                f"c{k}",
                frozenset(draw(st.sets(st.sampled_from(PLACES[:-1]), min_size=1, max_size=3))),
                frozenset(
                    draw(st.sets(st.sampled_from([*QUEUES, ANY_QUEUE]), min_size=1, max_size=2))
                ),
                cap,
                draw(st.integers(0, cap)),
            )
        )
    return items, desks


def _check_plan(items: list[OpenItem], desks: list[Desk], plan: AssignmentPlan) -> None:
    by_id = {d.collector_id: d for d in desks}
    # Every item is decided exactly once.
    assert set(plan.assigned) | set(plan.unassigned) == {i.item_id for i in items}
    assert not set(plan.assigned) & set(plan.unassigned)
    # Never over capacity.
    given = Counter(plan.assigned.values())
    for cid, n in given.items():
        assert by_id[cid].load + n <= by_id[cid].capacity
    item_of = {i.item_id: i for i in items}
    # Never to a collector not permitted for the jurisdiction or not working the queue.
    for item_id, cid in plan.assigned.items():
        assert by_id[cid].may_take(item_of[item_id])
    # A reason is true: nobody able at all, or everybody able is full at the end; and it is
    # the reason read back later from the collectors' loads.
    after = [replace(d, load=d.load + given[d.collector_id]) for d in desks]
    for item_id, reason in plan.unassigned.items():
        able = [d for d in desks if d.may_take(item_of[item_id])]
        if reason is Unassigned.NO_PERMITTED_COLLECTOR:
            assert not able
        else:
            assert able
            assert all(d.load + given[d.collector_id] == d.capacity for d in able)
        assert why_unassigned(item_of[item_id], after) is reason
    # No lower-ranked item went to a collector who could have taken a higher unassigned one.
    for left_id in plan.unassigned:
        left = item_of[left_id]
        for item_id, cid in plan.assigned.items():
            if rank_key(item_of[item_id]) > rank_key(left):
                assert not by_id[cid].may_take(left)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_assignment_properties(case: tuple[list[OpenItem], list[Desk]]) -> None:
    items, desks = case
    _check_plan(items, desks, assign_items(items, desks))


@settings(max_examples=200, deadline=None)
@given(cases())
def test_work_is_spread_evenly_among_interchangeable_collectors(
    case: tuple[list[OpenItem], list[Desk]],
) -> None:
    """Collectors who may take the same items and start level end within one item."""
    items, _ = case
    places = frozenset({"CN", "US", "US-MA", "US-NY"})
    desks = [Desk(f"c{k}", places, frozenset({ANY_QUEUE}), 1000) for k in range(3)]
    plan = assign_items(items, desks)
    loads = Counter(plan.assigned.values())
    counts = [loads[d.collector_id] for d in desks]
    assert max(counts) - min(counts) <= 1
    assert counts == sorted(counts, reverse=True)  # the remainder goes to the smaller ids


def test_why_an_item_is_left_is_read_from_the_collectors_as_they_are() -> None:
    item = OpenItem(1, "US-MA", "early", 10)
    assert why_unassigned(item, []) is Unassigned.NO_PERMITTED_COLLECTOR
    assert why_unassigned(item, [desk("a", "US")]) is Unassigned.NO_PERMITTED_COLLECTOR
    full = desk("a", "US-MA", cap=2, load=2)
    assert why_unassigned(item, [full]) is Unassigned.CAPACITY_EXHAUSTED
    assert why_unassigned(item, [full, desk("b", "US-MA", cap=1)]) is None  # b can take it
