"""Offer limits: the policy's ``offers`` section, plus the few numbers plans need.

The shape is the policy document's (``tideover.policy.model.Offers``): allowed
options, ``max_extension_months``, ``max_holiday_months``, ``max_waiver_pct``,
``settlement_floor_pct`` and rising ``approval_levels``.  The extra fields
have defaults and are documented in docs/plans.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import Field
from pydantic import ValidationError as PydanticError

from tideover.i18n import N_
from tideover.plans.errors import OfferOutsideLimits
from tideover.policy.model import ApprovalLevel, Offers, Percent, ReliefOption

ALL_OPTIONS = list(ReliefOption)


class OfferLimits(Offers):
    """What may be offered without breaking policy, and who must approve what."""

    options: list[ReliefOption] = Field(default_factory=lambda: list(ALL_OPTIONS), min_length=1)
    max_extension_months: int = Field(default=24, ge=0, le=60)
    max_holiday_months: int = Field(default=3, ge=0, le=12)
    max_waiver_pct: Percent = Decimal(60)
    settlement_floor_pct: Percent | None = Decimal(50)
    approval_levels: list[ApprovalLevel] = Field(
        default_factory=lambda: [
            ApprovalLevel(role="team_lead", max_waiver_pct=Decimal(30)),
            ApprovalLevel(role="manager", max_waiver_pct=Decimal(60)),
        ]
    )
    # Plans' own limits (not in the policy document yet).
    max_plan_installments: int = Field(default=60, ge=1, le=120)  # 60 for the CN pack
    max_due_date_shift_days: int = Field(default=30, ge=0, le=90)
    max_settlement_installments: int = Field(default=6, ge=1, le=24)
    auto_max_waiver_pct: Percent = Decimal(10)
    auto_max_extension_months: int = Field(default=12, ge=0, le=60)
    affordability_share: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)
    offer_valid_days: int = Field(default=14, ge=1, le=90)
    # Re-offers of broken plans per application before a fresh application is needed
    # (0: none); why 2 is in docs/plans.md and ``lifecycle.check_reoffer``.
    max_reoffers: int = Field(default=2, ge=0, le=12)


def limits_from_offers(offers: Offers, **plan_fields: Any) -> OfferLimits:
    """Limits from a policy's ``offers`` entry, with plan fields given or defaulted."""
    return parse_limits({**offers.model_dump(), **plan_fields})


def parse_limits(data: Mapping[str, Any]) -> OfferLimits:
    """Validated limits; a problem raises ``OfferOutsideLimits`` with every field named."""
    try:
        limits = OfferLimits.model_validate(data)
    except PydanticError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise OfferOutsideLimits(
            N_("offer limits are invalid: %(problems)s"), problems=problems
        ) from None
    levels = [level.max_waiver_pct for level in limits.approval_levels]
    if levels != sorted(levels) or (levels and levels[-1] < limits.max_waiver_pct):
        raise OfferOutsideLimits(
            N_("approval levels must rise and the last must reach max_waiver_pct"),
        )
    return limits
