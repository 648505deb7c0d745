"""One loan's payments replayed in integer minor units and day numbers: the cycle's fast path.

Fast path of ``tideover.domain.allocation.position_as_of`` followed by
``tideover.domain.delinquency.delinquency_of`` (the references): it gives
exactly what they give for the same schedule, payments, pauses, waterfall and
penalty (the differential tests of ``tests/unit/test_stored_delinquency_replay.py``
compare the two on random portfolios), without building ``Money``,
per-installment dicts or dates.  What is not re-implemented is called: penalty
interest is accrued with the domain's own ``Decimal`` function and rounding, so
it is the same to the last digit, and days past due come from
``domain.delinquency.overdue_days`` over pauses merged by
``domain.delinquency.merge_pauses``.

With the default waterfall (oldest installment first, one installment at a
time) a payment settles installments in due order.  The replay keeps a cursor
on the first installment with anything left: everything before it is settled
and can never accrue again, everything after it is untouched.  A payment then
looks only at the installments it pays, and penalty accrues only from the
cursor to the last installment past due.  The other waterfalls build the
domain's whole allocation order at each payment.

Components are numbered ``PRINCIPAL, INTEREST, FEES, PENALTY`` (0..3);
``left[c][k]`` is what installment ``k`` still owes of component ``c``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from tideover.domain.allocation import Component, Waterfall
from tideover.domain.days import NO_DATE
from tideover.domain.delinquency import overdue_days
from tideover.domain.money import Money, round_half_up
from tideover.domain.penalty import PenaltyPolicy, penalty_interest_exact

CODES = {Component.PRINCIPAL: 0, Component.INTEREST: 1, Component.FEES: 2, Component.PENALTY: 3}
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ReplayRules:
    """A platform's waterfall and penalty, prepared once for a whole portfolio."""

    order: tuple[int, ...]  # component codes in waterfall order
    in_due_order: bool  # oldest-first, installment by installment: the cursor path
    newest_first: bool
    installment_first: bool
    penalty: PenaltyPolicy
    accrues: bool  # penalty interest or a late fee can ever be owed
    grace_days: int
    fee_threshold: int
    late_fee: int | None
    with_interest: bool
    rate_num: int  # the annual rate as rate_num / rate_den, the year's days folded in
    rate_den: int

    @classmethod
    def of(cls, waterfall: Waterfall, penalty: PenaltyPolicy) -> ReplayRules:
        installment_first = waterfall.mode == "installment-first"
        newest_first = waterfall.installment_order == "newest-first"
        num, den = penalty.annual_rate.as_integer_ratio()
        return cls(
            order=tuple(CODES[c] for c in waterfall.components),
            in_due_order=installment_first and not newest_first,
            newest_first=newest_first,
            installment_first=installment_first,
            penalty=penalty,
            accrues=penalty.annual_rate != 0 or penalty.late_fee is not None,
            grace_days=penalty.grace_days,
            fee_threshold=penalty.late_fee_threshold,
            late_fee=None if penalty.late_fee is None else penalty.late_fee.minor,
            with_interest=penalty.includes_overdue_interest,
            rate_num=num,
            rate_den=den * penalty.day_count.days_in_year,
        )


class Outcome(NamedTuple):
    """One loan on the position date, in minor units and day numbers."""

    outstanding_principal: int
    overdue_principal: int
    overdue_interest: int
    overdue_fees: int
    overdue_penalty: int
    oldest_unpaid_due: int  # NO_DATE when nothing past due is unpaid
    installments_overdue: int


def replay(
    due: Sequence[int],
    principal: Sequence[int],
    interest: Sequence[int],
    fees: Sequence[int],
    payments: Sequence[tuple[int, int]],
    as_of: int,
    *,
    rules: ReplayRules,
    pauses: Sequence[tuple[int, int]] = (),
    ages_from: int | None = None,
) -> Outcome:
    """The loan on day ``as_of``: ``domain.allocation.position_as_of`` and
    ``domain.delinquency.delinquency_of`` of the same loan, in minor units and day numbers.

    ``due`` and the amounts are the installments in the domain's order (by due
    date, stable); amounts must not be negative.  ``payments`` are the effective
    ones (``effective_payments``) as (day, amount), in (day, payment id) order.
    ``pauses`` are merged (``domain.delinquency.merge_pauses``).  ``ages_from``: only
    installments due on or after it count as unpaid past due (a re-aged schedule).
    """
    n = len(due)
    left = [list(principal), list(interest), list(fees), [0] * n]
    settled: list[int | None] = [None] * n
    state = _Accrual(n) if rules.accrues else None
    cursor = 0
    for number, (day, amount) in enumerate(payments):
        if rules.in_due_order:
            while cursor < n and not (
                left[0][cursor] > 0
                or left[1][cursor] > 0
                or left[2][cursor] > 0
                or left[3][cursor] > 0
            ):
                cursor += 1
            if state is not None:
                k = cursor
                while k < n and due[k] < day:
                    if settled[k] is None:
                        state.accrue(k, day, due, left, rules, pauses)
                    k += 1
            last = _pay_in_due_order(left, cursor, amount, rules.order)
            # The first payment also settles the installments that owe nothing at all.
            check = range(n) if number == 0 else range(cursor, last + 1)
        else:
            if state is not None:
                for k in range(n):
                    if due[k] < day and settled[k] is None:
                        state.accrue(k, day, due, left, rules, pauses)
            _pay_in_order(left, _order(due, day, rules), amount)
            check = range(n)
        for k in check:
            if settled[k] is None and left[0][k] <= 0 and left[1][k] <= 0 and left[2][k] <= 0:
                settled[k] = day
    if state is not None:
        for k in range(cursor if rules.in_due_order else 0, n):
            if due[k] >= as_of:
                break
            if settled[k] is None:
                state.accrue(k, as_of, due, left, rules, pauses)
    return _outcome(due, left, settled, as_of, ages_from)


def _pay_in_due_order(left: list[list[int]], cursor: int, amount: int, order: Sequence[int]) -> int:
    """Pay installments from ``cursor`` on, each component in waterfall order; the last
    installment reached."""
    n = len(left[0])
    rest, k = amount, cursor
    while k < n:
        for c in order:
            column = left[c]
            owed = column[k]
            if owed > 0:
                if owed >= rest:
                    column[k] = owed - rest
                    return k
                column[k] = 0
                rest -= owed
        k += 1
    return n - 1


def _order(due: Sequence[int], day: int, rules: ReplayRules) -> list[tuple[int, int]]:
    """(installment, component) pairs in the order a payment on ``day`` settles them
    (``domain.allocation._allocation_order``)."""
    n = len(due)
    now = [k for k in range(n) if due[k] <= day]
    if rules.newest_first:
        now.reverse()
    if rules.installment_first:
        pairs = [(k, c) for k in now for c in rules.order]
    else:
        pairs = [(k, c) for c in rules.order for k in now]
    return pairs + [(k, c) for k in range(n) if due[k] > day for c in rules.order]


def _pay_in_order(left: list[list[int]], order: Sequence[tuple[int, int]], amount: int) -> None:
    rest = amount
    for k, c in order:
        if rest == 0:
            return
        owed = left[c][k]
        if owed > 0:
            paid = owed if owed < rest else rest
            left[c][k] = owed - paid
            rest -= paid


# Beyond this, the Decimal sums the domain keeps could come within their own rounding
# (28 significant digits) of a half: the exact fraction is not trusted there.
_EXACT_LIMIT = 10**24


class _Accrual:
    """Penalty state of each installment (the domain's ``_Working`` penalty fields).

    The domain sums ``Decimal`` amounts, each ``base × rate × days / days_in_year``
    (``penalty_interest_exact``), and rounds the sum half-up once.  Here the sum is kept
    exactly, as the integer numerator of a fraction over ``rate_den``: the same rounded
    number whenever the fraction is not exactly a half (a Decimal sum is then far nearer
    the fraction than the fraction is to any half), at a fraction of the cost.  On an
    exact half, or numbers large enough for the Decimal rounding to matter, the
    installment's amounts are summed again the domain's way.
    """

    __slots__ = ("late", "numerator", "overdue", "owed", "penalised", "terms")

    def __init__(self, n: int) -> None:
        self.numerator = [0] * n
        self.terms: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.late = [0] * n
        self.penalised = [0] * n
        self.overdue = [0] * n
        self.owed = [0] * n

    def accrue(
        self,
        k: int,
        day: int,
        due: Sequence[int],
        left: list[list[int]],
        rules: ReplayRules,
        pauses: Sequence[tuple[int, int]],
    ) -> None:
        """``_Working.accrue`` for installment ``k``, unsettled and past due on ``day``."""
        overdue = overdue_days(due[k], day, pauses) if pauses else day - due[k]
        days = max(0, overdue - rules.grace_days) - self.penalised[k]
        base = left[0][k] + (left[1][k] if rules.with_interest else 0)
        changed = False
        if days > 0 and base > 0:
            self.numerator[k] += base * days * rules.rate_num
            self.terms[k].append((base, days))
            changed = True
        crossed = self.overdue[k] <= rules.fee_threshold < overdue
        unsettled = left[0][k] > 0 or left[1][k] > 0 or left[2][k] > 0
        if crossed and rules.late_fee is not None and unsettled:
            self.late[k] = rules.late_fee
            changed = True
        if days > 0:
            self.penalised[k] += days
        if overdue > self.overdue[k]:
            self.overdue[k] = overdue
        if changed:
            # Rounded once over the exact total, as the domain does.
            owed = self._rounded(k, rules) + self.late[k]
            left[3][k] += owed - self.owed[k]
            self.owed[k] = owed

    def _rounded(self, k: int, rules: ReplayRules) -> int:
        twice, den = 2 * self.numerator[k], rules.rate_den
        if twice % (2 * den) != den and self.numerator[k] < _EXACT_LIMIT:
            return (twice + den) // (2 * den)
        exact = _ZERO  # a half, or beyond the limit: the domain's own sum
        for base, days in self.terms[k]:
            exact += penalty_interest_exact(Money(base), days, rules.penalty)
        return int(round_half_up(exact))


def _outcome(
    due: Sequence[int],
    left: list[list[int]],
    settled: list[int | None],
    as_of: int,
    ages_from: int | None,
) -> Outcome:
    principal, interest, fees, penalty = left
    over = [0, 0, 0, 0]
    oldest, count = NO_DATE, 0
    floor = -NO_DATE if ages_from is None else ages_from
    for k, day in enumerate(due):
        if day >= as_of:
            break
        over[0] += principal[k]
        over[1] += interest[k]
        over[2] += fees[k]
        over[3] += penalty[k]
        if settled[k] is None and day >= floor:
            if oldest == NO_DATE:
                oldest = day
            count += 1
    return Outcome(sum(principal), over[0], over[1], over[2], over[3], oldest, count)
