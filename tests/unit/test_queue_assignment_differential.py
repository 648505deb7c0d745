"""The day's assignment (``batch.queues.assign_items``) against the rule, item by item.

The reference is :func:`tideover.queues.assignment.place`: items in rank order,
each placed with the collectors' loads as they stand, a placement adding one to
its collector's load.  The fast path keeps heaps of float utilisations instead;
on random days, including capacities up to the maximum where two utilisations
differ by less than 1 / 10,000², both must give the same plan.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch.queues import assign_items
from tideover.domain.collectors import MAX_DAILY_CAPACITY
from tideover.queues.assignment import (
    ANY_QUEUE,
    AssignmentPlan,
    Desk,
    OpenItem,
    Unassigned,
    place,
    rank_key,
)

PLACES = ["CN", "US", "US-MA", "US-NY", "US-CA", ""]
QUEUES = ["early", "late", "legal"]


def one_by_one(items: list[OpenItem], desks: list[Desk]) -> AssignmentPlan:
    """The rule applied literally: ``place`` for each item in rank order."""
    current = list(desks)
    assigned: dict[int, str] = {}
    unassigned: dict[int, Unassigned] = {}
    unworkable: set[tuple[str, str]] = set()
    for item in sorted(items, key=rank_key):
        placed = place(item, current)
        if isinstance(placed, Unassigned):
            unassigned[item.item_id] = placed
            if placed is Unassigned.NO_PERMITTED_COLLECTOR:
                unworkable.add((item.jurisdiction, item.queue))
            continue
        at = next(k for k, desk in enumerate(current) if desk is placed)
        current[at] = replace(placed, load=placed.load + 1)
        assigned[item.item_id] = placed.collector_id
    return AssignmentPlan(assigned, unassigned, frozenset(unworkable))


@st.composite
def days(draw: st.DrawFn, *, big: bool = False) -> tuple[list[OpenItem], list[Desk]]:
    items = [
        OpenItem(
            item_id=i,
            jurisdiction=draw(st.sampled_from(PLACES)),
            queue=draw(st.sampled_from(QUEUES)),
            priority=draw(st.integers(0, 30)),  # few values: ties exercise the id order
            precedence=draw(st.sampled_from([0, 0, 0, 1, 2])),
        )
        for i in range(draw(st.integers(0, 80)))
    ]
    desks = []
    ids = draw(st.lists(st.sampled_from("abcdefgh"), max_size=6, unique=True))
    for collector_id in ids:
        if big:
            # Near the maximum, so that utilisations differ in the eighth decimal.
            capacity = draw(st.integers(MAX_DAILY_CAPACITY - 5, MAX_DAILY_CAPACITY))
            load = draw(st.integers(capacity - 40, capacity))
        else:
            capacity = draw(st.integers(0, 9))
            load = draw(st.integers(0, capacity + 2))  # above capacity: it was lowered
        desks.append(
            Desk(
                collector_id,
                frozenset(draw(st.sets(st.sampled_from(PLACES[:-1]), min_size=1, max_size=3))),
                frozenset(
                    draw(st.sets(st.sampled_from([*QUEUES, ANY_QUEUE]), min_size=1, max_size=2))
                ),
                capacity,
                load,
            )
        )
    return items, desks


@settings(max_examples=400, deadline=None)
@given(days())
def test_the_day_is_the_rule_item_by_item(day: tuple[list[OpenItem], list[Desk]]) -> None:
    items, desks = day
    assert assign_items(items, desks) == one_by_one(items, desks)


@settings(max_examples=200, deadline=None)
@given(days(big=True))
def test_float_utilisation_orders_as_the_exact_ratio(
    day: tuple[list[OpenItem], list[Desk]],
) -> None:
    items, desks = day
    assert assign_items(items, desks) == one_by_one(items, desks)


def test_the_reference_prefers_the_exactly_less_utilised_collector() -> None:
    """9,998 of 9,999 is less than 9,999 of 10,000: the reference sees it, so must the heap."""
    a = Desk("a", frozenset({"CN"}), frozenset({ANY_QUEUE}), 10_000, 9_999)
    b = Desk("b", frozenset({"CN"}), frozenset({ANY_QUEUE}), 9_999, 9_998)
    item = OpenItem(1, "CN", "q", 5)
    assert place(item, [a, b]) is b
    assert assign_items([item], [a, b]).assigned == {1: "b"}
