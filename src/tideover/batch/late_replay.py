"""The penalty replay of many loans at once: loans on which penalty accrued before the date.

Fast path of ``batch.replay.replay`` (and so of ``domain.allocation.position_as_of``
and ``domain.delinquency.delinquency_of``) for the loans ``batch.on_time`` hands
back as ``late``: the default waterfall (oldest installment first, one
installment at a time), the contract schedule, standing payments already
resolved.  Differential tests: ``tests/unit/test_stored_delinquency_replay.py``
(every figure of every loan against the domain).

The replay is sequential within a loan (penalty accrues on what is still owed
when each payment arrives) but independent between loans, so the loop runs
over payment *ranks*: the first payment of every loan at once, then the
second, and so on.  Loans are laid out by their number of payment days,
most first, so the loans still paying at rank ``r`` are a prefix of the
loans and their installments a prefix of the rows: every step works on array
slices, not on a Python object per loan.

Each step does what ``batch.replay`` does at a payment, row by row:

- **accrue**: every unsettled installment past due on the payment day accrues
  penalty interest on what it still owes (``_Accrual.accrue``: the exact
  integer numerator over ``rate_den``, rounded half-up once over the total,
  and the late fee once the threshold is crossed);
- **pay**: the amount fills the loan's installments in due order, each in the
  waterfall's component order: a cumulative sum over the rows;
- **settle**: an installment whose principal, interest and fees are paid is
  settled on that day.

Payments on one day are summed into one: with this waterfall a second payment
on the same day accrues nothing more and continues filling where the first
stopped.  The cursor of ``batch.replay`` is not needed: installments before it
are paid and settled and take nothing.  Loans where the integer sums could
leave 64 bits, a rounded total falls exactly on a half (the domain's
``Decimal`` sum decides those), or with more pauses than the padded columns
hold, are returned in ``refer`` for the per-loan replay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tideover.batch.on_time import OnTimeInputs, by_loan_and_day
from tideover.batch.replay import ReplayRules
from tideover.domain.days import NO_DATE

Ints = NDArray[np.int64]
Mask = NDArray[np.bool_]

# Loans with more merged pauses than this take the per-loan replay.
MAX_PAUSES = 8
# Numerators stay below this, so twice one plus the denominator fits in int64.
_NUMERATOR_LIMIT = 2**61


@dataclass(frozen=True, slots=True)
class LateResult:
    """Per loan index (arrays of length ``n_loans``); meaningful for the loans asked for
    and not in ``refer``."""

    outstanding_principal: Ints
    overdue: Ints  # (n_loans, 4): principal, interest, fees, penalty
    oldest_unpaid_due: Ints
    installments_overdue: Ints
    refer: Mask  # left to the per-loan replay


def replay_late(
    inputs: OnTimeInputs,
    chosen: Mask,
    today: int,
    *,
    rules: ReplayRules,
    pauses: Mapping[int, Sequence[tuple[int, int]]],
) -> LateResult:
    """The loans marked in ``chosen`` (by loan index) on day ``today``: what
    ``batch.replay.replay`` gives for their installments (grouped by loan, in due order)
    and standing payments, with ``pauses`` merged per loan index."""
    if not rules.in_due_order:
        raise ValueError("the late path needs the oldest-first, installment-first waterfall")
    n = inputs.n_loans
    result = LateResult(
        np.zeros(n, np.int64),
        np.zeros((n, 4), np.int64),
        np.full(n, NO_DATE, np.int64),
        np.zeros(n, np.int64),
        np.zeros(n, np.bool_),
    )
    if not chosen.any():
        return result
    book = _Book.of(inputs, chosen, today, rules, pauses)
    for rank in range(book.ranks):
        loans = book.active(rank)
        rows = int(book.row_end[loans - 1])
        low, high = book.event_offsets[rank], book.event_offsets[rank + 1]
        day = book.event_day[low:high]
        book.accrue(rows, day[book.row_loan[:rows]], rules)
        book.pay(rows, loans, book.event_amount[low:high])
        book.settle(rows, day[book.row_loan[:rows]])
    rows = book.row_loan.size
    book.accrue(rows, np.full(rows, today, np.int64), rules)
    book.outcome(result, today)
    return result


class _Book:
    """The chosen loans' installments as rows (loans most payment days first) and their
    penalty state, each loan's payment days by rank."""

    def __init__(self) -> None:
        self.loan_index: Ints  # per loan position, the caller's loan index
        self.row_loan: Ints  # per row, its loan position (non-decreasing)
        self.row_end: Ints  # per loan position, one past its last row
        self.due: Ints
        # What each row still owes, columns in waterfall order.
        self.left: Ints
        self.column: tuple[int, int, int, int]  # component code -> column of ``left``
        self.settled: Ints
        self.numerator: Ints
        self.late: Ints
        self.penalised: Ints
        self.overdue: Ints
        self.owed: Ints
        self.refer: Mask  # per loan position
        self.ranks: int
        self.loans_at_rank: Ints
        self.event_offsets: list[int]
        self.event_day: Ints
        self.event_amount: Ints
        self.pause_start: Ints | None  # (loan positions, slots), or None without pauses
        self.pause_end: Ints | None

    @classmethod
    def of(
        cls,
        inputs: OnTimeInputs,
        chosen: Mask,
        today: int,
        rules: ReplayRules,
        pauses: Mapping[int, Sequence[tuple[int, int]]],
    ) -> _Book:
        book = cls()
        loans = np.flatnonzero(chosen)
        # Payment days: one event per loan and day, amounts summed (see the module doc).
        mine = chosen[inputs.pay_loan]
        pay_loan, pay_day = inputs.pay_loan[mine], inputs.pay_day[mine]
        amount = inputs.pay_amount[mine]
        order = by_loan_and_day(pay_loan, pay_day)
        if order is not None:
            pay_loan, pay_day, amount = pay_loan[order], pay_day[order], amount[order]
        first = np.r_[True, (pay_loan[1:] != pay_loan[:-1]) | (pay_day[1:] != pay_day[:-1])]
        starts = np.flatnonzero(first)
        ev_loan, ev_day = pay_loan[starts], pay_day[starts]
        ev_amount = np.add.reduceat(amount, starts) if starts.size else amount[:0]
        local = np.searchsorted(loans, ev_loan)
        counts = np.bincount(local, minlength=loans.size)
        # Loans with the most payment days first: those still paying are a prefix.
        by_count = np.argsort(-counts, kind="stable")
        position = np.empty(loans.size, np.int64)
        position[by_count] = np.arange(loans.size)
        book.loan_index = loans[by_count]
        sorted_counts = counts[by_count]
        book.ranks = int(sorted_counts[0]) if sorted_counts.size else 0
        # Loans with more than r payment days, for each rank r.
        book.loans_at_rank = np.searchsorted(-sorted_counts, -np.arange(book.ranks), "left")
        ev_rank = np.arange(ev_loan.size) - np.r_[0, np.cumsum(counts)][local]
        ev_order = np.lexsort((position[local], ev_rank))
        book.event_day = ev_day[ev_order]
        book.event_amount = ev_amount[ev_order]
        per_rank = np.bincount(ev_rank, minlength=book.ranks)
        book.event_offsets = np.r_[0, np.cumsum(per_rank)].tolist()

        rows_mine = np.flatnonzero(chosen[inputs.inst_loan])
        row_position = position[np.searchsorted(loans, inputs.inst_loan[rows_mine])]
        row_order = np.argsort(row_position, kind="stable")
        taken = rows_mine[row_order]
        book.row_loan = row_position[row_order]
        book.row_end = np.cumsum(np.bincount(book.row_loan, minlength=loans.size))
        book.due = inputs.due[taken]
        parts = (inputs.principal[taken], inputs.interest[taken], inputs.fees[taken])
        book.column = tuple(rules.order.index(code) for code in range(4))  # type: ignore[assignment]
        book.left = np.zeros((taken.size, 4), np.int64)
        for code, values in enumerate(parts):
            book.left[:, book.column[code]] = values
        size = taken.size
        book.settled = np.full(size, NO_DATE, np.int64)
        book.numerator = np.zeros(size, np.int64)
        book.late = np.zeros(size, np.int64)
        book.penalised = np.zeros(size, np.int64)
        book.overdue = np.zeros(size, np.int64)
        book.owed = np.zeros(size, np.int64)
        book.refer = np.zeros(loans.size, np.bool_)
        book._pauses(pauses)
        book._refer_too_large(parts, today, rules)
        return book

    def _pauses(self, pauses: Mapping[int, Sequence[tuple[int, int]]]) -> None:
        """Each loan's merged pauses as padded columns (an empty range where it has none)."""
        found = [(p, pauses[int(i)]) for p, i in enumerate(self.loan_index) if int(i) in pauses]
        if not found:
            self.pause_start = self.pause_end = None
            return
        slots = min(max(len(periods) for _, periods in found), MAX_PAUSES)
        start = np.full((self.loan_index.size, slots), 1, np.int64)
        end = np.zeros((self.loan_index.size, slots), np.int64)
        for p, periods in found:
            if len(periods) > slots:
                self.refer[p] = True
                continue
            for slot, (first, last) in enumerate(periods):
                start[p, slot], end[p, slot] = first, last
        self.pause_start, self.pause_end = start, end

    def _refer_too_large(
        self, parts: tuple[Ints, Ints, Ints], today: int, rules: ReplayRules
    ) -> None:
        """Loans whose penalty numerator could leave 64 bits: the base only shrinks and the
        days penalised add up to at most the days overdue."""
        if self.due.size == 0:
            return
        base = parts[0] + (parts[1] if rules.with_interest else 0)
        days = np.maximum(today - self.due, 0) if rules.accrues else 0
        # In floats first: the exact product itself could overflow.
        bound = base.astype(np.float64) * days * rules.rate_num
        big = bound >= _NUMERATOR_LIMIT / 4
        if big.any():
            self.refer[np.unique(self.row_loan[big])] = True
        # The payments' running sums run over every row: all of it must fit too.
        fee = rules.late_fee or 0
        total = sum(float(part.sum()) for part in parts) + float(
            (bound / rules.rate_den + 1 + fee).sum()
        )
        if total >= _NUMERATOR_LIMIT / 4:  # pragma: no cover - beyond any real portfolio
            self.refer[:] = True

    def active(self, rank: int) -> int:
        return int(self.loans_at_rank[rank])

    def _overdue_days(self, rows: Ints, day: Ints) -> Ints:
        """``domain.delinquency.overdue_days`` of each row on its ``day`` (day > due)."""
        due = self.due[rows]
        days = day - due
        if self.pause_start is not None and self.pause_end is not None:
            loan = self.row_loan[rows]
            for slot in range(self.pause_start.shape[1]):
                low = np.maximum(self.pause_start[loan, slot], due + 1)
                high = np.minimum(self.pause_end[loan, slot], day)
                days -= np.maximum(high - low + 1, 0)
        result: Ints = np.maximum(days, 0)
        return result

    def accrue(self, rows: int, day: Ints, rules: ReplayRules) -> None:
        """``_Accrual.accrue`` for every unsettled row of the first ``rows`` past due on its
        loan's ``day``."""
        if not rules.accrues:
            return
        k = np.flatnonzero((self.due[:rows] < day) & (self.settled[:rows] == NO_DATE))
        if k.size == 0:
            return
        overdue = self._overdue_days(k, day[k])
        left = self.left[k]
        principal = left[:, self.column[0]]
        interest = left[:, self.column[1]]
        fees = left[:, self.column[2]]
        days = np.maximum(overdue - rules.grace_days, 0) - self.penalised[k]
        base = principal + interest if rules.with_interest else principal
        adds = (days > 0) & (base > 0)
        numerator = self.numerator[k] + np.where(adds, base * days * rules.rate_num, 0)
        self.numerator[k] = numerator
        changed = adds
        late = self.late[k]
        if rules.late_fee is not None:
            crossed = (self.overdue[k] <= rules.fee_threshold) & (rules.fee_threshold < overdue)
            fee = crossed & ((principal > 0) | (interest > 0) | (fees > 0))
            late = np.where(fee, rules.late_fee, late)
            self.late[k] = late
            changed = changed | fee
        self.penalised[k] += np.maximum(days, 0)
        self.overdue[k] = np.maximum(self.overdue[k], overdue)
        if not changed.any():
            return
        den = rules.rate_den
        twice = 2 * numerator
        half = changed & (twice % (2 * den) == den)
        if half.any():  # the domain's Decimal sum decides: the per-loan replay
            self.refer[np.unique(self.row_loan[k[half]])] = True
        owed = np.where(changed, (twice + den) // (2 * den) + late, self.owed[k])
        penalty = self.column[3]
        self.left[k, penalty] = left[:, penalty] + owed - self.owed[k]
        self.owed[k] = owed

    def pay(self, rows: int, loans: int, amount: Ints) -> None:
        """Each of the first ``loans`` pays its ``amount`` into its rows in due order, each
        row's components in waterfall order."""
        if rows == 0:
            return
        flat = self.left[:rows].reshape(-1)
        running = np.cumsum(flat)
        # What the loan's earlier rows and components owe, before each element.
        starts = np.minimum(np.r_[0, self.row_end[: loans - 1]] * 4, flat.size - 1)
        offset = running[starts] - flat[starts]
        owner = np.repeat(self.row_loan[:rows], 4)
        before = running - flat - offset[owner]
        flat -= np.clip(amount[owner] - before, 0, flat)

    def settle(self, rows: int, day: Ints) -> None:
        left = self.left[:rows]
        paid = (
            (left[:, self.column[0]] <= 0)
            & (left[:, self.column[1]] <= 0)
            & (left[:, self.column[2]] <= 0)
        )
        newly = paid & (self.settled[:rows] == NO_DATE)
        self.settled[:rows][newly] = day[newly]

    def outcome(self, result: LateResult, today: int) -> None:
        """Per loan: principal outstanding, what is overdue by component, the oldest unpaid
        due and how many installments are unpaid past due (``batch.replay._outcome``)."""
        n = self.loan_index.size
        loan, index = self.row_loan, self.loan_index
        principal = np.zeros(n, np.int64)
        np.add.at(principal, loan, self.left[:, self.column[0]])
        past = self.due < today
        overdue = np.zeros((n, 4), np.int64)
        for code in range(4):
            np.add.at(overdue[:, code], loan[past], self.left[past, self.column[code]])
        unpaid = past & (self.settled == NO_DATE)
        oldest = np.full(n, NO_DATE, np.int64)
        np.minimum.at(oldest, loan[unpaid], self.due[unpaid])
        result.outstanding_principal[index] = principal
        result.overdue[index] = overdue
        result.oldest_unpaid_due[index] = oldest
        result.installments_overdue[index] = np.bincount(loan[unpaid], minlength=n)
        result.refer[index] = self.refer
