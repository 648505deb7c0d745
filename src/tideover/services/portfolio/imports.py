"""Import borrowers, loans or payments from a file: all or nothing, one commit.

The file is read and validated (pure), then checked against what the
platform already stores: an id stored with the same content is
*unchanged* (so re-importing a file writes nothing), with other content it
is a conflict; a loan's borrower and a payment's loan must already exist
(import borrowers, then loans, then payments).  Nothing is written unless
every row passes, or ``skip_invalid`` asks for the valid rows only; with
``checked_only`` nothing is written or logged at all (a dry run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Generic, TypeVar

from tideover.checksums import file_sha256
from tideover.domain.borrowers import Borrower
from tideover.domain.errors import NotFound
from tideover.domain.loans import Loan
from tideover.domain.money import Currency, Money
from tideover.domain.payments import Payment
from tideover.domain.permissions import Permission
from tideover.i18n import N_, Wording
from tideover.ingest.against_loan import net_paid, payments_against_loans
from tideover.ingest.contract import Kind, contract_for
from tideover.ingest.headers import ColumnMapping
from tideover.ingest.readers import Record, RecordSet, read_records
from tideover.ingest.report import RejectionReport, RowError
from tideover.ingest.spellings import DateFormat
from tideover.ingest.validate import (
    Validated,
    validate_borrowers,
    validate_loans,
    validate_payments,
)
from tideover.services.common import ProgressFn, acting_with, no_progress
from tideover.services.portfolio.results import ImportReport, ImportResult
from tideover.services.repositories import PaymentRepository
from tideover.services.unit_of_work import UnitOfWork

__all__ = ["ImportResult", "import_file"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Plan:
    """What an import would do: rows left as they are, errors, and the write itself."""

    unchanged: int
    errors: list[RowError]
    write: Callable[[], int]
    pending: int  # the records the write would add
    warnings: tuple[RowError, ...] = ()


@dataclass(slots=True)
class _Sorted(Generic[T]):
    new: list[tuple[int, T]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_file(
    *,
    uow: UnitOfWork,
    platform: str,
    kind: Kind,
    path: Path,
    today: date,
    skip_invalid: bool = False,
    fmt: str | None = None,
    future_payments_by: str | None = None,
    encoding: str | None = None,
    mapping: Path | None = None,
    date_format: str | None = None,
    checked_only: bool = False,
    progress: ProgressFn | None = None,
) -> ImportResult:
    """Import ``path`` into ``platform``; ``today`` is its business date.

    A payment valued after ``today`` is refused unless ``future_payments_by`` names the
    user who allows it (a scheduled collection file, say); the audit trail records who.
    Payments are checked against their loans too: none before the loan started, none
    beyond what the loan could ever owe (``ingest.against_loan``), per record.

    ``encoding`` is a text file's (default: UTF-8, else detected); ``mapping`` a column
    mapping file (``ingest.headers.ColumnMapping``); ``date_format`` the order of
    dates that could be read two ways (``DD/MM/YYYY``), over the mapping's.  With
    ``checked_only`` every check is made and nothing written, audited or logged.
    ``progress`` hears ``(label, done, total)`` as records are checked.

    Raises InputRejected when the file as a whole cannot be read (format,
    encoding, missing columns), UsageError for a bad mapping, encoding or date
    format, and NotFound for an unknown platform; bad records are reported in the
    result instead.
    """
    contract = contract_for(kind)
    column_mapping = None if mapping is None else ColumnMapping.load(mapping, contract)
    order = _date_format(date_format, column_mapping)
    records = read_records(path, fmt, encoding=encoding, contract=contract, mapping=column_mapping)
    digest = file_sha256(path)
    counted = _counting(records, progress or no_progress)
    with uow:
        record = uow.platforms.get(platform)
        if record is None:
            raise NotFound(N_("unknown platform %(platform)s"), platform=repr(platform))
        if kind == "borrowers":
            plan = _borrowers(uow, platform, counted, today, order)
        elif kind == "loans":
            plan = _loans(uow, platform, counted, today, record.currency, order)
        else:
            allowed = None
            if future_payments_by is not None:
                allowed = acting_with(uow, platform, future_payments_by, Permission.IMPORTS_WRITE)
            plan = _payments(
                uow, platform, counted, today, record.currency, allowed is not None, order
            )
            if allowed is not None and not checked_only:
                uow.audit(platform).append(
                    "import_future_payments",
                    {"file": path.name, "sha256": digest, "by": allowed},
                    at=datetime.now(UTC),
                )
        report = RejectionReport.build(
            kind=kind,
            file=str(path),
            total_rows=records.total_rows,
            errors=[*records.errors, *plan.errors],
            warnings=[*records.warnings, *plan.warnings],
        )
        accepted = report.ok or skip_invalid
        if checked_only:
            written = plan.pending if accepted else 0
        else:
            written = plan.write() if accepted else 0
            # Refused attempts are logged too: the log says who tried what, not only what
            # landed.  A dry run is not an attempt: it leaves no trace at all.
            uow.import_batches(platform).record(
                kind=kind,
                file_name=path.name,
                sha256=digest,
                rows=report.total_rows,
                written=written,
                skipped=plan.unchanged,
                rejected=report.rejected_rows,
            )
            uow.commit()
    return ImportResult(
        kind=kind,
        file=str(path),
        rows=report.total_rows,
        written=written,
        unchanged=plan.unchanged,
        rejected=report.rejected_rows,
        accepted=accepted,
        report=ImportReport.of(report),
        checked_only=checked_only,
        encoding=records.encoding,
        encoding_detected=records.encoding_detected,
    )


def _date_format(given: str | None, mapping: ColumnMapping | None) -> DateFormat | None:
    if given is not None:
        return DateFormat.parse(given)
    return None if mapping is None else mapping.date_format


PROGRESS_EVERY = 5_000  # records between two progress reports


def _counting(
    records: RecordSet, progress: ProgressFn
) -> Iterable[tuple[int, Mapping[str, object]]]:
    """The records, reporting every ``PROGRESS_EVERY`` of them as they are checked."""
    total = len(records.records)
    label = N_("checking records")

    def walk() -> Iterator[tuple[int, Record]]:
        progress(label, 0, total)
        for done, item in enumerate(records.records, start=1):
            yield item
            if done % PROGRESS_EVERY == 0 or done == total:
                progress(label, done, total)

    return walk()


def _against_store(
    validated: Validated[T],
    *,
    id_column: str,
    id_of: Callable[[T], str],
    stored: Mapping[str, T],
    same: Callable[[T, T], bool],
) -> _Sorted[T]:
    """New, unchanged (same content stored) and conflicting (other content stored) records."""
    result: _Sorted[T] = _Sorted(errors=list(validated.errors))
    for row, item in validated.items:
        key = id_of(item)
        old = stored.get(key)
        if old is None:
            result.new.append((row, item))
        elif same(old, item):
            result.unchanged += 1
        else:
            result.errors.append(
                RowError.of(
                    row,
                    id_column,
                    key,
                    Wording(
                        N_(
                            "%(id_column)s %(key)s is already stored with different content; "
                            "stored records are not changed by an import"
                        ),
                        id_column=id_column,
                        key=key,
                    ),
                    code="stored_with_other_content",
                )
            )
    return result


Records = Iterable[tuple[int, Mapping[str, object]]]


def _borrowers(
    uow: UnitOfWork, platform: str, records: Records, today: date, order: DateFormat | None
) -> _Plan:
    repo = uow.borrowers(platform)
    validated = validate_borrowers(records, platform=platform, today=today, date_format=order)
    stored = repo.get_many(b.borrower_id for _, b in validated.items)
    sorted_ = _against_store(
        validated,
        id_column="borrower_id",
        id_of=lambda b: b.borrower_id,
        stored=stored,
        same=lambda a, b: _borrower_content(a) == _borrower_content(b),
    )
    return _plan(sorted_, repo.add_many, validated)


def _plan(sorted_: _Sorted[T], add: Callable[[list[T]], int], validated: Validated[T]) -> _Plan:
    kept = _kept(sorted_)
    rows = {row for row, _ in sorted_.new if row not in {e.row for e in sorted_.errors}}
    # A warning stays with its record only if the record is imported.
    warnings = tuple(w for w in validated.warnings if w.row in rows)
    return _Plan(sorted_.unchanged, sorted_.errors, lambda: add(kept), len(kept), warnings)


def _borrower_content(b: Borrower) -> tuple[object, ...]:
    # Phone zones are derived data (they change with libphonenumber releases).
    phones = tuple(p.e164 for p in b.phones)
    return (b.name, phones, b.national_id, b.address, b.time_zone, b.locale, b.email, b.attributes)


def _loans(
    uow: UnitOfWork,
    platform: str,
    records: Records,
    today: date,
    currency: Currency,
    order: DateFormat | None,
) -> _Plan:
    repo = uow.loans(platform)
    validated = validate_loans(
        records, platform=platform, today=today, default_currency=currency, date_format=order
    )
    stored = repo.get_many(loan.loan_id for _, loan in validated.items)
    sorted_ = _against_store(
        validated,
        id_column="loan_id",
        id_of=lambda loan: loan.loan_id,
        stored=stored,
        same=lambda a, b: _loan_content(a) == _loan_content(b),
    )
    borrowers = uow.borrowers(platform).existing_ids(loan.borrower_id for _, loan in sorted_.new)
    unknown = {row for row, loan in sorted_.new if loan.borrower_id not in borrowers}
    for row, loan in sorted_.new:
        if row in unknown:
            sorted_.errors.append(
                RowError.of(
                    row,
                    "borrower_id",
                    loan.borrower_id,
                    Wording(
                        N_("unknown borrower %(borrower_id)s: import borrowers before their loans"),
                        borrower_id=loan.borrower_id,
                    ),
                    code="unknown_borrower",
                )
            )
    return _plan(sorted_, repo.add_many, validated)


def _loan_content(loan: Loan) -> tuple[object, ...]:
    # The schedule follows from the terms, so the terms are what is compared.
    return (loan.borrower_id, loan.terms, loan.product, loan.attributes)


def _kept(sorted_: _Sorted[T]) -> list[T]:
    """The new records of rows without any error."""
    bad = {e.row for e in sorted_.errors}
    return [item for row, item in sorted_.new if row not in bad]


def _payments(
    uow: UnitOfWork,
    platform: str,
    records: Records,
    today: date,
    currency: Currency,
    allow_future: bool,
    order: DateFormat | None,
) -> _Plan:
    repo = uow.payments(platform)
    validated = validate_payments(
        records,
        platform=platform,
        today=today,
        default_currency=currency,
        allow_future=allow_future,
        date_format=order,
    )
    reversed_ids = {p.reverses for _, p in validated.items if p.reverses}
    stored = repo.existing({p.payment_id for _, p in validated.items} | reversed_ids)
    sorted_ = _against_store(
        validated,
        id_column="payment_id",
        id_of=lambda p: p.payment_id,
        stored=stored,
        same=lambda a, b: a == b,
    )
    loans = uow.loans(platform)
    known = loans.existing_ids(p.loan_id for _, p in sorted_.new)
    stored_loans = loans.get_many(known)
    currencies = {i: loan.terms.principal.currency for i, loan in stored_loans.items()}
    for row, payment in sorted_.new:
        sorted_.errors.extend(_loan_errors(row, payment, currencies))
    # Before the loan started, or beyond anything it could owe: a per-record error, never
    # a poison for the platform's later runs (ingest.against_loan).
    sorted_.errors.extend(
        payments_against_loans(
            sorted_.new, stored_loans, paid_before=_paid_so_far(repo, stored_loans)
        )
    )
    survivors = {p.payment_id: p for p in _kept(sorted_)}
    originals = {**stored, **survivors}
    for row, payment in sorted_.new:
        sorted_.errors.extend(_reversal_errors(row, payment, originals))
    return _plan(sorted_, repo.add_many, validated)


def _paid_so_far(repo: PaymentRepository, loans: Mapping[str, Loan]) -> dict[str, Money]:
    """What is already stored for each of ``loans``, net of reversals (one read of the
    platform's payments when the file touches many loans, else one per loan)."""
    if len(loans) > 2000:
        stored = repo.by_loan()
        return {i: net_paid(stored.get(i, []), loan.schedule.currency) for i, loan in loans.items()}
    return {i: net_paid(repo.for_loan(i), loan.schedule.currency) for i, loan in loans.items()}


def _loan_errors(row: int, p: Payment, currencies: Mapping[str, Currency]) -> Sequence[RowError]:
    loan_currency = currencies.get(p.loan_id)
    if loan_currency is None:
        return [
            RowError.of(
                row,
                "loan_id",
                p.loan_id,
                Wording(
                    N_("unknown loan %(loan_id)s: import loans before their payments"),
                    loan_id=p.loan_id,
                ),
                code="unknown_loan",
            )
        ]
    if loan_currency != p.amount.currency:
        return [
            RowError.of(
                row,
                "currency",
                p.amount.currency.code,
                Wording(
                    N_("loan %(loan_id)s is in %(loan_currency)s, the payment in %(currency)s"),
                    loan_id=p.loan_id,
                    loan_currency=loan_currency,
                    currency=p.amount.currency,
                ),
                code="currency_mismatch",
            )
        ]
    return []


def _reversal_errors(row: int, p: Payment, originals: Mapping[str, Payment]) -> list[RowError]:
    if p.reverses is None:
        return []
    original = originals.get(p.reverses)
    if original is None:
        return [
            RowError.of(
                row,
                "reverses",
                p.reverses,
                Wording(N_("reverses unknown payment %(reverses)s"), reverses=p.reverses),
                code="unknown_payment",
            )
        ]
    if original.loan_id != p.loan_id or original.amount != p.amount:
        # The domain rule (domain/payments.py): a reversal repeats the original's amount.
        return [
            RowError.of(
                row,
                "reverses",
                p.reverses,
                Wording(
                    N_(
                        "a reversal must name the loan and amount of payment %(reverses)s "
                        "(%(loan_id)s, %(amount)s)"
                    ),
                    reverses=p.reverses,
                    loan_id=original.loan_id,
                    amount=original.amount,
                ),
                code="reversal_mismatch",
            )
        ]
    return []
