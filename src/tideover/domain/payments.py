"""Payments received against a loan, and reversals of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tideover.domain.money import Money


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received for one loan on a value date.

    ``payment_id`` is the platform's external id, unique per platform, which
    makes imports idempotent.  A reversal is its own record naming the
    payment it reverses (``reverses``); its ``amount`` equals the original's.
    """

    platform: str
    payment_id: str
    loan_id: str
    amount: Money
    paid_on: date
    reverses: str | None = None
    channel: str = ""
