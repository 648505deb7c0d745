"""The portfolio's results: the delinquency report's rates and amounts, schedules, imports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from tideover.domain.delinquency import RollRate
from tideover.domain.loans import RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.ingest.report import RejectionReport, RowError
from tideover.services.portfolio.results import BucketRoll, ImportReport
from tideover.services.portfolio.schedules import preview_schedule, schedule_lines


@given(
    accounts=st.integers(min_value=1, max_value=10**6),
    share=st.fractions(min_value=0, max_value=1),
    balance=st.integers(min_value=1, max_value=10**12),
    rolled_balance=st.integers(min_value=0, max_value=10**12),
)
def test_a_roll_keeps_its_exact_rate_and_writes_four_places(
    accounts: int, share: Fraction, balance: int, rolled_balance: int
) -> None:
    rolled = int(accounts * share)
    roll = RollRate("M1", accounts, rolled, Money(balance, CNY), Money(rolled_balance, CNY))
    result = BucketRoll.of(roll)
    # Tables format the exact rate themselves; only the JSON is cut to four places.
    assert result.account_rate == Decimal(rolled) / accounts
    data = result.to_json()
    assert data["account_rate"] == str((Decimal(rolled) / accounts).quantize(Decimal("0.0001")))
    assert data["balance_rate"] == str(
        (Decimal(rolled_balance) / Decimal(balance)).quantize(Decimal("0.0001"))
    )
    assert Money.of(data["balance"], CNY).minor == balance
    assert Money.of(data["rolled_balance"], CNY).minor == rolled_balance


def test_a_roll_from_an_empty_bucket_has_no_rate() -> None:
    zero = Money(0, CNY)
    data = BucketRoll.of(RollRate("M3", 0, 0, zero, zero)).to_json()
    assert data == {
        "accounts": 0,
        "rolled_accounts": 0,
        "account_rate": None,
        "balance_rate": None,
        "balance": "0.00",
        "rolled_balance": "0.00",
    }


def test_a_schedule_preview_sums_to_its_totals_and_reads_as_before() -> None:
    preview = preview_schedule(
        principal="12000",
        annual_rate="12.99%",
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2026, 1, 15),
    )
    lines, summary = preview.installments, preview.summary
    assert sum(line.principal for line in lines) == summary.total_principal == Decimal("12000.00")
    assert sum(line.interest for line in lines) == summary.total_interest
    assert lines[-1].remaining_principal == Decimal("0.00")
    first = preview.to_json()["installments"][0]
    assert first == {
        "number": 1,
        "due_date": "2026-02-15",
        "principal": str(lines[0].principal),
        "interest": str(lines[0].interest),
        "fees": "0.00",
        "total": summary.to_json()["first_payment"],
        "remaining_principal": str(Decimal("12000.00") - lines[0].principal),
    }


def test_schedule_lines_carry_the_principal_still_owed() -> None:
    from tideover.domain.schedules import schedule_for

    schedule = schedule_for(
        principal=Money.of("3000", CNY),
        annual_rate=Decimal("0.08"),
        term=3,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        start_date=date(2026, 1, 31),
    )
    rows = [line.to_json() for line in schedule_lines(schedule)]
    assert [row["principal"] for row in rows] == ["1000.00", "1000.00", "1000.00"]
    assert [row["remaining_principal"] for row in rows] == ["2000.00", "1000.00", "0.00"]


def test_an_import_report_keeps_every_error_with_its_code() -> None:
    report = RejectionReport.build(
        kind="payments",
        file="p.csv",
        total_rows=3,
        errors=[
            RowError(3, "paid_on", "x", "bad date", "日期错误", "not_a_date"),
            RowError(1, "amount", "-1", "not positive", "不大于零", "not_positive"),
            RowError(1, "loan_id", "L9", "unknown loan", "未知借据", "unknown_loan"),
        ],
    )
    result = ImportReport.of(report)
    assert result.pairs() == [(1, "amount"), (1, "loan_id"), (3, "paid_on")]
    assert (result.total_rows, result.valid_rows, result.rejected_rows) == (3, 1, 2)
    assert [e.code for e in result.errors] == ["not_positive", "unknown_loan", "not_a_date"]
    assert result.errors[2].reason("zh-CN") == "日期错误"
    assert result.errors[2].reason("en") == "bad date"
