"""Offer limits and the approval matrix: automatic within limits, then rising roles.

The approver is never the requester: segregation of duties (Basel Committee,
Framework for Internal Control Systems in Banking Organisations, 1998,
principle 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tideover.domain.identity import same_person
from tideover.i18n import N_, Bilingual, Clauses, Wording
from tideover.plans.cases import AUTOMATIC, Reason
from tideover.plans.errors import ApprovalRefused, OfferOutsideLimits
from tideover.plans.limits import OfferLimits
from tideover.plans.options import PlanOption
from tideover.policy.model import ReliefOption


def limit_problems(option: PlanOption, limits: OfferLimits) -> tuple[Reason, ...]:
    """Every way ``option`` goes beyond ``limits`` (empty when it is within them)."""
    spec, found = option.spec, []
    for kind in option.kinds:
        if kind not in limits.options:
            found.append(
                Reason.of(
                    "option_not_offered",
                    Wording(N_("%(kind)s is not in the policy's offers"), kind=kind),
                )
            )
    installments = len(option.schedule.installments)
    checks = (
        (option.extension_months > limits.max_extension_months, "max_extension_months",
         N_("extends by %(asked)s installments (max %(most)s)"),
         option.extension_months, limits.max_extension_months),
        (installments > limits.max_plan_installments, "max_plan_installments",
         N_("%(asked)s installments (max %(most)s)"),
         installments, limits.max_plan_installments),
        (spec.holiday_months > limits.max_holiday_months, "max_holiday_months",
         N_("a %(asked)s-month holiday (max %(most)s)"),
         spec.holiday_months, limits.max_holiday_months),
        (spec.shift_days > limits.max_due_date_shift_days, "max_due_date_shift_days",
         N_("shifts due dates by %(asked)s days (max %(most)s)"),
         spec.shift_days, limits.max_due_date_shift_days),
        (option.waiver_pct > limits.max_waiver_pct, "max_waiver_pct",
         N_("waives %(asked)s%% (max %(most)s%%)"),
         option.waiver_pct, limits.max_waiver_pct),
        (spec.settlement_installments > limits.max_settlement_installments,
         "max_settlement_installments",
         N_("settles in %(asked)s installments (max %(most)s)"),
         spec.settlement_installments, limits.max_settlement_installments),
    )  # fmt: skip
    found += [
        Reason.of(code, Wording(message, asked=asked, most=most))
        for bad, code, message, asked, most in checks
        if bad
    ]
    floor = limits.settlement_floor_pct
    pct = spec.settlement_pct
    if pct is not None and floor is None:
        found.append(
            Reason.of(
                "settlement_floor_pct",
                Wording(
                    N_(
                        "settles for %(pct)s%% of the balance, and the policy sets no "
                        "settlement floor"
                    ),
                    pct=pct,
                ),
            )
        )
    elif pct is not None and floor is not None and pct < floor:
        found.append(
            Reason.of(
                "settlement_floor_pct",
                Wording(
                    N_("settles for %(pct)s%% of the balance (floor %(floor)s%%)"),
                    pct=pct,
                    floor=floor,
                ),
            )
        )
    return tuple(found)


def require_within_limits(option: PlanOption, limits: OfferLimits) -> None:
    """Raise ``OfferOutsideLimits`` naming every limit ``option`` breaks."""
    problems = limit_problems(option, limits)
    if problems:
        raise OfferOutsideLimits(
            N_("plan %(option)s is outside the offer limits: %(problems)s"),
            option=repr(option.option_id),
            problems=Clauses(Bilingual(p.en, p.zh) for p in problems),
        )


def required_role(option: PlanOption, limits: OfferLimits) -> str:
    """``system`` when automatic, else the lowest approval level's role that covers it."""
    require_within_limits(option, limits)
    automatic = (
        option.waiver_pct <= limits.auto_max_waiver_pct
        and option.extension_months <= limits.auto_max_extension_months
        and ReliefOption.SETTLEMENT not in option.kinds  # a write-off is always a person's call
    )
    if automatic:
        return AUTOMATIC
    for level in limits.approval_levels:
        if option.waiver_pct <= level.max_waiver_pct:
            return level.role
    raise OfferOutsideLimits(  # pragma: no cover - parse_limits makes the last level cover all
        N_("no approval level covers a %(waiver_pct)s%% waiver"),
        waiver_pct=option.waiver_pct,
    )


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    request_id: str
    option_id: str
    requested_by: str
    required_role: str


@dataclass(frozen=True, slots=True)
class Approval:
    request_id: str
    approved_by: str
    role: str
    at: datetime


def _rank(role: str, limits: OfferLimits) -> int:
    roles = [level.role for level in limits.approval_levels]
    return roles.index(role) if role in roles else -1


def approve(
    request: ApprovalRequest,
    *,
    approver: str,
    approver_roles: frozenset[str],
    limits: OfferLimits,
    at: datetime,
) -> Approval:
    """Approve ``request``; refused for the requester or a role below the one required."""
    if same_person(approver, request.requested_by):  # one person, however spelled
        raise ApprovalRefused(
            N_("%(approver)s requested %(request_id)s and cannot also approve it"),
            approver=repr(approver),
            request_id=repr(request.request_id),
        )
    if request.required_role == AUTOMATIC:
        return Approval(request.request_id, approver, AUTOMATIC, at)
    needed = _rank(request.required_role, limits)
    held = [r for r in approver_roles if _rank(r, limits) >= needed >= 0]
    if not held:
        raise ApprovalRefused(
            N_(
                "%(request_id)s needs the role %(required_role)s or higher; %(approver)s "
                "has %(approver_roles)s"
            ),
            request_id=repr(request.request_id),
            required_role=repr(request.required_role),
            approver=repr(approver),
            approver_roles=sorted(approver_roles),
        )
    role = max(held, key=lambda r: _rank(r, limits))
    return Approval(request.request_id, approver, role, at)
