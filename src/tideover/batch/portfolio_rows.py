"""The rows of one platform's stored loans, as the daily cycle reads them, and the positions.

Plain columns (sequences or numpy arrays), no per-row objects: what the
repositories' bulk reads give (``services.stored_delinquency`` builds them) and
what ``batch.stored_positions`` computes from.  Dates are day numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True, slots=True)
class PaymentRows:
    """Payments and reversals, grouped by ``loan_key`` (ascending)."""

    loan_key: Sequence[int]
    payment_id: Sequence[str]
    amount: Sequence[int]
    currency: Sequence[str]
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
