"""The demo portfolio: real loans, synthetic people, payments consistent with each status."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import phonenumbers
import pytest
from stdnum.cn import ric

from tideover.adapters.datasets import load_lendingclub
from tideover.config import load_settings
from tideover.demo import people
from tideover.demo.lending_club import LcLoan, LoanStatus, records_from_frame
from tideover.demo.portfolio import (
    DEMO_PLATFORMS,
    DemoPortfolio,
    build_demo_portfolio,
    for_platform,
)
from tideover.domain.allocation import position_as_of
from tideover.domain.delinquency import delinquency_of
from tideover.domain.errors import DataUnavailable, ValidationError
from tideover.domain.money import CNY, USD, Money
from tideover.domain.penalty import NO_PENALTY, PenaltyPolicy
from tideover.domain.platforms import DEFAULT_PENALTY

DATA = Path(__file__).resolve().parents[1] / "data"
AS_OF = date(2025, 6, 30)
STRICT_PENALTY = PenaltyPolicy(
    annual_rate=Decimal("0.24"), late_fee=Money.of("30", CNY), includes_overdue_interest=True
)


@pytest.fixture(scope="module")
def lc2018() -> pd.DataFrame:
    return pd.read_csv(DATA / "lendingclub_sample.csv")


@pytest.fixture(scope="module")
def lc2016() -> pd.DataFrame:
    return pd.read_csv(DATA / "lendingclub2016_sample.csv")


@pytest.fixture(scope="module")
def demo_cn(lc2018: pd.DataFrame) -> DemoPortfolio:
    return build_demo_portfolio(platform="demo-cn", source=lc2018, as_of=AS_OF, seed=7)


@pytest.fixture(scope="module")
def demo_us(lc2016: pd.DataFrame) -> DemoPortfolio:
    return build_demo_portfolio(platform="demo-us", source=lc2016, as_of=AS_OF, seed=7)


# -- records ---------------------------------------------------------------------


def test_2018_rows_become_typed_records(lc2018: pd.DataFrame) -> None:
    records = records_from_frame(lc2018)
    first = next(r for r in records if r.row == int(lc2018.iloc[0]["rownames"]))
    row = lc2018.iloc[0]
    assert first.amount == Decimal(int(row["loan_amount"]))
    assert first.annual_rate == Decimal(f"{row['interest_rate']:.2f}") / 100
    assert first.term in (36, 60)
    assert isinstance(first.paid_total, Decimal)
    assert first.status is LoanStatus(row["loan_status"])
    assert {r.status for r in records} == set(LoanStatus)
    assert {r.months_on_book for r in records} == {3, 4, 5}  # Jan-Mar 2018 to June 2018
    assert not any(r.status_derived for r in records)


def test_2016_rows_keep_good_as_current_and_draw_bad_statuses(lc2016: pd.DataFrame) -> None:
    records = records_from_frame(lc2016, seed=3)
    by_class = dict(zip(lc2016["rownames"], lc2016["Class"], strict=True))
    for record in records:
        assert record.status_derived
        if by_class[record.row] == "good":
            assert record.status is LoanStatus.CURRENT
        else:
            assert record.status.is_delinquent
    assert records == records_from_frame(lc2016, seed=3)


# -- the portfolio ------------------------------------------------------------------


@pytest.mark.parametrize("penalty", [NO_PENALTY, DEFAULT_PENALTY, STRICT_PENALTY])
@pytest.mark.parametrize("which", ["demo_cn", "demo_us"])
def test_every_loan_has_the_dpd_its_status_implies(
    request: pytest.FixtureRequest, which: str, penalty: PenaltyPolicy
) -> None:
    portfolio: DemoPortfolio = request.getfixturevalue(which)
    if penalty is not NO_PENALTY:  # late payments must cover this policy's penalty
        lc = pd.read_csv(
            DATA
            / ("lendingclub_sample.csv" if which == "demo_cn" else "lendingclub2016_sample.csv")
        )
        if penalty.late_fee is not None:
            penalty = PenaltyPolicy(
                annual_rate=penalty.annual_rate,
                late_fee=Money(penalty.late_fee.minor, portfolio.currency),
                includes_overdue_interest=penalty.includes_overdue_interest,
            )
        portfolio = build_demo_portfolio(
            platform=portfolio.platform, source=lc, as_of=AS_OF, seed=7, penalty=penalty
        )
    payments = portfolio.payments_by_loan()
    seen: set[LoanStatus] = set()
    for loan in portfolio.loans:
        status = LoanStatus(loan.attributes["status"])
        position = position_as_of(loan, payments[loan.loan_id], AS_OF, penalty=penalty)
        dpd = delinquency_of(position).dpd
        low, high = status.dpd_range
        assert low <= dpd, (loan.loan_id, status, dpd)
        assert high is None or dpd <= high, (loan.loan_id, status, dpd)
        if status is LoanStatus.FULLY_PAID:
            assert position.outstanding_principal.minor == 0
        if status is LoanStatus.CURRENT:
            assert position.outstanding_principal.is_positive
        seen.add(status)
    assert len(seen) >= 4


def test_loans_keep_their_real_terms(demo_cn: DemoPortfolio, lc2018: pd.DataFrame) -> None:
    rows = {int(r["rownames"]): r for r in lc2018.to_dict(orient="records")}
    assert len(demo_cn.loans) == len(lc2018)
    for loan in demo_cn.loans:
        row = rows[int(loan.attributes["source_row"])]
        assert loan.terms.principal == Money.of(int(row["loan_amount"]), CNY)  # face value
        assert loan.terms.term == row["term"] == len(loan.schedule.installments)
        assert loan.terms.annual_rate == Decimal(f"{row['interest_rate']:.2f}") / 100
        assert loan.attributes["status"] == row["loan_status"]
        first = loan.schedule.installments[0].total.amount
        assert abs(first - Decimal(f"{row['installment']:.2f}")) <= Decimal("0.05")
        assert loan.schedule.total_principal == loan.terms.principal
        assert loan.terms.start_date < loan.terms.first_due_date


def test_the_snapshot_falls_on_as_of(demo_cn: DemoPortfolio) -> None:
    """A current loan issued in January 2018 has five installments due on as_of, as in the data."""
    for loan in demo_cn.loans:
        if loan.attributes["status"] != "Current":
            continue
        due = [i for i in loan.schedule.installments if i.due_date <= AS_OF]
        assert 1 <= len(due) <= 5
        assert loan.schedule.installments[len(due)].due_date > AS_OF


def test_payment_ids_are_unique_and_the_build_is_deterministic(
    demo_cn: DemoPortfolio, lc2018: pd.DataFrame
) -> None:
    ids = [p.payment_id for p in demo_cn.payments]
    assert len(ids) == len(set(ids))
    assert all(p.paid_on <= AS_OF and p.platform == "demo-cn" for p in demo_cn.payments)
    again = build_demo_portfolio(platform="demo-cn", source=lc2018, as_of=AS_OF, seed=7)
    assert again == demo_cn
    # A loan does not depend on the other rows given.
    alone = build_demo_portfolio(platform="demo-cn", source=lc2018.iloc[5:6], as_of=AS_OF, seed=7)
    assert alone.loans[0] == demo_cn.loans[5]
    assert alone.borrowers[0] == demo_cn.borrowers[5]
    other_seed = build_demo_portfolio(platform="demo-cn", source=lc2018, as_of=AS_OF, seed=8)
    assert other_seed.borrowers != demo_cn.borrowers


def test_a_preset_of_the_same_book_is_the_book_under_its_own_code(
    demo_cn: DemoPortfolio, lc2018: pd.DataFrame
) -> None:
    # demo-cn-aggressive books demo-cn's book: the load takes it from demo-cn's build.
    assert DEMO_PLATFORMS["demo-cn-aggressive"].book == "demo-cn"
    built = build_demo_portfolio(platform="demo-cn-aggressive", source=lc2018, as_of=AS_OF, seed=7)
    moved = for_platform(demo_cn, "demo-cn-aggressive")
    assert moved == built
    assert {b.platform for b in moved.borrowers} == {"demo-cn-aggressive"}
    assert {p.platform for p in moved.payments} == {"demo-cn-aggressive"}
    assert for_platform(demo_cn, "demo-cn") is demo_cn
    assert demo_cn.loans[0].platform == "demo-cn"  # the original is left as it was


def test_records_and_rows_give_the_same_portfolio(lc2018: pd.DataFrame) -> None:
    records: list[LcLoan] = records_from_frame(lc2018.iloc[:20])
    from_records = build_demo_portfolio(platform="demo-cn", source=records, as_of=AS_OF, seed=1)
    rows = lc2018.iloc[:20].to_dict(orient="records")
    from_rows = build_demo_portfolio(platform="demo-cn", source=rows, as_of=AS_OF, seed=1)
    assert from_records == from_rows


def test_unknown_platform_needs_locale_and_currency(lc2018: pd.DataFrame) -> None:
    with pytest.raises(ValidationError):
        build_demo_portfolio(platform="acme", source=lc2018, as_of=AS_OF, seed=1)
    built = build_demo_portfolio(
        platform="acme", source=lc2018.iloc[:3], as_of=AS_OF, seed=1, locale="en", currency=USD
    )
    assert built.currency == USD
    assert all(b.locale == "en-US" for b in built.borrowers)


# -- the people ------------------------------------------------------------------------


def test_chinese_borrowers_have_valid_contact_data(demo_cn: DemoPortfolio) -> None:
    for borrower in demo_cn.borrowers:
        assert borrower.time_zone == "Asia/Shanghai"
        assert borrower.locale == "zh-CN"
        assert all("\u4e00" <= ch <= "\u9fff" for ch in borrower.name)
        [phone] = borrower.phones
        parsed = phonenumbers.parse(phone.e164)
        assert phonenumbers.is_valid_number(parsed)
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
        assert phone.region == "CN"
        assert borrower.national_id is not None
        ric.validate(borrower.national_id)  # check digit, birth date, real region code
        age = AS_OF.year - ric.get_birth_date(borrower.national_id).year
        assert 21 <= age <= 61
        assert borrower.address.startswith(
            ric.get_birth_place(borrower.national_id)["province"][:2]
        )


def test_us_borrowers_live_where_their_loan_says_with_a_phone_of_that_zone(
    demo_us: DemoPortfolio,
) -> None:
    loans = {loan.borrower_id: loan for loan in demo_us.loans}
    for borrower in demo_us.borrowers:
        state = loans[borrower.borrower_id].attributes["state"]
        assert borrower.address.split(", ")[-1].startswith(f"{state} ")
        [phone] = borrower.phones
        assert phonenumbers.is_valid_number(phonenumbers.parse(phone.e164))
        assert phone.region == "US"
        assert borrower.time_zone is not None
        home = datetime(2025, 6, 30, 12, tzinfo=ZoneInfo(borrower.time_zone)).utcoffset()
        offsets = {
            datetime(2025, 6, 30, 12, tzinfo=ZoneInfo(z)).utcoffset() for z in phone.time_zones
        }
        assert home in offsets, (borrower.address, phone)


def test_every_us_place_is_consistent_with_its_area_code() -> None:
    rng = random.Random(0)
    for state, places in people.us_places().items():
        for place in places:
            phone = people.us_phone(rng, place.area_code)
            assert phone.e164.startswith(f"+1{place.area_code}")
            assert phonenumbers.is_valid_number(phonenumbers.parse(phone.e164)), state
            ZoneInfo(place.time_zone)
    assert len(people.us_places()) == 51  # 50 states and DC


@pytest.mark.parametrize(
    ("body", "check"),
    # The example of GB 11643-1999 and the one in python-stdnum's documentation.
    [("11010519491231002", "X"), ("36042619910101007", "1")],
)
def test_resident_id_check_digit(body: str, check: str) -> None:
    assert people.resident_id_check_digit(body) == check
    assert ric.calc_check_digit(body + check) == check


def test_resident_id_check_digit_rejects_a_short_body() -> None:
    with pytest.raises(ValidationError):
        people.resident_id_check_digit("1234")


def test_every_region_code_is_real_for_its_birth_years() -> None:
    for region in people.cn_regions():
        number = people.resident_id(region.code, date(max(region.valid_from, 1970), 5, 1), 123)
        ric.validate(number)


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["demo-cn", "demo-us"])
def test_the_whole_data_set_when_it_is_cached(platform: str) -> None:
    """The full 10,000-loan build, if the data were fetched before (never fetched here)."""
    try:
        frame = load_lendingclub(
            load_settings().resolved_cache_dir, DEMO_PLATFORMS[platform].source
        )
    except DataUnavailable:
        pytest.skip("Lending Club data not in the cache (run: tideover data fetch lendingclub)")
    portfolio = build_demo_portfolio(platform=platform, source=frame, as_of=AS_OF, seed=42)
    assert len(portfolio.loans) == len(frame) > 9000
    payments = portfolio.payments_by_loan()
    for loan in portfolio.loans:
        low, high = LoanStatus(loan.attributes["status"]).dpd_range
        dpd = delinquency_of(position_as_of(loan, payments[loan.loan_id], AS_OF)).dpd
        assert low <= dpd, loan.loan_id
        assert high is None or dpd <= high, loan.loan_id
