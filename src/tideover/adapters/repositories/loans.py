"""Loans of one platform with their schedules, and the pauses that stop them ageing."""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import pyarrow as pa
from sqlalchemy import ColumnElement, Executable, and_, bindparam, or_, select

from tideover.adapters.orm import (
    BorrowerPhoneRow,
    BorrowerRow,
    InstallmentRow,
    LoanPauseRow,
    LoanRow,
    storable_rate,
)
from tideover.adapters.repositories import _columns
from tideover.adapters.repositories._base import (
    BORROWERS,
    LOANS,
    PlatformScoped,
    among_param,
    bulk_insert,
    chunks,
    dialect_of,
    key_batches,
    platform_param,
)
from tideover.adapters.repositories._bulk import day_number, json_text, plain_rows
from tideover.domain.delinquency import PausePeriod
from tideover.domain.errors import CurrencyMismatch
from tideover.domain.loans import Frequency, Installment, Loan, LoanTerms, RepaymentMethod, Schedule
from tideover.domain.money import Money, currency
from tideover.i18n import N_

_INSTALLMENT_COLUMNS = (
    InstallmentRow.loan_pk,
    InstallmentRow.number,
    InstallmentRow.due_date,
    InstallmentRow.principal_minor,
    InstallmentRow.interest_minor,
    InstallmentRow.fees_minor,
)


@cache
def _of_borrower() -> Executable:
    """A borrower's loans and their installments, one row per installment."""
    loan, part, platform = LoanRow.__table__.c, InstallmentRow.__table__.c, platform_param()
    return (
        select(
            *loan,
            part.number.label("part_number"),
            part.due_date.label("part_due"),
            part.principal_minor.label("part_principal"),
            part.interest_minor.label("part_interest"),
            part.fees_minor.label("part_fees"),
        )
        .join(BorrowerRow, BorrowerRow.id == loan.borrower_pk)
        .outerjoin(InstallmentRow, and_(part.platform_id == platform, part.loan_pk == loan.id))
        .where(
            loan.platform_id == platform,
            BorrowerRow.platform_id == platform,
            BorrowerRow.borrower_id == bindparam("borrower_id"),
        )
        .order_by(loan.id, part.number)
    )


@cache
def _pauses(dialect: str, *, every: bool) -> Executable:
    """(loan id, start, end) of the platform's pauses: of every loan, or of the loans
    bound as ``loan_ids``."""
    platform = platform_param()
    query = (
        select(LoanRow.loan_id, LoanPauseRow.start_date, LoanPauseRow.end_date)
        .join(LoanRow, LoanRow.id == LoanPauseRow.loan_pk)
        .where(LoanPauseRow.platform_id == platform)
        .order_by(LoanRow.loan_id, LoanPauseRow.start_date, LoanPauseRow.id)
    )
    if every:
        return query
    return query.where(
        LoanRow.platform_id == platform, among_param(dialect, LoanRow.loan_id, "loan_ids")
    )


class LoanRepository(PlatformScoped):
    """Loans of one platform with their schedules, and the pauses that stop them ageing."""

    def get(self, loan_id: str) -> Loan | None:
        found = self._load(LoanRow.loan_id == loan_id)
        return found[0] if found else None

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        return set(self._pks(LoanRow.loan_id, ids))

    def get_many(self, ids: Iterable[str]) -> dict[str, Loan]:
        """The stored ones among ``ids``, by id, in a few batched queries."""
        found: dict[str, Loan] = {}
        for chunk in chunks(sorted(set(ids))):
            found.update((x.loan_id, x) for x in self._load(LoanRow.loan_id.in_(chunk)))
        return found

    def add_many(self, loans: Sequence[Loan]) -> int:
        """Inserts new loans and their installments; borrowers must exist already."""
        if not loans:
            return 0
        for loan in loans:
            self._own(LOANS, loan.loan_id, loan.platform)
        ids = [loan.loan_id for loan in loans]
        self._refuse_duplicates(LoanRow.loan_id, ids, LOANS)
        borrowers = self._require(
            BorrowerRow.borrower_id, (loan.borrower_id for loan in loans), BORROWERS
        )
        rows = [self._loan_row(loan, borrowers[loan.borrower_id]) for loan in loans]
        pks = self._insert_new(LoanRow, LoanRow.loan_id, rows)
        installments = [
            {
                "platform_id": self._platform_id,
                "loan_pk": pks[loan.loan_id],
                "number": i.number,
                "due_date": i.due_date,
                "principal_minor": i.principal.minor,
                "interest_minor": i.interest.minor,
                "fees_minor": i.fees.minor,
            }
            for loan in loans
            for i in loan.schedule.installments
        ]
        bulk_insert(self._session, InstallmentRow, installments)
        return len(loans)

    def list_all(self) -> builtins.list[Loan]:
        return self._load(None)

    def for_borrower(self, borrower_id: str) -> builtins.list[Loan]:
        """One borrower's loans, by when they were stored: loans and installments in one
        query (the 360 asks on every request)."""
        rows = self._session.execute(
            _of_borrower(), {"platform_id": self._platform_id, "borrower_id": borrower_id}
        ).all()
        by_loan: dict[int, tuple[Any, builtins.list[tuple[Any, ...]]]] = {}
        for row in rows:
            _, parts = by_loan.setdefault(row.id, (row, []))
            if row.part_number is not None:
                parts.append(
                    (
                        row.part_number,
                        row.part_due,
                        row.part_principal,
                        row.part_interest,
                        row.part_fees,
                    )
                )
        return [self._loan(row, borrower_id, parts) for row, parts in by_loan.values()]

    def count(self) -> int:
        return self._count(LoanRow)

    def pauses_by_loan(
        self, loan_ids: Iterable[str] | None = None
    ) -> dict[str, builtins.list[PausePeriod]]:
        query = _pauses(dialect_of(self._session), every=loan_ids is None)
        binds: Iterable[dict[str, Any]] = (
            [{"platform_id": self._platform_id}]
            if loan_ids is None
            else (
                {"platform_id": self._platform_id, "loan_ids": list(batch)}
                for batch in key_batches(self._session, loan_ids)
            )
        )
        pauses: dict[str, builtins.list[PausePeriod]] = defaultdict(list)
        for bound in binds:
            for loan_id, start, end in self._session.execute(query, bound):
                pauses[loan_id].append(PausePeriod(start, end))
        return dict(pauses)

    # -- bulk reads of the daily cycle: plain rows by loan key, no objects ------------------

    def account_rows(self) -> builtins.list[tuple[Any, ...]]:
        """Every loan with what the cycle needs of it and its borrower, by loan key.

        (loan key, loan id, borrower id, borrower key, product, currency, start
        day number, the borrower's address time zone, ``region_code`` and
        ``state`` attributes).
        """
        loan, borrower = LoanRow.__table__.c, BorrowerRow.__table__.c
        query = (
            select(
                loan.id,
                loan.loan_id,
                borrower.borrower_id,
                borrower.id,
                loan.product,
                loan.currency,
                day_number(self._session, loan.start_date),
                borrower.time_zone,
                json_text(self._session, borrower.attributes, "region_code"),
                json_text(self._session, borrower.attributes, "state"),
            )
            .select_from(
                LoanRow.__table__.join(BorrowerRow.__table__, borrower.id == loan.borrower_pk)
            )
            .where(loan.platform_id == self._platform_id)
            .order_by(loan.id)
        )
        return plain_rows(self._session, query)

    def phone_zones(self) -> dict[int, tuple[str, ...]]:
        """Time zones of the phones of borrowers without an address zone, in phone order,
        each zone once, by borrower key (what ``Borrower.candidate_time_zones`` gives)."""
        phone, borrower = BorrowerPhoneRow.__table__.c, BorrowerRow.__table__.c
        query = (
            select(phone.borrower_pk, phone.time_zones)
            .select_from(
                BorrowerPhoneRow.__table__.join(
                    BorrowerRow.__table__, borrower.id == phone.borrower_pk
                )
            )
            .where(
                phone.platform_id == self._platform_id,
                or_(borrower.time_zone.is_(None), borrower.time_zone == ""),
            )
            .order_by(phone.borrower_pk, phone.position)
        )
        zones: dict[int, builtins.list[str]] = defaultdict(list)
        for borrower_pk, phone_zones in self._session.execute(query):
            found = zones[borrower_pk]
            found.extend(z for z in phone_zones if z not in found)
        return {pk: tuple(found) for pk, found in zones.items()}

    def key_columns(self) -> pa.Table | None:
        """Every loan's key as an Arrow column (loan_key), ascending; None where the database
        is read as rows (SQLite)."""
        return _columns.key_columns(self._session, self._platform_id)

    def account_columns(
        self, *, after: int | None = None, up_to: int | None = None
    ) -> pa.Table | None:
        """``account_rows`` as Arrow columns: loan_key, loan_id, borrower_id, borrower_key,
        product, currency, start_day, time_zone, region_code, state (``_columns``), of the
        loans whose key is in (``after``, ``up_to``]; None where the database is read as
        rows (SQLite)."""
        return _columns.account_columns(self._session, self._platform_id, after=after, up_to=up_to)

    def installment_columns(
        self, *, after: int | None = None, up_to: int | None = None
    ) -> pa.Table | None:
        """``installment_rows`` as Arrow columns: loan_key, due, principal, interest, fees,
        of the loans whose key is in (``after``, ``up_to``]; None where the database is
        read as rows."""
        return _columns.installment_columns(
            self._session, self._platform_id, after=after, up_to=up_to
        )

    def installment_rows(self) -> builtins.list[tuple[Any, ...]]:
        """(loan key, due day number, principal, interest, fees) of every contract
        installment, by loan key and installment number."""
        c = InstallmentRow.__table__.c
        query = (
            select(
                c.loan_pk,
                day_number(self._session, c.due_date),
                c.principal_minor,
                c.interest_minor,
                c.fees_minor,
            )
            .where(c.platform_id == self._platform_id)
            .order_by(c.loan_pk, c.number)
        )
        return plain_rows(self._session, query)

    def pause_rows(self) -> builtins.list[tuple[Any, ...]]:
        """(loan key, first day number, last day number) of every pause, by loan key."""
        c = LoanPauseRow.__table__.c
        query = (
            select(
                c.loan_pk,
                day_number(self._session, c.start_date),
                day_number(self._session, c.end_date),
            )
            .where(c.platform_id == self._platform_id)
            .order_by(c.loan_pk, c.start_date, c.id)
        )
        return plain_rows(self._session, query)

    def add_pause(self, loan_id: str, pause: PausePeriod, reason: str = "") -> None:
        loan_pk = self._require(LoanRow.loan_id, [loan_id], LOANS)[loan_id]
        row = {
            "platform_id": self._platform_id,
            "loan_pk": loan_pk,
            "start_date": pause.start,
            "end_date": pause.end,
            "reason": reason,
        }
        bulk_insert(self._session, LoanPauseRow, [row])

    def _loan_row(self, loan: Loan, borrower_pk: int) -> dict[str, Any]:
        terms = loan.terms
        if loan.schedule.currency != terms.principal.currency:
            raise CurrencyMismatch(
                N_(
                    "loan %(loan_id)s: schedule in %(currency)s, principal in "
                    "%(principal_currency)s"
                ),
                loan_id=repr(loan.loan_id),
                currency=loan.schedule.currency,
                principal_currency=terms.principal.currency,
            )
        return {
            "platform_id": self._platform_id,
            "loan_id": loan.loan_id,
            "borrower_pk": borrower_pk,
            "product": loan.product,
            "currency": terms.principal.currency.code,
            "principal_minor": terms.principal.minor,
            "annual_rate": storable_rate(terms.annual_rate, loan.loan_id),
            "term": terms.term,
            "method": terms.method.value,
            "frequency": terms.frequency.value,
            "start_date": terms.start_date,
            "first_due_date": terms.first_due_date,
            "attributes": dict(loan.attributes),
        }

    def _load(self, condition: ColumnElement[bool] | None) -> builtins.list[Loan]:
        query = (
            select(LoanRow, BorrowerRow.borrower_id)
            .join(BorrowerRow, BorrowerRow.id == LoanRow.borrower_pk)
            # The borrower's platform too: a condition on their id then uses (platform, id).
            .where(
                LoanRow.platform_id == self._platform_id,
                BorrowerRow.platform_id == self._platform_id,
            )
        )
        if condition is not None:
            query = query.where(condition)
        loans = self._session.execute(query.order_by(LoanRow.id)).all()
        if not loans:
            return []
        schedules = select(*_INSTALLMENT_COLUMNS).where(
            InstallmentRow.platform_id == self._platform_id
        )
        if condition is not None:
            schedules = schedules.where(InstallmentRow.loan_pk.in_([row.id for row, _ in loans]))
        by_loan: dict[int, builtins.list[tuple[Any, ...]]] = defaultdict(list)
        for loan_pk, *rest in self._session.execute(
            schedules.order_by(InstallmentRow.loan_pk, InstallmentRow.number)
        ):
            by_loan[loan_pk].append(tuple(rest))
        return [self._loan(row, owner, by_loan.get(row.id, [])) for row, owner in loans]

    def _loan(self, row: Any, borrower_id: str, parts: builtins.list[tuple[Any, ...]]) -> Loan:
        cur = currency(row.currency)
        installments = tuple(
            Installment(number, due, Money(p, cur), Money(i, cur), Money(f, cur))
            for number, due, p, i, f in parts
        )
        terms = LoanTerms(
            principal=Money(row.principal_minor, cur),
            annual_rate=row.annual_rate,
            term=row.term,
            method=RepaymentMethod(row.method),
            start_date=row.start_date,
            first_due_date=row.first_due_date,
            frequency=Frequency(row.frequency),
        )
        return Loan(
            platform=self.platform_code,
            loan_id=row.loan_id,
            borrower_id=borrower_id,
            terms=terms,
            schedule=Schedule(installments, cur),
            product=row.product,
            attributes=dict(row.attributes),
        )
