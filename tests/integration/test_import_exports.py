"""A Chinese lender's own exports into real databases: GBK, its headers through a mapping,
spreadsheet spellings, warnings kept with the report, and the dry run that writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.errors import UsageError
from tideover.domain.money import CNY
from tideover.ingest.contract import Kind
from tideover.services.portfolio.imports import ImportResult, import_file

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
TODAY = date(2026, 3, 1)
PLATFORM = "acme"
MAPPING = DATA / "loans_excel.mapping.yaml"

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
EXPORTS: list[tuple[Kind, str, dict[str, object]]] = [
    ("borrowers", "borrowers_gbk.csv", {}),
    ("loans", "loans_excel_gbk.csv", {"mapping": MAPPING}),
    ("payments", "payments_spelled.csv", {}),
]


@pytest.fixture
def new_uow(uow_factory: UowFactory) -> UowFactory:
    with uow_factory() as uow:
        uow.platforms.ensure(PLATFORM, name="Acme Finance", currency=CNY, settings={})
        uow.commit()
    return uow_factory


def _import(new_uow: UowFactory, kind: Kind, name: str, **options: object) -> ImportResult:
    return import_file(
        uow=new_uow(),
        platform=PLATFORM,
        kind=kind,
        path=DATA / name,
        today=TODAY,
        **options,  # type: ignore[arg-type]
    )


def _stored(new_uow: UowFactory) -> tuple[int, int, int, int]:
    with new_uow() as uow:
        return (
            uow.borrowers(PLATFORM).count(),
            uow.loans(PLATFORM).count(),
            uow.payments(PLATFORM).count(),
            len(uow.import_batches(PLATFORM).recent()),
        )


def test_a_lenders_exports_import_as_they_are_and_again_write_nothing(
    new_uow: UowFactory,
) -> None:
    first = [_import(new_uow, kind, name, **options) for kind, name, options in EXPORTS]
    assert [(r.accepted, r.written, r.encoding, r.encoding_detected) for r in first] == [
        (True, 4, "gb18030", True),
        (True, 4, "gb18030", False),  # the mapping names the encoding
        (True, 5, "utf-8", False),
    ]
    assert _stored(new_uow) == (4, 4, 5, 3)
    warnings = first[0].report.warnings
    assert [(w.row, w.field, w.code) for w in warnings] == [
        (2, "national_id", "unknown_region"),
        (3, "national_id", "unknown_region"),
    ]
    with new_uow() as uow:
        borrower = uow.borrowers(PLATFORM).get("C1002")
        loan = uow.loans(PLATFORM).get("JJ2025090003")
    assert borrower is not None
    assert borrower.national_id == "500100199003120046"
    assert borrower.attributes == {"客户经理": "张敏"}
    assert loan is not None
    assert str(loan.terms.principal.amount) == "8000.00"
    again = [_import(new_uow, kind, name, **options) for kind, name, options in EXPORTS]
    assert [(r.written, r.unchanged) for r in again] == [(0, 4), (0, 4), (0, 5)]


def test_a_dry_run_reports_everything_and_leaves_no_trace(new_uow: UowFactory) -> None:
    checked = _import(new_uow, "borrowers", "borrowers_gbk.csv", checked_only=True)
    assert (checked.checked_only, checked.accepted, checked.written) == (True, True, 4)
    assert len(checked.report.warnings) == 2
    assert _stored(new_uow) == (0, 0, 0, 0)  # not even the import log
    # Loans of borrowers not stored yet: every row reported, nothing written.
    refused = _import(new_uow, "loans", "loans_excel_gbk.csv", mapping=MAPPING, checked_only=True)
    assert (refused.accepted, refused.written, refused.rejected) == (False, 0, 4)
    assert {e.code for e in refused.report.errors} == {"unknown_borrower"}
    assert _stored(new_uow) == (0, 0, 0, 0)


def test_day_first_dates_import_once_their_order_is_given(new_uow: UowFactory) -> None:
    for kind, name, options in EXPORTS[:2]:
        _import(new_uow, kind, name, **options)
    refused = _import(new_uow, "payments", "payments_day_first.csv")
    assert [e.code for e in refused.report.errors] == ["ambiguous_date", "ambiguous_date"]
    told = _import(new_uow, "payments", "payments_day_first.csv", date_format="DD/MM/YYYY")
    assert (told.accepted, told.written) == (True, 2)
    with pytest.raises(UsageError):
        _import(new_uow, "payments", "payments_day_first.csv", date_format="DD/MM")


def test_progress_is_heard_while_records_are_checked(new_uow: UowFactory) -> None:
    heard: list[tuple[str, int, int]] = []
    _import(
        new_uow,
        "borrowers",
        "borrowers_gbk.csv",
        progress=lambda label, done, total: heard.append((label, done, total)),
    )
    assert heard == [("checking records", 0, 4), ("checking records", 4, 4)]
