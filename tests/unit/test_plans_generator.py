"""Affordability and the option generator: defaults, flags, ranking, determinism."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from test_plans_helpers import application, application_data, loan, paid, snapshot

from tideover.domain.money import Money
from tideover.domain.platforms import PlatformSettings
from tideover.plans import OfferLimits, assess, generate_options, parse_application, snapshot_for
from tideover.plans.affordability import allowance
from tideover.plans.application import ExpenseCategory, Region
from tideover.policy.model import ReliefOption


def test_allowances_grow_with_the_household() -> None:
    food = ExpenseCategory.FOOD_AND_HOUSEKEEPING
    assert allowance(food, Region.CN, 1, 0) == Decimal(900)
    assert allowance(food, Region.CN, 2, 1) == Decimal(900 + 700 + 500)
    assert allowance(ExpenseCategory.HOME_AND_CONTENTS, Region.UK, 1, 0) == 0


def test_implausible_expenses_are_flagged_and_low_ones_replaced() -> None:
    app = application(expenses={"food_and_housekeeping": "10", "personal_costs": "5000"})
    result = assess(app)
    flags = {f.category: f.direction for f in result.flags}
    assert flags[ExpenseCategory.FOOD_AND_HOUSEKEEPING] == "low"
    assert flags[ExpenseCategory.PERSONAL_COSTS] == "high"
    assert result.declared_expenses == Money.of("5010")
    # food 1,400 replaces 10; personal 5,000 is kept; the other allowances are used.
    assert result.accepted_expenses == Money.of(1400 + 5000 + 300 + 280 + 300)
    assert any("implausibly low" in f.en and "不合理" in f.zh for f in result.flags)


def test_affordable_payment_is_a_share_of_disposable_income_less_for_the_vulnerable() -> None:
    base = assess(application())
    assert base.disposable == Money.of("1500")  # 5,200 − 3,700
    assert base.affordable_payment == Money.of("750")
    assert assess(application(vulnerable=True)).affordable_payment == Money.of("600")
    broke = assess(application(income={"benefits": "100"}))
    assert broke.disposable.is_negative
    assert broke.affordable_payment == Money.zero()


def test_offered_options_fit_the_budget_and_are_ranked_by_npv() -> None:
    result = generate_options(snapshot(), application(), OfferLimits())
    offered = result.offered
    assert offered, "at least one plan should be affordable"
    assert [e.rank for e in offered] == list(range(1, len(offered) + 1))
    npvs = [e.npv.minor for e in offered]
    assert npvs == sorted(npvs, reverse=True)
    for e in offered:
        assert e.affordable
        assert e.approval is not None
        assert e.reasons[0].code == "offered"
        assert e.reasons[0].zh
    refused = [e for e in result.evaluations if not e.offered]
    assert all(e.reasons and e.reasons[0].en and e.reasons[0].zh for e in refused)


def test_options_the_policy_does_not_allow_say_so() -> None:
    limits = OfferLimits(options=[ReliefOption.EXTENSION])
    result = generate_options(snapshot(), application(), limits)
    codes = {r.code for e in result.evaluations if not e.offered for r in e.reasons}
    assert "option_not_offered" in codes
    assert all(e.option.kinds == (ReliefOption.EXTENSION,) for e in result.offered)


def test_a_score_changes_the_npv_not_the_options() -> None:
    low = generate_options(snapshot(), application(), OfferLimits(), score=Decimal("0.05"))
    high = generate_options(snapshot(), application(), OfferLimits(), score=Decimal("0.8"))
    assert {e.option.option_id for e in low.evaluations} == {
        e.option.option_id for e in high.evaluations
    }
    assert low.status_quo_npv > high.status_quo_npv


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(0, 4), st.integers(3000, 9000))
def test_ranking_is_the_same_whatever_the_input_order(
    rnd: random.Random, paid_count: int, income: int
) -> None:
    the_loan = loan()
    payments = paid(the_loan, paid_count)
    data = application_data(income={"benefits": str(income), "earnings": "100"})
    shuffled = dict(data)
    for key in ("income", "expenses"):
        items = list(data[key].items())
        rnd.shuffle(items)
        shuffled[key] = dict(items)
    reordered = list(payments)
    rnd.shuffle(reordered)
    settings_ = PlatformSettings()
    first = generate_options(
        snapshot_for(the_loan, payments, snapshot().as_of, settings_),
        parse_application(data), OfferLimits(),
    )  # fmt: skip
    second = generate_options(
        snapshot_for(the_loan, reordered, snapshot().as_of, settings_),
        parse_application(shuffled), OfferLimits(),
    )  # fmt: skip
    assert first == second


def test_no_penalty_waiver_is_offered_where_there_is_no_penalty() -> None:
    late = snapshot()
    assert late.penalty.is_positive
    assert any(e.option.spec.penalty_waiver_pct for e in generate_options(
        late, application(), OfferLimits()).evaluations)  # fmt: skip
    current = snapshot(paid_count=12)  # every installment due so far is paid
    assert not current.penalty
    options = generate_options(current, application(), OfferLimits()).evaluations
    assert options
    assert not any(e.option.spec.penalty_waiver_pct for e in options)
