"""The hardship review and the plan acceptance on the in-memory unit of work: no database.

The same handlers run on SQLite and PostgreSQL in
``tests/integration/test_plans_store.py``; here each rule is checked in
isolation, including that a refusal leaves the store and the audit trail as
they were.  Plans are put in the store through its repositories (what
``plans offer`` would have stored), so only the handler under test runs.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from tests.fakes import InMemoryUnitOfWork, Store
from tests.support import CAST, EVERY_ROLE

from tideover.compliance.audit import verify
from tideover.domain.clock import FixedClock
from tideover.domain.errors import NotFound, ValidationError
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import Money
from tideover.domain.platforms import PlatformSettings
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans import (
    InvalidTransition,
    OfferExpired,
    OfferLimits,
    cases,
    lifecycle,
    parse_application,
)
from tideover.plans.approval import Approval, ApprovalRequest
from tideover.services.plans import hardship as hardship_service
from tideover.services.plans import relief as relief_service
from tideover.services.plans.options import plan_options
from tideover.services.plans.results import ApplicationInfo, OptionSummary, PlanInfo

PLATFORM = "acme"
# 03:00 UTC is 11:00 in Shanghai: the platform's business date is 2025-06-20.
CLOCK = FixedClock(datetime(2025, 6, 20, 3, 0, tzinfo=UTC))
TODAY = date(2025, 6, 20)
SUBMITTED = datetime(2025, 6, 19, 2, 0, tzinfo=UTC)
TERMS = terms_for(
    principal=Money.of("12000"),
    annual_rate=Decimal("0.12"),
    term=12,
    method=RepaymentMethod.EQUAL_INSTALLMENT,
    start_date=date(2025, 1, 15),
)
LOAN = Loan(PLATFORM, "L1", "B1", TERMS, build_schedule(TERMS))
APPLICATION = parse_application(
    {
        "application_id": "A1",
        "loan_id": "L1",
        "submitted_on": "2025-06-19",
        "reason": "illness_injury",
        "description": "In hospital for two months.",
        "expected_duration_months": 4,
        "income": {"benefits": "5200"},
        "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
        "dependants": 1,
    }
)


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    """Platform ``acme`` (Asia/Shanghai) with loan L1 and application A1, submitted."""
    unit = InMemoryUnitOfWork()
    with unit:
        unit.platforms.ensure(
            PLATFORM,
            name="Acme",
            currency="CNY",
            settings=PlatformSettings(time_zone="Asia/Shanghai").to_dict(),
        )
        unit.loans(PLATFORM).add_many([LOAN])
        for name in CAST:  # whoever the tests name acts as a stored user with every role
            unit.users(PLATFORM).add(
                username=name, display_name=name, roles=EVERY_ROLE, created_by="setup"
            )
        case = cases.submit(APPLICATION, at=SUBMITTED, by="borrower")
        unit.applications(PLATFORM).add_application(case, [])
        unit.commit()
    unit.commits = 0
    return unit


def snapshot(uow: InMemoryUnitOfWork) -> Store:
    return copy.deepcopy(uow.store)


def audit(uow: InMemoryUnitOfWork) -> list[tuple[str, dict[str, object]]]:
    with uow:
        return [(r.kind, dict(r.payload)) for r in uow.audit(PLATFORM).records()]


# --- review_application ---------------------------------------------------------------------


def test_review_starts_the_review_and_audits_it(uow: InMemoryUnitOfWork) -> None:
    report = hardship_service.review_application(
        uow=uow, platform=PLATFORM, application_id="A1", by="reviewer", clock=CLOCK
    )
    assert isinstance(report, ApplicationInfo)
    assert (report.status, report.outcome, report.by) == ("under_review", None, "reviewer")
    assert [(s.status, s.by) for s in report.history] == [
        ("submitted", "borrower"),
        ("under_review", "reviewer"),
    ]
    assert report.history[-1].at == CLOCK.instant
    assert report.document == APPLICATION
    assert uow.commits == 1
    [(kind, payload)] = audit(uow)
    assert kind == "hardship_review"
    # The audit record is the brief of the JSON the command prints.
    assert payload == {k: report.to_json()[k] for k in payload}
    assert (payload["status"], payload["by"]) == ("under_review", "reviewer")
    with uow:
        assert uow.applications(PLATFORM).require_application("A1").status == "under_review"
        assert verify(uow.audit(PLATFORM).records()).ok


@pytest.mark.parametrize(
    ("application_id", "by", "error", "words"),
    [
        ("A9", "reviewer", NotFound, "A9"),
        ("A1", "system", ValidationError, "reserved"),
        ("A1", " ", ValidationError, "1 to 200 characters"),
    ],
)
def test_a_refused_review_changes_nothing(
    uow: InMemoryUnitOfWork,
    application_id: str,
    by: str,
    error: type[Exception],
    words: str,
) -> None:
    before = snapshot(uow)
    with pytest.raises(error, match=words):
        hardship_service.review_application(
            uow=uow, platform=PLATFORM, application_id=application_id, by=by, clock=CLOCK
        )
    assert uow.store == before
    assert uow.commits == 0


def test_an_application_is_reviewed_once(uow: InMemoryUnitOfWork) -> None:
    hardship_service.review_application(
        uow=uow, platform=PLATFORM, application_id="A1", by="reviewer", clock=CLOCK
    )
    before = snapshot(uow)
    with pytest.raises(InvalidTransition) as caught:
        hardship_service.review_application(
            uow=uow, platform=PLATFORM, application_id="A1", by="reviewer2", clock=CLOCK
        )
    assert caught.value.zh
    assert caught.value.zh != caught.value.en
    assert uow.store == before
    assert [kind for kind, _ in audit(uow)] == ["hardship_review"]


# --- accept_plan ----------------------------------------------------------------------------


def offered(
    uow: InMemoryUnitOfWork,
    *,
    option_id: str = "term-22",
    approved: bool = True,
    on: date = TODAY,
) -> str:
    """Plan A1-1 for ``option_id`` offered on ``on`` as ``plans offer`` stores it."""
    result = plan_options(
        loan=LOAN, payments=[], settings=PlatformSettings(), application=APPLICATION, as_of=on
    )
    evaluation = next(e for e in result.evaluations if e.option.option_id == option_id)
    plan = lifecycle.offer(
        plan_id="A1-1",
        loan_id="L1",
        option_id=option_id,
        contract=LOAN.schedule,
        plan_schedule=evaluation.option.schedule,
        on=on,
    )
    at = datetime(on.year, on.month, on.day, 3, 0, tzinfo=UTC)
    request = ApprovalRequest("A1-1", option_id, "collector1", "team_lead")
    with uow:
        uow.plans(PLATFORM).add_plan(
            plan,
            application_id="A1",
            as_of=on,
            currency_code="CNY",
            summary=OptionSummary.of(evaluation).to_json(),
            limits=OfferLimits(),
            request=request,
            requested_at=at,
            approval=Approval("A1-1", "lead", "team_lead", at) if approved else None,
        )
        uow.commit()
    uow.commits = 0
    return "A1-1"


def test_an_approved_offer_becomes_the_loans_schedule(uow: InMemoryUnitOfWork) -> None:
    plan_id = offered(uow)
    report = relief_service.accept_plan(uow=uow, platform=PLATFORM, plan_id=plan_id, clock=CLOCK)
    assert isinstance(report, PlanInfo)
    assert (report.status, report.starts_on) == ("active", TODAY)
    assert [(e.on, e.status) for e in report.events] == [
        (TODAY, "offered"),
        (TODAY, "accepted"),
        (TODAY, "active"),
    ]
    assert sum(row.total for row in report.schedule) == report.summary.total_cost
    assert uow.commits == 1
    with uow:
        history = uow.schedules(PLATFORM).schedule_history("L1")
        stored = uow.plans(PLATFORM).require_plan(plan_id)
    assert [(v.version, v.reason, v.effective_from) for v in history] == [
        (1, "contract", date(2025, 1, 15)),
        (2, "plan term-22", TODAY),
    ]
    assert history[0].schedule == LOAN.schedule
    assert history[1].schedule == stored.plan.schedule
    [(kind, payload)] = audit(uow)
    assert kind == "plan_accepted"
    assert (payload["plan_id"], payload["status"], payload["by"]) == ("A1-1", "active", "borrower")
    assert not {"schedule", "events"} & set(payload)


def test_a_loan_with_a_history_gets_the_plan_appended(uow: InMemoryUnitOfWork) -> None:
    plan_id = offered(uow)
    with uow:  # an earlier plan already wrote the contract and its own schedule
        schedules = uow.schedules(PLATFORM)
        schedules.append_schedule("L1", LOAN.schedule, reason="contract",
                                  effective_from=date(2025, 1, 15))  # fmt: skip
        schedules.append_schedule("L1", LOAN.schedule, reason="plan earlier",
                                  effective_from=date(2025, 3, 1))  # fmt: skip
        uow.commit()
    relief_service.accept_plan(uow=uow, platform=PLATFORM, plan_id=plan_id, by="c1", clock=CLOCK)
    with uow:
        history = uow.schedules(PLATFORM).schedule_history("L1")
    assert [(v.version, v.reason) for v in history] == [
        (1, "contract"),
        (2, "plan earlier"),
        (3, "plan term-22"),
    ]


@pytest.mark.parametrize(
    ("approved", "days_later", "error", "words"),
    [
        (False, 0, InvalidTransition, "awaits approval by 'team_lead'"),
        (True, 15, OfferExpired, "expired on 2025-07-04"),
    ],
)
def test_an_unapproved_or_expired_offer_is_refused(
    uow: InMemoryUnitOfWork,
    approved: bool,
    days_later: int,
    error: type[Exception],
    words: str,
) -> None:
    plan_id = offered(uow, approved=approved)
    before = snapshot(uow)
    late = FixedClock(CLOCK.instant + timedelta(days=days_later))
    with pytest.raises(error, match=words):
        relief_service.accept_plan(uow=uow, platform=PLATFORM, plan_id=plan_id, clock=late)
    assert uow.store == before
    assert uow.commits == 0


def test_an_offer_is_accepted_once(uow: InMemoryUnitOfWork) -> None:
    plan_id = offered(uow)
    relief_service.accept_plan(uow=uow, platform=PLATFORM, plan_id=plan_id, clock=CLOCK)
    before = snapshot(uow)
    for who, error in (("borrower", InvalidTransition), ("system", ValidationError)):
        with pytest.raises(error):
            relief_service.accept_plan(
                uow=uow, platform=PLATFORM, plan_id=plan_id, by=who, clock=CLOCK
            )
    with pytest.raises(NotFound):
        relief_service.accept_plan(uow=uow, platform=PLATFORM, plan_id="A1-9", clock=CLOCK)
    assert uow.store == before
    assert [kind for kind, _ in audit(uow)] == ["plan_accepted"]
