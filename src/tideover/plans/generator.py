"""The option generator: account + application + offer limits → ranked plan options.

Same inputs give the same options in the same order (fairness): candidates are
derived only from the inputs, every map is read in sorted order, and ties in
expected NPV are broken by total cost to the borrower, then by option id.

Affordability is checked on the installments due within the expected hardship
(all of them when its length is unknown): each must fit the affordable share
of disposable income (the first may also use a declared lump sum).  Later
installments need only be no larger than the contract's own payment, which the
borrower could pay before the hardship.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from tideover.domain.money import Money, round_half_up
from tideover.domain.schedules import due_dates, periodic_rate
from tideover.i18n import N_, Wording
from tideover.plans.account import AccountSnapshot
from tideover.plans.affordability import Affordability, assess
from tideover.plans.application import HardshipApplication
from tideover.plans.approval import limit_problems, required_role
from tideover.plans.cases import Reason
from tideover.plans.limits import OfferLimits
from tideover.plans.npv import (
    RiskAssumptions,
    default_probability,
    expected_npv,
    monthly_hazard,
    months_after,
)
from tideover.plans.options import PlanOption, PlanSpec, build_option, level_payment

STEP_UP_MONTHS = 6
SETTLEMENT_PLAN_PREMIUM = Decimal(10)  # points above the floor for settling in instalments


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One option with its verdict, its cost to the borrower and its value to the lender."""

    option: PlanOption
    offered: bool
    affordable: bool
    npv: Money
    npv_uplift: Money  # against no plan
    approval: str | None  # "system" (automatic) or the role that must approve; None if not offered
    reasons: tuple[Reason, ...]
    payment_change: Money  # monthly payment against the contract's
    total_cost_change: Money  # against what the contract still asks
    maturity_change_months: int
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class OptionsResult:
    snapshot: AccountSnapshot
    affordability: Affordability
    default_probability: Decimal
    status_quo_npv: Money
    evaluations: tuple[Evaluation, ...] = field(default=())

    @property
    def offered(self) -> tuple[Evaluation, ...]:
        return tuple(e for e in self.evaluations if e.offered)


def _level_payment(snapshot: AccountSnapshot, term: int) -> Decimal:
    """Estimated monthly payment of a re-amortisation over ``term``, arrears spread evenly."""
    rate = periodic_rate(snapshot.annual_rate, snapshot.frequency)
    arrears = (
        snapshot.balance.minor - snapshot.outstanding_principal.minor + snapshot.future_fees.minor
    )
    return level_payment(snapshot.outstanding_principal.minor, rate, term) + Decimal(arrears) / term


def _shortest_affordable_term(
    snapshot: AccountSnapshot, low: int, high: int, limit: Money
) -> int | None:
    """The least term in ``low..high`` whose estimated payment fits ``limit`` (binary search)."""
    if low > high or _level_payment(snapshot, high) > limit.minor:
        return None
    while low < high:
        middle = (low + high) // 2
        if _level_payment(snapshot, middle) <= limit.minor:
            high = middle
        else:
            low = middle + 1
    return low


def _shift_days(
    snapshot: AccountSnapshot, application: HardshipApplication, limits: OfferLimits
) -> int:
    day = application.preferred_payment_day
    if day is None:
        return limits.max_due_date_shift_days
    start = snapshot.next_due_date
    target = due_dates(start.replace(day=day), 2, snapshot.frequency)
    chosen = target[0] if target[0] > start else target[1]
    return (chosen - start).days


def candidate_specs(
    snapshot: AccountSnapshot,
    application: HardshipApplication,
    affordable: Money,
    limits: OfferLimits,
) -> list[PlanSpec]:
    """The requests worth computing for this account, derived from the inputs only."""
    left = snapshot.remaining_installments
    longest = max(left, min(left + limits.max_extension_months, limits.max_plan_installments))
    holiday = min(limits.max_holiday_months, application.expected_duration_months or 12)
    waiver = limits.max_waiver_pct
    floor = limits.settlement_floor_pct or Decimal(100)
    shortest = _shortest_affordable_term(snapshot, left + 1, longest, affordable)
    specs = [PlanSpec(shift_days=_shift_days(snapshot, application, limits))]
    if longest > left:
        specs.append(PlanSpec(term=longest))
    # A penalty waiver is only worth offering where there is penalty to waive.
    penalty_waiver = waiver if snapshot.penalty.is_positive else Decimal(0)
    if shortest is not None:
        specs.append(PlanSpec(term=shortest))
        if penalty_waiver:
            specs.append(PlanSpec(term=shortest, penalty_waiver_pct=penalty_waiver))
    if holiday:
        after = max(left, min(longest, limits.max_plan_installments - holiday))
        specs += [
            PlanSpec(holiday_months=holiday),
            PlanSpec(holiday_months=holiday, holiday_accrues=False),
            PlanSpec(holiday_months=holiday, term=after),
        ]
    specs += [
        PlanSpec(interest_waiver_pct=waiver),
        PlanSpec(term=longest, interest_waiver_pct=waiver, penalty_waiver_pct=penalty_waiver),
        PlanSpec(settlement_pct=floor),
        PlanSpec(
            settlement_pct=min(Decimal(100), floor + SETTLEMENT_PLAN_PREMIUM),
            settlement_installments=limits.max_settlement_installments,
        ),
    ]
    if snapshot.penalty.is_positive:
        specs.append(PlanSpec(penalty_waiver_pct=waiver))
    if (snapshot.overdue_fees + snapshot.future_fees).is_positive:
        specs.append(PlanSpec(fee_waiver_pct=waiver))
    if longest > STEP_UP_MONTHS:
        specs.append(
            PlanSpec(step_up_months=min(STEP_UP_MONTHS, holiday or STEP_UP_MONTHS), term=longest)
        )
    return specs


def _unaffordable(
    option: PlanOption,
    snapshot: AccountSnapshot,
    application: HardshipApplication,
    affordable: Money,
) -> Reason | None:
    months = application.expected_duration_months
    lump = Money.of(application.lump_sum_available, snapshot.currency)
    later = affordable.max(snapshot.regular_payment).minor
    installments = option.schedule.installments
    for index, (item, amount) in enumerate(zip(installments, option.payments, strict=True)):
        within = months is None or months_after(snapshot.as_of, item.due_date) <= months
        limit = (affordable.minor if within else later) + (lump.minor if index == 0 else 0)
        if amount > limit:
            due, most = Money(amount, snapshot.currency), Money(limit, snapshot.currency)
            return Reason.of(
                "not_affordable",
                Wording(
                    N_("installment %(number)s of %(due)s is above the affordable %(most)s"),
                    number=item.number,
                    due=due,
                    most=most,
                ),
            )
    return None


def _hazard(base: Decimal, option: PlanOption, fits: bool, risk: RiskAssumptions) -> Decimal:
    owed = option.waived + option.total_cost
    share = Decimal(option.waived.minor) / owed.minor if owed.is_positive else Decimal(0)
    multiplier = risk.fits_multiplier if fits else risk.strain_multiplier
    hazard = base * multiplier * (1 - risk.write_down_effect * max(share, Decimal(0)))
    return min(round_half_up(hazard, 12), Decimal("0.99"))


def _months_between(first: date, second: date) -> int:
    return (second.year - first.year) * 12 + second.month - first.month


def evaluate(
    option: PlanOption,
    *,
    snapshot: AccountSnapshot,
    application: HardshipApplication,
    affordability: Affordability,
    limits: OfferLimits,
    base_hazard: Decimal,
    status_quo: Money,
    risk: RiskAssumptions,
) -> Evaluation:
    """Verdict, reasons, NPV and change against the contract of one option."""
    problems = list(limit_problems(option, limits))
    unaffordable = _unaffordable(option, snapshot, application, affordability.affordable_payment)
    if unaffordable is not None:
        problems.append(unaffordable)
    cur = snapshot.currency
    flows = [
        (i.due_date, Money(amount, cur))
        for i, amount in zip(option.schedule.installments, option.payments, strict=True)
    ]
    settling = option.spec.settlement_pct is not None
    npv = expected_npv(
        flows,
        as_of=snapshot.as_of,
        hazard=_hazard(base_hazard, option, unaffordable is None, risk),
        assumptions=risk,
        currency=snapshot.currency,
        lapse_extra=option.waived if settling else None,
    )
    offered = not problems
    reasons = tuple(problems) or (
        Reason.of(
            "offered",
            Wording(
                N_(
                    "within the offer limits; payments fit %(affordable_payment)s a month; "
                    "expected recovery %(npv)s against %(status_quo)s without a plan"
                ),
                affordable_payment=affordability.affordable_payment,
                npv=npv,
                status_quo=status_quo,
            ),
        ),
    )
    last_due = option.schedule.installments[-1].due_date
    return Evaluation(
        option=option,
        offered=offered,
        affordable=unaffordable is None,
        npv=npv,
        npv_uplift=npv - status_quo,
        approval=required_role(option, limits) if offered else None,
        reasons=reasons,
        payment_change=option.monthly_payment - snapshot.regular_payment,
        total_cost_change=option.total_cost - snapshot.current_total,
        maturity_change_months=_months_between(snapshot.current_maturity, last_due),
    )


def generate_options(
    snapshot: AccountSnapshot,
    application: HardshipApplication,
    limits: OfferLimits,
    *,
    score: Decimal | None = None,
    risk: RiskAssumptions | None = None,
) -> OptionsResult:
    """Every candidate option with its verdict; offered ones ranked by expected NPV."""
    risk = risk or RiskAssumptions()
    affordability = assess(application, share=limits.affordability_share)
    p12 = default_probability(score, snapshot.dpd)
    base = monthly_hazard(p12)
    strained = snapshot.regular_payment > affordability.affordable_payment
    quo_hazard = min(base * (risk.strain_multiplier if strained else 1), Decimal("0.99"))
    status_quo = expected_npv(
        list(snapshot.current_cashflows),
        as_of=snapshot.as_of,
        hazard=quo_hazard,
        assumptions=risk,
        currency=snapshot.currency,
    )
    options: dict[str, PlanOption] = {}
    for spec in candidate_specs(snapshot, application, affordability.affordable_payment, limits):
        option = build_option(snapshot, spec)
        options.setdefault(option.option_id, option)
    evaluations = [
        evaluate(
            options[key],
            snapshot=snapshot,
            application=application,
            affordability=affordability,
            limits=limits,
            base_hazard=base,
            status_quo=status_quo,
            risk=risk,
        )
        for key in sorted(options)
    ]
    return OptionsResult(
        snapshot=snapshot,
        affordability=affordability,
        default_probability=p12,
        status_quo_npv=status_quo,
        evaluations=rank(evaluations),
    )


def rank(evaluations: list[Evaluation]) -> tuple[Evaluation, ...]:
    """Offered first by NPV (desc), cost to the borrower, id; then the rest by id."""
    offered = sorted(
        (e for e in evaluations if e.offered),
        key=lambda e: (-e.npv.minor, e.option.total_cost.minor, e.option.option_id),
    )
    others = sorted((e for e in evaluations if not e.offered), key=lambda e: e.option.option_id)
    ranked = [_with_rank(e, n) for n, e in enumerate(offered, start=1)]
    return (*ranked, *others)


def _with_rank(evaluation: Evaluation, number: int) -> Evaluation:
    return replace(evaluation, rank=number)
