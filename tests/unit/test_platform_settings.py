from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tideover.domain.allocation import Component, Waterfall
from tideover.domain.clock import FixedClock, business_date
from tideover.domain.errors import ValidationError
from tideover.domain.money import USD, Money
from tideover.domain.penalty import DayCount, PenaltyPolicy
from tideover.domain.platforms import PlatformSettings
from tideover.domain.rates import parse_rate


def test_settings_round_trip_through_their_stored_form() -> None:
    settings = PlatformSettings(
        currency=USD,
        time_zone="America/Chicago",
        waterfall=Waterfall(
            components=(Component.INTEREST, Component.PRINCIPAL, Component.FEES, Component.PENALTY),
            mode="component-first",
        ),
        penalty=PenaltyPolicy(
            annual_rate=Decimal("0.24"),
            day_count=DayCount.ACT_365,
            grace_days=3,
            late_fee=Money.of("25", USD),
        ),
    )
    assert PlatformSettings.from_dict(settings.to_dict()) == settings


def test_missing_keys_take_defaults() -> None:
    assert PlatformSettings.from_dict({}) == PlatformSettings()


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        PlatformSettings(time_zone="Mars/Olympus")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.12", "0.12"), ("12%", "0.12"), (" 7.5 % ", "0.075"), ("0", "0")],
)
def test_rates_are_fractions_or_explicit_percentages(text: str, expected: str) -> None:
    assert parse_rate(text) == Decimal(expected)


def test_a_rate_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a rate"):
        parse_rate("twelve")


def test_business_date_is_the_platforms_not_the_servers() -> None:
    clock = FixedClock(datetime(2026, 11, 28, 17, 30, tzinfo=UTC))
    assert business_date(clock, "Asia/Shanghai") == date(2026, 11, 29)
    assert business_date(clock, "America/Los_Angeles") == date(2026, 11, 28)
