"""Penalty interest (罚息) and late fees: each platform's policy, as data.

Penalty interest accrues on overdue principal (optionally also on overdue
interest) at an annual rate with a day-count convention.  The grace period
is forgiven: only overdue days beyond ``grace_days`` bear penalty.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from tideover.domain.errors import ValidationError
from tideover.domain.money import Money, round_half_up
from tideover.i18n import N_

_MAX_RATE = Decimal(10)


class DayCount(StrEnum):
    """How a day's share of the annual rate is computed."""

    ACT_360 = "act/360"
    ACT_365 = "act/365"

    @property
    def days_in_year(self) -> int:
        return 360 if self is DayCount.ACT_360 else 365


@dataclass(frozen=True, slots=True)
class PenaltyPolicy:
    """A platform's penalty terms.

    ``late_fee`` is flat and charged once per installment still unsettled
    after more than ``max(grace_days, late_fee_after_days)`` overdue days, so
    a payment inside the grace period never costs a fee.
    """

    annual_rate: Decimal = Decimal("0.18")
    day_count: DayCount = DayCount.ACT_360
    grace_days: int = 0
    late_fee: Money | None = None
    late_fee_after_days: int = 0
    includes_overdue_interest: bool = False

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.annual_rate <= _MAX_RATE:
            raise ValidationError(
                N_("penalty rate %(annual_rate)s is outside 0..%(max_rate)s"),
                annual_rate=self.annual_rate,
                max_rate=_MAX_RATE,
            )
        if self.grace_days < 0 or self.late_fee_after_days < 0:
            raise ValidationError(
                N_(
                    "grace days (%(grace_days)s) and late-fee days (%(late_fee_after_days)s) "
                    "must not be negative"
                ),
                grace_days=self.grace_days,
                late_fee_after_days=self.late_fee_after_days,
            )
        if self.late_fee is not None and self.late_fee.is_negative:
            raise ValidationError(
                N_("late fee %(late_fee)s must not be negative"),
                late_fee=self.late_fee,
            )

    @property
    def late_fee_threshold(self) -> int:
        """Overdue days that must be exceeded before the late fee is charged."""
        return max(self.grace_days, self.late_fee_after_days)

    def penalised_days(self, overdue_days: int) -> int:
        """Overdue days that bear penalty interest: those beyond the grace period."""
        return max(0, overdue_days - self.grace_days)


NO_PENALTY = PenaltyPolicy(annual_rate=Decimal(0))


def penalty_interest_exact(overdue_base: Money, days: int, policy: PenaltyPolicy) -> Decimal:
    """Penalty in minor units, unrounded: ``base × rate × days / days_in_year``."""
    if overdue_base.is_negative or days < 0:
        raise ValidationError(
            N_(
                "penalty needs a non-negative base and days, got %(overdue_base)s for %(days)s days"
            ),
            overdue_base=overdue_base,
            days=days,
        )
    with localcontext() as ctx:
        ctx.prec = 40
        return (
            Decimal(overdue_base.minor) * policy.annual_rate * days / policy.day_count.days_in_year
        )


def penalty_interest(overdue_base: Money, days: int, policy: PenaltyPolicy) -> Money:
    """Penalty interest on ``overdue_base`` for ``days``, rounded half-up to the minor unit."""
    exact = penalty_interest_exact(overdue_base, days, policy)
    return Money(int(round_half_up(exact)), overdue_base.currency)
