"""Offer limits and the approval matrix: automatic within limits, then rising roles.

The approver is never the requester: segregation of duties (Basel Committee,
Framework for Internal Control Systems in Banking Organisations, 1998,
principle 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tideover.domain.identity import same_person
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
            found.append(Reason("option_not_offered", f"{kind} is not in the policy's offers",
                                f"策略的可选方案中没有 {kind}"))  # fmt: skip
    checks = (
        (option.extension_months > limits.max_extension_months, "max_extension_months",
         f"extends by {option.extension_months} installments (max {limits.max_extension_months})",
         f"展期 {option.extension_months} 期（上限 {limits.max_extension_months}）"),
        (len(option.schedule.installments) > limits.max_plan_installments, "max_plan_installments",
         f"{len(option.schedule.installments)} installments (max {limits.max_plan_installments})",
         f"共 {len(option.schedule.installments)} 期（上限 {limits.max_plan_installments}）"),
        (spec.holiday_months > limits.max_holiday_months, "max_holiday_months",
         f"a {spec.holiday_months}-month holiday (max {limits.max_holiday_months})",
         f"延期 {spec.holiday_months} 个月（上限 {limits.max_holiday_months}）"),
        (spec.shift_days > limits.max_due_date_shift_days, "max_due_date_shift_days",
         f"shifts due dates by {spec.shift_days} days (max {limits.max_due_date_shift_days})",
         f"还款日顺延 {spec.shift_days} 天（上限 {limits.max_due_date_shift_days}）"),
        (option.waiver_pct > limits.max_waiver_pct, "max_waiver_pct",
         f"waives {option.waiver_pct}% (max {limits.max_waiver_pct}%)",
         f"减免 {option.waiver_pct}%（上限 {limits.max_waiver_pct}%）"),
        (spec.settlement_installments > limits.max_settlement_installments,
         "max_settlement_installments",
         f"settles in {spec.settlement_installments} installments "
         f"(max {limits.max_settlement_installments})",
         f"结清分 {spec.settlement_installments} 期（上限 {limits.max_settlement_installments}）"),
    )  # fmt: skip
    found += [Reason(code, en, zh) for bad, code, en, zh in checks if bad]
    floor = limits.settlement_floor_pct
    pct = spec.settlement_pct
    if pct is not None and floor is None:
        found.append(Reason("settlement_floor_pct",
                            f"settles for {pct}% of the balance, and the policy sets no "
                            "settlement floor",
                            f"按余额的 {pct}% 结清，而策略未设结清下限"))  # fmt: skip
    elif pct is not None and floor is not None and pct < floor:
        found.append(Reason("settlement_floor_pct",
                            f"settles for {pct}% of the balance (floor {floor}%)",
                            f"按余额的 {pct}% 结清（下限 {floor}%）"))  # fmt: skip
    return tuple(found)


def require_within_limits(option: PlanOption, limits: OfferLimits) -> None:
    """Raise ``OfferOutsideLimits`` naming every limit ``option`` breaks."""
    problems = limit_problems(option, limits)
    if problems:
        raise OfferOutsideLimits(
            f"plan {option.option_id!r} is outside the offer limits: "
            + "; ".join(p.en for p in problems),
            f"方案 {option.option_id!r} 超出优惠限额：" + "；".join(p.zh for p in problems),
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
        f"no approval level covers a {option.waiver_pct}% waiver",
        f"没有审批层级可以覆盖 {option.waiver_pct}% 的减免",
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
            f"{approver!r} requested {request.request_id!r} and cannot also approve it",
            f"{approver!r} 是申请 {request.request_id!r} 的发起人，不能自行审批",
        )
    if request.required_role == AUTOMATIC:
        return Approval(request.request_id, approver, AUTOMATIC, at)
    needed = _rank(request.required_role, limits)
    held = [r for r in approver_roles if _rank(r, limits) >= needed >= 0]
    if not held:
        raise ApprovalRefused(
            f"{request.request_id!r} needs the role {request.required_role!r} or higher; "
            f"{approver!r} has {sorted(approver_roles)}",
            f"{request.request_id!r} 需要 {request.required_role!r} 或更高角色审批；"
            f"{approver!r} 的角色为 {sorted(approver_roles)}",
        )
    role = max(held, key=lambda r: _rank(r, limits))
    return Approval(request.request_id, approver, role, at)
