"""Days past due and delinquency buckets for a whole portfolio at once (numpy).

Fast path of ``tideover.domain.delinquency`` (the reference): gives, for every
loan, exactly what ``days_past_due`` (paused days excluded, pauses merged by
``merge_pauses``) and ``BucketScheme.bucket_for`` give for one, with the oldest
unpaid due date.  Differential tests: ``tests/unit/test_batch_delinquency.py``
(random portfolios, loan by loan against the domain).

Dates are day numbers (days since 1970-01-01, as Arrow ``date32``); ``datetime64``
arrays are accepted and read the same way.  Algorithm, with no Python loop per loan:

1. Oldest unpaid due: an installment is unpaid on ``as_of`` when it fell due before
   ``as_of`` and was not settled on or before it; ``np.minimum.at`` keeps the
   smallest such due date per loan (``NO_DATE`` when there is none).
2. Paused days: pauses are sorted by (loan, start) and merged where they overlap
   (a running maximum of ``end`` within each loan shows where a disjoint run
   starts), so a day in two pauses counts once.  Each merged run is clipped to
   the loan's window (oldest due, as_of] and the lengths summed per loan.
3. DPD = as_of - oldest due - paused days, and 0 when nothing is unpaid.
4. Bucket: the scheme's buckets are contiguous from 0, so ``searchsorted`` over
   their upper bounds gives the index into ``scheme.labels``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from tideover.domain.days import NO_DATE, day_number
from tideover.domain.delinquency import BucketScheme
from tideover.domain.errors import ValidationError
from tideover.i18n import N_

# ``NO_DATE`` (no unpaid due date, or as ``settled_on`` not settled) and ``day_number`` are
# those of ``domain.days``, named here too for the callers that build these columns.

_NAT = np.iinfo(np.int64).min  # what NaT reads as once a datetime64 array is viewed as int64

IntArray = NDArray[np.integer[Any]]


@dataclass(frozen=True, slots=True)
class InstallmentColumns:
    """One row per installment; ``settled_on`` is NaT / ``NO_DATE`` while unpaid."""

    loan_index: IntArray  # 0 <= loan_index < n_loans, in any order
    due_date: NDArray[Any]  # datetime64 or int day numbers
    settled_on: NDArray[Any]  # datetime64 or int day numbers


@dataclass(frozen=True, slots=True)
class PauseColumns:
    """One row per pause period (``start`` and ``end`` both included); may overlap."""

    loan_index: IntArray
    start: NDArray[Any]
    end: NDArray[Any]

    @classmethod
    def empty(cls) -> PauseColumns:
        nothing = np.empty(0, dtype=np.int32)
        return cls(nothing, nothing, nothing)


@dataclass(frozen=True, slots=True)
class DelinquencyColumns:
    """Per loan (position = loan index): oldest unpaid due, DPD and bucket code."""

    oldest_unpaid_due: NDArray[np.int32]  # day numbers, NO_DATE when nothing is unpaid
    dpd: NDArray[np.int32]
    bucket_code: NDArray[np.int8]  # index into ``labels``
    labels: tuple[str, ...]

    def oldest_unpaid_due_dates(self) -> NDArray[np.datetime64]:
        """``oldest_unpaid_due`` as ``datetime64[D]``, NaT when nothing is unpaid."""
        days = self.oldest_unpaid_due.astype(np.int64)
        days[self.oldest_unpaid_due == NO_DATE] = _NAT
        return days.view("datetime64[D]")


def compute_delinquency(
    installments: InstallmentColumns,
    pauses: PauseColumns,
    *,
    n_loans: int,
    as_of: date,
    scheme: BucketScheme,
) -> DelinquencyColumns:
    """Oldest unpaid due, DPD and bucket of loans ``0..n_loans-1`` on ``as_of``: for each,
    what ``domain.delinquency.delinquency_of`` gives (``days_past_due``, ``bucket_for``)."""
    if len(scheme.buckets) > np.iinfo(np.int8).max:
        raise ValidationError(
            N_("bucket scheme has %(count)s buckets; at most 127 fit an int8 code"),
            count=len(scheme.buckets),
        )
    today = day_number(as_of)
    inst_loan = _loan_indexes(installments.loan_index, n_loans, "installments")
    due = _day_numbers(installments.due_date, "installments.due_date", nat_means_unset=False)
    settled = _day_numbers(installments.settled_on, "installments.settled_on", nat_means_unset=True)
    _same_length("installments", inst_loan, due, settled)

    oldest = oldest_unpaid_due(inst_loan, due, settled, n_loans=n_loans, as_of=today)
    dpd = days_past_due_per_loan(pauses, oldest, n_loans=n_loans, as_of=today)
    return DelinquencyColumns(
        oldest_unpaid_due=oldest.astype(np.int32),
        dpd=dpd.astype(np.int32),
        bucket_code=bucket_codes(dpd, scheme),
        labels=scheme.labels,
    )


def oldest_unpaid_due(
    loan_index: IntArray, due: IntArray, settled: IntArray, *, n_loans: int, as_of: int
) -> NDArray[np.int64]:
    """Per loan, the smallest due day of installments unpaid on day ``as_of``, else NO_DATE
    (``domain.allocation.LoanPosition.oldest_unpaid_due_date``)."""
    # Row numbers first: one scan of the mask instead of one per column indexed.
    unpaid = np.flatnonzero((due < as_of) & (settled > as_of))
    oldest = np.full(n_loans, NO_DATE, dtype=np.int64)
    np.minimum.at(oldest, loan_index[unpaid], due[unpaid])
    return oldest


def days_past_due_per_loan(
    pauses: PauseColumns, oldest: NDArray[np.int64], *, n_loans: int, as_of: int
) -> NDArray[np.int64]:
    """Per loan, ``domain.delinquency.days_past_due`` on day ``as_of`` from its oldest unpaid
    due day (``NO_DATE``: nothing unpaid, DPD 0) and its pauses."""
    paused = paused_days_per_loan(pauses, oldest, n_loans=n_loans, as_of=as_of)
    dpd: NDArray[np.int64] = np.where(oldest == NO_DATE, 0, np.maximum(as_of - oldest - paused, 0))
    return dpd


def paused_days_per_loan(
    pauses: PauseColumns, oldest: NDArray[np.int64], *, n_loans: int, as_of: int
) -> NDArray[np.int64]:
    """Per loan, the days d with oldest < d <= as_of inside any of its pauses
    (``domain.delinquency.paused_days``)."""
    loan = _loan_indexes(pauses.loan_index, n_loans, "pauses")
    start = _day_numbers(pauses.start, "pauses.start", nat_means_unset=False)
    end = _day_numbers(pauses.end, "pauses.end", nat_means_unset=False)
    _same_length("pauses", loan, start, end)
    if (end < start).any():
        raise ValidationError(
            N_("pauses: a pause period ends before it starts"),
        )
    loan, start, end = merge_pauses(loan, start, end)
    # Clip each run to (oldest, as_of]; loans with nothing unpaid have oldest = NO_DATE,
    # which leaves an empty window.
    first = np.maximum(start, oldest[loan] + 1)
    last = np.minimum(end, as_of)
    days = np.maximum(last - first + 1, 0)
    # bincount sums in float64: exact for integers far beyond any day count.
    return np.bincount(loan, weights=days, minlength=n_loans).astype(np.int64)


def merge_pauses(
    loan: IntArray, start: IntArray, end: IntArray
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Disjoint pause runs per loan, sorted by (loan, start); overlapping pauses are joined.

    Fast path of ``domain.delinquency.merge_pauses`` applied to each loan's pauses
    (differential test: ``tests/unit/test_batch_delinquency.py``).
    """
    order = np.lexsort((start, loan))
    loan, start, end = (a[order].astype(np.int64) for a in (loan, start, end))
    if loan.size == 0:
        return loan, start, end
    # Running maximum of ``end`` within each loan: shifting every loan's ends above the
    # previous loan's (loans are sorted) stops the maximum carrying over between loans.
    low, span = end.min(), int(end.max() - end.min()) + 1
    shifted = end - low + loan * span
    running_end = np.maximum.accumulate(shifted) - loan * span + low
    new_run = np.ones(loan.size, dtype=bool)
    new_run[1:] = (loan[1:] != loan[:-1]) | (start[1:] > running_end[:-1] + 1)
    run_starts = np.flatnonzero(new_run)
    return loan[run_starts], start[run_starts], np.maximum.reduceat(end, run_starts)


def bucket_codes(dpd: IntArray, scheme: BucketScheme) -> NDArray[np.int8]:
    """Index into ``scheme.labels`` of each DPD's bucket (DPD must not be negative): the
    vectorised ``BucketScheme.bucket_for``."""
    # BucketScheme guarantees contiguous buckets from 0 with only the last open-ended.
    upper_bounds = np.array([b.max_dpd for b in scheme.buckets[:-1]], dtype=np.int64)
    return np.searchsorted(upper_bounds, dpd, side="left").astype(np.int8)


def compute_delinquency_table(
    installments: pa.Table,
    pauses: pa.Table,
    *,
    n_loans: int,
    as_of: date,
    scheme: BucketScheme,
) -> pa.Table:
    """Arrow form of ``compute_delinquency``.

    ``installments`` has ``loan_index``, ``due_date`` and ``settled_on`` (null while
    unpaid); ``pauses`` has ``loan_index``, ``start`` and ``end``; dates are
    ``date32``.  The result has one row per loan: ``loan_index``, ``oldest_unpaid_due``
    (null when nothing is unpaid), ``dpd``, ``bucket_code`` and ``bucket``
    (dictionary-encoded labels sharing the codes).
    """
    result = compute_delinquency(
        InstallmentColumns(
            _arrow_column(installments, "loan_index"),
            _arrow_column(installments, "due_date"),
            _arrow_column(installments, "settled_on", null_means_unset=True),
        ),
        PauseColumns(
            _arrow_column(pauses, "loan_index"),
            _arrow_column(pauses, "start"),
            _arrow_column(pauses, "end"),
        ),
        n_loans=n_loans,
        as_of=as_of,
        scheme=scheme,
    )
    codes = pa.array(result.bucket_code, type=pa.int8())
    oldest = pa.array(result.oldest_unpaid_due, mask=result.oldest_unpaid_due == NO_DATE)
    return pa.table(
        {
            "loan_index": pa.array(np.arange(n_loans, dtype=np.int64)),
            "oldest_unpaid_due": oldest.cast(pa.date32()),
            "dpd": pa.array(result.dpd, type=pa.int32()),
            "bucket_code": codes,
            "bucket": pa.DictionaryArray.from_arrays(codes, pa.array(result.labels)),
        }
    )


# -- input checks and conversions ----------------------------------------------


def _arrow_column(table: pa.Table, name: str, *, null_means_unset: bool = False) -> NDArray[Any]:
    if name not in table.column_names:
        raise ValidationError(
            N_("column %(name)s is missing (have: %(column_names)s)"),
            name=repr(name),
            column_names=tuple(table.column_names),
        )
    column = table.column(name)
    if pa.types.is_date32(column.type):
        column = column.cast(pa.int32())
    if column.null_count and not null_means_unset:
        raise ValidationError(N_("column %(name)s has missing values"), name=repr(name))
    if column.null_count:
        column = column.fill_null(NO_DATE)
    return np.asarray(column.to_numpy())


def _day_numbers(values: NDArray[Any], where: str, *, nat_means_unset: bool) -> IntArray:
    """Day numbers of ``values`` without copying int input; NaT becomes NO_DATE if allowed."""
    if np.issubdtype(values.dtype, np.integer):
        return values
    if not np.issubdtype(values.dtype, np.datetime64):
        raise ValidationError(
            N_("%(where)s: expected dates (datetime64 or day numbers), got %(dtype)s"),
            where=where,
            dtype=values.dtype,
        )
    days = values.astype("datetime64[D]", copy=False).view(np.int64)
    missing = days == _NAT
    if not missing.any():
        return days
    if not nat_means_unset:
        raise ValidationError(N_("%(where)s: a date is missing (NaT)"), where=where)
    return np.where(missing, NO_DATE, days)


def _loan_indexes(values: IntArray, n_loans: int, where: str) -> IntArray:
    if not np.issubdtype(values.dtype, np.integer):
        raise ValidationError(
            N_("%(where)s.loan_index: expected integers, got %(dtype)s"),
            where=where,
            dtype=values.dtype,
        )
    if values.size and (values.min() < 0 or values.max() >= n_loans):
        raise ValidationError(
            N_("%(where)s.loan_index: values must lie in 0..%(n_loans)s"),
            where=where,
            n_loans=n_loans - 1,
        )
    return values


def _same_length(where: str, *columns: NDArray[Any]) -> None:
    if len({c.shape[0] for c in columns}) > 1:
        raise ValidationError(
            N_("%(where)s: columns have different lengths %(columns)s"),
            where=where,
            columns=[c.shape[0] for c in columns],
        )
