"""Where a day's recovery started: the loans with money valued on the date, replayed without it.

The cycle's recovery figures (``services.cycle.outcomes``) need, for each loan
that received money (or a reversal) on the business date D, what the day
started from: the loan on D with only the payments valued before D — its
bucket and what was overdue, penalty included.  ``recovery_figures`` computes
that with the domain, one loan at a time from the repositories' objects (the
reference); here the same loans are taken from the rows the delinquency stage
has already read and replayed by the same fast paths
(``batch.stored_positions``: vectorised, else one by one, else the domain
itself for data it refuses).  Differential test:
``tests/integration/test_stored_delinquency.py`` (both ways, every figure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from tideover.batch.portfolio_rows import (
    CodedText,
    InstallmentRows,
    PauseRows,
    PaymentRows,
    PortfolioRows,
)
from tideover.domain.days import day_number
from tideover.domain.delinquency import DelinquencyStatus
from tideover.domain.platforms import PlatformSettings
from tideover.services.portfolio.positions import (
    LazyStrings,
    replay_and_age,
    statuses_by_domain,
)
from tideover.services.unit_of_work import UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True)
class StartOfDay:
    """Per loan with money valued on the date (by loan id): the net received (a reversal
    takes its amount back) and, without that day's money, its bucket and what was
    overdue (principal, interest, fees and penalty)."""

    loan_ids: list[str]
    received: list[int]
    buckets: list[str]
    overdue: list[int]


def start_of_day_of(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    settings: PlatformSettings,
    rows: PortfolioRows,
    loan_ids: Sequence[str],
) -> StartOfDay | None:
    """The loans of ``rows`` with money valued on ``as_of``, as the day started; None when
    one of them is not among ``rows`` (not yet disbursed: left to the reference)."""
    today = day_number(as_of)
    p = rows.payments
    day = np.asarray(p.day, np.int64)
    pay_key = np.asarray(p.loan_key, np.int64)
    on_the_day = np.flatnonzero(day == today)
    keys = np.asarray(rows.loan_keys, np.int64)
    paid = np.unique(pay_key[on_the_day])
    at = np.searchsorted(keys, paid)
    if paid.size and (
        at.max() >= keys.size or bool((keys[np.minimum(at, keys.size - 1)] != paid).any())
    ):
        return None
    reversal = CodedText.of(p.reverses).codes[on_the_day] >= 0
    amount = np.asarray(p.amount, np.int64)[on_the_day]
    received = np.zeros(paid.size, np.int64)
    np.add.at(
        received, np.searchsorted(paid, pay_key[on_the_day]), np.where(reversal, -amount, amount)
    )

    sub = _subset(rows, paid, at, keep=day < today)
    positions, dpd, bucket_code = replay_and_age(sub, as_of, settings)
    ids = [loan_ids[i] for i in at.tolist()]
    if positions.needs_domain:
        statuses: dict[int, DelinquencyStatus] = {}
        statuses_by_domain(uow, platform, as_of, settings, sub, ids, positions, dpd, bucket_code,
                           statuses, payments_before=as_of)  # fmt: skip
    labels = settings.buckets.labels
    overdue = positions.overdue.sum(axis=1)
    order = sorted(range(len(ids)), key=ids.__getitem__)
    return StartOfDay(
        loan_ids=[ids[i] for i in order],
        received=received[order].tolist(),
        buckets=[labels[c] for c in bucket_code[order].tolist()],
        overdue=overdue[order].tolist(),
    )


def _subset(
    rows: PortfolioRows, keys: NDArray[np.int64], at: NDArray[np.int64], *, keep: NDArray[np.bool_]
) -> PortfolioRows:
    """The rows of the loans ``keys`` (at positions ``at``), their payments where ``keep``."""
    i, p, z = rows.installments, rows.payments, rows.pauses
    inst = np.flatnonzero(np.isin(np.asarray(i.loan_key, np.int64), keys))
    pay = np.flatnonzero(np.isin(np.asarray(p.loan_key, np.int64), keys) & keep)
    wanted = set(keys.tolist())
    pauses = [(k, s, e) for k, s, e in zip(z.loan_key, z.start, z.end, strict=True) if k in wanted]
    return PortfolioRows(
        loan_keys=keys.tolist(),
        currencies=[rows.currencies[a] for a in at.tolist()],
        installments=InstallmentRows(
            *(_take(c, inst) for c in (i.loan_key, i.due, i.principal, i.interest, i.fees))
        ),
        payments=PaymentRows(
            _take(p.loan_key, pay),
            _take(p.payment_id, pay),
            _take(p.amount, pay),
            _take(cast(Sequence[str], p.currency), pay),
            _take(p.day, pay),
            _take(p.reverses, pay),
        ),
        pauses=PauseRows(
            [k for k, _, _ in pauses], [s for _, s, _ in pauses], [e for _, _, e in pauses]
        ),
        versions={k: v for k, v in rows.versions.items() if k in wanted},
    )


def _take(column: Sequence[T], indices: NDArray[np.int64]) -> Sequence[T]:
    """``column`` at ``indices``, kept in its kind (numpy, coded text, lazy strings, list)."""
    if isinstance(column, np.ndarray):
        return cast(Sequence[T], column[indices])
    if isinstance(column, CodedText):
        return cast(Sequence[T], CodedText(column.codes[indices], column.values))
    if isinstance(column, LazyStrings):
        return cast(Sequence[T], column.take(indices))
    chosen: list[Any] = [column[k] for k in indices.tolist()]
    return chosen
