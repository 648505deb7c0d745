"""Penalty interest (罚息) and the penalty policy."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.domain.errors import ValidationError
from tideover.domain.money import CNY, Money
from tideover.domain.penalty import (
    NO_PENALTY,
    DayCount,
    PenaltyPolicy,
    penalty_interest,
    penalty_interest_exact,
)


def test_defaults() -> None:
    policy = PenaltyPolicy()
    assert policy.annual_rate == Decimal("0.18")
    assert policy.day_count is DayCount.ACT_360
    assert (policy.grace_days, policy.late_fee, policy.late_fee_after_days) == (0, None, 0)
    assert not policy.includes_overdue_interest


def test_act_360_and_act_365() -> None:
    base = Money.of("10000", CNY)
    # 10,000 × 18 % × 30 / 360 = 150.00 exactly
    assert penalty_interest(base, 30, PenaltyPolicy()) == Money.of("150", CNY)
    # 10,000 × 18 % × 30 / 365 = 147.945… → 147.95 (half-up)
    act365 = PenaltyPolicy(day_count=DayCount.ACT_365)
    assert penalty_interest(base, 30, act365) == Money.of("147.95", CNY)


def test_rounding_is_half_up() -> None:
    policy = PenaltyPolicy(annual_rate=Decimal("0.36"))
    # 25 fen × 36 % × 20 / 360 = 0.5 fen → 1 fen
    assert penalty_interest(Money(25, CNY), 20, policy) == Money(1, CNY)
    assert penalty_interest_exact(Money(25, CNY), 20, policy) == Decimal("0.5")


def test_no_penalty_is_zero() -> None:
    assert penalty_interest(Money.of("99999", CNY), 400, NO_PENALTY) == Money.zero(CNY)
    assert NO_PENALTY.late_fee is None


def test_zero_days_is_zero() -> None:
    assert penalty_interest(Money.of("100", CNY), 0, PenaltyPolicy()) == Money.zero(CNY)


def test_grace_days_are_forgiven() -> None:
    policy = PenaltyPolicy(grace_days=3)
    assert [policy.penalised_days(d) for d in (0, 1, 3, 4, 10)] == [0, 0, 0, 1, 7]


def test_late_fee_threshold_honours_grace() -> None:
    fee = Money.of("30", CNY)
    assert PenaltyPolicy(late_fee=fee, grace_days=5).late_fee_threshold == 5
    assert PenaltyPolicy(late_fee=fee, late_fee_after_days=15).late_fee_threshold == 15


@pytest.mark.parametrize(
    "kwargs",
    [
        {"annual_rate": Decimal("-0.01")},
        {"annual_rate": Decimal("10.5")},
        {"grace_days": -1},
        {"late_fee_after_days": -1},
        {"late_fee": Money(-1, CNY)},
    ],
)
def test_bad_policy_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError) as info:
        PenaltyPolicy(**kwargs)  # type: ignore[arg-type]
    assert info.value.zh != info.value.en


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValidationError):
        penalty_interest(Money(-1, CNY), 1, PenaltyPolicy())
    with pytest.raises(ValidationError):
        penalty_interest(Money(1, CNY), -1, PenaltyPolicy())


@given(
    st.integers(min_value=0, max_value=10**10),
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=0, max_value=2000),
)
def test_penalty_is_additive_up_to_rounding(base: int, days_a: int, days_b: int) -> None:
    policy = PenaltyPolicy()
    whole = penalty_interest(Money(base, CNY), days_a + days_b, policy).minor
    parts = (
        penalty_interest(Money(base, CNY), days_a, policy).minor
        + penalty_interest(Money(base, CNY), days_b, policy).minor
    )
    assert abs(whole - parts) <= 1
    assert whole >= 0
