"""Money: integer minor units, half-up rounding, currency safety, exact splits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.domain.errors import CurrencyMismatch, ValidationError
from tideover.domain.money import CNY, USD, Money, currency, round_half_up, total


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("12.34", 1234),
        ("0.005", 1),  # half-up: a tie rounds away from zero
        ("0.0049", 0),
        ("-0.005", -1),
        ("2.675", 268),  # exact decimal, no binary float surprise
        ("100000", 10_000_000),
    ],
)
def test_of_rounds_half_up_to_the_minor_unit(text: str, minor: int) -> None:
    assert Money.of(text, CNY).minor == minor


def test_round_half_up_on_ties() -> None:
    assert round_half_up(Decimal("2.5")) == Decimal(3)
    assert round_half_up(Decimal("-2.5")) == Decimal(-3)
    assert round_half_up(Decimal("1.005"), 2) == Decimal("1.01")


def test_times_rounds_half_up() -> None:
    assert Money(1, CNY).times(Decimal("0.5")).minor == 1
    assert Money(3, CNY).times(Decimal("0.5")).minor == 2
    assert Money(100, CNY).times("0.333").minor == 33


def test_amount_and_str() -> None:
    money = Money.of("8884.88", CNY)
    assert money.amount == Decimal("8884.88")
    assert str(money) == "8,884.88 CNY"


def test_arithmetic_and_comparison_in_one_currency() -> None:
    a, b = Money.of("1.50", CNY), Money.of("0.75", CNY)
    assert (a + b).minor == 225
    assert (a - b).minor == 75
    assert (-a).minor == -150
    assert b < a
    assert a.min(b) == b
    assert a.max(b) == a


def test_currency_mismatch_is_refused() -> None:
    with pytest.raises(CurrencyMismatch) as info:
        _ = Money.of("1", CNY) + Money.of("1", USD)
    assert "CNY" in info.value.en
    assert "CNY" in info.value.zh
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", CNY) < Money.of("1", USD)


def test_float_and_garbage_are_refused() -> None:
    with pytest.raises(ValidationError):
        Money.of("abc", CNY)
    with pytest.raises(ValidationError):
        Money(1.5, CNY)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        currency("XYZ")


def test_total_of_nothing_is_zero_in_the_given_currency() -> None:
    assert total([], USD) == Money.zero(USD)
    assert total([Money(1, USD), Money(2, USD)], USD) == Money(3, USD)


@given(st.lists(st.integers(-(10**15), 10**15), max_size=30))
def test_total_is_the_amounts_added_one_by_one(minors: list[int]) -> None:
    amounts = [Money(m, CNY) for m in minors]
    added = Money.zero(CNY)
    for amount in amounts:
        added = added + amount
    assert total(amounts, USD) == (added if amounts else Money.zero(USD))


def test_total_refuses_what_adding_refuses() -> None:
    with pytest.raises(CurrencyMismatch, match=r"CNY.*USD"):
        total([Money(1, CNY), Money(2, CNY), Money(3, USD)])
    with pytest.raises(TypeError):
        total([Money(1, CNY), 2])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        total([2, Money(1, CNY)])  # type: ignore[list-item]


def test_split_refuses_empty_or_zero_weights() -> None:
    with pytest.raises(ValidationError):
        Money(100, CNY).split([])
    with pytest.raises(ValidationError):
        Money(100, CNY).split([0, 0])


def test_split_is_proportional() -> None:
    parts = Money(10_000, CNY).split([1, 1, 1])
    assert [p.minor for p in parts] == [3333, 3333, 3334]


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20).filter(
        lambda ws: sum(ws) > 0
    ),
)
def test_split_sums_exactly(minor: int, weights: list[int]) -> None:
    parts = Money(minor, CNY).split(weights)
    assert len(parts) == len(weights)
    assert sum(p.minor for p in parts) == minor
    assert all(p.currency == CNY for p in parts)
