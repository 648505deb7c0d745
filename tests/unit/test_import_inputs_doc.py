"""docs/import.md's table of values tried says what each gives now: every row is rerun."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tideover.domain.money import CNY
from tideover.ingest.spellings import DateFormat
from tideover.ingest.validate import (
    Validated,
    validate_borrowers,
    validate_loans,
    validate_payments,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "import.md"
TODAY = date(2026, 3, 1)
BASE: dict[str, dict[str, object]] = {
    "borrowers": {"borrower_id": "B1", "name": "张伟", "phone": "13800138000"},
    "loans": {
        "loan_id": "L1",
        "borrower_id": "B1",
        "principal": "12000",
        "annual_rate": "0.12",
        "term": "12",
        "method": "equal-installment",
        "start_date": "2025-06-15",
    },
    "payments": {"payment_id": "P1", "loan_id": "L1", "amount": "100", "paid_on": "2025-07-15"},
}
_ROW = re.compile(
    r"^\| (borrowers|loans|payments) \| (\w+) \| `([^`]*)`(?: with `--date-format ([^`]*)`)? "
    r"\| ([^|]*) \|"
)


def _rows() -> list[tuple[str, str, str, str | None, str]]:
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("checked by tests/unit/test_import_inputs_doc.py", 1)[1]
    return [m.groups() for m in map(_ROW.match, table.splitlines()) if m]  # type: ignore[misc]


def _value(kind: str, column: str, item: object) -> str:
    getters: dict[str, Callable[[object], object]] = {
        "principal": lambda loan: loan.terms.principal.amount,  # type: ignore[attr-defined]
        "annual_rate": lambda loan: loan.terms.annual_rate.normalize(),  # type: ignore[attr-defined]
        "term": lambda loan: loan.terms.term,  # type: ignore[attr-defined]
        "method": lambda loan: loan.terms.method.value,  # type: ignore[attr-defined]
        "frequency": lambda loan: loan.terms.frequency.value,  # type: ignore[attr-defined]
        "start_date": lambda loan: loan.terms.start_date,  # type: ignore[attr-defined]
        "phone": lambda b: b.phones[0].e164,  # type: ignore[attr-defined]
        "amount": lambda p: p.amount.amount,  # type: ignore[attr-defined]
    }
    value = getters[column](item) if column in getters else getattr(item, column)
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def test_the_table_is_there_and_long() -> None:
    assert len(_rows()) >= 40


@pytest.mark.parametrize(("kind", "column", "given", "order", "gives"), _rows())
def test_each_value_tried_gives_what_the_table_says(
    kind: str, column: str, given: str, order: str | None, gives: str
) -> None:
    record = {**BASE[kind], column: given}
    date_format = None if order is None else DateFormat.parse(order)
    result: Validated[Any]
    if kind == "borrowers":
        result = validate_borrowers([(1, record)], platform="a", today=TODAY)
    elif kind == "loans":
        result = validate_loans(
            [(1, record)], platform="a", today=TODAY, default_currency=CNY, date_format=date_format
        )
    else:
        result = validate_payments(
            [(1, record)], platform="a", today=TODAY, default_currency=CNY, date_format=date_format
        )
    items, errors, warnings = result.items, result.errors, result.warnings
    error = re.match(r"error `(\w+)`", gives.strip())
    if error is not None:
        assert [(e.field, e.code) for e in errors] == [(column, error.group(1))]
        return
    assert not errors, errors
    expected = re.findall(r"`([^`]*)`", gives)
    assert _value(kind, column, items[0][1]) == expected[0]
    warned = re.search(r"warning `(\w+)`", gives)
    assert [w.code for w in warnings] == ([warned.group(1)] if warned else [])
