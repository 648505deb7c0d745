"""The daily cycle's bulk reads as Arrow columns (``adapters.columnar``), beside the row reads.

The repositories' ``account_columns``, ``installment_columns`` and ``payment_columns``
call these.

Same statements, same order and same meaning as ``LoanRepository.account_rows``,
``installment_rows`` and ``PaymentRepository.payment_rows``; each returns None
where no columnar read is possible (SQLite: ``adapters.columnar``) and the
caller reads rows.  Text that may be NULL comes as ``''``; no stored id, zone,
product or region is empty, so ``''`` reads as "none" wherever these are used.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from tideover.adapters.columnar import columnar_reads
from tideover.adapters.orm import BorrowerRow, InstallmentRow, LoanRow, PaymentRow
from tideover.adapters.repositories._bulk import day_number, json_text


def _text(column: ColumnElement[Any]) -> ColumnElement[str]:
    return func.coalesce(column, "")


def _within(key: ColumnElement[int], after: int | None, up_to: int | None) -> list[Any]:
    """The conditions keeping loan keys in (``after``, ``up_to``]; an open end is no bound."""
    bounds: list[Any] = []
    if after is not None:
        bounds.append(key > after)
    if up_to is not None:
        bounds.append(key <= up_to)
    return bounds


def _bounded(after: int | None, up_to: int | None) -> bool:
    """Whether (``after``, ``up_to``] is a range of keys rather than all of them: its read
    goes through the index (``adapters.columnar``)."""
    return after is not None or up_to is not None


def key_columns(session: Session, platform_id: int) -> pa.Table | None:
    """Every loan's key (loan_key), ascending: what the cycle splits its book into parts by."""
    loan = LoanRow.__table__.c
    query = (
        select(loan.id.label("loan_key")).where(loan.platform_id == platform_id).order_by(loan.id)
    )
    with columnar_reads(session) as reader:
        return None if reader is None else reader.read(session, query)


def account_columns(
    session: Session, platform_id: int, *, after: int | None = None, up_to: int | None = None
) -> pa.Table | None:
    """``account_rows`` as columns: loan_key, loan_id, borrower_id, borrower_key,
    product, currency, start_day, time_zone, region_code, state; of the loans whose key is
    in (``after``, ``up_to``]."""
    loan, borrower = LoanRow.__table__.c, BorrowerRow.__table__.c
    query = (
        select(
            loan.id.label("loan_key"),
            loan.loan_id,
            borrower.borrower_id,
            borrower.id.label("borrower_key"),
            _text(loan.product).label("product"),
            loan.currency,
            day_number(session, loan.start_date).label("start_day"),
            _text(borrower.time_zone).label("time_zone"),
            _text(json_text(session, borrower.attributes, "region_code")).label("region_code"),
            _text(json_text(session, borrower.attributes, "state")).label("state"),
        )
        .select_from(LoanRow.__table__.join(BorrowerRow.__table__, borrower.id == loan.borrower_pk))
        .where(loan.platform_id == platform_id, *_within(loan.id, after, up_to))
        .order_by(loan.id)
    )
    with columnar_reads(session, key_ranges=_bounded(after, up_to)) as reader:
        return None if reader is None else reader.read(session, query)


def installment_columns(
    session: Session, platform_id: int, *, after: int | None = None, up_to: int | None = None
) -> pa.Table | None:
    """``installment_rows`` as columns: loan_key, due, principal, interest, fees; of the
    loans whose key is in (``after``, ``up_to``] (an open end is no bound)."""
    c = InstallmentRow.__table__.c
    query = (
        select(
            c.loan_pk.label("loan_key"),
            day_number(session, c.due_date).label("due"),
            c.principal_minor.label("principal"),
            c.interest_minor.label("interest"),
            c.fees_minor.label("fees"),
        )
        .where(c.platform_id == platform_id, *_within(c.loan_pk, after, up_to))
        .order_by(c.loan_pk, c.number)
    )
    with columnar_reads(session, key_ranges=_bounded(after, up_to)) as reader:
        return None if reader is None else reader.read(session, query)


def payment_columns(
    session: Session, platform_id: int, *, after: int | None = None, up_to: int | None = None
) -> pa.Table | None:
    """``payment_rows`` as columns: loan_key, payment_id, amount, currency, day,
    reverses (``''`` when the row reverses nothing); of the loans whose key is in
    (``after``, ``up_to``]."""
    c = PaymentRow.__table__.c
    query = (
        select(
            c.loan_pk.label("loan_key"),
            c.payment_id,
            c.amount_minor.label("amount"),
            c.currency,
            day_number(session, c.paid_on).label("day"),
            _text(c.reverses).label("reverses"),
        )
        .where(c.platform_id == platform_id, *_within(c.loan_pk, after, up_to))
        .order_by(c.loan_pk, c.id)
    )
    with columnar_reads(session, key_ranges=_bounded(after, up_to)) as reader:
        return None if reader is None else reader.read(session, query)
