"""Real exports: encodings, numbers and dates as spreadsheets write them, Chinese labels,
column mappings, "did you mean", and doubts that warn instead of refusing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.domain.errors import InputRejected, UsageError
from tideover.domain.loans import Frequency, RepaymentMethod
from tideover.domain.money import CNY
from tideover.ingest.contract import BORROWERS, LOANS, PAYMENTS
from tideover.ingest.encoding import codec_name, decode
from tideover.ingest.headers import ColumnMapping
from tideover.ingest.readers import read_records
from tideover.ingest.spellings import AMBIGUOUS, DateFormat, half_width, plain_number, read_date
from tideover.ingest.validate import validate_borrowers, validate_loans, validate_payments

DATA = Path(__file__).resolve().parents[1] / "data" / "import"
TODAY = date(2026, 3, 1)


# -- numbers -------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_a_grouped_number_reads_as_the_plain_one(whole: int, cents: int) -> None:
    grouped = f"{whole:,}.{cents:02d}"
    assert Decimal(plain_number(grouped)) == Decimal(f"{whole}.{cents:02d}")


@given(st.integers(min_value=0, max_value=10**12))
def test_full_width_digits_read_as_ascii(number: int) -> None:
    full = "".join(chr(ord(c) + 0xFEE0) for c in f"{number}.5")
    assert half_width(full) == f"{number}.5"
    assert Decimal(plain_number(full)) == Decimal(f"{number}.5")


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("12,000.00", None, "12000.00"),
        ("¥12,000.00", "CNY", "12000.00"),
        ("￥12,000.00", "CNY", "12000.00"),  # the full-width yen sign of a Chinese keyboard
        ("12000元", "CNY", "12000"),
        ("$12,000.00", "USD", "12000.00"),
        ("$12,000.00", "CNY", "$12,000.00"),  # another currency's sign stays, to be refused
        ("1,5", None, "1,5"),  # a decimal comma is not grouping
        ("12,00", None, "12,00"),
        ("1,2345", None, "1,2345"),
    ],
)
def test_what_decorates_a_number_is_dropped_and_nothing_else(
    text: str, currency: str | None, expected: str
) -> None:
    assert plain_number(text, currency) == expected


# -- dates ---------------------------------------------------------------------------------


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_every_year_first_spelling_of_a_date_reads_as_that_date(day: date) -> None:
    y, m, d = day.year, day.month, day.day
    for text in (
        day.isoformat(),
        f"{y}/{m}/{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}日",
        f"{y}{m:02d}{d:02d}",
        f"{y}/{m}/{d} 0:00",
        f"{day.isoformat()} 00:00:00",
        half_width(day.isoformat()).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}),
    ):
        assert read_date(text) == day, text


@pytest.mark.parametrize(
    "text",
    ["2026/2/30", "2026-13-01", "20260230", "2026年2月29日", "2026/3/10 9:30", "26/3/10", "x"],
)
def test_a_day_that_does_not_exist_or_is_not_a_day_is_none(text: str) -> None:
    assert read_date(text) is None


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)))
def test_day_and_month_first_is_ambiguous_until_the_order_is_given(day: date) -> None:
    text = f"{day.day:02d}/{day.month:02d}/{day.year}"
    assert read_date(text) is AMBIGUOUS
    assert read_date(text, DateFormat.parse("DD/MM/YYYY")) == day
    american = f"{day.month:02d}/{day.day:02d}/{day.year}"
    assert read_date(american, DateFormat.parse("MM/DD/YYYY")) == day
    # Year first still reads whatever order the file's other dates have.
    assert read_date(day.isoformat(), DateFormat.parse("MM/DD/YYYY")) == day


@pytest.mark.parametrize("text", ["DD/MM/YY", "YYYY", "DD/MM/YYYY %H", "%d/%m", "MMDD", "d"])
def test_a_date_format_without_day_month_and_year_once_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        DateFormat.parse(text)


def test_a_date_format_reads_as_tokens_or_strftime() -> None:
    assert DateFormat.parse("dd.mm.yyyy").pattern == "%d.%m.%Y"
    assert DateFormat.parse("%m/%d/%Y").spelled == "MM/DD/YYYY"
    assert DateFormat.parse("YYYYMMDD").read("20260310") == date(2026, 3, 10)


# -- encodings -----------------------------------------------------------------------------

SAMPLE = "borrower_id,name,address\nB1,张伟,北京市朝阳区建国路 1 号\nB2,李娜,上海市徐汇区\n"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "gb2312"])
def test_what_excel_on_a_chinese_windows_saves_is_read(encoding: str) -> None:
    decoded = decode(SAMPLE.encode(encoding))
    assert (decoded.text, decoded.encoding, decoded.detected) == (SAMPLE, "gb18030", True)
    assert decoded.certain


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32"])
def test_utf_8_and_byte_order_marks_are_read_without_guessing(encoding: str) -> None:
    decoded = decode(SAMPLE.encode(encoding))
    assert decoded.text.lstrip("\ufeff") == SAMPLE
    assert not decoded.detected


def test_an_encoding_given_is_used_and_a_wrong_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes("borrower_id,name\nB1,張偉\nB2,陳曉東\n".encode("big5"))
    assert read_records(path, encoding="big5").records[0][1]["name"] == "張偉"
    with pytest.raises(InputRejected, match="not utf-8 text"):
        read_records(path, encoding="utf-8")
    with pytest.raises(UsageError, match="unknown text encoding"):
        read_records(path, encoding="klingon")
    assert codec_name("GBK") == codec_name("cp936") == "gb18030"


def test_a_guessed_encoding_other_than_gb18030_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes("name,city\nJosé,Zürich\nRenée,Köln\nAndré,Genève\n".encode("cp1252"))
    records = read_records(path)
    assert records.encoding_detected
    assert [w.code for w in records.warnings] == ["encoding_guessed"]


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_bytes(SAMPLE.replace(",", "\t").encode("utf-16"))
    records = read_records(path)
    assert records.columns == ("borrower_id", "name", "address")
    assert records.records[1][1]["name"] == "李娜"


def test_empty_columns_a_spreadsheet_leaves_on_the_right_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("borrower_id,name,,\nB1,张伟,,\nB2,李娜,,,\n", encoding="utf-8")
    records = read_records(path)
    assert records.columns == ("borrower_id", "name")
    assert not records.errors
    path.write_text("borrower_id,,name\nB1,x,张伟\n", encoding="utf-8")
    with pytest.raises(InputRejected, match="column 2 has no name"):
        read_records(path)


# -- headers and mappings ------------------------------------------------------------------


def test_chinese_headers_of_the_contract_are_read_without_a_mapping() -> None:
    records = read_records(DATA / "borrowers_gbk.csv", contract=BORROWERS)
    assert records.columns[:7] == (
        "borrower_id",
        "name",
        "phone",
        "national_id",
        "address",
        "locale",
        "email",
    )
    assert records.columns[7] == "客户经理"  # not in the contract: kept as an attribute


def test_a_mapping_file_reads_a_lenders_own_export() -> None:
    mapping = ColumnMapping.load(DATA / "loans_excel.mapping.yaml", LOANS)
    records = read_records(DATA / "loans_excel_gbk.csv", contract=LOANS, mapping=mapping)
    assert "内部备注" not in records.columns  # mapped to ~: not imported
    loans = validate_loans(records, platform="acme", today=TODAY, default_currency=CNY)
    assert not loans.errors
    terms = {loan.loan_id: loan.terms for _, loan in loans.items}
    assert terms["JJ2025060001"].principal.amount == Decimal("12000.00")
    assert terms["JJ2025060001"].annual_rate == Decimal("0.1299")
    assert terms["JJ2025060001"].start_date == date(2025, 6, 15)
    assert terms["JJ2025070002"].method is RepaymentMethod.EQUAL_PRINCIPAL
    assert terms["JJ2025090003"].principal.amount == Decimal("8000.00")  # full-width digits
    assert terms["JJ2025090003"].method is RepaymentMethod.INTEREST_ONLY
    assert terms["JJ2025100004"].method is RepaymentMethod.EQUAL_INSTALLMENT  # the mapping's
    assert {t.frequency for t in terms.values()} == {Frequency.MONTHLY}


def test_without_its_mapping_the_export_names_what_is_missing_and_what_was_meant(
    tmp_path: Path,
) -> None:
    path = tmp_path / "loans.csv"
    path.write_text(
        "loan_id,borower_id,principal,annual_rate,term,method,start_date\n", encoding="utf-8"
    )
    with pytest.raises(InputRejected) as caught:
        read_records(path, contract=LOANS)
    assert "missing required columns: borrower_id" in caught.value.en
    assert "did you mean the file's 'borower_id'?" in caught.value.en
    assert "--mapping" in caught.value.en


def test_a_header_close_to_an_optional_column_is_a_warning_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "loans.csv"
    path.write_text(
        "loan_id,borrower_id,principal,annual_rate,term,method,start_date,frist_due_date\n"
        "L1,B1,1000,0.1,3,equal-installment,2025-01-01,2025-03-01\n",
        encoding="utf-8",
    )
    records = read_records(path, contract=LOANS)
    assert [(w.row, w.field, w.code) for w in records.warnings] == [
        (0, "frist_due_date", "unknown_column")
    ]
    assert "did you mean first_due_date?" in records.warnings[0].reason_en


def test_headers_written_as_spreadsheets_write_them_are_the_contracts(tmp_path: Path) -> None:
    path = tmp_path / "loans.csv"
    path.write_text(
        "Loan ID,Borrower-Id,PRINCIPAL,Annual Rate,term,method,Start Date,"
        "ＦＩＲＳＴ＿ＤＵＥ＿ＤＡＴＥ,合同金额（元）\n"
        "L1,B1,1000,0.1,3,equal-installment,2025-01-01,2025-02-01,1\n",
        encoding="utf-8",
    )
    records = read_records(path, contract=LOANS)
    assert records.columns == (
        "loan_id", "borrower_id", "principal", "annual_rate", "term", "method", "start_date",
        "first_due_date", "合同金额（元）",
    )  # fmt: skip
    assert records.warnings == ()
    loans = validate_loans(records, platform="acme", today=TODAY, default_currency=CNY)
    assert not loans.errors
    assert loans.items[0][1].terms.first_due_date == date(2025, 2, 1)
    # Folded, two spellings of one column are still two columns read as one.
    path.write_text("loan_id,Loan ID,borrower_id\n", encoding="utf-8")
    with pytest.raises(InputRejected, match="several columns would be read as one"):
        read_records(path, contract=LOANS)


VALID_LOAN = {
    "loan_id": "L1",
    "borrower_id": "B1",
    "principal": "1000",
    "annual_rate": "0.1",
    "term": "3",
    "method": "equal-installment",
    "start_date": "2025-01-01",
}
_OPTIONS = {
    "method": "equal-installment, equal-principal, interest-only, bullet",
    "frequency": "monthly, quarterly, biweekly, weekly",
}


@pytest.mark.parametrize(
    ("column", "given", "hint"),
    [
        ("method", "equal-instalment", "; did you mean equal-installment?"),
        (
            "method",
            "等额本系",
            "; did you mean 等额本息 (equal-installment) or 等额本金 (equal-principal)?",
        ),
        ("frequency", "montly", "; did you mean monthly?"),
        ("frequency", "按周度", "; did you mean 按周 (weekly)?"),
        ("method", "xyz", ""),
    ],
)
def test_a_mistyped_choice_is_refused_with_what_it_probably_meant(
    column: str, given: str, hint: str
) -> None:
    record = {**VALID_LOAN, column: given}
    loans = validate_loans([(1, record)], platform="acme", today=TODAY, default_currency=CNY)
    assert [(e.field, e.code) for e in loans.errors] == [(column, "not_an_option")]
    assert loans.errors[0].reason_en.endswith(" must be one of: " + _OPTIONS[column] + hint)
    if hint:
        assert "是否应为" in loans.errors[0].reason_zh
    else:
        assert "是否应为" not in loans.errors[0].reason_zh


def test_two_columns_read_as_one_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "loans.csv"
    path.write_text("loan_id,借据号,borrower_id\n", encoding="utf-8")
    with pytest.raises(InputRejected, match="several columns would be read as one"):
        read_records(path, contract=LOANS)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"columns": {"借据号码": "lone_id"}}, "did you mean loan_id?"),
        ({"colums": {}}, "unknown key 'colums'; did you mean columns?"),
        ({"kind": "payments", "columns": {}}, "is for payments, not loans"),
        ({"values": {"methd": {"a": "b"}}}, "did you mean method?"),
        ({"columns": {"x": "a\u202eb"}}, "is not a name"),
        ({"date_format": "YY"}, "date format"),
        (["columns"], "must be a YAML mapping"),
    ],
)
def test_a_wrong_mapping_is_a_usage_error_with_a_suggestion(data: object, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        ColumnMapping.of(data, LOANS)
    assert message in caught.value.en


def test_a_mapping_may_name_an_attribute_of_its_own(tmp_path: Path) -> None:
    mapping = ColumnMapping.of({"columns": {"客户经理": "account_manager"}}, BORROWERS)
    records = read_records(DATA / "borrowers_gbk.csv", contract=BORROWERS, mapping=mapping)
    assert "account_manager" in records.columns


def test_a_mapped_header_the_file_lacks_is_a_warning(tmp_path: Path) -> None:
    mapping = ColumnMapping.of({"columns": {"放款行": "bank"}}, BORROWERS)
    records = read_records(DATA / "borrowers_gbk.csv", contract=BORROWERS, mapping=mapping)
    assert [(w.field, w.code) for w in records.warnings] == [("放款行", "mapping_unused")]


# -- values: labels, doubts, hard checks ---------------------------------------------------


def test_borrowers_from_a_gbk_export_import_with_warnings_for_unknown_regions() -> None:
    records = read_records(DATA / "borrowers_gbk.csv", contract=BORROWERS)
    borrowers = validate_borrowers(records, platform="acme", today=TODAY)
    assert not borrowers.errors
    by_id = {b.borrower_id: b for _, b in borrowers.items}
    assert by_id["C1002"].phones[0].e164 == "+8615012345678"  # full-width digits
    assert by_id["C1002"].national_id == "500100199003120046"  # Chongqing code, born 1990
    assert (by_id["C1001"].locale, by_id["C1004"].locale) == ("zh-CN", "en-US")
    assert [(w.row, w.field, w.code) for w in borrowers.warnings] == [
        (2, "national_id", "unknown_region"),
        (3, "national_id", "unknown_region"),
    ]
    assert borrowers.warnings[0].value == "5001**********0046"  # masked like any report value


@pytest.mark.parametrize(
    ("national_id", "code"),
    [
        ("500100199003120042", "invalid_national_id"),  # check character
        ("500100199002300046", "invalid_national_id"),  # 30 February
        ("1.10105E+17", "shortened_by_spreadsheet"),
        ("110105194912310000", "invalid_national_id"),  # Excel kept 15 digits, zeroed 3
    ],
)
def test_hard_checks_on_an_id_stay_errors(national_id: str, code: str) -> None:
    record = {"borrower_id": "B1", "name": "张伟", "phone": "13800138000"}
    result = validate_borrowers(
        [(1, {**record, "national_id": national_id})], platform="acme", today=TODAY
    )
    assert [(e.field, e.code) for e in result.errors] == [("national_id", code)]
    assert national_id not in result.errors[0].reason_en or code == "shortened_by_spreadsheet"


@pytest.mark.parametrize(
    ("column", "spelling", "value"),
    [
        ("method", "等额本息", "equal-installment"),
        ("method", "等额本金", "equal-principal"),
        ("method", "先息后本", "interest-only"),
        ("method", "到期一次还本付息", "bullet"),
        ("method", "Equal Installment", "equal-installment"),
        ("method", "EQUAL_PRINCIPAL", "equal-principal"),
        ("frequency", "按月", "monthly"),
        ("frequency", "按季度", "quarterly"),
        ("frequency", "双周", "biweekly"),
        ("frequency", "每周", "weekly"),
    ],
)
def test_every_enum_takes_its_chinese_labels(column: str, spelling: str, value: str) -> None:
    record = {
        "loan_id": "L1",
        "borrower_id": "B1",
        "principal": "1,000.00",
        "annual_rate": "１２％",
        "term": "３",
        "method": "equal-installment",
        "start_date": "2025年1月15日",
        column: spelling,
    }
    result = validate_loans([(1, record)], platform="acme", today=TODAY, default_currency=CNY)
    assert not result.errors
    terms = result.items[0][1].terms
    assert (terms.method if column == "method" else terms.frequency).value == value
    assert terms.annual_rate == Decimal("0.12")
    assert terms.term == 3


def test_every_enum_value_has_a_chinese_label() -> None:
    for contract in (BORROWERS, LOANS, PAYMENTS):
        for column in contract.columns:
            for value in column.values:
                labels = [s for s, v in column.aliases if v == value]
                assert any(not s.isascii() for s in labels), (column.name, value)


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-1,000.00", "not_positive"),
        ("1,000.005", "too_many_decimals"),
        ("1.000,00", "not_a_number"),  # a European decimal comma is not guessed
        ("$1,000.00", "not_a_number"),  # a CNY payment in dollars
        ("1,00", "not_a_number"),
    ],
)
def test_hard_checks_on_amounts_stay_errors(amount: str, code: str) -> None:
    record = {"payment_id": "P1", "loan_id": "L1", "amount": amount, "paid_on": "2025/7/15"}
    result = validate_payments([(1, record)], platform="acme", today=TODAY, default_currency=CNY)
    assert [(e.field, e.code) for e in result.errors] == [("amount", code)]


def test_payments_spelled_as_exports_spell_them_all_import() -> None:
    records = read_records(DATA / "payments_spelled.csv", contract=PAYMENTS)
    result = validate_payments(records, platform="acme", today=TODAY, default_currency=CNY)
    assert not result.errors
    paid = {p.payment_id: (p.amount.amount, p.paid_on) for _, p in result.items}
    assert paid == {
        "R0001": (Decimal("1071.60"), date(2025, 7, 15)),
        "R0002": (Decimal("1071.60"), date(2025, 8, 15)),
        "R0003": (Decimal("2483.33"), date(2025, 8, 1)),
        "R0004": (Decimal("120.00"), date(2025, 10, 10)),
        "R0005": (Decimal("1591.31"), date(2025, 11, 20)),
    }


def test_day_first_dates_need_the_files_date_format() -> None:
    records = read_records(DATA / "payments_day_first.csv", contract=PAYMENTS)
    guessed = validate_payments(records, platform="acme", today=TODAY, default_currency=CNY)
    assert [(e.row, e.code) for e in guessed.errors] == [
        (1, "ambiguous_date"),
        (2, "ambiguous_date"),
    ]
    told = validate_payments(
        records,
        platform="acme",
        today=TODAY,
        default_currency=CNY,
        date_format=DateFormat.parse("DD/MM/YYYY"),
    )
    assert [p.paid_on for _, p in told.items] == [date(2025, 9, 15), date(2025, 10, 3)]


def test_a_future_date_in_any_spelling_is_still_in_the_future() -> None:
    later = TODAY + timedelta(days=1)
    record = {
        "payment_id": "P1",
        "loan_id": "L1",
        "amount": "1",
        "paid_on": f"{later.year}年{later.month}月{later.day}日",
    }
    result = validate_payments([(1, record)], platform="acme", today=TODAY, default_currency=CNY)
    assert [e.code for e in result.errors] == ["in_the_future"]
