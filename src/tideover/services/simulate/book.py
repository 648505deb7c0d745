"""The simulator's book from a platform's stored portfolio on a date.

The accounts are the open loans with the features the daily cycle builds
(``services.policy.assignment.platform_features``: score and band from the
champion model) and the cycle's flags (hardship, vulnerability, disputes from
the working tables).  Each account starts with its unpaid installments past
due as its missed payments (capped at ``MAX_MISSED``), its balance, and a
monthly installment: the scheduled amount of its next contract installment
(the last one past maturity; a restructured schedule is not read).  Every
stored loan has a repayment schedule, so every account is an instalment loan
(the relief priors for instalment loans apply).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tideover.domain.days import day_number
from tideover.domain.errors import InputRejected
from tideover.i18n import N_
from tideover.services.cycle.flags import load_flags, with_flags
from tideover.services.platforms import settings_of
from tideover.services.policy.assignment import platform_features
from tideover.services.simulate.results import BookSummary
from tideover.services.unit_of_work import UnitOfWork
from tideover.simulate.book import SCORE_SCALE, Book, codes_of
from tideover.simulate.measures import DQ30
from tideover.simulate.states import MAX_MISSED

IntArray = npt.NDArray[np.int64]


class EmptyBook(InputRejected):
    """The platform has no open account on the date: there is nothing to simulate."""

    code = "empty_book"


@dataclass(frozen=True)
class StoredBook:
    book: Book
    summary: BookSummary
    features: pa.Table  # the open accounts' features, in the book's order


def stored_book(
    *, uow: UnitOfWork, platform: str, as_of: date, model_registry: Path | None
) -> StoredBook:
    """The platform's open accounts on ``as_of`` as the simulator's book."""
    features = platform_features(
        uow=uow, platform=platform, as_of=as_of, model_registry=model_registry
    )
    if features.num_rows == 0:
        raise EmptyBook(
            N_(
                "platform %(platform)s has no open account on %(as_of)s: nothing to "
                "simulate; import its loans first"
            ),
            platform=repr(platform),
            as_of=as_of.isoformat(),
        )
    with uow:
        settings = settings_of(uow, platform)
    flags = load_flags(uow, platform, as_of, settings.time_zone)
    features = with_flags(features, flags, as_of=as_of, time_zone=settings.time_zone)
    installment = next_installments(uow, platform, as_of, features["account_id"].to_pylist())
    book = book_of(features, installment, minor_digits=settings.currency.minor_digits)
    summary = BookSummary(
        platform=platform,
        as_of=as_of,
        accounts=book.size,
        balance_minor=int(book.balance.sum()),
        currency=settings.currency.code,
        behind=int(np.count_nonzero(book.missed > 0)),
        dq30=int(np.count_nonzero(book.missed >= DQ30)),
        with_score=int(np.count_nonzero(book.score_known)),
    )
    return StoredBook(book, summary, features)


def next_installments(
    uow: UnitOfWork, platform: str, as_of: date, account_ids: list[str]
) -> IntArray:
    """Per account: the scheduled amount of its first contract installment due after
    ``as_of``, or of its last one when all are due (minor units)."""
    with uow:
        loans = uow.loans(platform)
        keys = {row[1]: row[0] for row in loans.account_rows()}
        rows = np.array(loans.installment_rows(), dtype=np.int64).reshape(-1, 5)
    return installment_after(rows, [keys[a] for a in account_ids], day_number(as_of))


def installment_after(rows: IntArray, loan_keys: list[int], today: int) -> IntArray:
    """From installment rows (loan key, due day, principal, interest, fees), ordered by loan
    key and number: each loan's next installment after ``today``, else its last one."""
    amount = rows[:, 2] + rows[:, 3] + rows[:, 4]
    loan, due = rows[:, 0], rows[:, 1]
    # Rows of one loan are contiguous and in due order: its future ones come last.
    future = due > today
    out = np.zeros(len(loan_keys), dtype=np.int64)
    if not len(rows):
        return out
    first = np.searchsorted(loan, loan_keys, side="left")
    end = np.searchsorted(loan, loan_keys, side="right")
    # Index of each loan's first future row: its first row plus the count of past ones.
    past = np.concatenate([[0], np.cumsum(~future)])
    pending = first + (past[end] - past[first])
    has = end > first
    chosen = np.where(pending < end, pending, end - 1)
    out[has] = amount[chosen[has]]
    return out


def book_of(features: pa.Table, installment: IntArray, *, minor_digits: int) -> Book:
    """The simulator's columns from the cycle's feature table (open accounts)."""
    column = features.column

    def ints(name: str) -> IntArray:
        return np.asarray(column(name).fill_null(0).to_numpy(zero_copy_only=False), np.int64)

    def flags(name: str) -> npt.NDArray[np.bool_]:
        return np.asarray(column(name).fill_null(False).to_numpy(zero_copy_only=False), bool)

    products, product_names = codes_of(_labels(column("product").to_pylist()))
    bands, band_names = codes_of(_labels(column("band").to_pylist()))
    regions, region_names = codes_of(_labels(column("region").to_pylist()))
    scores = column("score").to_pylist()
    scale = Decimal(1).scaleb(SCORE_SCALE)
    size = features.num_rows
    balance = np.maximum(ints("balance_minor"), 0)
    return Book(
        account_ids=tuple(column("account_id").to_pylist()),
        missed=np.minimum(ints("installments_overdue"), MAX_MISSED).astype(np.int8),
        balance=balance,
        # An installment above the balance would be paid only in part: the balance caps it.
        installment=np.minimum(np.maximum(installment, 0), balance),
        product=products,
        products=product_names,
        band=bands,
        bands=band_names,
        revolving=np.zeros(size, dtype=bool),
        months_on_book=np.maximum(ints("months_on_book"), 0),
        score=np.array([0 if s is None else int(s * scale) for s in scores], dtype=np.int64),
        score_known=np.array([s is not None for s in scores], dtype=bool),
        vulnerable=flags("vulnerable_flag"),
        dispute=flags("dispute_flag"),
        hardship=flags("hardship_flag"),
        minor_digits=minor_digits,
        region=regions,
        regions=region_names,
    )


def _labels(values: list[object]) -> list[str | None]:
    return [None if v is None or v == "" else str(v) for v in values]
