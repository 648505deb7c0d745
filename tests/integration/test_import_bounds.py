"""Absurd and unsafe values reach neither database: each is a per-record error (issue #14).

Runs on SQLite and on PostgreSQL, where a NUL in a text column used to fail the
whole import with a driver error, and an amount beyond int64 minor units used
to be stored and break every later delinquency run of the platform.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.money import CNY
from tideover.ingest.contract import Kind
from tideover.services.portfolio.imports import ImportResult, import_file

TODAY = date(2026, 3, 1)
PLATFORM = "acme"

UowFactory = Callable[[], SqlAlchemyUnitOfWork]


@pytest.fixture
def acme(uow_factory: UowFactory) -> UowFactory:
    with uow_factory() as uow:
        uow.platforms.ensure(PLATFORM, name="Acme Finance", currency=CNY, settings={})
        uow.commit()
    return uow_factory


def _import(acme: UowFactory, kind: Kind, path: Path) -> ImportResult:
    return import_file(
        uow=acme(), platform=PLATFORM, kind=kind, path=path, today=TODAY, skip_invalid=True
    )


def _errors(result: ImportResult) -> list[tuple[int, str, str]]:
    return [(e.row, e.field, e.code) for e in result.report.errors]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _borrowers_and_a_loan(acme: UowFactory, tmp_path: Path) -> None:
    borrowers = _write(tmp_path / "b.csv", ["borrower_id,name,phone", "B1,王芳,13900001111"])
    loans = _write(
        tmp_path / "l.csv",
        [
            "loan_id,borrower_id,principal,annual_rate,term,method,start_date",
            "L1,B1,12000.00,0.12,12,equal-installment,2025-01-15",
        ],
    )
    assert _import(acme, "borrowers", borrowers).written == 1
    assert _import(acme, "loans", loans).written == 1


def test_nul_and_bidi_characters_are_row_errors_on_both_databases(
    acme: UowFactory, tmp_path: Path
) -> None:
    path = tmp_path / "borrowers.jsonl"
    records = [
        {"borrower_id": "B1", "name": "王芳", "phone": "13900001111"},
        {"borrower_id": "B2", "name": "赵\u0000磊", "phone": "13900002222"},
        {"borrower_id": "B3\u202e", "name": "孙丽", "phone": "13900003333"},
        {"borrower_id": "B\u00004", "name": "周杰", "phone": "13900004444"},
        {"borrower_id": "B5", "name": "吴敏", "phone": "13900005555", "address": "北京\u0000"},
        {"borrower_id": "B6", "name": "郑爽", "phone": "13900006666", "note": "a\u0000b"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = _import(acme, "borrowers", path)
    assert _errors(result) == [
        (2, "name", "unsafe_text"),
        (3, "borrower_id", "unsafe_id"),
        (4, "borrower_id", "unsafe_id"),
        (5, "address", "unsafe_text"),
        (6, "note", "unsafe_text"),
    ]
    assert (result.written, result.rejected) == (1, 5)
    with acme() as uow:
        assert uow.borrowers(PLATFORM).count() == 1


def test_absurd_amounts_and_dates_are_row_errors_and_nothing_absurd_is_stored(
    acme: UowFactory, tmp_path: Path
) -> None:
    _borrowers_and_a_loan(acme, tmp_path)
    payments = _write(
        tmp_path / "p.csv",
        [
            "payment_id,loan_id,amount,paid_on",
            "P1,L1,90000000000000000.00,2025-02-15",
            "P2,L1,1e999,2025-02-15",
            "P3,L1,1071.60,0001-01-01",
            "P4,L1,NaN,2025-02-15",
            "P\u202e5,L1,1.00,2025-02-15",
            "P6,L1,1071.60,2025-02-15",
        ],
    )
    result = _import(acme, "payments", payments)
    assert _errors(result) == [
        (1, "amount", "too_large"),
        (2, "amount", "not_a_number"),
        (3, "paid_on", "too_early"),
        (4, "amount", "not_a_number"),
        (5, "payment_id", "unsafe_id"),
    ]
    assert result.written == 1
    with acme() as uow:
        assert uow.payments(PLATFORM).count() == 1


def test_a_deep_json_record_and_a_json_exponent_are_row_errors(
    acme: UowFactory, tmp_path: Path
) -> None:
    _borrowers_and_a_loan(acme, tmp_path)
    deep = "[" * 50_000 + "]" * 50_000
    path = _write(
        tmp_path / "p.jsonl",
        [
            f'{{"payment_id": "P1", "loan_id": "L1", "amount": 1, "paid_on": "2025-02-15", '
            f'"x": {deep}}}',
            '{"payment_id": "P2", "loan_id": "L1", "amount": 1e999, "paid_on": "2025-02-15"}',
            '{"payment_id": "P3", "loan_id": "L1", "amount": 12.5, "paid_on": "2025-02-15"}',
        ],
    )
    result = _import(acme, "payments", path)
    assert _errors(result) == [(1, "*", "too_deep"), (2, "amount", "not_a_number")]
    assert result.written == 1
