"""Plan options: each one a new, exact schedule built from the account snapshot.

One ``PlanSpec`` describes any option or combination: a due-date shift, a
longer term (re-amortisation), a payment holiday with or without interest,
waivers of interest, penalty and fees (in percent), a step-up (lower payments
first) or a settlement.  ``build_option`` turns it into a ``PlanOption``.

How a plan schedule is laid out:

- the outstanding principal is re-amortised with the Foundation schedule maths
  (``tideover.domain.schedules``) at the contract rate, so it sums exactly;
- an interest waiver of p % keeps ``(1 − p/100)`` of each installment's
  interest, rounded half-up, so a larger waiver never charges more;
- arrears brought into the plan (overdue interest, fees and penalty after
  waivers, and interest accrued during a holiday) are spread evenly over the
  repayment installments in the ``fees`` component and bear no interest: a
  plan never charges interest on interest;
- holiday installments are kept in the schedule with zero amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tideover.domain.errors import ValidationError
from tideover.domain.loans import (
    Installment,
    LoanTerms,
    RepaymentMethod,
    Schedule,
)
from tideover.domain.money import Money, round_half_up, total
from tideover.domain.schedules import build_schedule, due_dates, periodic_rate
from tideover.i18n import N_
from tideover.plans.account import AccountSnapshot
from tideover.policy.model import ReliefOption

HUNDRED = Decimal(100)
_Parts = list[tuple[int, int]]  # (principal, interest) in minor units


@dataclass(frozen=True, slots=True)
class PlanSpec:
    """The relief asked for; zero everywhere means "re-amortise as it stands"."""

    shift_days: int = 0
    term: int | None = None  # repayment installments after any holiday; None: as many as left
    holiday_months: int = 0
    holiday_accrues: bool = True
    interest_waiver_pct: Decimal = Decimal(0)
    penalty_waiver_pct: Decimal = Decimal(0)
    fee_waiver_pct: Decimal = Decimal(0)
    step_up_months: int = 0
    step_up_share: Decimal = Decimal("0.5")  # of the level payment, during the step-up
    settlement_pct: Decimal | None = None  # share of the balance paid to settle
    settlement_installments: int = 1

    def __post_init__(self) -> None:
        problems = [
            name
            for name, bad in (
                ("shift_days", self.shift_days < 0),
                ("term", self.term is not None and not 1 <= self.term <= 600),
                ("holiday_months", self.holiday_months < 0),
                ("step_up_months", self.step_up_months < 0),
                ("step_up_share", not Decimal(0) < self.step_up_share <= 1),
                ("settlement_installments", self.settlement_installments < 1),
            )
            if bad
        ]
        pcts = (self.interest_waiver_pct, self.penalty_waiver_pct, self.fee_waiver_pct)
        if any(not 0 <= p <= HUNDRED for p in pcts):
            problems.append("waiver_pct")
        if self.settlement_pct is not None and not 0 < self.settlement_pct <= HUNDRED:
            problems.append("settlement_pct")
        if self.term is not None and self.step_up_months >= self.term:
            problems.append("step_up_months")
        if problems:
            raise ValidationError(
                N_("plan request has invalid %(names)s: %(request)s"),
                names=tuple(problems),
                request=self,
            )


@dataclass(frozen=True, slots=True)
class PlanOption:
    """One computed plan: its schedule and what it forgives."""

    option_id: str
    spec: PlanSpec
    kinds: tuple[ReliefOption, ...]
    schedule: Schedule
    waived: Money
    waiver_pct: Decimal  # largest share forgiven of one charge (or of the balance, settling)
    extension_months: int  # repayment installments beyond those left on the contract
    payments: tuple[int, ...] = ()  # each installment's total in minor units (set by the builder)

    @property
    def total_cost(self) -> Money:
        """What the borrower pays from now on under the plan."""
        return Money(sum(self.payments), self.schedule.currency)

    @property
    def monthly_payment(self) -> Money:
        """The first installment after any holiday: what the plan usually asks."""
        paying = [p for p in self.payments if p > 0]
        return Money(paying[0] if paying else 0, self.schedule.currency)

    @property
    def largest_payment(self) -> Money:
        return Money(max(self.payments, default=0), self.schedule.currency)


def _payments(schedule: Schedule) -> tuple[int, ...]:
    return tuple(i.principal.minor + i.interest.minor + i.fees.minor for i in schedule.installments)


def option_id(spec: PlanSpec) -> str:
    """A readable id that is the same for the same request, e.g. ``extension-24+penalty-100``."""
    if spec.settlement_pct is not None:
        return f"settlement-{spec.settlement_pct.normalize():f}pct-{spec.settlement_installments}"
    parts = []
    if spec.shift_days:
        parts.append(f"shift-{spec.shift_days}d")
    if spec.holiday_months:
        accrual = "accrue" if spec.holiday_accrues else "no-interest"
        parts.append(f"holiday-{spec.holiday_months}-{accrual}")
    if spec.step_up_months:
        parts.append(f"step-up-{spec.step_up_months}")
    if spec.term is not None:
        parts.append(f"term-{spec.term}")
    for label, pct in (
        ("interest", spec.interest_waiver_pct),
        ("penalty", spec.penalty_waiver_pct),
        ("fees", spec.fee_waiver_pct),
    ):
        if pct:
            parts.append(f"{label}-waiver-{pct.normalize():f}")
    return "+".join(parts) or "re-amortise"


def _kinds(
    spec: PlanSpec, snapshot: AccountSnapshot, forgiven_holiday: Money
) -> list[ReliefOption]:
    kinds: list[ReliefOption] = []
    if spec.settlement_pct is not None:
        return [ReliefOption.SETTLEMENT]
    if spec.shift_days:
        kinds.append(ReliefOption.DUE_DATE_SHIFT)
    if spec.term is not None and spec.term > snapshot.remaining_installments:
        kinds.append(ReliefOption.EXTENSION)
    if spec.holiday_months:
        kinds.append(ReliefOption.PAYMENT_HOLIDAY)
    if spec.interest_waiver_pct or forgiven_holiday.is_positive:
        kinds.append(ReliefOption.INTEREST_WAIVER)
    if spec.penalty_waiver_pct:
        kinds.append(ReliefOption.PENALTY_WAIVER)
    if spec.fee_waiver_pct:
        kinds.append(ReliefOption.FEE_WAIVER)
    if spec.step_up_months or not kinds:
        kinds.append(ReliefOption.RESTRUCTURE)
    return kinds


def _keep(pct: Decimal) -> Decimal:
    return (HUNDRED - pct) / HUNDRED


def _plan_method(method: RepaymentMethod) -> RepaymentMethod:
    # A bullet cannot be spread; every other method keeps its shape.
    return RepaymentMethod.EQUAL_INSTALLMENT if method is RepaymentMethod.BULLET else method


def level_payment(principal: int, rate: Decimal, term: int) -> Decimal:
    """The exact annuity payment ``P·r / (1 − (1 + r)^−n)`` (``P / n`` at 0 %), minor units."""
    if rate == 0:
        return Decimal(principal) / term
    return principal * rate / (1 - (1 + rate) ** -term)


def _amortise(snapshot: AccountSnapshot, principal: int, term: int, first_due: date) -> _Parts:
    """(principal, interest) of ``term`` installments from the Foundation schedule maths."""
    if principal <= 0:
        return [(0, 0)] * term
    terms = LoanTerms(
        principal=Money(principal, snapshot.currency),
        annual_rate=snapshot.annual_rate,
        term=term,
        method=_plan_method(snapshot.method),
        # One day before the first due date, so that day of month is the repayment day.
        start_date=first_due - timedelta(days=1),
        first_due_date=first_due,
        frequency=snapshot.frequency,
    )
    parts = [(i.principal.minor, i.interest.minor) for i in build_schedule(terms).installments]
    return parts + [(0, 0)] * (term - len(parts))  # a bullet-style single part, padded


def _step_up(snapshot: AccountSnapshot, spec: PlanSpec, term: int, dates: list[date]) -> _Parts:
    """A share of the level payment for ``step_up_months`` (at least the interest), then level."""
    balance = snapshot.outstanding_principal.minor
    rate = periodic_rate(snapshot.annual_rate, snapshot.frequency)
    low = int(round_half_up(level_payment(balance, rate, term) * spec.step_up_share))
    parts: _Parts = []
    for _ in range(spec.step_up_months):
        interest = int(round_half_up(balance * rate))
        paid = min(max(low - interest, 0), balance)
        parts.append((paid, interest))
        balance -= paid
    return parts + _amortise(snapshot, balance, term - spec.step_up_months, dates[len(parts)])


def build_option(snapshot: AccountSnapshot, spec: PlanSpec) -> PlanOption:
    """The plan ``spec`` asks for, computed exactly (limits are checked elsewhere)."""
    if spec.settlement_pct is not None:
        return _settlement(snapshot, spec)
    cur = snapshot.currency
    term = spec.term or snapshot.remaining_installments
    if spec.step_up_months >= term:
        raise ValidationError(
            N_("a step-up of %(step_up_months)s months needs more than %(term)s installments"),
            step_up_months=spec.step_up_months,
            term=term,
        )
    first_due = snapshot.next_due_date + timedelta(days=spec.shift_days)
    dates = due_dates(first_due, spec.holiday_months + term, snapshot.frequency)
    repay_dates = dates[spec.holiday_months :]
    principal = snapshot.outstanding_principal
    rate = periodic_rate(snapshot.annual_rate, snapshot.frequency)
    holiday_interest = Money(int(round_half_up(principal.minor * rate * spec.holiday_months)), cur)
    accrued = holiday_interest if spec.holiday_accrues else Money.zero(cur)
    keep_interest = _keep(spec.interest_waiver_pct)
    carried = [
        (snapshot.overdue_interest + accrued).times(keep_interest),
        (snapshot.overdue_fees + snapshot.future_fees).times(_keep(spec.fee_waiver_pct)),
        snapshot.penalty.times(_keep(spec.penalty_waiver_pct)),
    ]
    if spec.step_up_months:
        parts = _step_up(snapshot, spec, term, repay_dates)
    else:
        parts = _amortise(snapshot, principal.minor, term, repay_dates[0])
    kept_interest = [Money(i, cur).times(keep_interest) for _, i in parts]
    spread_over = term - spec.step_up_months
    arrears = total(carried, cur).split([1] * spread_over)
    fees = [Money.zero(cur)] * spec.step_up_months + arrears
    zero = Money.zero(cur)
    installments = [
        Installment(k + 1, d, zero, zero, zero) for k, d in enumerate(dates[: spec.holiday_months])
    ]
    for k, due in enumerate(repay_dates):
        installments.append(
            Installment(
                spec.holiday_months + k + 1,
                due,
                Money(parts[k][0], cur),
                kept_interest[k],
                fees[k],
            )
        )
    schedule = Schedule(tuple(installments), cur)
    payments = _payments(schedule)
    forgiven_holiday = holiday_interest - accrued
    charged_interest = total((Money(i, cur) for _, i in parts), cur)
    owed = snapshot.balance + charged_interest + snapshot.future_fees + accrued
    waived = Money(owed.minor - sum(payments), cur)
    holiday_pct = _pct(forgiven_holiday, forgiven_holiday + charged_interest)
    return PlanOption(
        option_id=option_id(spec),
        spec=spec,
        kinds=tuple(ReliefOption(k) for k in _kinds(spec, snapshot, forgiven_holiday)),
        schedule=schedule,
        waived=waived + forgiven_holiday,
        waiver_pct=max(
            spec.interest_waiver_pct, spec.penalty_waiver_pct, spec.fee_waiver_pct, holiday_pct
        ),
        extension_months=max(0, term - snapshot.remaining_installments),
        payments=payments,
    )


def _pct(part: Money, whole: Money) -> Decimal:
    """``part / whole`` in percent, rounded half-up to 0.01 (0 for an empty whole)."""
    if not whole.is_positive:
        return Decimal(0)
    return round_half_up(Decimal(part.minor) * HUNDRED / whole.minor, 2)


def _settlement(snapshot: AccountSnapshot, spec: PlanSpec) -> PlanOption:
    """Pay ``settlement_pct`` of today's balance, at once or in a short plan, no interest."""
    assert spec.settlement_pct is not None
    cur = snapshot.currency
    amount = snapshot.balance.times(spec.settlement_pct / HUNDRED)
    count = spec.settlement_installments
    parts = amount.split([1] * count)
    first_due = snapshot.next_due_date + timedelta(days=spec.shift_days)
    zero = Money.zero(cur)
    schedule = Schedule(
        tuple(
            Installment(k + 1, due, part, zero, zero)
            for k, (due, part) in enumerate(
                zip(due_dates(first_due, count, snapshot.frequency), parts, strict=True)
            )
        ),
        cur,
    )
    return PlanOption(
        option_id=option_id(spec),
        spec=spec,
        kinds=(ReliefOption.SETTLEMENT,),
        schedule=schedule,
        waived=snapshot.balance - amount,
        waiver_pct=HUNDRED - spec.settlement_pct,
        extension_months=max(0, count - snapshot.remaining_installments),
        payments=_payments(schedule),
    )
