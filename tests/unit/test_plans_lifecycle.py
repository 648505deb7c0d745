"""Plan lifecycle, approvals, promises to pay and re-aging: pure state changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from test_plans_helpers import loan, snapshot

from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.plans import (
    ApprovalRefused,
    ApprovalRequest,
    InvalidTransition,
    OfferExpired,
    OfferLimits,
    PlanSpec,
    approve,
    build_option,
)
from tideover.plans import lifecycle as lc

DAY = date(2025, 6, 20)
LIMITS = OfferLimits()
AT = datetime(2025, 6, 20, tzinfo=UTC)


def offered(vulnerable: bool = False) -> lc.Plan:
    option = build_option(snapshot(), PlanSpec(term=12))
    return lc.offer(plan_id="PL1", loan_id="L1", option_id=option.option_id,
                    contract=loan().schedule, plan_schedule=option.schedule, on=DAY,
                    vulnerable=vulnerable)  # fmt: skip


def pay_installments(plan: lc.Plan, count: int, late_days: int = 0) -> list[Payment]:
    items = plan.schedule.installments[:count]
    return [Payment("acme", f"Q{i.number}", "L1", i.total, i.due_date + timedelta(late_days))
            for i in items]  # fmt: skip


def active() -> lc.Plan:
    return lc.activate(lc.accept(offered(), on=DAY), on=DAY)


def test_offer_accept_activate_complete() -> None:
    plan = active()
    done = lc.review(plan, pay_installments(plan, 12), as_of=date(2026, 12, 1))
    assert done.status is lc.PlanStatus.COMPLETED
    assert [e.status for e in done.events] == ["offered", "accepted", "active", "completed"]


def test_accepting_an_expired_offer_is_refused_and_changes_nothing() -> None:
    plan = offered()
    with pytest.raises(OfferExpired) as caught:
        lc.accept(plan, on=plan.expires_on + timedelta(days=1))
    assert plan.status is lc.PlanStatus.OFFERED
    assert "expired" in caught.value.en
    assert "过期" in caught.value.zh


def test_a_missed_installment_breaks_the_plan_only_after_grace() -> None:
    plan = active()
    first_due = plan.schedule.installments[0].due_date
    assert lc.review(plan, [], as_of=first_due + timedelta(days=5)).status is lc.PlanStatus.ACTIVE
    broken = lc.review(plan, [], as_of=first_due + timedelta(days=6))
    assert broken.status is lc.PlanStatus.BROKEN
    vulnerable = lc.activate(lc.accept(offered(vulnerable=True), on=DAY), on=DAY)
    assert lc.review(vulnerable, [], as_of=first_due + timedelta(days=6)).status == "active"


def test_a_broken_plan_is_reoffered_with_its_whole_history() -> None:
    broken = lc.review(active(), [], as_of=date(2025, 9, 1))
    new_option = build_option(snapshot(), PlanSpec(term=24))
    cancelled, again = lc.reoffer(
        broken,
        plan_id="PL2",
        option_id=new_option.option_id,
        plan_schedule=new_option.schedule,
        on=date(2025, 9, 2),
    )
    assert cancelled.status is lc.PlanStatus.CANCELLED
    assert again.status is lc.PlanStatus.OFFERED
    assert again.history[:2] == broken.history  # never overwritten
    assert [v.version for v in again.history] == [1, 2, 3]
    with pytest.raises(InvalidTransition):
        lc.reoffer(again, plan_id="PL3", option_id="x", plan_schedule=new_option.schedule,
                   on=date(2025, 9, 3))  # fmt: skip


def test_promises_to_pay_are_kept_broken_or_pending() -> None:
    promise = lc.PromiseToPay("PTP1", Money.of("500"), date(2025, 7, 1), DAY)
    part = Payment("acme", "X1", "L1", Money.of("300"), date(2025, 6, 25))
    rest = Payment("acme", "X2", "L1", Money.of("200"), date(2025, 7, 1))
    assert lc.promise_outcome(promise, [part], as_of=date(2025, 6, 30)) is lc.Outcome.PENDING
    assert lc.promise_outcome(promise, [part], as_of=date(2025, 7, 2)) is lc.Outcome.BROKEN
    assert lc.promise_outcome(promise, [part, rest], as_of=date(2025, 7, 2)) is lc.Outcome.KEPT


def test_reaging_needs_consecutive_kept_payments_and_keeps_history() -> None:
    plan = active()
    as_of = plan.schedule.installments[2].due_date + timedelta(days=10)
    early = plan.schedule.installments[1].due_date + timedelta(days=10)
    with pytest.raises(InvalidTransition, match="2 consecutive"):
        lc.reage(plan, pay_installments(plan, 2), as_of=early, months_on_book=12)
    with pytest.raises(InvalidTransition, match="0 consecutive"):  # the third was missed
        lc.reage(plan, pay_installments(plan, 2), as_of=as_of, months_on_book=12)
    with pytest.raises(InvalidTransition, match="months on book"):
        lc.reage(plan, pay_installments(plan, 3), as_of=as_of, months_on_book=3)
    reaged = lc.reage(plan, pay_installments(plan, 3), as_of=as_of, months_on_book=12)
    assert reaged.history[:-1] == plan.history
    assert reaged.history[-1].reason == "re-aged"
    with pytest.raises(InvalidTransition, match="12 months"):
        lc.reage(reaged, pay_installments(plan, 4), as_of=as_of + timedelta(days=40),
                 months_on_book=13)  # fmt: skip


def test_nobody_approves_their_own_request() -> None:
    request = ApprovalRequest("R1", "term-24+interest-waiver-40", "agent-1", "manager")
    with pytest.raises(ApprovalRefused) as caught:
        approve(request, approver="agent-1", approver_roles=frozenset({"manager"}),
                limits=LIMITS, at=AT)  # fmt: skip
    assert "cannot also approve" in caught.value.en
    assert "不能自行审批" in caught.value.zh


@pytest.mark.parametrize("spelling", ["Agent-1", "AGENT-1", "ａｇｅｎｔ－１", "agent\u200b-1"])
def test_the_requester_cannot_approve_under_another_spelling(spelling: str) -> None:
    request = ApprovalRequest("R1", "x", "agent-1", "manager")
    with pytest.raises(ApprovalRefused):
        approve(request, approver=spelling, approver_roles=frozenset({"manager"}),
                limits=LIMITS, at=AT)  # fmt: skip


def test_an_approver_needs_a_high_enough_role() -> None:
    request = ApprovalRequest("R1", "x", "agent-1", "manager")
    with pytest.raises(ApprovalRefused, match="needs the role"):
        approve(request, approver="lead-1", approver_roles=frozenset({"team_lead"}),
                limits=LIMITS, at=AT)  # fmt: skip
    done = approve(request, approver="boss", approver_roles=frozenset({"manager"}),
                   limits=LIMITS, at=AT)  # fmt: skip
    assert done.role == "manager"
    assert Decimal(LIMITS.max_waiver_pct) == LIMITS.approval_levels[-1].max_waiver_pct
