"""The penalty replay of many loans at once (``batch.late_replay``) against the per-loan replay.

Differential tests: random loans (schedules with zero, equal and fee-only
installments, late, partial, early and same-day payments, pauses, every
component order of the default waterfall, penalty interest with and without
overdue interest, grace days and late fees) are replayed by
``batch.late_replay.replay_late`` all at once and by ``batch.replay.replay``
one at a time; every figure must be equal for every loan the fast path does
not refer.  The per-loan replay is itself held to the domain by
``test_stored_delinquency_replay.py``, which also runs whole portfolios
through both vectorised paths against the domain.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch.late_replay import MAX_PAUSES, replay_late
from tideover.batch.on_time import OnTimeInputs
from tideover.batch.replay import ReplayRules, replay
from tideover.domain.allocation import Component, Waterfall
from tideover.domain.days import NO_DATE, day_number
from tideover.domain.delinquency import merge_pauses
from tideover.domain.money import CNY, Money
from tideover.domain.penalty import DayCount, PenaltyPolicy

TODAY = day_number(date(2026, 11, 30))

Loan = tuple[list[tuple[int, int, int, int]], list[tuple[int, int]], list[tuple[int, int]]]


def random_rules(rng: random.Random) -> ReplayRules:
    components = list(Component)
    rng.shuffle(components)
    fee = rng.choice((None, None, Money(0, CNY), Money(rng.randrange(1, 5000), CNY)))
    penalty = PenaltyPolicy(
        annual_rate=rng.choice((Decimal("0.18"), Decimal("0.365"), Decimal("0.2433"), Decimal(0))),
        day_count=rng.choice(list(DayCount)),
        grace_days=rng.choice((0, 0, 3, 10)),
        late_fee=fee,
        late_fee_after_days=rng.choice((0, 0, 5, 15)),
        includes_overdue_interest=rng.random() < 0.3,
    )
    return ReplayRules.of(Waterfall(components=tuple(components)), penalty)


def random_loan(rng: random.Random) -> Loan:
    """Installments in due order, payments in day order, merged pauses."""
    start = TODAY - rng.randint(0, 900)
    installments = []
    due = start
    for _ in range(rng.randint(0, 14)):
        due += rng.choice((0, 7, 30, 31, 45))
        zero = rng.random() < 0.1
        installments.append(
            (
                due,
                0 if zero else rng.randrange(0, 200_000),
                0 if zero else rng.randrange(0, 20_000),
                0 if zero or rng.random() < 0.7 else rng.randrange(0, 3_000),
            )
        )
    totals = [p + i + f for _, p, i, f in installments] or [10_000]
    payments = []
    for _ in range(rng.randint(0, 20)):
        day = start + rng.randint(-5, max(due - start, 0) + 90)
        if installments and rng.random() < 0.4:  # around a due date, often past its grace
            day = rng.choice(installments)[0] + rng.choice((-1, 0, 1, 5, 12, 40))
        amount = rng.choice(
            (rng.choice(totals), rng.randrange(0, max(totals) + 1), rng.choice(totals) * 3, 0)
        )
        if day <= TODAY:
            payments.append((day, amount))
    payments.sort(key=lambda p: p[0])
    pauses = []
    for _ in range(rng.choice((0, 0, 0, 1, 2, 3, MAX_PAUSES + 1))):
        first = start + rng.randint(-30, 900)
        pauses.append((first, first + rng.randint(0, 120)))
    return installments, payments, merge_pauses(pauses)


def check(seed: int, n: int) -> int:
    """Both replays over ``n`` random loans; the number of loans the fast path computed."""
    rng = random.Random(seed)
    rules = random_rules(rng)
    loans = [random_loan(rng) for _ in range(n)]
    chosen = np.array([rng.random() < 0.9 for _ in loans], np.bool_)
    inst = [(k, *row) for k, (rows, _, _) in enumerate(loans) for row in rows]
    pays = [(k, *row) for k, (_, rows, _) in enumerate(loans) for row in rows]
    rng.shuffle(pays)  # any order: the fast path sorts by day itself

    def column(rows: list[tuple[int, ...]], index: int) -> np.ndarray:
        return np.array([row[index] for row in rows], np.int64)

    inputs = OnTimeInputs(
        n, *(column(inst, i) for i in range(5)), *(column(pays, i) for i in range(3))
    )
    pauses = {k: p for k, (_, _, p) in enumerate(loans) if p}
    result = replay_late(inputs, chosen, TODAY, rules=rules, pauses=pauses)
    computed = 0
    for k, (rows, payments, merged) in enumerate(loans):
        if not chosen[k]:
            assert not result.refer[k]
            assert result.oldest_unpaid_due[k] == NO_DATE
            continue
        if result.refer[k]:
            continue
        dues = [list(c) for c in zip(*rows, strict=True)] if rows else [[], [], [], []]
        want = replay(*dues, payments, TODAY, rules=rules, pauses=merged)
        got = (
            int(result.outstanding_principal[k]),
            *(int(v) for v in result.overdue[k]),
            int(result.oldest_unpaid_due[k]),
            int(result.installments_overdue[k]),
        )
        assert got == tuple(want), (seed, k, rows, payments, merged)
        computed += 1
    return computed


@pytest.mark.parametrize("seed", range(60))
def test_random_loans_match_the_per_loan_replay(seed: int) -> None:
    assert check(seed, 80) > 0


def test_only_exact_halves_and_many_pauses_are_referred() -> None:
    """A loan goes to the per-loan replay only when a rounded penalty total falls exactly on
    a half (the domain's Decimal sum decides) or it has more pauses than the columns hold."""
    rules = ReplayRules.of(
        Waterfall(),
        PenaltyPolicy(annual_rate=Decimal("0.365"), day_count=DayCount.ACT_365, grace_days=0),
    )
    due = TODAY - 100
    # At 0.1 % a day: 1,000 fen for a day is 1 fen, 1,500 fen for a day exactly 1.5.
    inputs = OnTimeInputs(
        3,
        np.array([0, 1, 2]), np.full(3, due), np.array([1000, 1500, 1000]), np.zeros(3, np.int64),
        np.zeros(3, np.int64), np.array([0, 1, 2]), np.full(3, due + 1), np.zeros(3, np.int64),
    )  # fmt: skip
    many = [(due + 10 + 2 * i, due + 10 + 2 * i) for i in range(MAX_PAUSES + 1)]
    result = replay_late(
        inputs, np.ones(3, np.bool_), TODAY, rules=rules, pauses={2: merge_pauses(many)}
    )
    assert result.refer.tolist() == [False, True, True]
    assert result.overdue[0].tolist() == [1000, 0, 0, 100]  # 1 fen, then 99 on the date


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_any_seed_matches(seed: int) -> None:
    check(seed, 10)
