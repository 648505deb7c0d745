"""Payments (and reversals) received by one platform."""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from typing import Any

import pyarrow as pa
from sqlalchemy import ColumnElement, Executable, bindparam, select

from tideover.adapters.orm import LoanRow, PaymentRow
from tideover.adapters.repositories import _columns
from tideover.adapters.repositories._base import (
    LOANS,
    PAYMENTS,
    SCAN_THRESHOLD,
    PlatformScoped,
    bulk_insert,
    chunks,
    platform_param,
)
from tideover.adapters.repositories._bulk import day_number, plain_rows
from tideover.domain.errors import CurrencyMismatch
from tideover.domain.money import Money, currency
from tideover.domain.payments import Payment
from tideover.i18n import N_

_PAYMENT_COLUMNS = (
    PaymentRow.payment_id,
    LoanRow.loan_id,
    PaymentRow.amount_minor,
    PaymentRow.currency,
    PaymentRow.paid_on,
    PaymentRow.reverses,
    PaymentRow.channel,
)


class PaymentRepository(PlatformScoped):
    """Payments (and reversals) received by one platform, in value-date order."""

    def existing(self, ids: Iterable[str]) -> dict[str, Payment]:
        """The stored payments among ``ids``, to tell a re-import from a changed record."""
        wanted = sorted(set(ids))
        if len(wanted) > SCAN_THRESHOLD:  # one scan beats hundreds of IN (...) round trips
            keep = set(wanted)
            return {p.payment_id: p for p in self._load(None) if p.payment_id in keep}
        found: dict[str, Payment] = {}
        for chunk in chunks(wanted):
            for payment in self._load(PaymentRow.payment_id.in_(chunk)):
                found[payment.payment_id] = payment
        return found

    def add_many(self, payments: Sequence[Payment]) -> int:
        """Inserts new payments; their loans must exist and be in the same currency."""
        if not payments:
            return 0
        for p in payments:
            self._own(PAYMENTS, p.payment_id, p.platform)
        ids = [p.payment_id for p in payments]
        self._refuse_duplicates(PaymentRow.payment_id, ids, PAYMENTS)
        loans = self._loan_keys({p.loan_id for p in payments})
        rows = []
        for p in payments:
            loan_pk, loan_currency = loans[p.loan_id]
            if p.amount.currency.code != loan_currency:
                raise CurrencyMismatch(
                    N_(
                        "payment %(payment_id)s is in %(currency)s, loan %(loan_id)s in "
                        "%(loan_currency)s"
                    ),
                    payment_id=repr(p.payment_id),
                    currency=p.amount.currency,
                    loan_id=repr(p.loan_id),
                    loan_currency=loan_currency,
                )
            rows.append(
                {
                    "platform_id": self._platform_id,
                    "payment_id": p.payment_id,
                    "loan_pk": loan_pk,
                    "amount_minor": p.amount.minor,
                    "currency": p.amount.currency.code,
                    "paid_on": p.paid_on,
                    "reverses": p.reverses,
                    "channel": p.channel,
                }
            )
        bulk_insert(self._session, PaymentRow, rows)
        return len(rows)

    def for_loan(self, loan_id: str) -> builtins.list[Payment]:
        rows = self._session.execute(
            _of_loan(), {"platform_id": self._platform_id, "loan_id": loan_id}
        )
        return [
            Payment(self.platform_code, pid, loan_id, Money(minor, currency(cur)), paid, rev, ch)
            for pid, loan_id, minor, cur, paid, rev, ch in rows
        ]

    def by_loan(self) -> dict[str, builtins.list[Payment]]:
        grouped: dict[str, builtins.list[Payment]] = defaultdict(list)
        for payment in self._load(None):
            grouped[payment.loan_id].append(payment)
        return dict(grouped)

    def by_loan_paid_on(self, day: date) -> dict[str, builtins.list[Payment]]:
        """Payments up to ``day`` of the loans that received money (or a reversal) on ``day``.

        One query: what the day's recovery needs to replay those loans without
        the day's money, and nothing for the loans that received none.
        """
        paid_that_day = select(PaymentRow.loan_pk).where(
            PaymentRow.platform_id == self._platform_id, PaymentRow.paid_on == day
        )
        grouped: dict[str, builtins.list[Payment]] = defaultdict(list)
        for payment in self._load(
            PaymentRow.loan_pk.in_(paid_that_day) & (PaymentRow.paid_on <= day)
        ):
            grouped[payment.loan_id].append(payment)
        return dict(grouped)

    def payment_columns(
        self, *, after: int | None = None, up_to: int | None = None
    ) -> pa.Table | None:
        """``payment_rows`` as Arrow columns: loan_key, payment_id, amount, currency, day,
        reverses (``''`` when the row reverses nothing), of the loans whose key is in
        (``after``, ``up_to``]; None where the database is read as rows."""
        return _columns.payment_columns(self._session, self._platform_id, after=after, up_to=up_to)

    def payment_rows(self) -> builtins.list[tuple[Any, ...]]:
        """(loan key, payment id, amount, currency, day number, reverses) of every payment
        and reversal, grouped by loan key (in the order of the loan's index, no sort): the
        daily cycle's bulk read, no objects; the replay puts each loan's in value order."""
        c = PaymentRow.__table__.c
        query = (
            select(
                c.loan_pk,
                c.payment_id,
                c.amount_minor,
                c.currency,
                day_number(self._session, c.paid_on),
                c.reverses,
            )
            .where(c.platform_id == self._platform_id)
            .order_by(c.loan_pk, c.id)
        )
        return plain_rows(self._session, query)

    def count(self) -> int:
        return self._count(PaymentRow)

    def _loan_keys(self, loan_ids: set[str]) -> dict[str, tuple[int, str]]:
        pks = self._require(LoanRow.loan_id, loan_ids, LOANS)
        found: dict[str, tuple[int, str]] = {}
        for chunk in chunks(sorted(pks.values())):
            query = select(LoanRow.loan_id, LoanRow.id, LoanRow.currency).where(
                LoanRow.platform_id == self._platform_id, LoanRow.id.in_(chunk)
            )
            found.update({ext: (pk, cur) for ext, pk, cur in self._session.execute(query)})
        return found

    def _load(self, condition: ColumnElement[bool] | None) -> builtins.list[Payment]:
        query = (
            select(*_PAYMENT_COLUMNS)
            .join(LoanRow, LoanRow.id == PaymentRow.loan_pk)
            # The loan's platform too: a condition on its id then uses (platform, loan id).
            .where(
                PaymentRow.platform_id == self._platform_id,
                LoanRow.platform_id == self._platform_id,
            )
        )
        if condition is not None:
            query = query.where(condition)
        query = query.order_by(LoanRow.id, PaymentRow.paid_on, PaymentRow.id)
        return [
            Payment(self.platform_code, pid, loan_id, Money(minor, currency(cur)), paid, rev, ch)
            for pid, loan_id, minor, cur, paid, rev, ch in self._session.execute(query)
        ]


@cache
def _of_loan() -> Executable:
    """One loan's payments and reversals (``_PAYMENT_COLUMNS``) by day and id."""
    platform = platform_param()
    return (
        select(*_PAYMENT_COLUMNS)
        .join(LoanRow, LoanRow.id == PaymentRow.loan_pk)
        .where(
            PaymentRow.platform_id == platform,
            LoanRow.platform_id == platform,
            LoanRow.loan_id == bindparam("loan_id"),
        )
        .order_by(LoanRow.id, PaymentRow.paid_on, PaymentRow.id)
    )
