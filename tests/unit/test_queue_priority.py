"""Queue priority: the formula against exact rational arithmetic, and what dispatch writes.

The reference is :func:`tideover.queues.priority.queue_priority`; the daily
cycle's dispatch (``batch.cycle.stages.dispatch``, shared by the DuckDB and the
Spark engine) must write that very priority on every queue item it makes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch.cycle.gate import HUMAN_CHANNELS, GatedAction, GateSettings, PlannedAction
from tideover.batch.cycle.stages import CycleConfig, dispatch
from tideover.queues.priority import DEFAULT_RISK, queue_priority

SCORES = st.one_of(
    st.none(),
    st.integers(0, 1_000_000).map(lambda n: Decimal(n).scaleb(-6)),  # 6 places, as scored
)
CHANNELS = ["sms", "email", "human_call", "field_visit", "legal_referral", "robot_call"]


def action(balance: int, score: Decimal | None, priority: int | None, **kw: Any) -> PlannedAction:
    fields: dict[str, Any] = {
        "account_id": "L0",
        "borrower_id": "B0",
        "time_zones": ("Asia/Shanghai",),
        "step": "t#0",
        "channel": "human_call",
        "template": None,
        "tone": "neutral",
        "queue": "early",
        "priority": priority,
        "segment": "s",
        "arm": "",
        "treatment": "t",
        "offers": None,
        "dpd": 10,
        "bucket": "M1",
        "overdue_minor": 100,
        "balance_minor": balance,
        "score": score,
        "band": None,
    }
    fields.update(kw)
    return PlannedAction(**fields)


def exact(balance: int, score: Decimal | None, priority: int | None) -> int:
    """balance × risk × priority / 100, rounded half-up, in exact fractions."""
    risk = Fraction(score if score is not None else DEFAULT_RISK)
    return floor(Fraction(balance) * risk * Fraction(priority or 0, 100) + Fraction(1, 2))


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 10**13), SCORES, st.one_of(st.none(), st.integers(1, 100)))
def test_priority_is_exact_and_rounded_half_up_once(
    balance: int, score: Decimal | None, priority: int | None
) -> None:
    assert queue_priority(action(balance, score, priority)) == exact(balance, score, priority)


RISKS = st.integers(0, 1_000_000).map(lambda n: Decimal(n).scaleb(-6))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 10**9), RISKS, RISKS, st.integers(1, 99))
def test_more_at_stake_more_risk_or_more_urgency_never_ranks_lower(
    balance: int, more: int, risk: Decimal, other: Decimal, priority: int
) -> None:
    low, high = sorted([risk, other])
    base = queue_priority(action(balance, low, priority))
    assert base <= queue_priority(action(balance + more, low, priority))
    assert base <= queue_priority(action(balance, high, priority))
    assert base <= queue_priority(action(balance, low, priority + 1))


def test_an_unscored_account_counts_as_an_even_chance() -> None:
    assert queue_priority(action(1_000, None, 40)) == queue_priority(
        action(1_000, Decimal("0.5"), 40)
    )
    assert queue_priority(action(1_000, Decimal("0.9"), None)) == 0


@st.composite
def gated_days(draw: st.DrawFn) -> list[GatedAction]:
    gated = []
    for i in range(draw(st.integers(0, 30))):
        planned = action(
            draw(st.integers(0, 10**12)),
            draw(SCORES),
            draw(st.one_of(st.none(), st.integers(1, 100))),
            account_id=f"L{i}",
            channel=draw(st.sampled_from(CHANNELS)),
        )
        state = draw(st.sampled_from(["allowed", "rescheduled", "dropped"]))
        gated.append(GatedAction(planned, state, None, ()))
    return gated


@settings(max_examples=200, deadline=None)
@given(gated_days())
def test_dispatch_writes_the_reference_priority_on_every_queue_item(
    gated: list[GatedAction],
) -> None:
    config = CycleConfig("demo", date(2026, 6, 3), "CNY", 2, ("M0", "M1"), GateSettings(()))
    _, queue = dispatch(gated, config)
    human = [g.action for g in gated if g.action.channel in HUMAN_CHANNELS]
    assert [row["account_id"] for row in queue] == [a.account_id for a in human]
    assert [row["priority"] for row in queue] == [
        exact(a.balance_minor, a.score, a.priority) for a in human
    ]
