"""Importing files into real databases (SQLite and PostgreSQL): all or nothing, idempotent."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.errors import InputRejected, NotFound
from tideover.domain.money import CNY, Money
from tideover.ingest.contract import KINDS, Kind
from tideover.services.portfolio.imports import ImportResult, import_file

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
TODAY = date(2026, 3, 1)
PLATFORM = "acme"

UowFactory = Callable[[], SqlAlchemyUnitOfWork]


@pytest.fixture
def new_uow(uow_factory: UowFactory) -> UowFactory:
    with uow_factory() as uow:
        uow.platforms.ensure(PLATFORM, name="Acme Finance", currency=CNY, settings={})
        uow.platforms.ensure("other", name="Other Lender", currency=CNY, settings={})
        uow.commit()
    return uow_factory


def _import(
    new_uow: UowFactory,
    kind: Kind,
    name: str,
    *,
    platform: str = PLATFORM,
    skip_invalid: bool = False,
) -> ImportResult:
    return import_file(
        uow=new_uow(),
        platform=platform,
        kind=kind,
        path=DATA / name,
        today=TODAY,
        skip_invalid=skip_invalid,
    )


def _counts(new_uow: UowFactory, platform: str = PLATFORM) -> tuple[int, int, int]:
    with new_uow() as uow:
        return (
            uow.borrowers(platform).count(),
            uow.loans(platform).count(),
            uow.payments(platform).count(),
        )


def _import_good(new_uow: UowFactory, fmt: str = "csv") -> list[ImportResult]:
    return [_import(new_uow, kind, f"{kind}.{fmt}") for kind in KINDS]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_good_files_are_written_and_read_back(new_uow: UowFactory, fmt: str) -> None:
    results = _import_good(new_uow, fmt)
    assert [(r.rows, r.written, r.unchanged, r.rejected, r.accepted) for r in results] == [
        (3, 3, 0, 0, True),
        (3, 3, 0, 0, True),
        (4, 4, 0, 0, True),
    ]
    assert _counts(new_uow) == (3, 3, 4)
    assert _counts(new_uow, "other") == (0, 0, 0)
    with new_uow() as uow:
        borrower = uow.borrowers(PLATFORM).get("B002")
        loan = uow.loans(PLATFORM).get("L001")
        batches = uow.import_batches(PLATFORM).recent()
    assert borrower is not None
    assert [p.e164 for p in borrower.phones] == ["+12125550100", "+16502530000"]
    assert loan is not None
    assert loan.schedule.total_principal == Money.of("12000.00", CNY)
    sha = hashlib.sha256((DATA / f"payments.{fmt}").read_bytes()).hexdigest()
    assert (batches[0].kind, batches[0].sha256, batches[0].written) == ("payments", sha, 4)


def test_importing_the_same_files_again_writes_nothing(new_uow: UowFactory) -> None:
    _import_good(new_uow)
    again = _import_good(new_uow)
    assert [(r.written, r.unchanged, r.accepted) for r in again] == [
        (0, 3, True),
        (0, 3, True),
        (0, 4, True),
    ]
    assert _counts(new_uow) == (3, 3, 4)
    # The same records in another format are the same content: still nothing to write.
    assert [r.written for r in _import_good(new_uow, "parquet")] == [0, 0, 0]


def test_changed_content_under_a_stored_id_is_a_conflict(
    new_uow: UowFactory, tmp_path: Path
) -> None:
    _import_good(new_uow)
    changed = tmp_path / "payments.csv"
    text = (DATA / "payments.csv").read_text(encoding="utf-8")
    changed.write_text(text.replace("P002,L001,1071.60", "P002,L001,1000.00"), encoding="utf-8")
    result = import_file(
        uow=new_uow(), platform=PLATFORM, kind="payments", path=changed, today=TODAY
    )
    assert not result.accepted
    assert result.report.pairs() == [(2, "payment_id")]
    assert "different content" in result.report.errors[0].reason_en
    assert (result.unchanged, result.written) == (3, 0)


def test_broken_borrowers_are_refused_as_a_whole(new_uow: UowFactory) -> None:
    result = _import(new_uow, "borrowers", "borrowers_broken.csv")
    assert not result.accepted
    assert result.report.pairs() == [
        (2, "phone"),
        (3, "national_id"),
        (4, "borrower_id"),
        (5, "national_id"),
        (5, "time_zone"),
        (6, "locale"),
        (6, "name"),
        (6, "phone"),
    ]
    assert (result.rows, result.written, result.rejected) == (6, 0, 5)
    assert _counts(new_uow) == (0, 0, 0)
    with new_uow() as uow:
        (batch,) = uow.import_batches(PLATFORM).recent()
    assert (batch.rows, batch.written, batch.rejected) == (6, 0, 5)


def test_broken_loans_report_the_unknown_borrower_too(new_uow: UowFactory) -> None:
    _import(new_uow, "borrowers", "borrowers.csv")
    result = _import(new_uow, "loans", "loans_broken.csv")
    assert not result.accepted
    assert result.report.pairs() == [
        (2, "principal"),
        (3, "annual_rate"),
        (3, "term"),
        (4, "loan_id"),
        (5, "start_date"),
        (6, "currency"),
        (6, "method"),
        (7, "borrower_id"),  # B999 was never imported
        (8, "first_due_date"),
        (8, "principal"),
    ]
    assert _counts(new_uow) == (3, 0, 0)


def test_broken_payments_report_stored_data_checks(new_uow: UowFactory) -> None:
    _import(new_uow, "borrowers", "borrowers.csv")
    _import(new_uow, "loans", "loans.csv")
    result = _import(new_uow, "payments", "payments_broken.csv")
    assert not result.accepted
    assert result.report.pairs() == [
        (2, "loan_id"),  # L999: unknown loan
        (3, "amount"),  # negative
        (4, "payment_id"),  # duplicate of row 1
        (5, "paid_on"),  # in the future
        (6, "amount"),  # ten
        (6, "paid_on"),  # 15/02/2026
        (7, "reverses"),  # P998 does not exist
        (8, "currency"),  # USD on a CNY loan
    ]
    unknown_loan = result.report.errors[0]
    assert (unknown_loan.value, unknown_loan.reason_en) == (
        "L999",
        "unknown loan L999: import loans before their payments",
    )
    assert _counts(new_uow) == (3, 3, 0)


def test_skip_invalid_writes_only_the_valid_rows(new_uow: UowFactory) -> None:
    _import(new_uow, "borrowers", "borrowers.csv")
    loans = _import(new_uow, "loans", "loans_broken.csv", skip_invalid=True)
    assert loans.accepted
    assert (loans.rows, loans.written, loans.rejected) == (8, 1, 7)
    payments = _import(new_uow, "payments", "payments_broken.csv", skip_invalid=True)
    assert (payments.rows, payments.written, payments.rejected) == (8, 0, 8)  # no loan L001
    with new_uow() as uow:
        stored = uow.loans(PLATFORM).list_all()
    assert [loan.loan_id for loan in stored] == ["L101"]
    # Re-running the same partial import writes nothing more.
    again = _import(new_uow, "loans", "loans_broken.csv", skip_invalid=True)
    assert (again.written, again.unchanged, again.rejected) == (0, 1, 7)


def test_a_reversal_can_name_a_payment_stored_earlier(new_uow: UowFactory, tmp_path: Path) -> None:
    _import(new_uow, "borrowers", "borrowers.csv")
    _import(new_uow, "loans", "loans.csv")
    lines = (DATA / "payments.csv").read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")  # P001..P003
    second.write_text("\n".join([lines[0], lines[4]]) + "\n", encoding="utf-8")  # P004
    for path, written in ((first, 3), (second, 1)):
        result = import_file(
            uow=new_uow(), platform=PLATFORM, kind="payments", path=path, today=TODAY
        )
        assert (result.accepted, result.written) == (True, written)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(
        "payment_id,loan_id,amount,paid_on,reverses\nP009,L002,900.00,2025-10-03,P003\n",
        encoding="utf-8",
    )
    result = import_file(uow=new_uow(), platform=PLATFORM, kind="payments", path=wrong, today=TODAY)
    assert result.report.pairs() == [(1, "reverses")]
    assert "908.33" in result.report.errors[0].reason_en


def test_whole_file_problems_raise_before_anything_is_written(
    new_uow: UowFactory, tmp_path: Path
) -> None:
    renamed = tmp_path / "loans.dat"
    shutil.copy(DATA / "loans.csv", renamed)
    with pytest.raises(InputRejected, match="extension"):
        import_file(uow=new_uow(), platform=PLATFORM, kind="loans", path=renamed, today=TODAY)
    with pytest.raises(
        InputRejected, match="missing required columns: payment_id, loan_id, amount, paid_on"
    ):
        _import(new_uow, "payments", "borrowers.csv")
    with pytest.raises(NotFound):
        _import(new_uow, "borrowers", "borrowers.csv", platform="nobody")
    assert _counts(new_uow) == (0, 0, 0)


def test_the_report_names_each_problem_by_a_stable_code(new_uow: UowFactory) -> None:
    _import(new_uow, "borrowers", "borrowers.csv")
    _import(new_uow, "loans", "loans.csv")
    result = _import(new_uow, "payments", "payments_broken.csv")
    assert [(e.row, e.field, e.code) for e in result.report.errors] == [
        (2, "loan_id", "unknown_loan"),
        (3, "amount", "not_positive"),
        (4, "payment_id", "duplicate_id"),
        (5, "paid_on", "in_the_future"),
        (6, "amount", "not_a_number"),
        # 15/02/2026: day and month first is never guessed (--date-format says the order).
        (6, "paid_on", "ambiguous_date"),
        (7, "reverses", "unknown_payment"),
        (8, "currency", "currency_mismatch"),
    ]
    # The JSON an upload page reads: the counts, then every error with both languages.
    data = result.to_json()
    assert (data["rows"], data["rejected"], data["accepted"]) == (8, 7, False)
    report = data["report"]
    assert (report["total_rows"], report["valid_rows"], report["rejected_rows"]) == (8, 1, 7)
    assert report["errors"][1] == {
        "row": 3,
        "field": "amount",
        "value": "-5.00",
        "code": "not_positive",
        "reason_en": "amount must be positive",
        "reason_zh": "amount 必须大于零",
    }


def test_a_stored_record_with_other_content_is_named_as_such(
    new_uow: UowFactory, tmp_path: Path
) -> None:
    _import(new_uow, "borrowers", "borrowers.csv")
    changed = tmp_path / "borrowers.csv"
    text = (DATA / "borrowers.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    changed.write_text("\n".join([lines[0], lines[1].replace("B001,", "B001,X")]) + "\n")
    result = import_file(
        uow=new_uow(), platform=PLATFORM, kind="borrowers", path=changed, today=TODAY
    )
    assert [(e.row, e.field, e.code) for e in result.report.errors] == [
        (1, "borrower_id", "stored_with_other_content")
    ]
