"""Payment allocation: the waterfall, penalty accrual, prepayment, reversal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tideover.domain.allocation import (
    DEFAULT_WATERFALL,
    Component,
    LoanPosition,
    Waterfall,
    position_as_of,
)
from tideover.domain.delinquency import PausePeriod
from tideover.domain.errors import CurrencyMismatch, ValidationError
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, USD, Money
from tideover.domain.payments import Payment
from tideover.domain.penalty import PenaltyPolicy
from tideover.domain.schedules import build_schedule, terms_for

START = date(2024, 1, 15)
FIRST_DUE = date(2024, 2, 15)
SECOND_DUE = date(2024, 3, 15)
PENALTY = PenaltyPolicy()  # 18 % a year, act/360


def make_loan(
    principal: str = "1200",
    rate: str = "0",
    term: int = 12,
    method: RepaymentMethod = RepaymentMethod.EQUAL_PRINCIPAL,
) -> Loan:
    terms = terms_for(
        principal=Money.of(principal, CNY),
        annual_rate=Decimal(rate),
        term=term,
        method=method,
        start_date=START,
    )
    return Loan("p1", "L1", "B1", terms, build_schedule(terms))


def pay(payment_id: str, amount: str, on: date, reverses: str | None = None) -> Payment:
    return Payment("p1", payment_id, "L1", Money.of(amount, CNY), on, reverses=reverses)


def allocated(position: LoanPosition) -> list[tuple[int, Component, int]]:
    return [(ln.installment_number, ln.component, ln.amount.minor) for ln in position.lines]


# -- the waterfall ------------------------------------------------------------------


def test_default_waterfall() -> None:
    assert DEFAULT_WATERFALL.components == (
        Component.PENALTY,
        Component.FEES,
        Component.INTEREST,
        Component.PRINCIPAL,
    )
    assert DEFAULT_WATERFALL.installment_order == "oldest-first"
    assert DEFAULT_WATERFALL.mode == "installment-first"


def test_waterfall_accepts_strings_and_refuses_non_permutations() -> None:
    waterfall = Waterfall(components=("principal", "interest", "fees", "penalty"))  # type: ignore[arg-type]
    assert waterfall.components[0] is Component.PRINCIPAL
    with pytest.raises(ValidationError):
        Waterfall(components=(Component.PENALTY, Component.PENALTY))
    with pytest.raises(ValidationError):
        Waterfall(components=("penalty", "fees", "interest", "capital"))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Waterfall(mode="sideways")  # type: ignore[arg-type]


# -- paying on time ---------------------------------------------------------------------


def test_on_time_payment_settles_the_installment() -> None:
    loan = make_loan("100000", "0.12", method=RepaymentMethod.EQUAL_INSTALLMENT)
    position = position_as_of(loan, [pay("P1", "8884.88", FIRST_DUE)], FIRST_DUE + timedelta(5))
    assert allocated(position) == [
        (1, Component.INTEREST, 100_000),
        (1, Component.PRINCIPAL, 788_488),
    ]
    first = position.installments[0]
    assert first.settled_on == FIRST_DUE
    assert first.outstanding_total == Money.zero(CNY)
    assert position.oldest_unpaid_due_date is None
    assert position.outstanding_principal == Money.of("100000", CNY) - Money(788_488, CNY)


def test_unpaid_installment_is_overdue_with_penalty() -> None:
    as_of = FIRST_DUE + timedelta(days=20)
    position = position_as_of(make_loan(), [], as_of, penalty=PENALTY)
    # 100.00 × 18 % × 20 / 360 = 1.00
    assert position.overdue(Component.PENALTY) == Money.of("1", CNY)
    assert position.overdue(Component.PRINCIPAL) == Money.of("100", CNY)
    assert position.oldest_unpaid_due_date == FIRST_DUE
    assert position.installments[1].outstanding(Component.PENALTY) == Money.zero(CNY)


def test_nothing_is_overdue_on_the_due_date_itself() -> None:
    position = position_as_of(make_loan(), [], FIRST_DUE, penalty=PENALTY)
    assert position.oldest_unpaid_due_date is None
    assert position.overdue(Component.PRINCIPAL) == Money.zero(CNY)


# -- partial payments and order -----------------------------------------------------------


def test_partial_payment_pays_penalty_first() -> None:
    on = FIRST_DUE + timedelta(days=20)
    position = position_as_of(make_loan(), [pay("P1", "0.60", on)], on, penalty=PENALTY)
    assert allocated(position) == [(1, Component.PENALTY, 60)]
    assert position.installments[0].outstanding(Component.PENALTY) == Money(40, CNY)
    assert position.oldest_unpaid_due_date == FIRST_DUE


def test_penalty_leftover_does_not_keep_an_installment_unsettled() -> None:
    waterfall = Waterfall(
        components=(Component.PRINCIPAL, Component.INTEREST, Component.FEES, Component.PENALTY)
    )
    on = FIRST_DUE + timedelta(days=20)
    position = position_as_of(
        make_loan(), [pay("P1", "100", on)], on, penalty=PENALTY, waterfall=waterfall
    )
    first = position.installments[0]
    assert first.settled_on == on
    assert first.outstanding(Component.PENALTY) == Money.of("1", CNY)
    assert position.oldest_unpaid_due_date is None


def _two_overdue(waterfall: Waterfall, amount: str) -> list[tuple[int, Component, int]]:
    loan = make_loan("1200", "0.12")  # 100 principal + 12.00 / 11.00 interest
    on = SECOND_DUE + timedelta(days=1)
    return allocated(position_as_of(loan, [pay("P1", amount, on)], on, waterfall=waterfall))


def test_installment_first_settles_the_oldest_installment_first() -> None:
    assert _two_overdue(DEFAULT_WATERFALL, "120") == [
        (1, Component.INTEREST, 1200),
        (1, Component.PRINCIPAL, 10_000),
        (2, Component.INTEREST, 800),
    ]


def test_component_first_pays_all_interest_before_principal() -> None:
    waterfall = Waterfall(mode="component-first")
    assert _two_overdue(waterfall, "120") == [
        (1, Component.INTEREST, 1200),
        (2, Component.INTEREST, 1100),
        (1, Component.PRINCIPAL, 9700),
    ]


def test_newest_first() -> None:
    waterfall = Waterfall(installment_order="newest-first")
    assert _two_overdue(waterfall, "112")[:2] == [
        (2, Component.INTEREST, 1100),
        (2, Component.PRINCIPAL, 10_000),
    ]


def test_rest_prepays_future_installments_then_becomes_overpayment() -> None:
    loan = make_loan("300", "0", term=3)
    position = position_as_of(loan, [pay("P1", "350", FIRST_DUE)], FIRST_DUE)
    assert [(n, a) for n, _, a in allocated(position)] == [(1, 10_000), (2, 10_000), (3, 10_000)]
    assert position.overpayment == Money.of("50", CNY)
    assert all(i.settled_on == FIRST_DUE for i in position.installments)
    assert position.outstanding_total == Money.zero(CNY)


# -- penalty accrual -------------------------------------------------------------------------


def test_penalty_accrues_on_the_balance_between_payments() -> None:
    day10, day30 = FIRST_DUE + timedelta(days=10), FIRST_DUE + timedelta(days=30)
    payments = [pay("P1", "50.50", day10)]
    position = position_as_of(make_loan(), payments, day30, penalty=PENALTY)
    # 10 days on 100.00 = 0.50 (paid by P1, which also pays 50.00 principal),
    # then 20 days on 50.00 = 0.50.
    first = position.installments[0]
    assert first.scheduled[Component.PENALTY] == Money.of("1.00", CNY)
    assert first.paid[Component.PENALTY] == Money.of("0.50", CNY)


def test_grace_days_are_not_penalised() -> None:
    as_of = FIRST_DUE + timedelta(days=20)
    position = position_as_of(make_loan(), [], as_of, penalty=PenaltyPolicy(grace_days=10))
    assert position.overdue(Component.PENALTY) == Money.of("0.50", CNY)


def test_paused_days_are_not_penalised() -> None:
    as_of = FIRST_DUE + timedelta(days=20)
    pause = PausePeriod(FIRST_DUE + timedelta(days=1), FIRST_DUE + timedelta(days=10))
    position = position_as_of(make_loan(), [], as_of, penalty=PENALTY, pauses=[pause])
    assert position.overdue(Component.PENALTY) == Money.of("0.50", CNY)


def test_penalty_can_include_overdue_interest() -> None:
    as_of = FIRST_DUE + timedelta(days=20)
    loan = make_loan("1200", "0.12")  # first installment: 100.00 principal, 12.00 interest
    plain = position_as_of(loan, [], as_of, penalty=PENALTY)
    compound = position_as_of(
        loan, [], as_of, penalty=PenaltyPolicy(includes_overdue_interest=True)
    )
    assert plain.overdue(Component.PENALTY) == Money.of("1.00", CNY)
    assert compound.overdue(Component.PENALTY) == Money.of("1.12", CNY)


def test_late_fee_is_charged_once_after_the_threshold() -> None:
    policy = PenaltyPolicy(annual_rate=Decimal(0), late_fee=Money.of("30", CNY), grace_days=3)
    loan = make_loan()
    on_day = {
        d: position_as_of(loan, [], FIRST_DUE + timedelta(days=d), penalty=policy)
        for d in (3, 4, 40)
    }
    assert on_day[3].overdue(Component.PENALTY) == Money.zero(CNY)
    assert on_day[4].overdue(Component.PENALTY) == Money.of("30", CNY)
    # The second installment is overdue by 11 days on day 40, so it has its own fee.
    assert on_day[40].overdue(Component.PENALTY) == Money.of("60", CNY)


def test_no_late_fee_when_paid_within_grace() -> None:
    policy = PenaltyPolicy(late_fee=Money.of("30", CNY), grace_days=3)
    on = FIRST_DUE + timedelta(days=2)
    position = position_as_of(
        make_loan(), [pay("P1", "100", on)], on + timedelta(30), penalty=policy
    )
    assert position.installments[0].scheduled[Component.PENALTY] == Money.zero(CNY)


# -- reversals and bad input ------------------------------------------------------------------


def test_reversal_restores_the_previous_state() -> None:
    loan, on = make_loan(), FIRST_DUE + timedelta(days=3)
    as_of = on + timedelta(days=30)
    base = position_as_of(loan, [], as_of, penalty=PENALTY)
    # 100.00 principal plus 3 days of penalty (0.15) settles the installment.
    payments = [pay("P1", "100.15", on), pay("R1", "100.15", on + timedelta(days=5), reverses="P1")]
    assert position_as_of(loan, payments, as_of, penalty=PENALTY) == base
    # Before the reversal's value date, the payment still stands.
    before = position_as_of(loan, payments, on + timedelta(days=4), penalty=PENALTY)
    assert before.installments[0].settled_on == on


@pytest.mark.parametrize(
    "reversal",
    [
        pay("R1", "100", FIRST_DUE, reverses="NOPE"),
        pay("R1", "99", FIRST_DUE, reverses="P1"),
    ],
)
def test_bad_reversal_is_refused(reversal: Payment) -> None:
    with pytest.raises(ValidationError):
        position_as_of(make_loan(), [pay("P1", "100", FIRST_DUE), reversal], SECOND_DUE)


def test_payment_in_another_currency_is_refused() -> None:
    payment = Payment("p1", "P1", "L1", Money.of("100", USD), FIRST_DUE)
    with pytest.raises(CurrencyMismatch):
        position_as_of(make_loan(), [payment], FIRST_DUE)


def test_late_fee_in_another_currency_is_refused() -> None:
    policy = PenaltyPolicy(late_fee=Money.of("5", USD))
    with pytest.raises(CurrencyMismatch):
        position_as_of(make_loan(), [], FIRST_DUE, penalty=policy)


@pytest.mark.parametrize(
    "payment",
    [
        Payment("p1", "P1", "L2", Money.of("100", CNY), FIRST_DUE),
        Payment("p2", "P1", "L1", Money.of("100", CNY), FIRST_DUE),
        Payment("p1", "P1", "L1", Money.of("-1", CNY), FIRST_DUE),
    ],
)
def test_payment_for_another_loan_or_negative_is_refused(payment: Payment) -> None:
    with pytest.raises(ValidationError) as info:
        position_as_of(make_loan(), [payment], FIRST_DUE)
    assert not isinstance(info.value, CurrencyMismatch)


def test_duplicate_payment_ids_are_refused() -> None:
    with pytest.raises(ValidationError):
        position_as_of(
            make_loan(), [pay("P1", "1", FIRST_DUE), pay("P1", "1", FIRST_DUE)], SECOND_DUE
        )


def test_payments_after_as_of_are_ignored() -> None:
    loan = make_loan()
    later = [pay("P1", "100", SECOND_DUE)]
    assert position_as_of(loan, later, FIRST_DUE) == position_as_of(loan, [], FIRST_DUE)


# -- properties -------------------------------------------------------------------------------

loans = st.builds(
    make_loan,
    principal=st.integers(min_value=1, max_value=10**7).map(lambda m: str(Decimal(m) / 100)),
    rate=st.sampled_from(["0", "0.0365", "0.12", "0.24", "0.36"]),
    term=st.integers(min_value=1, max_value=24),
    method=st.sampled_from(RepaymentMethod),
)
policies = st.builds(
    PenaltyPolicy,
    annual_rate=st.sampled_from([Decimal(0), Decimal("0.18"), Decimal("0.365")]),
    grace_days=st.integers(min_value=0, max_value=5),
    late_fee=st.sampled_from([None, Money.of("15", CNY)]),
    includes_overdue_interest=st.booleans(),
)
waterfalls = st.builds(
    Waterfall,
    components=st.permutations(list(Component)).map(tuple),
    installment_order=st.sampled_from(["oldest-first", "newest-first"]),
    mode=st.sampled_from(["installment-first", "component-first"]),
)


@st.composite
def payment_lists(draw: st.DrawFn) -> list[Payment]:
    count = draw(st.integers(min_value=0, max_value=8))
    payments = [
        pay(
            f"P{k}",
            str(Decimal(draw(st.integers(min_value=0, max_value=300_000))) / 100),
            START + timedelta(days=draw(st.integers(min_value=0, max_value=800))),
        )
        for k in range(count)
    ]
    reversed_ids = (
        draw(st.sets(st.sampled_from([p.payment_id for p in payments]))) if payments else set()
    )
    for original in payments[:]:
        if original.payment_id in reversed_ids:
            lag = draw(st.integers(min_value=0, max_value=60))
            payments.append(
                Payment(
                    "p1",
                    "R" + original.payment_id,
                    "L1",
                    original.amount,
                    original.paid_on + timedelta(days=lag),
                    reverses=original.payment_id,
                )
            )
    return payments


def _standing_total(payments: Sequence[Payment], as_of: date) -> int:
    reversed_ids = {p.reverses for p in payments if p.reverses and p.paid_on <= as_of}
    return sum(
        p.amount.minor
        for p in payments
        if p.reverses is None and p.payment_id not in reversed_ids and p.paid_on <= as_of
    )


@settings(max_examples=200, deadline=None)
@given(loans, payment_lists(), st.integers(min_value=0, max_value=900), policies, waterfalls)
def test_allocation_never_creates_or_loses_a_minor_unit(
    loan: Loan, payments: list[Payment], days: int, policy: PenaltyPolicy, waterfall: Waterfall
) -> None:
    as_of = START + timedelta(days=days)
    position = position_as_of(loan, payments, as_of, penalty=policy, waterfall=waterfall)
    lines_total = sum(line.amount.minor for line in position.lines)
    assert lines_total + position.overpayment.minor == _standing_total(payments, as_of)
    assert all(line.amount.is_positive for line in position.lines)
    for inst in position.installments:
        assert all(inst.outstanding(c).minor >= 0 for c in Component)
    if position.overpayment.is_positive:
        assert position.outstanding_total == Money.zero(CNY)


@settings(max_examples=100, deadline=None)
@given(loans, policies, waterfalls)
def test_paying_total_due_on_the_first_due_date_settles_everything(
    loan: Loan, policy: PenaltyPolicy, waterfall: Waterfall
) -> None:
    first_due = loan.schedule.installments[0].due_date
    payment = pay("P1", str(loan.schedule.total_due.amount), first_due)
    far = first_due + timedelta(days=5000)
    position = position_as_of(loan, [payment], far, penalty=policy, waterfall=waterfall)
    assert position.outstanding_total == Money.zero(CNY)
    assert position.overpayment == Money.zero(CNY)
    assert all(i.settled_on == first_due for i in position.installments)
    assert position.oldest_unpaid_due_date is None


@settings(max_examples=100, deadline=None)
@given(loans, payment_lists(), policies, st.integers(min_value=0, max_value=800))
def test_payment_then_reversal_is_no_payment(
    loan: Loan, payments: list[Payment], policy: PenaltyPolicy, days: int
) -> None:
    extra = pay("X", "123.45", START + timedelta(days=days))
    undo = pay("RX", "123.45", extra.paid_on + timedelta(days=1), reverses="X")
    as_of = undo.paid_on + timedelta(days=10)
    without = position_as_of(loan, payments, as_of, penalty=policy)
    with_both = position_as_of(loan, [*payments, extra, undo], as_of, penalty=policy)
    assert with_both == without


@settings(max_examples=100, deadline=None)
@given(
    loans,
    st.integers(min_value=1, max_value=400),
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from(["installment-first", "component-first"]),
)
def test_partial_payment_pays_penalty_first_by_default(
    loan: Loan, late: int, amount: int, mode: str
) -> None:
    on = loan.schedule.installments[0].due_date + timedelta(days=late)
    before = position_as_of(loan, [], on, penalty=PENALTY)
    if mode == "installment-first":
        penalty_due = before.installments[0].outstanding(Component.PENALTY).minor
    else:
        penalty_due = before.overdue(Component.PENALTY).minor
    assume(penalty_due > 0)
    payment = Payment("p1", "P1", "L1", Money(min(amount, penalty_due), CNY), on)
    waterfall = Waterfall(mode=mode)  # type: ignore[arg-type]
    position = position_as_of(loan, [payment], on, penalty=PENALTY, waterfall=waterfall)
    assert {line.component for line in position.lines} == {Component.PENALTY}
    assert position.overpayment == Money.zero(CNY)
