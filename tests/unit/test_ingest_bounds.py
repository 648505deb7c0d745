"""Bounds on imported values: every absurd or unsafe value is a per-record error (issue #14).

Each case here once got through, or raised instead of being reported: an amount
of 90,000,000,000,000,000.00, ``1e999``, a payment dated 0001-01-01, ids with
NUL or U+202E, a JSON record nested thousands deep, full resident IDs in the
rejection report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tideover.domain.money import CNY
from tideover.ingest.bounds import MAX_JSON_DEPTH, MAX_LINE_BYTES, id_problem, text_problem
from tideover.ingest.readers import read_records
from tideover.ingest.report import RowError
from tideover.ingest.validate import validate_borrowers, validate_loans, validate_payments

TODAY = date(2026, 3, 1)
PAYMENT = {"payment_id": "P1", "loan_id": "L1", "amount": "100.00", "paid_on": "2026-02-15"}
LOAN = {
    "loan_id": "L1",
    "borrower_id": "B1",
    "principal": "12000.00",
    "annual_rate": "0.12",
    "term": "12",
    "method": "equal-installment",
    "start_date": "2026-01-15",
}
BORROWER = {"borrower_id": "B1", "name": "王芳", "phone": "13900001111"}


def _payment_errors(allow_future: bool = False, **values: object) -> list[RowError]:
    record: Mapping[str, object] = {**PAYMENT, **values}
    result = validate_payments(
        [(1, record)], platform="p", today=TODAY, default_currency=CNY, allow_future=allow_future
    )
    return list(result.errors)


def _loan_errors(**values: object) -> list[RowError]:
    result = validate_loans(
        [(1, {**LOAN, **values})], platform="p", today=TODAY, default_currency=CNY
    )
    return list(result.errors)


def _borrower_errors(**values: object) -> list[RowError]:
    result = validate_borrowers([(1, {**BORROWER, **values})], platform="p", today=TODAY)
    return list(result.errors)


def _codes(errors: list[RowError]) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in errors]


# -- amounts ---------------------------------------------------------------------------


def test_an_absurd_payment_is_a_per_record_error() -> None:
    errors = _payment_errors(amount="90000000000000000.00")
    assert _codes(errors) == [("amount", "too_large")]
    assert "10,000,000,000 CNY" in errors[0].reason_en
    assert "最大金额" in errors[0].reason_zh


def test_the_largest_amount_is_accepted_and_one_fen_more_is_not() -> None:
    assert _payment_errors(amount="10000000000.00") == []
    assert _codes(_payment_errors(amount="10000000000.01")) == [("amount", "too_large")]
    assert _codes(_loan_errors(principal="10000000000.01")) == [("principal", "too_large")]


@pytest.mark.parametrize(
    "amount",
    ["1e999", "1E+2", "NaN", "Infinity", "-Infinity", "1" * 60, "0x10", "1_000", " ", "١٠٠"],
)
def test_numbers_that_are_not_plain_decimals_are_refused(amount: str) -> None:
    codes = _codes(_payment_errors(amount=amount))
    assert codes in ([("amount", "not_a_number")], [("amount", "required")])


@pytest.mark.parametrize("value", [Decimal("Infinity"), Decimal("NaN"), Decimal("1E+999")])
def test_decimal_values_beyond_reason_are_refused(value: Decimal) -> None:
    errors = _payment_errors(amount=value)
    assert len(errors) == 1
    assert errors[0].field == "amount"


@pytest.mark.parametrize("rate", ["1e999", "1E+2%", "9" * 50, "1e-999999999999"])
def test_rates_in_exponent_form_are_refused(rate: str) -> None:
    assert _codes(_loan_errors(annual_rate=rate)) == [("annual_rate", "invalid_rate")]


def test_json_exponents_and_endless_integers_stay_text_and_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "payments.jsonl"
    lines = [
        '{"payment_id": "P1", "loan_id": "L1", "amount": 1e999, "paid_on": "2026-02-15"}',
        '{"payment_id": "P2", "loan_id": "L1", "amount": '
        + "9" * 5000
        + ', "paid_on": "2026-02-15"}',
        '{"payment_id": "P3", "loan_id": "L1", "amount": 100.5, "paid_on": "2026-02-15"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = read_records(path)
    assert records.errors == ()
    result = validate_payments(records, platform="p", today=TODAY, default_currency=CNY)
    assert [(e.row, e.field, e.code) for e in result.errors] == [
        (1, "amount", "not_a_number"),
        (2, "amount", "not_a_number"),
    ]
    assert result.errors[0].value == "1e999"
    assert [row for row, _ in result.items] == [3]


def test_parquet_infinity_and_nan_amounts_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "payments.parquet"
    table = pa.table(
        {
            "payment_id": ["P1", "P2"],
            "loan_id": ["L1", "L1"],
            "amount": pa.array([float("inf"), float("nan")], pa.float64()),
            "paid_on": [date(2026, 2, 1), date(2026, 2, 1)],
        }
    )
    pq.write_table(table, path)
    result = validate_payments(read_records(path), platform="p", today=TODAY, default_currency=CNY)
    assert [(e.row, e.code) for e in result.errors] == [(1, "not_a_number"), (2, "required")]


# -- dates -----------------------------------------------------------------------------


def test_a_payment_dated_year_one_is_refused() -> None:
    errors = _payment_errors(paid_on="0001-01-01")
    assert _codes(errors) == [("paid_on", "too_early")]
    assert "1900-01-01" in errors[0].reason_en


def test_a_loan_started_before_1900_is_refused() -> None:
    assert _codes(_loan_errors(start_date="1899-12-31")) == [("start_date", "too_early")]


def test_a_first_due_date_far_ahead_is_an_error_not_an_overflow() -> None:
    assert _codes(_loan_errors(first_due_date="9999-12-31")) == [("first_due_date", "too_late")]
    assert _loan_errors(first_due_date="2031-01-15") == []


def test_a_future_payment_needs_the_import_to_allow_it() -> None:
    assert _codes(_payment_errors(paid_on="2026-03-02")) == [("paid_on", "in_the_future")]
    assert _payment_errors(allow_future=True, paid_on="2026-03-02") == []
    assert _codes(_payment_errors(allow_future=True, paid_on="2027-03-03")) == [
        ("paid_on", "in_the_future")
    ]


# -- ids and text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("P\x001", "U+0000"),
        ("P1\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("P\u200b1", "U+200B ZERO WIDTH SPACE"),
        ("P 1", "U+0020 SPACE"),
        ("P\ue0001", "U+E000"),
        ("P\ud8001", "U+D800"),
        ("P\u00ad1", "U+00AD SOFT HYPHEN"),
    ],
)
def test_ids_with_invisible_or_reordering_characters_are_refused(value: str, shown: str) -> None:
    errors = _payment_errors(payment_id=value)
    assert _codes(errors) == [("payment_id", "unsafe_id")]
    assert shown in errors[0].reason_en
    assert errors[0].value.isprintable()  # shown as an escape, never printed raw


@pytest.mark.parametrize("column", ["loan_id", "reverses"])
def test_every_id_column_is_checked(column: str) -> None:
    assert _codes(_payment_errors(**{column: "L\u202e1"})) == [(column, "unsafe_id")]


def test_ids_may_use_letters_of_any_script_and_common_punctuation() -> None:
    assert _payment_errors(payment_id="还款-2026/03#1@bank:x_y.z", loan_id="借据001") == []


def test_full_width_ids_are_refused_with_their_canonical_form() -> None:
    errors = _payment_errors(payment_id="Ｐ００１")
    assert _codes(errors) == [("payment_id", "unsafe_id")]
    assert "P001" in errors[0].reason_en


def test_surrounding_spaces_of_an_id_are_trimmed() -> None:
    result = validate_payments(
        [(1, {**PAYMENT, "payment_id": "  P1 "})], platform="p", today=TODAY, default_currency=CNY
    )
    assert result.items[0][1].payment_id == "P1"


@pytest.mark.parametrize(
    ("column", "value"),
    [("name", "王\x00芳"), ("name", "王\n芳"), ("name", "王\u202e芳"), ("address", "a\x00b")],
)
def test_text_with_nul_or_controls_is_refused(column: str, value: str) -> None:
    assert _codes(_borrower_errors(**{column: value})) == [(column, "unsafe_text")]


def test_an_address_may_span_lines() -> None:
    assert _borrower_errors(address="北京市朝阳区\n建国路 1 号\t3 层") == []


def test_extra_columns_obey_the_text_and_id_rules() -> None:
    errors = _borrower_errors(segment="a\x00", branch_id="X\u202e", note="ok\nfine")
    assert sorted(_codes(errors)) == [("branch_id", "unsafe_id"), ("segment", "unsafe_text")]


def test_unsafe_characters_are_named_not_printed() -> None:
    problem = text_problem("name", "ab\x07")
    assert problem is not None
    assert "U+0007" in problem.en
    assert "\x07" not in problem.en
    assert id_problem("loan_id", "L-001") is None


# -- JSON Lines ------------------------------------------------------------------------


def test_a_deeply_nested_record_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "payments.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    shallow = json.dumps({**PAYMENT, "note": "[[[[" * 10, "tags": [[["a"]]]})
    path.write_text(f'{{"payment_id": "P9", "x": {deep}}}\n{shallow}\n', encoding="utf-8")
    records = read_records(path)
    assert [(e.row, e.field, e.code) for e in records.errors] == [(1, "*", "too_deep")]
    assert str(MAX_JSON_DEPTH) in records.errors[0].reason_en
    assert [row for row, _ in records.records] == [2]


def test_an_overlong_line_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "payments.jsonl"
    big = json.dumps({**PAYMENT, "note": "x" * MAX_LINE_BYTES})
    path.write_text(big + "\n" + json.dumps(PAYMENT) + "\n", encoding="utf-8")
    records = read_records(path)
    assert [(e.row, e.code) for e in records.errors] == [(1, "line_too_long")]


def test_a_broken_json_line_is_not_repeated_in_the_report(tmp_path: Path) -> None:
    path = tmp_path / "borrowers.jsonl"
    path.write_text('{"name": "王芳", "address": "北京市朝阳区建国路 1 号",\n', encoding="utf-8")
    records = read_records(path)
    assert records.errors[0].code == "not_json"
    assert "王芳" not in records.errors[0].value
    assert "建国路" not in records.errors[0].value


def test_json_keys_with_control_characters_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "payments.jsonl"
    path.write_text(json.dumps({**PAYMENT, "no\u0000te": "x"}) + "\n", encoding="utf-8")
    assert [e.code for e in read_records(path).errors] == ["unsafe_text"]


def test_a_csv_header_with_a_control_character_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "payments.csv"
    path.write_text("payment_id,loan\x00_id,amount,paid_on\nP1,L1,1,2026-01-01\n", encoding="utf-8")
    from tideover.domain.errors import InputRejected

    with pytest.raises(InputRejected, match="U\\+0000"):
        read_records(path)


# -- personal data in the report -------------------------------------------------------


def test_the_report_masks_a_bad_resident_id_in_value_and_reason() -> None:
    errors = _borrower_errors(national_id="110105194912310029")  # bad check character
    assert _codes(errors) == [("national_id", "invalid_national_id")]
    error = errors[0]
    assert error.value == "1101**********0029"
    for text in (error.value, error.reason_en, error.reason_zh):
        assert "110105194912310029" not in text


def test_the_report_masks_phones_names_emails_and_addresses() -> None:
    errors = _borrower_errors(
        phone="13900001111;1390000222",
        email="wang.fang@@example.com",
        name="王" * 201,
        address="北京市" + "朝" * 600,
    )
    by_field = {e.field: e for e in errors}
    assert by_field["phone"].value == "139****0222"
    assert "1390000222" not in by_field["phone"].reason_en
    assert by_field["email"].value.startswith("w***@")
    assert "wang.fang" not in by_field["email"].reason_en
    assert by_field["name"].value == "王***"
    assert by_field["address"].value == "北京市****"


def test_personal_data_in_other_columns_is_scrubbed() -> None:
    errors = _payment_errors(channel="call 13812345678 " + "x" * 40)
    assert _codes(errors) == [("channel", "too_long")]
    assert "13812345678" not in errors[0].value
    assert "138****5678" in errors[0].value


def test_a_row_error_built_anywhere_is_scrubbed() -> None:
    error = RowError(
        3, "borrower_id", "11010519491231002X", "unknown borrower 11010519491231002X", "未知"
    )
    assert error.value == "1101**********002X"
    assert "11010519491231002X" not in error.reason_en
