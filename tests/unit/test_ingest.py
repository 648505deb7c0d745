"""Readers, the column contract, record validation and the rejection report."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from rich.console import Console

from tideover.domain.borrowers import Borrower
from tideover.domain.errors import InputRejected, UsageError
from tideover.domain.loans import Frequency, Loan, RepaymentMethod
from tideover.domain.money import CNY, USD, Money
from tideover.domain.payments import Payment
from tideover.ingest.contract import CONTRACTS, KINDS, contract_for, render_markdown
from tideover.ingest.readers import detect_format, read_records
from tideover.ingest.report import RejectionReport, RowError
from tideover.ingest.validate import (
    Validated,
    validate_borrowers,
    validate_loans,
    validate_payments,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "import.md"
TODAY = date(2026, 3, 1)
FORMATS = ("csv", "parquet", "jsonl")


def _borrowers(path: Path) -> Validated[Borrower]:
    records = read_records(path, required_columns=CONTRACTS["borrowers"].required)
    return validate_borrowers(records, platform="acme", today=TODAY)


def _loans(path: Path) -> Validated[Loan]:
    records = read_records(path, required_columns=CONTRACTS["loans"].required)
    return validate_loans(records, platform="acme", today=TODAY, default_currency=CNY)


def _payments(path: Path) -> Validated[Payment]:
    records = read_records(path, required_columns=CONTRACTS["payments"].required)
    return validate_payments(records, platform="acme", today=TODAY, default_currency=CNY)


def _pairs(errors: tuple[RowError, ...]) -> list[tuple[int, str]]:
    return sorted((e.row, e.field) for e in errors)


# -- the contract --------------------------------------------------------------------


def test_every_kind_has_a_contract_with_its_id_required() -> None:
    for kind in KINDS:
        contract = contract_for(kind)
        assert contract.id_column in contract.required
        assert all(c.description and c.example for c in contract.columns)


def test_unknown_kind_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        contract_for("events")


def test_docs_show_the_contract_as_declared() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for kind in KINDS:
        assert render_markdown(contract_for(kind)) in text, f"docs/import.md: {kind} table"


# -- readers -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_good_files_of_every_format_give_the_same_borrowers(fmt: str) -> None:
    result = _borrowers(DATA / f"borrowers.{fmt}")
    assert result.errors == ()
    assert [row for row, _ in result.items] == [1, 2, 3]
    first, second, third = (b for _, b in result.items)
    assert first.name == "张伟"
    assert first.national_id == "11010519491231002X"
    assert first.attributes == {"segment": "salaried"}
    assert [p.e164 for p in second.phones] == ["+12125550100", "+16502530000"]
    assert second.candidate_time_zones == ("America/New_York", "America/Los_Angeles")
    assert second.locale == "en-US"
    assert second.email == "alice@example.com"
    assert third.time_zone is None
    assert third.candidate_time_zones == ("Asia/Shanghai",)
    assert result.items == _borrowers(DATA / "borrowers.csv").items


@pytest.mark.parametrize("fmt", FORMATS)
def test_good_files_of_every_format_give_the_same_loans(fmt: str) -> None:
    result = _loans(DATA / f"loans.{fmt}")
    assert result.errors == ()
    loans = [loan for _, loan in result.items]
    assert [loan.loan_id for loan in loans] == ["L001", "L002", "L003"]
    first, second, third = loans
    assert first.terms.principal == Money.of("12000.00", CNY)
    assert first.terms.annual_rate == Decimal("0.1299")
    assert first.terms.first_due_date == date(2025, 7, 15)
    assert first.schedule.total_principal == Money.of("12000.00", CNY)
    assert len(first.schedule.installments) == 12
    assert second.terms.annual_rate == Decimal("0.18")  # written 18%
    assert second.terms.method is RepaymentMethod.EQUAL_PRINCIPAL
    assert second.schedule.installments[0].total == Money.of("908.33", CNY)
    assert third.terms.frequency is Frequency.BIWEEKLY
    assert first.product == "cash-loan-12m"
    assert result.items == _loans(DATA / "loans.csv").items


@pytest.mark.parametrize("fmt", FORMATS)
def test_good_files_of_every_format_give_the_same_payments(fmt: str) -> None:
    result = _payments(DATA / f"payments.{fmt}")
    assert result.errors == ()
    payments = [p for _, p in result.items]
    assert [p.payment_id for p in payments] == ["P001", "P002", "P003", "P004"]
    assert payments[0].amount == Money.of("1071.60", CNY)
    assert payments[1].paid_on == date(2025, 8, 15)
    assert payments[3].reverses == "P003"
    assert result.items == _payments(DATA / "payments.csv").items


def test_format_comes_from_the_extension_or_the_caller() -> None:
    assert detect_format(Path("a.CSV")) == "csv"
    assert detect_format(Path("a.pq")) == "parquet"
    assert detect_format(Path("a.ndjson")) == "jsonl"
    assert detect_format(Path("a.dat"), "csv") == "csv"
    assert detect_format(Path("a.txt")) == "csv"  # Excel's "Unicode text" export
    with pytest.raises(InputRejected, match=r"a\.dat"):
        detect_format(Path("a.dat"))
    with pytest.raises(InputRejected, match="save the sheet as CSV"):
        detect_format(Path("a.xlsx"))
    with pytest.raises(InputRejected, match="unknown format 'xlsx'"):
        detect_format(Path("a.csv"), "xlsx")


def test_csv_with_and_without_bom_reads_the_same() -> None:
    assert (DATA / "borrowers.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with_bom = read_records(DATA / "borrowers.csv")
    assert with_bom.columns[0] == "borrower_id"
    assert with_bom.records[0][1]["borrower_id"] == "B001"


def test_missing_required_columns_name_the_file_and_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "loans.csv"
    path.write_text("loan_id,principal\nL1,100\n", encoding="utf-8")
    with pytest.raises(InputRejected) as caught:
        read_records(path, required_columns=CONTRACTS["loans"].required)
    assert str(path) in caught.value.en
    assert "borrower_id, annual_rate, term, method, start_date" in caught.value.en
    assert "缺少必填列" in caught.value.zh


def test_a_gbk_csv_is_read_as_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes("borrower_id,name\nB1,张伟\n".encode("gbk"))
    records = read_records(path)
    assert (records.encoding, records.encoding_detected) == ("gb18030", True)
    assert records.records == ((1, {"borrower_id": "B1", "name": "张伟"}),)


def test_a_csv_that_is_text_in_no_encoding_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(b"borrower_id,name\nB1,\x00\xff\xfe\x81\x00\xfe\xff\n" * 3)
    with pytest.raises(InputRejected, match="not UTF-8"):
        read_records(path)


def test_unreadable_parquet_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "b.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(InputRejected, match="not a readable Parquet file"):
        read_records(path)


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputRejected, match="no such file"):
        read_records(tmp_path / "nothing.csv")


def test_csv_rows_keep_their_numbers_across_blank_and_long_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("a,b\n1,2\n\n3,4,5\n6\n", encoding="utf-8")
    result = read_records(path)
    assert [row for row, _ in result.records] == [1, 4]
    assert result.records[1][1] == {"a": "6", "b": ""}
    assert _pairs(result.errors) == [(3, "*")]
    assert result.total_rows == 3


def test_parquet_values_keep_their_types(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"Amount ": pa.array([Decimal("1.50")], pa.decimal128(9, 2))}), path)
    result = read_records(path)
    assert result.records == ((1, {"amount": Decimal("1.50")}),)


def test_broken_json_lines_become_row_errors() -> None:
    result = read_records(DATA / "loans_broken.jsonl")
    assert [row for row, _ in result.records] == [1, 2, 4]
    assert _pairs(result.errors) == [(3, "*")]
    assert "not valid JSON" in result.errors[0].reason_en


def test_json_lines_of_only_broken_lines_report_lines_not_columns(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text("[1]\n\n{oops\n", encoding="utf-8")
    result = read_records(path, required_columns=("loan_id",))
    assert _pairs(result.errors) == [(1, "*"), (3, "*")]


# -- validation of the deliberately broken files -------------------------------------


def test_broken_borrowers_report_every_bad_field() -> None:
    result = _borrowers(DATA / "borrowers_broken.csv")
    assert [row for row, _ in result.items] == [1]
    assert _pairs(result.errors) == [
        (2, "phone"),  # 12345 is no number
        (3, "national_id"),  # bad check character
        (4, "borrower_id"),  # duplicate of row 1
        (5, "national_id"),  # born 2027, after the business date
        (5, "time_zone"),  # Asia/Beijing is not an IANA zone
        (6, "locale"),
        (6, "name"),  # required
        (6, "phone"),  # the second number is bad
    ]
    duplicate = next(e for e in result.errors if e.row == 4)
    assert "row 1" in duplicate.reason_en
    assert "第 1 行" in duplicate.reason_zh


def test_broken_loans_report_every_bad_field() -> None:
    result = _loans(DATA / "loans_broken.csv")
    # L107's unknown borrower is a database check (tests/integration).
    assert [row for row, _ in result.items] == [1, 7]
    assert _pairs(result.errors) == [
        (2, "principal"),  # negative
        (3, "annual_rate"),  # abc
        (3, "term"),  # twelve
        (4, "loan_id"),  # duplicate
        (5, "start_date"),  # in the future
        (6, "currency"),  # JPY unsupported
        (6, "method"),  # balloon
        (8, "first_due_date"),  # before start_date
        (8, "principal"),  # three decimals for CNY
    ]


def test_wrong_json_types_are_reported_per_field() -> None:
    result = _loans(DATA / "loans_broken.jsonl")
    assert [row for row, _ in result.items] == [1]
    assert result.items[0][1].terms.principal == Money.of("6000", CNY)
    assert _pairs(result.errors) == [
        (2, "principal"),  # true
        (2, "start_date"),  # 20251101 as a number
        (2, "term"),  # 12.5
        (4, "loan_id"),  # a list
    ]


def test_broken_payments_report_every_bad_field() -> None:
    result = _payments(DATA / "payments_broken.csv")
    # Unknown loan (row 2), unknown reversed payment (7) and the currency that
    # is not the loan's (8) need stored data: tests/integration.
    assert [row for row, _ in result.items] == [1, 2, 7, 8]
    assert _pairs(result.errors) == [
        (3, "amount"),  # negative
        (4, "payment_id"),  # duplicate
        (5, "paid_on"),  # in the future
        (6, "amount"),  # ten
        (6, "paid_on"),  # 15/02/2026
    ]
    assert result.items[3][1].amount == Money.of("500.00", USD)


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("0.1299", Decimal("0.1299")), ("12.99%", Decimal("0.1299")), ("1", Decimal(1))],
)
def test_rates_are_fractions_or_percentages(rate: str, expected: Decimal) -> None:
    record = {
        "loan_id": "L1",
        "borrower_id": "B1",
        "principal": "100",
        "annual_rate": rate,
        "term": "1",
        "method": "bullet",
        "start_date": "2026-01-01",
    }
    result = validate_loans([(1, record)], platform="p", today=TODAY, default_currency=CNY)
    assert result.items[0][1].terms.annual_rate == expected


def test_a_bare_rate_above_one_is_ambiguous() -> None:
    record = {
        "loan_id": "L1",
        "borrower_id": "B1",
        "principal": "100",
        "annual_rate": "12.99",
        "term": "1",
        "method": "bullet",
        "start_date": "2026-01-01",
    }
    result = validate_loans([(1, record)], platform="p", today=TODAY, default_currency=CNY)
    assert _pairs(result.errors) == [(1, "annual_rate")]
    assert "12.99%" in result.errors[0].reason_en


def test_required_values_missing_are_each_reported() -> None:
    result = validate_payments(
        [(1, {"payment_id": " ", "loan_id": None})],
        platform="p",
        today=TODAY,
        default_currency=CNY,
    )
    assert _pairs(result.errors) == [
        (1, "amount"),
        (1, "loan_id"),
        (1, "paid_on"),
        (1, "payment_id"),
    ]
    assert all("required" in e.reason_en and "必填" in e.reason_zh for e in result.errors)


# -- the report ----------------------------------------------------------------------


def _report() -> RejectionReport:
    result = _payments(DATA / "payments_broken.csv")
    return RejectionReport.build(
        kind="payments",
        file="payments_broken.csv",
        total_rows=result.total_rows,
        errors=result.errors,
    )


def test_report_counts_rows_not_errors() -> None:
    report = _report()
    assert (report.total_rows, report.valid_rows, report.rejected_rows) == (8, 4, 4)
    data = report.to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["errors"][0] == {
        "row": 3,
        "field": "amount",
        "value": "-5.00",
        "reason_en": "amount must be positive",
        "reason_zh": "amount 必须大于零",
    }


@pytest.mark.parametrize(
    ("locale", "header", "reason"),
    [("en", "reason", "amount must be positive"), ("zh-CN", "原因", "amount 必须大于零")],
)
def test_report_renders_in_the_reader_language(locale: str, header: str, reason: str) -> None:
    console = Console(record=True, width=200, color_system=None)
    _report().render(console, locale)
    text = console.export_text()
    assert header in text
    assert reason in text
    assert re.search(r"15/02/2026", text)


def test_report_does_not_read_values_as_markup() -> None:
    report = RejectionReport.build(
        kind="borrowers",
        file="b.csv",
        total_rows=1,
        errors=[RowError(1, "name", "[bold]x[/bold]", "bad", "坏")],
    )
    console = Console(record=True, width=120, color_system=None)
    report.render(console, "en")
    assert "[bold]x[/bold]" in console.export_text()


@given(
    minor=st.integers(min_value=1, max_value=10**12),  # up to the 10^10 maximum
    places=st.sampled_from([0, 1, 2]),
)
def test_amounts_with_at_most_two_decimals_are_read_exactly(minor: int, places: int) -> None:
    amount = Decimal(minor).scaleb(-2).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    assume(amount > 0)
    record = {"payment_id": "P1", "loan_id": "L1", "amount": str(amount), "paid_on": "2026-01-01"}
    result = validate_payments([(1, record)], platform="p", today=TODAY, default_currency=CNY)
    assert result.items[0][1].amount.amount == amount


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**9), places=3))
def test_amounts_with_a_third_decimal_are_refused_not_rounded(amount: Decimal) -> None:
    assume(amount != amount.quantize(Decimal("0.01")))
    record = {"payment_id": "P1", "loan_id": "L1", "amount": str(amount), "paid_on": "2026-01-01"}
    result = validate_payments([(1, record)], platform="p", today=TODAY, default_currency=CNY)
    assert _pairs(result.errors) == [(1, "amount")]
