"""Re-offering a broken plan, the pure parts: re-opening the application and the re-offer limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from test_plans_helpers import application, loan, snapshot

from tideover.plans import (
    ApplicationRejected,
    InvalidTransition,
    OfferLimits,
    OfferOutsideLimits,
    PlanSpec,
    Reason,
    build_option,
    cases,
    parse_limits,
)
from tideover.plans import lifecycle as lc
from tideover.plans.errors import ReofferLimitReached

AT = datetime(2025, 6, 20, 3, tzinfo=UTC)
LATER = AT + timedelta(days=31)
DAY = date(2025, 6, 20)


def approved() -> cases.ApplicationCase:
    case = cases.start_review(cases.submit(application(), at=AT, by="borrower"), at=AT, by="r1")
    return cases.approve(case, plan_option_id="term-22", at=AT, by="system")


def test_an_approved_application_is_reopened_with_its_history_kept() -> None:
    case = approved()
    reopened = cases.reopen(case, reason="plan A1-1 broken", at=LATER, by="collector1")
    assert reopened.status is cases.ApplicationStatus.UNDER_REVIEW
    assert (reopened.outcome, reopened.plan_option_id) == (None, None)
    assert reopened.history[:-1] == case.history  # appended, never rewritten
    last = reopened.history[-1]
    assert (last.status, last.at, last.by) == ("under_review", LATER, "collector1")
    assert last.note == "plan A1-1 broken (was approved with term-22)"
    again = cases.approve(reopened, plan_option_id="term-36", at=LATER, by="lead")
    assert (again.status, again.outcome, again.plan_option_id) == ("decided", "approved", "term-36")
    assert [h.status for h in again.history] == [
        "submitted", "under_review", "decided", "under_review", "decided",
    ]  # fmt: skip


def _declined() -> cases.ApplicationCase:
    case = cases.start_review(cases.submit(application(), at=AT, by="b"), at=AT, by="r1")
    return cases.decline(case, reasons=(Reason("reviewer", "no", "否"),), at=AT, by="r1")


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: cases.submit(application(), at=AT, by="b"), "is submitted"),
        (lambda: cases.start_review(cases.submit(application(), at=AT, by="b"), at=AT, by="r"),
         "is under_review"),
        (_declined, "is decided (declined)"),
        (lambda: cases.close(approved(), at=AT, by="system"), "is closed"),
    ],
)  # fmt: skip
def test_only_an_approved_application_is_reopened(
    make: Callable[[], cases.ApplicationCase], words: str
) -> None:
    case = make()
    with pytest.raises(InvalidTransition) as caught:
        cases.reopen(case, reason="plan broken", at=LATER, by="c1")
    assert words in caught.value.en
    assert "只有已批准的申请可以重新审核" in caught.value.zh


def test_reopening_needs_a_reason() -> None:
    case = approved()
    with pytest.raises(ApplicationRejected) as caught:
        cases.reopen(case, reason="  ", at=LATER, by="c1")
    assert "needs a reason" in caught.value.en
    assert "需要理由" in caught.value.zh
    assert case.status is cases.ApplicationStatus.DECIDED  # nothing changed


def broken(plan_id: str = "A1-1", *, vulnerable: bool = False) -> lc.Plan:
    option = build_option(snapshot(), PlanSpec(term=12))
    offered = lc.offer(plan_id=plan_id, loan_id="L1", option_id=option.option_id,
                       contract=loan().schedule, plan_schedule=option.schedule, on=DAY,
                       vulnerable=vulnerable)  # fmt: skip
    active = lc.activate(lc.accept(offered, on=DAY), on=DAY)
    return lc.review(active, [], as_of=date(2025, 9, 1))


def reoffered(plan: lc.Plan, plan_id: str) -> tuple[lc.Plan, lc.Plan]:
    option = build_option(snapshot(), PlanSpec(term=24))
    return lc.reoffer(plan, plan_id=plan_id, option_id=option.option_id,
                      plan_schedule=option.schedule, on=date(2025, 9, 2))  # fmt: skip


def test_a_reoffer_names_the_plan_it_replaces() -> None:
    first = broken()
    assert lc.reoffer_of(first) is None
    cancelled, new = reoffered(first, "A1-2")
    assert lc.reoffer_of(new) == "A1-1"
    assert lc.reoffer_of(cancelled) is None
    assert cancelled.events[-1].note == "re-offered as A1-2"
    assert new.grace_days == 5
    _, kinder = reoffered(broken(vulnerable=True), "A1-2")
    assert kinder.grace_days == 10  # a vulnerable borrower keeps twice the grace (FCA FG21/1)


def test_the_reoffer_limit_counts_the_reoffers_of_the_application() -> None:
    first = broken()
    assert lc.check_reoffer(first, earlier=[first], max_reoffers=2) == 1
    cancelled, second = reoffered(first, "A1-2")
    second_broken = replace(second, status=lc.PlanStatus.BROKEN)
    assert lc.check_reoffer(second_broken, earlier=[cancelled, second], max_reoffers=2) == 2
    _, third = reoffered(second_broken, "A1-3")
    third_broken = replace(third, status=lc.PlanStatus.BROKEN)
    plans = [cancelled, second, third]
    with pytest.raises(ReofferLimitReached) as caught:
        lc.check_reoffer(third_broken, earlier=plans, max_reoffers=2)
    assert "has had 2 re-offers and the offer limits allow 2" in caught.value.en
    assert "fresh income and expenditure statement" in caught.value.en
    assert "已重新提供 2 次" in caught.value.zh
    assert caught.value.code == "reoffer_limit_reached"
    assert lc.check_reoffer(third_broken, earlier=plans, max_reoffers=3) == 3
    with pytest.raises(ReofferLimitReached):  # 0: every broken plan needs a new application
        lc.check_reoffer(first, earlier=[first], max_reoffers=0)


def test_only_a_broken_plan_is_checked_for_a_reoffer() -> None:
    active = replace(broken(), status=lc.PlanStatus.ACTIVE)
    with pytest.raises(InvalidTransition) as caught:
        lc.check_reoffer(active, earlier=[active], max_reoffers=2)
    assert "only a broken plan is re-offered" in caught.value.en
    assert "只有已违约的方案可以重新提供" in caught.value.zh


def test_max_reoffers_defaults_to_two_and_is_bounded() -> None:
    assert OfferLimits().max_reoffers == 2
    assert parse_limits({"max_reoffers": 0}).max_reoffers == 0
    for bad in (-1, 13):
        with pytest.raises(OfferOutsideLimits, match="max_reoffers"):
            parse_limits({"max_reoffers": bad})
