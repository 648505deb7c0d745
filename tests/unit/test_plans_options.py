"""Plan options: golden plans and properties (exact sums, waivers, extensions)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_plans_helpers import loan, snapshot

from tideover.domain.loans import Frequency, RepaymentMethod
from tideover.domain.money import Money, total
from tideover.plans import (
    AccountSnapshot,
    OfferLimits,
    OfferOutsideLimits,
    PlanSpec,
    build_option,
    require_within_limits,
    required_role,
)
from tideover.policy.model import ReliefOption

ZERO = Money.zero()


def balance_of(
    principal: str,
    rate: str,
    *,
    overdue_interest: str = "0",
    penalty: str = "0",
    fees: str = "0",
    remaining: int = 1,
    regular: str = "0",
) -> AccountSnapshot:
    return AccountSnapshot(
        loan_id="L", currency=Money.zero().currency, as_of=date(2025, 6, 20),
        annual_rate=Decimal(rate), method=RepaymentMethod.EQUAL_INSTALLMENT,
        frequency=Frequency.MONTHLY, outstanding_principal=Money.of(principal),
        overdue_interest=Money.of(overdue_interest), overdue_fees=Money.of(fees), future_fees=ZERO,
        penalty=Money.of(penalty), remaining_installments=remaining,
        regular_payment=Money.of(regular), next_due_date=date(2025, 7, 15), dpd=0,
        current_cashflows=((date(2025, 7, 15), Money.of(principal)),),
    )  # fmt: skip


def test_golden_12_month_extension_of_10000_at_zero_percent() -> None:
    option = build_option(balance_of("10000", "0"), PlanSpec(term=12))
    amounts = [i.total for i in option.schedule.installments]
    assert amounts[:11] == [Money.of("833.33")] * 11
    assert amounts[11] == Money.of("833.37")  # the last absorbs the rounding
    assert option.total_cost == Money.of("10000.00")
    assert option.schedule.installments[0].due_date == date(2025, 7, 15)
    assert option.schedule.installments[-1].due_date == date(2026, 6, 15)
    assert ReliefOption.EXTENSION in option.kinds


def test_golden_12_month_extension_of_10000_at_the_contract_rate() -> None:
    # 10,000 at 12 % a year (1 % a month) over 12: 888.49 a month (numpy_financial.pmt
    # gives 888.4879); interest of each month rounded half-up sums to 661.86 and the
    # last installment, which takes what principal is left, is 888.47.
    option = build_option(balance_of("10000", "0.12"), PlanSpec(term=12))
    amounts = [i.total for i in option.schedule.installments]
    assert amounts[:11] == [Money.of("888.49")] * 11
    assert amounts[11] == Money.of("888.47")
    assert option.schedule.total_interest == Money.of("661.86")
    assert option.total_cost == Money.of("10661.86")
    assert option.waived == ZERO


def test_arrears_are_spread_without_interest_and_waivers_reduce_them() -> None:
    snap = balance_of("1000", "0.12", overdue_interest="30", penalty="12.34", remaining=2)
    plain = build_option(snap, PlanSpec(term=4))
    assert plain.schedule.total_fees == Money.of("42.34")
    waived = build_option(snap, PlanSpec(term=4, penalty_waiver_pct=Decimal(100)))
    assert waived.schedule.total_fees == Money.of("30.00")
    assert waived.waived == Money.of("12.34")
    assert plain.total_cost - waived.total_cost == Money.of("12.34")


def test_holiday_without_interest_forgives_the_holiday_interest() -> None:
    snap = balance_of("10000", "0.12", remaining=12)
    accrue = build_option(snap, PlanSpec(holiday_months=3))
    free = build_option(snap, PlanSpec(holiday_months=3, holiday_accrues=False))
    assert [i.total for i in accrue.schedule.installments[:3]] == [ZERO] * 3
    assert accrue.schedule.total_fees == Money.of("300.00")  # 10,000 × 1 % × 3, no compounding
    assert free.waived == Money.of("300.00")
    assert ReliefOption.INTEREST_WAIVER in free.kinds
    assert len(free.schedule.installments) == 15


def test_settlement_pays_a_share_of_the_balance_in_equal_parts() -> None:
    snap = balance_of("1000", "0.12", penalty="0.01")
    option = build_option(snap, PlanSpec(settlement_pct=Decimal(60), settlement_installments=3))
    assert option.total_cost == Money.of("600.01")  # 60 % of 1,000.01, half-up
    assert [i.total.amount for i in option.schedule.installments] == [
        Decimal("200.00"), Decimal("200.00"), Decimal("200.01")]  # fmt: skip
    assert option.waived == Money.of("400.00")
    assert option.waiver_pct == Decimal(40)


def test_step_up_asks_less_first_and_still_repays_the_principal() -> None:
    snap = balance_of("10000", "0.12", remaining=12)
    option = build_option(snap, PlanSpec(step_up_months=6, term=24))
    first, later = option.schedule.installments[0], option.schedule.installments[6]
    assert first.total < later.total
    assert option.schedule.total_principal == Money.of("10000")


def test_an_option_outside_the_limits_is_a_clear_error() -> None:
    limits = OfferLimits(max_waiver_pct=Decimal(30), options=[ReliefOption.EXTENSION])
    option = build_option(balance_of("1000", "0.12"), PlanSpec(interest_waiver_pct=Decimal(50)))
    with pytest.raises(OfferOutsideLimits) as caught:
        require_within_limits(option, limits)
    assert "interest_waiver is not in the policy's offers" in caught.value.en
    assert "waives 50" in caught.value.en
    assert "减免 50" in caught.value.zh


def test_approval_goes_automatic_then_team_lead_then_manager() -> None:
    snap, limits = balance_of("1000", "0.12", penalty="10"), OfferLimits()
    levels = [required_role(build_option(snap, PlanSpec(penalty_waiver_pct=Decimal(p))), limits)
              for p in (5, 25, 55)]  # fmt: skip
    assert levels == ["system", "team_lead", "manager"]


def test_bad_requests_are_refused() -> None:
    with pytest.raises(Exception, match="waiver_pct"):
        PlanSpec(interest_waiver_pct=Decimal(101))


# -- properties -------------------------------------------------------------------------

specs = st.builds(
    PlanSpec,
    shift_days=st.integers(0, 30),
    term=st.one_of(st.none(), st.integers(10, 60)),
    holiday_months=st.integers(0, 6),
    holiday_accrues=st.booleans(),
    interest_waiver_pct=st.integers(0, 100).map(Decimal),
    penalty_waiver_pct=st.integers(0, 100).map(Decimal),
    fee_waiver_pct=st.integers(0, 100).map(Decimal),
    step_up_months=st.integers(0, 6),
)
accounts = st.builds(
    lambda p, r, t, n, m: snapshot(loan(str(p), r, t, m), paid_count=n),
    st.integers(500, 200_000),
    st.sampled_from(["0", "0.0799", "0.12", "0.24", "0.36"]),
    st.integers(6, 36),
    st.integers(0, 5),
    st.sampled_from([RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL]),
)


@settings(max_examples=150, deadline=None)
@given(accounts, specs)
def test_every_schedule_sums_exactly(snap: AccountSnapshot, spec: PlanSpec) -> None:
    assume(spec.step_up_months < (spec.term or snap.remaining_installments))
    option = build_option(snap, spec)
    schedule = option.schedule
    assert schedule.total_principal == snap.outstanding_principal
    assert total(i.total for i in schedule.installments) == option.total_cost
    assert sum(option.payments) == schedule.total_due.minor
    assert not option.waived.is_negative
    assert [i.number for i in schedule.installments] == list(
        range(1, len(schedule.installments) + 1)
    )
    dates = [i.due_date for i in schedule.installments]
    assert dates == sorted(dates)
    assert dates[0] > snap.as_of


@settings(max_examples=150, deadline=None)
@given(accounts, specs, st.integers(1, 100), st.sampled_from(["interest", "penalty", "fee"]))
def test_a_waiver_never_increases_what_is_owed(
    snap: AccountSnapshot, spec: PlanSpec, extra: int, which: str
) -> None:
    assume(spec.step_up_months < (spec.term or snap.remaining_installments))
    field = f"{which}_waiver_pct"
    more = min(Decimal(100), getattr(spec, field) + extra)
    base = build_option(snap, spec)
    waived = build_option(snap, PlanSpec(**{**_fields(spec), field: more}))
    assert waived.total_cost <= base.total_cost
    assert waived.waived >= base.waived


@settings(max_examples=150, deadline=None)
@given(accounts, st.integers(0, 24), st.integers(1, 24))
def test_an_extension_never_raises_the_monthly_payment(
    snap: AccountSnapshot, extra: int, more: int
) -> None:
    term = snap.remaining_installments + extra
    shorter = build_option(snap, PlanSpec(term=term))
    longer = build_option(snap, PlanSpec(term=term + more))
    assert longer.monthly_payment <= shorter.monthly_payment
    if not snap.dpd:  # a current account: never above what the contract asks
        assert longer.monthly_payment <= snap.regular_payment


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 100).map(Decimal), st.integers(1, 6))
def test_settlements_sum_exactly(pct: Decimal, parts: int) -> None:
    snap = snapshot()
    option = build_option(snap, PlanSpec(settlement_pct=pct, settlement_installments=parts))
    assert option.total_cost == snap.balance.times(pct / 100)
    assert option.total_cost + option.waived == snap.balance


def _fields(spec: PlanSpec) -> dict[str, object]:
    return {name: getattr(spec, name) for name in PlanSpec.__slots__}  # type: ignore[attr-defined]


def test_a_settlement_is_measured_against_the_floor_or_its_absence() -> None:
    option = build_option(
        balance_of("1000", "0.12"),
        PlanSpec(settlement_pct=Decimal(60), settlement_installments=1),
    )
    offered = [ReliefOption.SETTLEMENT]
    with pytest.raises(OfferOutsideLimits) as caught:
        require_within_limits(option, OfferLimits(options=offered, settlement_floor_pct=None))
    assert "settles for 60% of the balance, and the policy sets no settlement floor" in (
        caught.value.en
    )
    assert "None" not in caught.value.en
    assert "策略未设结清下限" in caught.value.zh
    limits = OfferLimits(options=offered, settlement_floor_pct=Decimal(70))
    with pytest.raises(OfferOutsideLimits) as caught:
        require_within_limits(option, limits)
    assert "settles for 60% of the balance (floor 70%)" in caught.value.en
    require_within_limits(option, OfferLimits(options=offered, settlement_floor_pct=Decimal(50)))
