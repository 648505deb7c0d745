"""The common case of the replay, vectorised: loans on which no penalty accrued before the date.

Fast path of the same references as ``batch.replay``:
``domain.allocation.position_as_of`` and ``domain.delinquency.delinquency_of``
(differential tests: ``tests/unit/test_stored_delinquency_replay.py``, which
sends punctual portfolios through this path and compares every loan with the
domain).

With the default waterfall (oldest installment first, one installment at a
time) and no penalty or late fee owed, a payment fills the installments in due
order: installment j is settled by the first payment that brings the loan's
cumulative payments to the cumulative scheduled amount of installments 1..j,
and whatever was paid beyond the settled ones sits in the next installment,
component by component in waterfall order.  That is a pair of cumulative sums
and one sort, for every loan at once.

It stays exact as long as no payment found an installment past its grace
period (``domain.allocation`` accrues penalty only then; the last accrual, on
the business date itself, comes after every payment and is added here
installment by installment with the domain's own ``Decimal`` function).  So:
an installment settled on day t, or still unsettled at the loan's last
payment t, must have ``t - due <= grace_days`` (pauses only shorten the
overdue days, so ignoring them is on the safe side).  Loans that break this
are returned in ``late`` for the per-loan replay (``batch.replay``); so are
loans with reversals, schedule versions, a non-default waterfall or anything
unusual, which the caller never sends here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from tideover.batch.replay import ReplayRules
from tideover.domain.days import NO_DATE
from tideover.domain.delinquency import overdue_days
from tideover.domain.money import Money, round_half_up
from tideover.domain.penalty import penalty_interest_exact

Ints = NDArray[np.int64]
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class OnTimeInputs:
    """Installments (grouped by loan, due order within) and effective payments of the loans
    to compute; ``*_loan`` are loan indexes into arrays of length ``n_loans``."""

    n_loans: int
    inst_loan: Ints
    due: Ints
    principal: Ints
    interest: Ints
    fees: Ints
    pay_loan: Ints  # standing payments valued by the date (no reversal on these loans)
    pay_day: Ints
    pay_amount: Ints


@dataclass(frozen=True, slots=True)
class OnTimeResult:
    """Per loan index; only loans with installments or payments here are meaningful."""

    outstanding_principal: Ints
    overdue: Ints  # (n_loans, 4): principal, interest, fees, penalty
    oldest_unpaid_due: Ints
    installments_overdue: Ints
    late: NDArray[np.bool_]  # penalty could have accrued before the date: replay per loan


def replay_on_time(
    inputs: OnTimeInputs,
    today: int,
    *,
    rules: ReplayRules,
    pauses: Mapping[int, Sequence[tuple[int, int]]],
) -> OnTimeResult:
    """The loans of ``inputs`` on day ``today`` (waterfall ``rules`` in due order): what
    ``batch.replay.replay`` and so ``domain.allocation.position_as_of`` give, for the loans
    not marked ``late``."""
    if not rules.in_due_order:
        raise ValueError("the on-time path needs the oldest-first, installment-first waterfall")
    n = inputs.n_loans
    loan, due = inputs.inst_loan, inputs.due
    parts = (inputs.principal, inputs.interest, inputs.fees)
    scheduled = parts[0] + parts[1] + parts[2]
    before = _cumulative_before(loan, scheduled)  # scheduled amount of earlier installments
    paid_total = np.zeros(n, np.int64)
    np.add.at(paid_total, inputs.pay_loan, inputs.pay_amount)
    first_day = np.full(n, NO_DATE, np.int64)
    np.minimum.at(first_day, inputs.pay_loan, inputs.pay_day)
    last_day = np.full(n, -NO_DATE, np.int64)
    np.maximum.at(last_day, inputs.pay_loan, inputs.pay_day)

    settled = np.where(scheduled > 0, _settling_day(inputs, before + scheduled), first_day[loan])
    late = np.zeros(n, np.bool_)
    if rules.accrues:
        # The last day a payment found the installment unsettled (accruing before it paid).
        found = np.where(settled != NO_DATE, settled, last_day[loan])
        grace_broken = (scheduled > 0) & (found - due > rules.grace_days)
        late[loan[grace_broken]] = True

    paid = np.clip(paid_total[loan] - before, 0, scheduled)
    left = _left_by_component(parts, paid, rules.order)
    unsettled = settled == NO_DATE
    overdue_rows = due < today
    penalty = np.zeros(loan.size, np.int64)
    if rules.accrues:
        owing = unsettled & overdue_rows & (scheduled > 0)
        _accrue_on_the_date(penalty, inputs, left, owing, today, rules, pauses)

    principal = np.zeros(n, np.int64)
    np.add.at(principal, loan, left[0])
    overdue = np.zeros((n, 4), np.int64)
    for column, values in enumerate((*left, penalty)):
        np.add.at(overdue[:, column], loan[overdue_rows], values[overdue_rows])
    unpaid = unsettled & overdue_rows
    oldest = np.full(n, NO_DATE, np.int64)
    np.minimum.at(oldest, loan[unpaid], due[unpaid])
    counted = np.zeros(n, np.int64)
    np.add.at(counted, loan[unpaid], 1)
    return OnTimeResult(principal, overdue, oldest, counted, late)


def _cumulative_before(loan: Ints, amounts: Ints) -> Ints:
    """Per row, the sum of ``amounts`` over the earlier rows of the same loan."""
    running = np.cumsum(amounts) - amounts
    if loan.size == 0:
        return running
    starts = np.flatnonzero(np.r_[True, loan[1:] != loan[:-1]])
    group = np.cumsum(np.r_[True, loan[1:] != loan[:-1]]) - 1
    result: Ints = running - running[starts][group]
    return result


def _settling_day(inputs: OnTimeInputs, needed: Ints) -> Ints:
    """Per installment, the day of the first payment whose running total reaches ``needed``
    (the cumulative scheduled amount up to it), NO_DATE when none does."""
    order = by_loan_and_day(inputs.pay_loan, inputs.pay_day)
    if order is None:
        pay_loan, pay_day, amount = inputs.pay_loan, inputs.pay_day, inputs.pay_amount
    else:
        pay_loan, pay_day = inputs.pay_loan[order], inputs.pay_day[order]
        amount = inputs.pay_amount[order]
    running = _cumulative_before(pay_loan, amount) + amount
    if running.size == 0 or needed.size == 0:
        return np.full(needed.size, NO_DATE, np.int64)
    # Both are non-decreasing within a loan and the loans come in order: lifting each loan's
    # values above the previous loan's makes one sorted array of each, and a binary search
    # finds every installment's first payment at or above it.
    span = int(max(running.max(), needed.max())) + 1
    if span * (inputs.n_loans + 1) >= 2**62:  # pragma: no cover - beyond any real portfolio
        raise ValueError("cumulative amounts too large to search in int64")
    lifted = pay_loan * span + running
    at = np.searchsorted(lifted, inputs.inst_loan * span + needed, side="left")
    found = at < lifted.size
    safe = np.where(found, at, 0)
    same_loan = found & (pay_loan[safe] == inputs.inst_loan)
    result: Ints = np.where(same_loan, pay_day[safe], NO_DATE)
    return result


def by_loan_and_day(loan: Ints, day: Ints) -> Ints | None:
    """The order that sorts rows by loan, then day (stable); None when they already are
    (the stored payments mostly come so: one pass instead of a sort of millions)."""
    same = loan[1:] == loan[:-1]
    if bool(((loan[1:] > loan[:-1]) | (same & (day[1:] >= day[:-1]))).all()):
        return None
    order: Ints = np.lexsort((day, loan))
    return order


def _left_by_component(
    parts: tuple[Ints, Ints, Ints], paid: Ints, order: Sequence[int]
) -> tuple[Ints, Ints, Ints]:
    """What each installment still owes of principal, interest and fees once ``paid`` went
    to its components in waterfall order (no penalty is owed when it is paid)."""
    rest = paid.copy()
    left = list(parts)
    for code in order:
        if code == 3:
            continue
        taken = np.minimum(rest, parts[code])
        left[code] = parts[code] - taken
        rest -= taken
    return left[0], left[1], left[2]


def _accrue_on_the_date(
    penalty: Ints,
    inputs: OnTimeInputs,
    left: tuple[Ints, Ints, Ints],
    rows: NDArray[np.bool_],
    today: int,
    rules: ReplayRules,
    pauses: Mapping[int, Sequence[tuple[int, int]]],
) -> None:
    """Penalty and late fee of the unsettled installments past due, accrued once on the date
    (``_Working.accrue`` with nothing accrued before).

    The domain's amount is ``round_half_up(base × rate × days / days_in_year)`` in
    ``Decimal`` (``penalty_interest_exact``).  With the rate as the exact fraction
    p / q it is ``floor((2·base·days·p + q·Y) / (2·q·Y))`` in integers, the same number
    (the Decimal quotient carries 40 digits, far more than such a fraction can come
    near a half without being one), computed here for every installment at once
    where it fits in 64 bits; loans with pauses, and amounts too large for that, take
    the domain's function one installment at a time.
    """
    k = np.flatnonzero(rows)
    if k.size == 0:
        return
    if pauses:  # paused days do not count: those loans' rows one at a time
        paused = np.isin(inputs.inst_loan[k], np.fromiter(pauses, np.int64, len(pauses)))
        for row in k[paused].tolist():
            _accrue_one(penalty, inputs, left, row, today, rules, pauses)
        k = k[~paused]
    overdue = today - inputs.due[k]
    days = np.maximum(overdue - rules.grace_days, 0)
    base = left[0][k] + (left[1][k] if rules.with_interest else 0)
    p, q = rules.penalty.annual_rate.as_integer_ratio()
    year = rules.penalty.day_count.days_in_year
    biggest = int(base.max(initial=0)) * int(days.max(initial=0)) * 2 * p + q * year
    if biggest >= 2**62:  # beyond 64 bits: the domain's own function, one at a time
        for row in k.tolist():
            _accrue_one(penalty, inputs, left, row, today, rules, pauses)
        return
    interest = (2 * base * days * p + q * year) // (2 * q * year)
    interest = np.where((days > 0) & (base > 0), interest, 0)
    if rules.late_fee is not None:
        interest = interest + np.where(overdue > rules.fee_threshold, rules.late_fee, 0)
    penalty[k] = interest


def _accrue_one(
    penalty: Ints,
    inputs: OnTimeInputs,
    left: tuple[Ints, Ints, Ints],
    k: int,
    today: int,
    rules: ReplayRules,
    pauses: Mapping[int, Sequence[tuple[int, int]]],
) -> None:
    loan = int(inputs.inst_loan[k])
    overdue = overdue_days(int(inputs.due[k]), today, pauses.get(loan, ()))
    days = max(0, overdue - rules.grace_days)
    base = int(left[0][k]) + (int(left[1][k]) if rules.with_interest else 0)
    exact = _ZERO
    if days > 0 and base > 0:
        exact += penalty_interest_exact(Money(base), days, rules.penalty)
    fee = rules.late_fee if rules.late_fee is not None and rules.fee_threshold < overdue else 0
    penalty[k] = int(round_half_up(exact)) + fee
