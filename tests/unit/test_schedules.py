"""Schedules: due dates, the four repayment methods and their invariants."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.domain.errors import ValidationError
from tideover.domain.loans import Frequency, RepaymentMethod
from tideover.domain.money import CNY, USD, Money
from tideover.domain.schedules import (
    build_schedule,
    due_dates,
    periodic_rate,
    periods_per_year,
    schedule_for,
    terms_for,
)

START = date(2024, 1, 15)


def _schedule(
    method: RepaymentMethod,
    principal: str = "100000",
    rate: str = "0.12",
    term: int = 12,
    frequency: Frequency = Frequency.MONTHLY,
) -> list[tuple[int, int]]:
    schedule = schedule_for(
        principal=Money.of(principal, CNY),
        annual_rate=Decimal(rate),
        term=term,
        method=method,
        start_date=START,
        frequency=frequency,
    )
    return [(i.principal.minor, i.interest.minor) for i in schedule.installments]


# -- rates and dates ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "periods"),
    [
        (Frequency.MONTHLY, 12),
        (Frequency.QUARTERLY, 4),
        (Frequency.BIWEEKLY, 26),
        (Frequency.WEEKLY, 52),
    ],
)
def test_periods_per_year(frequency: Frequency, periods: int) -> None:
    assert periods_per_year(frequency) == periods
    assert periodic_rate(Decimal("0.52"), frequency) * periods == Decimal("0.52")


def test_monthly_due_dates_keep_the_anchor_day_clamped_at_month_end() -> None:
    assert due_dates(date(2024, 1, 31), 5, Frequency.MONTHLY) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]
    assert due_dates(date(2023, 1, 31), 2, Frequency.MONTHLY)[1] == date(2023, 2, 28)


def test_quarterly_due_dates_cross_the_year() -> None:
    assert due_dates(date(2024, 11, 30), 3, Frequency.QUARTERLY) == [
        date(2024, 11, 30),
        date(2025, 2, 28),
        date(2025, 5, 30),
    ]


@pytest.mark.parametrize(("frequency", "step"), [(Frequency.WEEKLY, 7), (Frequency.BIWEEKLY, 14)])
def test_weekly_due_dates_add_days(frequency: Frequency, step: int) -> None:
    dates = due_dates(date(2024, 2, 26), 4, frequency)
    assert [(b - a).days for a, b in itertools.pairwise(dates)] == [step] * 3


@pytest.mark.parametrize(
    ("frequency", "first"),
    [
        (Frequency.MONTHLY, date(2024, 2, 15)),
        (Frequency.QUARTERLY, date(2024, 4, 15)),
        (Frequency.WEEKLY, date(2024, 1, 22)),
        (Frequency.BIWEEKLY, date(2024, 1, 29)),
    ],
)
def test_first_due_date_defaults_to_one_period_after_start(
    frequency: Frequency, first: date
) -> None:
    terms = terms_for(
        principal=Money.of("1000", CNY),
        annual_rate=Decimal("0.1"),
        term=3,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        start_date=START,
        frequency=frequency,
    )
    assert terms.first_due_date == first


# -- the methods -----------------------------------------------------------------------


def test_equal_installment_reference_case() -> None:
    parts = _schedule(RepaymentMethod.EQUAL_INSTALLMENT)
    assert all(p + i == 888_488 for p, i in parts[:-1])
    assert parts[0] == (788_488, 100_000)
    last_principal, last_interest = parts[-1]
    # The last installment takes the remaining balance, so it absorbs the rounding.
    assert (last_principal, last_interest) == (879_688, 8_797)
    assert sum(p for p, _ in parts) == 10_000_000


def test_equal_principal() -> None:
    parts = _schedule(RepaymentMethod.EQUAL_PRINCIPAL)
    assert [p for p, _ in parts] == [833_333] * 11 + [833_337]
    assert parts[0][1] == 100_000
    assert parts[1][1] == 91_667  # 9,166,667 × 1 % = 91,666.67 rounded half-up
    assert [i for _, i in parts] == sorted((i for _, i in parts), reverse=True)


def test_interest_only_then_bullet() -> None:
    parts = _schedule(RepaymentMethod.INTEREST_ONLY, term=6)
    assert parts == [(0, 100_000)] * 5 + [(10_000_000, 100_000)]


def test_bullet_is_one_installment_at_maturity() -> None:
    schedule = schedule_for(
        principal=Money.of("100000", CNY),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.BULLET,
        start_date=START,
    )
    (only,) = schedule.installments
    assert only.number == 1
    assert only.due_date == date(2025, 1, 15)
    assert (only.principal.minor, only.interest.minor) == (10_000_000, 1_200_000)


def test_zero_rate_equal_installment_is_equal_principal_without_interest() -> None:
    parts = _schedule(RepaymentMethod.EQUAL_INSTALLMENT, principal="1000", rate="0", term=3)
    assert parts == [(33_333, 0), (33_333, 0), (33_334, 0)]


def test_tiny_principal_never_goes_negative() -> None:
    parts = _schedule(RepaymentMethod.EQUAL_PRINCIPAL, principal="0.07", rate="0", term=10)
    assert sum(p for p, _ in parts) == 7
    assert all(p >= 0 for p, _ in parts)


def test_fees_are_zero_and_currency_follows_principal() -> None:
    schedule = schedule_for(
        principal=Money.of("500", USD),
        annual_rate=Decimal("0.2"),
        term=4,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=START,
    )
    assert schedule.currency == USD
    assert all(i.fees == Money.zero(USD) for i in schedule.installments)


@pytest.mark.parametrize(
    "changes",
    [
        {"principal": Money.zero(CNY)},
        {"principal": Money(-1, CNY)},
        {"annual_rate": Decimal("-0.01")},
        {"annual_rate": Decimal("10.01")},
        {"term": 0},
        {"term": 601},
        {"first_due_date": START},
        {"first_due_date": START - timedelta(days=1)},
    ],
)
def test_bad_terms_are_refused_in_both_languages(changes: dict[str, object]) -> None:
    kwargs: dict[str, object] = {
        "principal": Money.of("1000", CNY),
        "annual_rate": Decimal("0.1"),
        "term": 12,
        "method": RepaymentMethod.EQUAL_INSTALLMENT,
        "start_date": START,
        "first_due_date": date(2024, 2, 15),
    }
    kwargs.update(changes)
    with pytest.raises(ValidationError) as info:
        schedule_for(**kwargs)  # type: ignore[arg-type]
    assert info.value.en.startswith("invalid loan terms")
    assert info.value.zh.startswith("贷款条件无效")


# -- properties ---------------------------------------------------------------------------

principals = st.integers(min_value=1, max_value=10**10).map(lambda m: Money(m, CNY))
rates = st.decimals(min_value=0, max_value=10, places=4)
terms_st = st.integers(min_value=1, max_value=600)


@settings(max_examples=300)
@given(
    principal=principals,
    rate=rates,
    term=terms_st,
    method=st.sampled_from(RepaymentMethod),
    frequency=st.sampled_from(Frequency),
    first_gap=st.integers(min_value=1, max_value=60),
)
def test_schedule_invariants(
    principal: Money,
    rate: Decimal,
    term: int,
    method: RepaymentMethod,
    frequency: Frequency,
    first_gap: int,
) -> None:
    terms = terms_for(
        principal=principal,
        annual_rate=rate,
        term=term,
        method=method,
        start_date=START,
        first_due_date=START + timedelta(days=first_gap),
        frequency=frequency,
    )
    schedule = build_schedule(terms)
    installments = schedule.installments
    assert schedule.total_principal == principal
    assert schedule.total_due == principal + schedule.total_interest + schedule.total_fees
    assert all(i.principal.minor >= 0 and i.interest.minor >= 0 for i in installments)
    assert all(i.fees.minor == 0 for i in installments)
    dates = [i.due_date for i in installments]
    assert all(a < b for a, b in itertools.pairwise(dates))
    assert dates[0] >= terms.first_due_date
    assert [i.number for i in installments] == list(range(1, len(installments) + 1))
    assert len(installments) == (1 if method is RepaymentMethod.BULLET else term)


@settings(max_examples=300)
@given(
    principal=st.integers(min_value=100_000, max_value=10**10),
    rate=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("0.5"), places=4),
    term=st.integers(min_value=1, max_value=360),
)
def test_equal_installment_payment_matches_numpy_financial(
    principal: int, rate: Decimal, term: int
) -> None:
    parts = _schedule(
        RepaymentMethod.EQUAL_INSTALLMENT, str(Decimal(principal) / 100), str(rate), term
    )
    payment = parts[0][0] + parts[0][1]
    expected = float(-npf.pmt(float(rate) / 12, term, principal))
    if abs(expected % 1 - 0.5) > 1e-6:
        assert payment == math.floor(expected + 0.5)
    else:  # a tie in binary floating point may fall either way
        assert abs(payment - expected) <= 1


def test_a_loan_taken_at_month_end_stays_due_at_month_end() -> None:
    schedule = schedule_for(
        principal=Money.of("1000"),
        annual_rate=Decimal("0.12"),
        term=4,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2026, 1, 31),
    )
    assert [i.due_date for i in schedule.installments] == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]


def test_an_explicit_first_due_date_sets_the_repayment_day() -> None:
    schedule = schedule_for(
        principal=Money.of("1000"),
        annual_rate=Decimal("0.12"),
        term=3,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2026, 1, 20),
        first_due_date=date(2026, 2, 28),
    )
    assert [i.due_date for i in schedule.installments] == [
        date(2026, 2, 28),
        date(2026, 3, 28),
        date(2026, 4, 28),
    ]
