"""The rows of one platform's stored loans, as the daily cycle reads them, and the positions.

Plain columns (sequences or numpy arrays), no per-row objects: what the
repositories' bulk reads give (``services.stored_delinquency`` builds them) and
what ``batch.stored_positions`` computes from.  Dates are day numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

Dues = tuple[list[int], list[int], list[int], list[int]]  # due days, principal, interest, fees


@dataclass(frozen=True, slots=True)
class InstallmentRows:
    """Contract installments, grouped by ``loan_key`` (ascending), schedule order within."""

    loan_key: Sequence[int]
    due: Sequence[int]  # day numbers
    principal: Sequence[int]
    interest: Sequence[int]
    fees: Sequence[int]


class CodedText(Sequence[str | None]):
    """A text column as integer codes into its distinct values (-1: none), so a whole
    column is compared as integers and Python strings are made only for the slices
    read (a platform's payments are millions of rows with a handful of currencies)."""

    __slots__ = ("codes", "values")

    def __init__(self, codes: NDArray[np.int32], values: Sequence[str]) -> None:
        self.codes = codes
        self.values = list(values)

    @classmethod
    def of(cls, items: Sequence[str | None]) -> CodedText:
        """The codes of plain Python values (a column already coded is returned as is)."""
        if isinstance(items, CodedText):
            return items
        index: dict[str, int] = {}
        codes = np.fromiter(
            (-1 if item is None else index.setdefault(item, len(index)) for item in items),
            np.int32,
            len(items),
        )
        return cls(codes, list(index))

    def code_of(self, items: Sequence[str]) -> NDArray[np.int32]:
        """The code of each of ``items`` in this column (-2 for a value it does not hold)."""
        index = {value: code for code, value in enumerate(self.values)}
        return np.fromiter((index.get(item, -2) for item in items), np.int32, len(items))

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, index: int) -> str | None: ...
    @overload
    def __getitem__(self, index: slice) -> list[str | None]: ...
    def __getitem__(self, index: int | slice) -> str | list[str | None] | None:
        values = self.values
        if isinstance(index, slice):
            return [None if c < 0 else values[c] for c in self.codes[index].tolist()]
        code = int(self.codes[index])
        return None if code < 0 else values[code]


@dataclass(frozen=True, slots=True)
class PaymentRows:
    """Payments and reversals, grouped by ``loan_key`` (ascending)."""

    loan_key: Sequence[int]
    payment_id: Sequence[str]
    amount: Sequence[int]
    currency: Sequence[str] | CodedText
    day: Sequence[int]
    reverses: Sequence[str | None]


@dataclass(frozen=True, slots=True)
class PauseRows:
    loan_key: Sequence[int]
    start: Sequence[int]
    end: Sequence[int]


@dataclass(frozen=True, slots=True)
class ScheduleInForce:
    """A loan's later schedule version in force: installments (due day, principal,
    interest, fees) in the version's order, and the ``InForce`` dates as day numbers."""

    currency: str
    installments: Sequence[tuple[int, int, int, int]]
    payments_from: int | None
    ages_from: int | None


@dataclass(frozen=True, slots=True)
class PortfolioRows:
    """One platform's loans to compute (``loan_keys`` ascending) and their rows."""

    loan_keys: Sequence[int]
    currencies: Sequence[str]
    installments: InstallmentRows
    payments: PaymentRows
    pauses: PauseRows
    versions: Mapping[int, ScheduleInForce]


@dataclass(frozen=True, slots=True)
class Positions:
    """Per loan (position = index into ``loan_keys``); minor units and day numbers.

    The rows of ``needs_domain`` loans are zero until the caller fills them in.
    """

    outstanding_principal: NDArray[np.int64]
    overdue: NDArray[np.int64]  # (loans, 4): principal, interest, fees, penalty
    oldest_unpaid_due: NDArray[np.int64]  # NO_DATE when nothing past due is unpaid
    installments_overdue: NDArray[np.int64]
    last_payment: NDArray[np.int64]  # latest standing payment by the date, NO_DATE if none
    needs_domain: tuple[int, ...]
    one_by_one: int = 0  # loans replayed one at a time (``batch.replay``), the rest vectorised


def columns_of(rows: Sequence[Sequence[Any]], width: int) -> list[tuple[Any, ...]]:
    """Rows as ``width`` columns (empty columns when there is no row)."""
    if not rows:
        return [()] * width
    return list(zip(*rows, strict=True))
