"""Re-offering a broken plan (``services.reoffer``) on SQLite and PostgreSQL.

The whole decision is checked in storage and in the audit trail; every refusal
is checked to leave the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.clock import FixedClock
from tideover.domain.errors import NotFound, TideoverError, ValidationError
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.plans import ApprovalRefused, InvalidTransition
from tideover.plans.errors import ReofferLimitReached
from tideover.services.plans import hardship as hardship_service
from tideover.services.plans import relief as relief_service
from tideover.services.plans import reoffer as reoffer_service
from tideover.services.plans import review as plan_review
from tideover.services.plans.options import plan_options
from tideover.services.platforms import settings_of

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
TABLES = ("hardship_applications", "relief_plans", "plan_approvals", "schedule_versions",
          "audit_records", "audit_heads")  # fmt: skip
START = date(2025, 6, 20)  # A1-1 (term-22 of L1, automatic) offered and accepted
BROKEN_ON = date(2025, 7, 21)  # its first installment (2025-07-15) unpaid after 5 days' grace


def on(day: date) -> FixedClock:
    """11:00 in Asia/Shanghai on ``day``: the platform's business date is ``day``."""
    return FixedClock(datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC))


@pytest.fixture
def uow(acme_with_loan: UowFactory) -> UowFactory:
    return acme_with_loan


def state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
            for table in TABLES
        }


def audit(uow: UowFactory) -> list[tuple[str, dict[str, Any]]]:
    with uow() as unit:
        return [(r.kind, r.payload) for r in unit.audit("acme").records()]


def active_plan(uow: UowFactory, tmp_path: Path) -> dict[str, Any]:
    """Application A1 for L1 with plan A1-1 (the best option approved by the system), active.

    Without earlier payments that is term-22: 22 installments from 2025-07-15.
    """
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(b"%PDF-1.4 medical certificate")
    application = {
        "application_id": "A1",
        "loan_id": "L1",
        "submitted_on": START.isoformat(),
        "reason": "illness_injury",
        "description": "In hospital for two months.",
        "expected_duration_months": 4,
        "income": {"benefits": "5200"},
        "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
        "dependants": 1,
    }
    clock = on(START)
    hardship_service.apply_for_hardship(
        uow=uow(), platform="acme", data=application,
        evidence=[f"medical_certificate:{pdf}"], clock=clock,
    )  # fmt: skip
    hardship_service.review_application(
        uow=uow(), platform="acme", application_id="A1", by="reviewer", clock=clock
    )
    options = relief_service.options_for_application(
        uow=uow(), platform="acme", application_id="A1", loan_id="L1", clock=clock
    )
    automatic = next(e.option.option_id for e in options.offered if e.approval == "system")
    relief_service.offer_plan(
        uow=uow(), platform="acme", application_id="A1", loan_id="L1", option_id=automatic,
        by="collector1", clock=clock,
    )  # fmt: skip
    return relief_service.accept_plan(
        uow=uow(), platform="acme", plan_id="A1-1", clock=clock
    ).to_json()


def pay(uow: UowFactory, *paid: tuple[str, date]) -> None:
    with uow() as unit:
        count = len(unit.payments("acme").for_loan("L1"))
        unit.payments("acme").add_many(
            [
                Payment("acme", f"P{count + n}", "L1", Money.of(amount), day)
                for n, (amount, day) in enumerate(paid, start=1)
            ]
        )
        unit.commit()


def break_plan(uow: UowFactory, day: date) -> None:
    report = plan_review.review_plans(
        uow=uow(), platform="acme", as_of=day, clock=on(day)
    ).to_json()
    assert [d["status"] for d in report["plans"]] == ["broken"]


def reoffer(uow: UowFactory, plan_id: str, day: date, **kwargs: Any) -> dict[str, Any]:
    return reoffer_service.reoffer_plan(
        uow=uow(), platform="acme", plan_id=plan_id, by=kwargs.pop("by", "collector1"),
        clock=on(day), **kwargs,
    ).to_json()  # fmt: skip


def application(uow: UowFactory) -> dict[str, Any]:
    return relief_service.show_application(
        uow=uow(), platform="acme", application_id="A1"
    ).to_json()


def test_a_broken_plan_is_reoffered_and_decided_again(
    uow: UowFactory, engine: Engine, tmp_path: Path
) -> None:
    assert active_plan(uow, tmp_path)["option_id"] == "term-22"
    break_plan(uow, BROKEN_ON)

    plan = reoffer(uow, "A1-1", BROKEN_ON, option_id="term-23")
    assert (plan["plan_id"], plan["status"], plan["option_id"]) == ("A1-2", "offered", "term-23")
    total = sum(Decimal(i["total"]) for i in plan["schedule"])
    assert total == Decimal(plan["summary"]["total_cost"])
    assert (plan["as_of"], plan["expires_on"]) == ("2025-07-21", "2025-08-04")
    assert (plan["reoffer_of"], plan["reoffer"], plan["max_reoffers"]) == ("A1-1", 1, 2)
    # term-23 alone would be approved automatically; a re-offer needs a person.
    assert plan["summary"]["approval"] == "system"
    assert plan["approval"]["required_role"] == "team_lead"
    assert plan["approval"]["approved_by"] is None

    old = relief_service.show_plan(uow=uow(), platform="acme", plan_id="A1-1").to_json()
    assert (old["status"], old["events"][-1]["note"]) == ("cancelled", "re-offered as A1-2")
    assert old["reoffer_of"] is None
    case = application(uow)
    assert (case["status"], case["outcome"], case["plan_option_id"]) == ("under_review", None, None)
    assert [h["status"] for h in case["history"]] == [
        "submitted", "under_review", "decided", "under_review",
    ]  # fmt: skip
    last = case["history"][-1]
    assert (last["by"], last["note"]) == (
        "collector1",
        "plan A1-1 broken; re-offered as A1-2 (was approved with term-22)",
    )
    records = audit(uow)
    assert [kind for kind, _ in records[-3:]] == [
        "plan_cancelled", "hardship_reopened", "plan_reoffered",
    ]  # fmt: skip
    cancelled, reopened, reoffered = (payload for _, payload in records[-3:])
    assert (cancelled["plan_id"], cancelled["reason"], cancelled["by"]) == (
        "A1-1", "re-offered as A1-2", "collector1",
    )  # fmt: skip
    assert (reopened["status"], reopened["plan_id"]) == ("under_review", "A1-1")
    assert (reoffered["plan_id"], reoffered["reoffer_of"], reoffered["reoffer"]) == (
        "A1-2", "A1-1", 1,
    )  # fmt: skip

    before = state(engine)
    with pytest.raises(ApprovalRefused) as caught:  # never one's own re-offer
        relief_service.approve_plan(
            uow=uow(), platform="acme", plan_id="A1-2", by="collector1", role="manager",
            clock=on(BROKEN_ON),
        )  # fmt: skip
    assert "cannot also approve" in caught.value.en
    assert "不能自行审批" in caught.value.zh
    with pytest.raises(InvalidTransition, match="awaits approval"):
        relief_service.accept_plan(uow=uow(), platform="acme", plan_id="A1-2", clock=on(BROKEN_ON))
    assert state(engine) == before

    relief_service.approve_plan(
        uow=uow(), platform="acme", plan_id="A1-2", by="lead", role="team_lead",
        clock=on(BROKEN_ON),
    )  # fmt: skip
    case = application(uow)
    assert (case["status"], case["outcome"], case["plan_option_id"]) == (
        "decided", "approved", "term-23",
    )  # fmt: skip
    accepted = relief_service.accept_plan(
        uow=uow(), platform="acme", plan_id="A1-2", clock=on(BROKEN_ON)
    ).to_json()
    assert (accepted["status"], accepted["starts_on"]) == ("active", "2025-07-21")
    with uow() as unit:
        history = unit.schedules("acme").schedule_history("L1")
    assert [(v.version, v.reason, v.effective_from) for v in history] == [
        (1, "contract", date(2025, 1, 15)),
        (2, "plan term-22", START),
        (3, "plan term-23", BROKEN_ON),  # the re-offer
    ]
    assert [p["status"] for p in case["plans"]] == ["cancelled", "offered"]
    assert [p["status"] for p in application(uow)["plans"]] == ["cancelled", "active"]


def test_the_reoffer_is_built_on_the_broken_plan_not_on_the_contract(
    uow: UowFactory, tmp_path: Path
) -> None:
    pay(uow, ("1066.19", date(2025, 2, 15)))  # before the plan: already in what A1-1 covers
    first = active_plan(uow, tmp_path)["schedule"]
    pay(uow, *((row["total"], date.fromisoformat(row["due_date"])) for row in first[:3]))
    day = date.fromisoformat(first[3]["due_date"]) + timedelta(days=6)
    break_plan(uow, day)  # three installments kept, the fourth missed
    listed = relief_service.options_for_application(
        uow=uow(), platform="acme", application_id="A1", loan_id="L1", clock=on(day)
    )
    with uow() as unit:  # the same loan and application replayed on its contract
        loan = unit.loans("acme").get("L1")
        assert loan is not None
        contract = plan_options(
            loan=loan,
            payments=unit.payments("acme").for_loan("L1"),
            settings=settings_of(unit, "acme"),
            application=unit.applications("acme").require_application("A1").application,
            as_of=day,
        )
    plan = reoffer(uow, "A1-1", day)
    assert plan["summary"]["rank"] == 1  # by default the best ranked option offered
    # What is re-scheduled is the principal the plan still had after its third installment:
    # the loan replayed on the plan in force, with the payments made since it started.
    principal = sum(Decimal(row["principal"]) for row in plan["schedule"])
    assert principal == Decimal(first[2]["remaining_principal"])
    # Options listed for the application start from the same position (services.plans.position).
    assert listed.snapshot.outstanding_principal.amount == principal
    assert listed.snapshot.dpd == 6
    # Replayed on the contract instead, the account is months in arrears (with penalty on them).
    assert contract.snapshot.outstanding_principal.amount != principal
    assert contract.snapshot.dpd > 60


def test_a_chosen_option_keeps_its_own_approval_level(uow: UowFactory, tmp_path: Path) -> None:
    active_plan(uow, tmp_path)
    break_plan(uow, BROKEN_ON)
    option = "term-46+interest-waiver-60+penalty-waiver-60"
    plan = reoffer(uow, "A1-1", BROKEN_ON, option_id=option)
    assert (plan["option_id"], plan["approval"]["required_role"]) == (option, "manager")
    with pytest.raises(ApprovalRefused, match="manager"):
        relief_service.approve_plan(
            uow=uow(), platform="acme", plan_id="A1-2", by="lead", role="team_lead",
            clock=on(BROKEN_ON),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("broken", "kwargs", "error", "words"),
    [
        (True, {"plan_id": "A1-9"}, NotFound, "no plan 'A1-9'"),
        (False, {}, InvalidTransition, "is active; only a broken plan is re-offered"),
        (True, {"by": "system"}, ValidationError, "reserved"),
        (True, {"as_of": BROKEN_ON + timedelta(days=1)}, ValidationError, "after the business"),
        (True, {"option_id": "term-99"}, NotFound, "no plan option 'term-99'"),
        (True, {"option_id": "settlement-50pct-1"}, ValidationError, "above the affordable"),
    ],
)
def test_bad_reoffers_are_refused_and_change_nothing(
    uow: UowFactory,
    engine: Engine,
    tmp_path: Path,
    broken: bool,
    kwargs: dict[str, Any],
    error: type[TideoverError],
    words: str,
) -> None:
    active_plan(uow, tmp_path)
    if broken:
        break_plan(uow, BROKEN_ON)
    before = state(engine)
    args = dict(kwargs)  # the parameters are shared by the SQLite and PostgreSQL runs
    with pytest.raises(error) as caught:
        reoffer(uow, args.pop("plan_id", "A1-1"), BROKEN_ON, **args)
    assert words in caught.value.en
    assert caught.value.zh
    assert caught.value.zh != caught.value.en
    assert state(engine) == before


def test_a_cancelled_plan_is_not_reoffered(uow: UowFactory, engine: Engine, tmp_path: Path) -> None:
    active_plan(uow, tmp_path)
    break_plan(uow, BROKEN_ON)
    relief_service.cancel_plan(
        uow=uow(), platform="acme", plan_id="A1-1", by="lead", reason="moved abroad",
        clock=on(BROKEN_ON),
    )  # fmt: skip
    before = state(engine)
    with pytest.raises(InvalidTransition, match="is cancelled"):
        reoffer(uow, "A1-1", BROKEN_ON)
    assert state(engine) == before


def _reoffered_and_broken(uow: UowFactory, plan_id: str, day: date) -> tuple[str, date]:
    """Re-offer ``plan_id`` on ``day``, approve, accept, and break it: (new id, day broken)."""
    plan = reoffer(uow, plan_id, day)
    relief_service.approve_plan(
        uow=uow(), platform="acme", plan_id=plan["plan_id"], by="boss", role="manager",
        clock=on(day),
    )  # fmt: skip
    relief_service.accept_plan(uow=uow(), platform="acme", plan_id=plan["plan_id"], clock=on(day))
    broken_on = date.fromisoformat(plan["schedule"][0]["due_date"]) + timedelta(days=6)
    break_plan(uow, broken_on)
    return plan["plan_id"], broken_on


def test_the_reoffer_limit_then_cancel_instead(
    uow: UowFactory, engine: Engine, tmp_path: Path
) -> None:
    active_plan(uow, tmp_path)
    break_plan(uow, BROKEN_ON)
    second, day = _reoffered_and_broken(uow, "A1-1", BROKEN_ON)
    third, day = _reoffered_and_broken(uow, second, day)
    assert (second, third) == ("A1-2", "A1-3")
    before = state(engine)
    with pytest.raises(ReofferLimitReached) as caught:  # OfferLimits.max_reoffers: 2
        reoffer(uow, third, day)
    assert "has had 2 re-offers and the offer limits allow 2" in caught.value.en
    assert "新的收支表" in caught.value.zh
    assert state(engine) == before
    # A collector cancels instead (the system does it when ``plans review --cancel-broken``
    # breaks a plan); the application is closed.
    relief_service.cancel_plan(
        uow=uow(), platform="acme", plan_id=third, by="lead", reason="third break", clock=on(day)
    )
    case = application(uow)
    assert case["status"] == "closed"
    assert [p["status"] for p in case["plans"]] == ["cancelled"] * 3
    assert [p["reoffer_of"] for p in case["plans"]] == [None, "A1-1", "A1-2"]
