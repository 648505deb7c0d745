"""Every stored loan's position and delinquency on a business date, from plain columns.

The daily cycle reads a platform's loans, installments, payments, pauses and
schedules in force as plain columns (``batch.portfolio_rows``; no per-row
objects) and hands them here.  Loans on the contract with the default
waterfall are computed all at once: those on which no penalty accrued before
the date by ``batch.on_time``, the others by ``batch.late_replay``, their
reversals resolved together.  The others go one by one in integer minor units
(``batch.replay``) on their schedule in force (the contract, or a plan's or
re-aged version with its payment window and ageing start:
``domain.schedule_in_force``) with their standing payments (a reversal valued
by the date removes its original: ``batch.loan_rows``).  Days past due and
buckets then come vectorised (``batch.delinquency``) from the oldest unpaid
due dates and the pauses.

This is the fast path of ``domain.schedule_in_force.status_in_force`` (the
reference), under the differential tests of
``tests/unit/test_stored_delinquency_replay.py`` (random portfolios, every figure
of every loan).  Loans the fast path does not take on are listed in
``needs_domain`` for the caller to compute with that reference itself, which
also raises the domain's own error for bad data: a negative amount, a payment
or late fee in another currency than the schedule, a reversal that names no
payment of the loan or another amount, a negative installment.  The imports refuse such rows; the
fallback keeps the results identical to the domain's whatever is stored.
Payment ids are unique per platform (a database constraint), so they are
not checked for repeats here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from tideover.batch.delinquency import PauseColumns, bucket_codes, days_past_due_per_loan
from tideover.batch.late_replay import LateResult, replay_late
from tideover.batch.loan_rows import (
    contract_dues,
    ints,
    last_payment,
    standing_payments,
    version_dues,
)
from tideover.batch.on_time import OnTimeInputs, OnTimeResult, replay_on_time
from tideover.batch.portfolio_rows import CodedText, PauseRows, PortfolioRows, Positions
from tideover.batch.replay import ReplayRules, replay
from tideover.domain.days import NO_DATE, day_number
from tideover.domain.delinquency import BucketScheme, merge_pauses


def replay_portfolio(
    rows: PortfolioRows,
    as_of: date,
    *,
    rules: ReplayRules,
    late_fee_currency: str | None,
    vectorise: bool = True,
) -> Positions:
    """Every loan of ``rows`` replayed on its schedule in force up to ``as_of``.

    Loans on which no penalty accrued before the date go through the vectorised
    path (``batch.on_time``), the others one by one (``batch.replay``);
    ``vectorise=False`` sends every loan one by one (the tests compare both).
    """
    today = day_number(as_of)
    n = len(rows.loan_keys)
    keys = np.asarray(rows.loan_keys, dtype=np.int64)
    out = Positions(
        np.zeros(n, np.int64),
        np.zeros((n, 4), np.int64),
        np.full(n, NO_DATE, np.int64),
        np.zeros(n, np.int64),
        np.full(n, NO_DATE, np.int64),
        (),
    )
    pauses: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key, first, last in zip(
        rows.pauses.loan_key, rows.pauses.start, rows.pauses.end, strict=True
    ):
        pauses[key].append((first, last))
    merged = {key: merge_pauses(found) for key, found in pauses.items()}
    low_inst, high_inst = _ranges(rows.installments.loan_key, keys)
    low_pay, high_pay = _ranges(rows.payments.loan_key, keys)
    inst = _InstallmentArrays.of(rows, _loan_index(low_inst, high_inst, len(rows.installments.due)))
    pay = _PaymentArrays.of(rows, _loan_index(low_pay, high_pay, len(rows.payments.day)))
    one_by_one = _one_by_one(rows, inst, pay, rules, late_fee_currency)
    if not vectorise:
        one_by_one[:] = True
    mine = pay.loan >= 0
    reversing = np.zeros(n, np.bool_)
    reversing[pay.loan[mine & pay.reversal]] = True
    reversing &= ~one_by_one
    # The vectorised path's payments: those standing by the date of the loans without
    # reversals (their latest day is the last payment), and the reversing loans' own,
    # kept in the order they were read (by loan, then as stored: mostly by day already).
    standing = mine.copy()
    chosen = pay.loan[mine]
    standing[mine] = ~one_by_one[chosen] & ~reversing[chosen] & (pay.day[mine] <= today)
    latest = np.full(n, -NO_DATE, np.int64)
    np.maximum.at(latest, pay.loan[standing], pay.day[standing])
    out.last_payment[:] = np.where(latest == -NO_DATE, NO_DATE, latest)
    if reversing.any():
        standing[_after_reversals(rows, pay, reversing, today, out, one_by_one)] = True
    effective = (pay.loan[standing], pay.day[standing], pay.amount[standing])
    if not one_by_one.all():
        late = _on_time(out, inst, effective, one_by_one, today, rules, rows, merged)
        one_by_one |= late
    left_out = []
    singles = np.flatnonzero(one_by_one).tolist()
    for index in singles:
        key = rows.loan_keys[index]
        inst_range = (low_inst[index], high_inst[index])
        pay_range = (low_pay[index], high_pay[index])
        loan_pauses = merged.get(key, ())
        if not _replay_one(out, index, rows, inst_range, pay_range, today, rules, loan_pauses,
                           late_fee_currency):  # fmt: skip
            left_out.append(index)
    return Positions(
        out.outstanding_principal,
        out.overdue,
        out.oldest_unpaid_due,
        out.installments_overdue,
        out.last_payment,
        tuple(left_out),
        len(singles),
    )


@dataclass(frozen=True, slots=True)
class _InstallmentArrays:
    """Contract installments as arrays; ``loan`` is the loan index, -1 for loans not computed."""

    loan: NDArray[np.int64]
    due: NDArray[np.int64]
    parts: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]

    @classmethod
    def of(cls, rows: PortfolioRows, loan: NDArray[np.int64]) -> _InstallmentArrays:
        i = rows.installments
        return cls(
            loan,
            np.asarray(i.due, np.int64),
            (
                np.asarray(i.principal, np.int64),
                np.asarray(i.interest, np.int64),
                np.asarray(i.fees, np.int64),
            ),
        )


@dataclass(frozen=True, slots=True)
class _PaymentArrays:
    loan: NDArray[np.int64]
    day: NDArray[np.int64]
    amount: NDArray[np.int64]
    reversal: NDArray[np.bool_]
    currency: CodedText

    @classmethod
    def of(cls, rows: PortfolioRows, loan: NDArray[np.int64]) -> _PaymentArrays:
        p = rows.payments
        return cls(
            loan,
            np.asarray(p.day, np.int64),
            np.asarray(p.amount, np.int64),
            CodedText.of(p.reverses).codes >= 0,
            CodedText.of(p.currency),
        )


def _loan_index(low: list[int], high: list[int], size: int) -> NDArray[np.int64]:
    """The loan index of each of ``size`` rows from each loan's row range [low, high)
    (``_ranges``: ascending, disjoint), -1 for rows of no loan computed.  Linear in the
    rows, with no search per row: the gaps and the ranges, in turn, repeated."""
    start, stop = np.asarray(low, np.int64), np.asarray(high, np.int64)
    gaps = start - np.concatenate(([0], stop[:-1]))
    lengths = np.empty(2 * start.size + 1, np.int64)
    lengths[0:-1:2], lengths[1:-1:2] = gaps, stop - start
    lengths[-1] = size - (stop[-1] if stop.size else 0)
    values = np.full(lengths.size, -1, np.int64)
    values[1::2] = np.arange(start.size, dtype=np.int64)
    return np.repeat(values, lengths)


def _one_by_one(
    rows: PortfolioRows,
    inst: _InstallmentArrays,
    pay: _PaymentArrays,
    rules: ReplayRules,
    late_fee_currency: str | None,
) -> NDArray[np.bool_]:
    """Loans the vectorised path does not take: another waterfall, a schedule version,
    installments out of due order or negative, a payment that is negative or in another
    currency, a late fee in another currency."""
    n = len(rows.loan_keys)
    if not rules.in_due_order or n == 0:
        return np.ones(n, np.bool_)
    flagged = np.zeros(n, np.bool_)
    index_of = {key: i for i, key in enumerate(rows.loan_keys)}
    flagged[[index_of[k] for k in rows.versions if k in index_of]] = True
    if late_fee_currency is not None:
        flagged |= np.asarray(rows.currencies, dtype=object) != late_fee_currency
    mine = pay.loan >= 0
    # Currencies compared as the payments' codes (-2: a currency no payment is in).
    currencies = pay.currency.code_of(rows.currencies)
    odd = (pay.amount < 0) | (pay.currency.codes != currencies[np.maximum(pay.loan, 0)])
    flagged[pay.loan[mine & odd]] = True
    mine = inst.loan >= 0
    negative = (inst.parts[0] < 0) | (inst.parts[1] < 0) | (inst.parts[2] < 0)
    flagged[inst.loan[mine & negative]] = True
    same_loan = (inst.loan[1:] == inst.loan[:-1]) & (inst.loan[1:] >= 0)  # -1: no loan computed
    backwards = np.flatnonzero(same_loan & (inst.due[1:] < inst.due[:-1]))
    flagged[inst.loan[backwards]] = True
    return flagged


def _after_reversals(
    rows: PortfolioRows,
    pay: _PaymentArrays,
    reversing: NDArray[np.bool_],
    today: int,
    out: Positions,
    one_by_one: NDArray[np.bool_],
) -> NDArray[np.int64]:
    """The rows of the standing payments of the loans with reversals, all at once
    (``batch.loan_rows.standing_payments`` and ``last_payment`` with no payment window);
    a loan with a reversal the domain refuses is marked ``one_by_one``.

    A reversal valued by the date drops the payment it names, which must be one of the
    loan's own, not itself a reversal, and of the same amount (else the domain refuses
    the loan).  The latest payment leaves out every payment a reversal names, whenever
    that reversal is valued."""
    rows_of = np.flatnonzero((pay.loan >= 0) & reversing[np.maximum(pay.loan, 0)])
    row_of_id = dict(
        zip(_strings(rows.payments.payment_id, rows_of), rows_of.tolist(), strict=True)
    )
    backs = rows_of[pay.reversal[rows_of]]
    named = CodedText.of(rows.payments.reverses)
    original = np.fromiter(
        (row_of_id.get(named.values[c], -1) if c >= 0 else -1 for c in named.codes[backs].tolist()),
        np.int64,
        backs.size,
    )
    found = original >= 0
    own = found & (pay.loan[np.maximum(original, 0)] == pay.loan[backs])
    safe = np.maximum(original, 0)
    valid = own & ~pay.reversal[safe] & (pay.amount[safe] == pay.amount[backs])
    valued = pay.day[backs] <= today
    one_by_one[pay.loan[backs[valued & ~valid]]] = True
    dropped = np.zeros(pay.loan.size, np.bool_)
    dropped[original[valued & valid]] = True
    named_by_any = np.zeros(pay.loan.size, np.bool_)
    named_by_any[original[own]] = True
    paid = ~pay.reversal[rows_of] & (pay.day[rows_of] <= today)
    # The latest standing payment, reversals valued later included.
    last = rows_of[paid & ~named_by_any[rows_of]]
    latest = np.full(out.last_payment.size, -NO_DATE, np.int64)
    np.maximum.at(latest, pay.loan[last], pay.day[last])
    touched = np.flatnonzero(reversing)
    out.last_payment[touched] = np.where(latest[touched] == -NO_DATE, NO_DATE, latest[touched])
    kept: NDArray[np.int64] = rows_of[paid & ~dropped[rows_of] & ~one_by_one[pay.loan[rows_of]]]
    return kept


def _strings(column: Sequence[str], rows: NDArray[np.int64]) -> list[str]:
    """The strings of ``column`` at ``rows`` (a column that can take them at once does)."""
    take = getattr(column, "take", None)
    if take is not None:
        taken: list[str] = take(rows)
        return taken
    return [column[k] for k in rows.tolist()]


def _on_time(
    out: Positions,
    inst: _InstallmentArrays,
    effective: tuple[NDArray[np.int64], ...],
    one_by_one: NDArray[np.bool_],
    today: int,
    rules: ReplayRules,
    rows: PortfolioRows,
    pauses: Mapping[int, Sequence[tuple[int, int]]],
) -> NDArray[np.bool_]:
    """The vectorised paths for the loans not ``one_by_one``: on time (``batch.on_time``),
    then those with penalty before the date (``batch.late_replay``); the loans left over."""
    chosen = (inst.loan >= 0) & ~one_by_one[np.maximum(inst.loan, 0)]
    by_index = {i: pauses[k] for i, k in enumerate(rows.loan_keys) if k in pauses}
    inputs = OnTimeInputs(
        n_loans=len(rows.loan_keys),
        inst_loan=inst.loan[chosen],
        due=inst.due[chosen],
        principal=inst.parts[0][chosen],
        interest=inst.parts[1][chosen],
        fees=inst.parts[2][chosen],
        pay_loan=effective[0],
        pay_day=effective[1],
        pay_amount=effective[2],
    )
    result = replay_on_time(inputs, today, rules=rules, pauses=by_index)
    done = ~one_by_one & ~result.late
    _take(out, done, result)
    late = ~one_by_one & result.late
    if not late.any():
        return late
    replayed = replay_late(inputs, late, today, rules=rules, pauses=by_index)
    _take(out, late & ~replayed.refer, replayed)
    return late & replayed.refer


def _take(out: Positions, chosen: NDArray[np.bool_], result: OnTimeResult | LateResult) -> None:
    out.outstanding_principal[chosen] = result.outstanding_principal[chosen]
    out.overdue[chosen] = result.overdue[chosen]
    out.oldest_unpaid_due[chosen] = result.oldest_unpaid_due[chosen]
    out.installments_overdue[chosen] = result.installments_overdue[chosen]


def _replay_one(
    out: Positions,
    index: int,
    rows: PortfolioRows,
    inst_range: tuple[int, int],
    pay_range: tuple[int, int],
    today: int,
    rules: ReplayRules,
    pauses: Sequence[tuple[int, int]],
    late_fee_currency: str | None,
) -> bool:
    """One loan through ``batch.replay``; False when it must be left to the domain code."""
    p, (low, high) = rows.payments, pay_range
    ids, amounts, days = p.payment_id[low:high], ints(p.amount, low, high), ints(p.day, low, high)
    reverses = p.reverses[low:high]
    out.last_payment[index] = last_payment(ids, days, reverses, today)
    version = rows.versions.get(rows.loan_keys[index])
    if version is None:
        currency = rows.currencies[index]
        dues = contract_dues(rows.installments, *inst_range)
    else:
        currency, dues = version.currency, version_dues(version)
    good = dues is not None and min(amounts, default=0) >= 0
    good = good and all(c == currency for c in p.currency[low:high])
    good = good and late_fee_currency in (None, currency)
    since = None if version is None else version.payments_from
    effective = standing_payments(ids, amounts, days, reverses, today, since) if good else None
    if dues is None or effective is None:
        return False
    outcome = replay(
        *dues,
        effective,
        today,
        rules=rules,
        pauses=pauses,
        ages_from=None if version is None else version.ages_from,
    )
    out.outstanding_principal[index] = outcome.outstanding_principal
    out.overdue[index] = outcome[1:5]
    out.oldest_unpaid_due[index] = outcome.oldest_unpaid_due
    out.installments_overdue[index] = outcome.installments_overdue
    return True


def age_portfolio(
    oldest_unpaid_due: NDArray[np.int64],
    loan_keys: Sequence[int],
    pauses: PauseRows,
    as_of: date,
    scheme: BucketScheme,
) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """DPD (paused days excluded) and bucket code of each loan from its oldest unpaid due
    (``domain.delinquency.days_past_due`` and ``BucketScheme.bucket_for``, vectorised by
    ``batch.delinquency``)."""
    n = len(loan_keys)
    index_of = {key: i for i, key in enumerate(loan_keys)}
    chosen = [i for i, key in enumerate(pauses.loan_key) if key in index_of]
    columns = PauseColumns(
        np.array([index_of[pauses.loan_key[i]] for i in chosen], dtype=np.int64),
        np.array([pauses.start[i] for i in chosen], dtype=np.int64),
        np.array([pauses.end[i] for i in chosen], dtype=np.int64),
    )
    today = day_number(as_of)
    dpd = days_past_due_per_loan(columns, oldest_unpaid_due, n_loans=n, as_of=today)
    return dpd.astype(np.int64), bucket_codes(dpd, scheme)


def _ranges(column: Sequence[int], keys: NDArray[np.int64]) -> tuple[list[int], list[int]]:
    """Row range [low, high) of each key in ``column`` (grouped by key, ascending)."""
    values = np.asarray(column, dtype=np.int64)
    if values.size > 1 and bool((values[1:] < values[:-1]).any()):
        raise ValueError("rows must be grouped by loan key in ascending order")
    low: list[int] = np.searchsorted(values, keys, "left").tolist()
    high: list[int] = np.searchsorted(values, keys, "right").tolist()
    return low, high
