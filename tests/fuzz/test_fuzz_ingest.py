"""The import readers and validators: any file, any value — records, row errors or InputRejected."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.common import (
    FUZZ,
    LONG_DIGITS,
    json_values,
    python_values,
    result_or_coded_error,
    tricky_text,
)
from tideover.domain.money import CNY
from tideover.ingest.contract import CONTRACTS, KINDS
from tideover.ingest.readers import RecordSet, read_records
from tideover.ingest.report import RowError
from tideover.ingest.validate import (
    Validated,
    validate_borrowers,
    validate_loans,
    validate_payments,
)

TODAY = date(2026, 3, 1)

kinds = st.sampled_from(KINDS)


def _columns(kind: str) -> st.SearchStrategy[list[str]]:
    names = list(CONTRACTS[kind].names)
    return st.lists(
        st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=8)),
        min_size=1,
        max_size=len(names) + 2,
        unique_by=lambda n: n.strip().lower(),
    )


def _validate(kind: str, records: Any) -> Validated[Any]:
    if kind == "borrowers":
        return validate_borrowers(records, platform="p", today=TODAY)
    if kind == "loans":
        return validate_loans(records, platform="p", today=TODAY, default_currency=CNY)
    return validate_payments(records, platform="p", today=TODAY, default_currency=CNY)


def _check_errors(errors: tuple[RowError, ...]) -> None:
    for error in errors:
        assert error.value.isprintable() or error.value == "", repr(error.value)
        for text in (error.value, error.reason_en, error.reason_zh):
            assert not LONG_DIGITS.search(text), text  # no ID or card number in a report


def _read_and_validate(kind: str, path: Path) -> None:
    read = result_or_coded_error(lambda: read_records(path, required_columns=()))
    if not isinstance(read, RecordSet):
        return
    _check_errors(read.errors)
    validated = result_or_coded_error(lambda: _validate(kind, read))
    if isinstance(validated, Validated):
        _check_errors(validated.errors)


@FUZZ
@given(kind=kinds, data=st.data())
def test_any_csv_file(kind: str, data: st.DataObject) -> None:
    columns = data.draw(_columns(kind))
    rows = data.draw(st.lists(st.lists(tricky_text, max_size=len(columns) + 1), max_size=4))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    tail = data.draw(st.one_of(st.just(""), st.text(max_size=30)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_text(buffer.getvalue() + tail, encoding="utf-8", errors="surrogatepass")
        _read_and_validate(kind, path)


@FUZZ
@given(kind=kinds, data=st.data())
def test_any_json_lines_file(kind: str, data: st.DataObject) -> None:
    names = list(CONTRACTS[kind].names)
    record = st.dictionaries(st.one_of(st.sampled_from(names), st.text(max_size=6)), json_values)
    lines = data.draw(
        st.lists(
            st.one_of(
                record.map(lambda r: json.dumps(r, ensure_ascii=data.draw(st.booleans()))),
                json_values.map(json.dumps),
                st.text(max_size=30),
                st.integers(1, 300).map(lambda n: '{"x": ' + "[" * n + "]" * n + "}"),
            ),
            max_size=5,
        )
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.jsonl"
        path.write_bytes("\n".join(lines).encode("utf-8", errors="surrogatepass"))
        _read_and_validate(kind, path)


@FUZZ
@given(kind=kinds, raw=st.binary(max_size=200))
def test_any_bytes_as_any_format(kind: str, raw: bytes) -> None:
    for suffix in (".csv", ".jsonl", ".parquet"):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"data{suffix}"
            path.write_bytes(raw)
            _read_and_validate(kind, path)


_ARROW_COLUMNS: list[tuple[pa.DataType, st.SearchStrategy[Any]]] = [
    # Arrow strings are UTF-8: a lone surrogate cannot be written to Parquet at all.
    (pa.string(), tricky_text.map(lambda t: t.encode("utf-8", "replace").decode("utf-8"))),
    (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    (pa.float64(), st.floats()),
    (pa.decimal128(38, 4), st.decimals(-(10**33), 10**33, places=4, allow_nan=False)),
    (pa.date32(), st.dates()),
    (pa.timestamp("us"), st.datetimes()),
    (pa.bool_(), st.booleans()),
    (pa.binary(), st.binary(max_size=6)),
]


@FUZZ
@given(kind=kinds, data=st.data())
def test_any_parquet_file(kind: str, data: st.DataObject) -> None:
    columns = data.draw(_columns(kind))
    length = data.draw(st.integers(0, 4))
    arrays = {}
    for name in columns:
        arrow_type, values = data.draw(st.sampled_from(_ARROW_COLUMNS))
        cells = data.draw(st.lists(st.none() | values, min_size=length, max_size=length))
        arrays[name] = pa.array(cells, arrow_type)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.parquet"
        pq.write_table(pa.table(arrays), path)
        _read_and_validate(kind, path)


@FUZZ
@given(
    kind=kinds,
    records=st.lists(st.dictionaries(st.text(max_size=12), python_values, max_size=12), max_size=3),
    data=st.data(),
)
def test_validators_take_any_values(
    kind: str, records: list[dict[str, Any]], data: st.DataObject
) -> None:
    names = list(CONTRACTS[kind].names)
    filled: list[tuple[int, Mapping[str, object]]] = []
    for row, record in enumerate(records, start=1):
        chosen = data.draw(st.dictionaries(st.sampled_from(names), python_values, max_size=8))
        filled.append((row, {**record, **chosen}))
    validated = result_or_coded_error(lambda: _validate(kind, filled))
    if isinstance(validated, Validated):
        _check_errors(validated.errors)


@FUZZ
@given(amount=st.decimals(allow_nan=True, allow_infinity=True) | st.text(max_size=30))
def test_any_amount_is_a_payment_or_a_row_error(amount: Decimal | str) -> None:
    record = {"payment_id": "P1", "loan_id": "L1", "amount": amount, "paid_on": "2026-01-01"}
    result = _validate("payments", [(1, record)])
    assert len(result.items) + len({e.row for e in result.errors}) == 1
    for _, payment in result.items:
        assert 0 < payment.amount.minor <= 10**12  # the documented maximum, in fen
