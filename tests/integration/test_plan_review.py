"""``plans review``: active plans completed, broken or re-aged as of a date, on both databases.

Every decision is checked in storage and in the audit trail; a second review
of the same date is checked to change nothing; refusals to change nothing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.domain.clock import FixedClock
from tideover.domain.errors import UsageError, ValidationError
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.plans.lifecycle import ReagingRule
from tideover.services.plans import hardship as hardship_service
from tideover.services.plans import promises as promise_service
from tideover.services.plans import relief as relief_service
from tideover.services.plans import review as plan_review

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
CLOCK = FixedClock(datetime(2025, 6, 20, 3, 0, tzinfo=UTC))  # 11:00 in Asia/Shanghai
LATER = FixedClock(datetime(2027, 1, 1, 3, 0, tzinfo=UTC))  # business date of the reviews
TABLES = ("hardship_applications", "relief_plans", "schedule_versions", "promises_to_pay",
          "audit_records")  # fmt: skip
# The plan "term-22" of a 12,000 CNY loan at 12 %: 22 installments of 640.44 from 2025-07-15
# (the last 640.56), active from 2025-06-20 with 5 days' grace.
INSTALLMENT = Money.of("640.44")
FIRST_DUE = date(2025, 7, 15)


@pytest.fixture
def uow(acme_with_loan: UowFactory) -> UowFactory:
    return acme_with_loan


def active_plan(uow: UowFactory, tmp_path: Path, *, vulnerable: bool = False) -> dict[str, Any]:
    """Application A1 for L1, plan A1-1 (term-22; term-28 when vulnerable) accepted 2025-06-20."""
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(b"%PDF-1.4 medical certificate")
    application = {
        "application_id": "A1",
        "loan_id": "L1",
        "submitted_on": "2025-06-20",
        "reason": "illness_injury",
        "description": "In hospital for two months.",
        "expected_duration_months": 4,
        "income": {"benefits": "5200"},
        "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
        "dependants": 1,
        "vulnerable": vulnerable,
    }
    hardship_service.apply_for_hardship(
        uow=uow(),
        platform="acme",
        data=application,
        evidence=[f"medical_certificate:{pdf}"],
        clock=CLOCK,
    )
    hardship_service.review_application(
        uow=uow(), platform="acme", application_id="A1", by="reviewer", clock=CLOCK
    )
    offered = relief_service.offer_plan(
        uow=uow(),
        platform="acme",
        application_id="A1",
        loan_id="L1",
        option_id="term-28" if vulnerable else "term-22",  # a smaller payment fits the budget
        by="collector1",
        clock=CLOCK,
    ).to_json()
    if offered["approval"]["approved_by"] is None:
        relief_service.approve_plan(
            uow=uow(), platform="acme", plan_id="A1-1", by="lead", role="manager", clock=CLOCK
        )
    return relief_service.accept_plan(
        uow=uow(), platform="acme", plan_id="A1-1", clock=CLOCK
    ).to_json()


def pay(uow: UowFactory, *paid: tuple[str, date]) -> None:
    payments = [
        Payment("acme", f"P{n}", "L1", Money.of(amount), on)
        for n, (amount, on) in enumerate(paid, start=1)
    ]
    with uow() as unit:
        unit.payments("acme").add_many(payments)
        unit.commit()


def review(uow: UowFactory, as_of: date, **kwargs: Any) -> dict[str, Any]:
    return plan_review.review_plans(
        uow=uow(), platform="acme", as_of=as_of, clock=kwargs.pop("clock", LATER), **kwargs
    ).to_json()


def state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
            for table in TABLES
        }


def audit_kinds(uow: UowFactory) -> list[str]:
    with uow() as unit:
        return [r.kind for r in unit.audit("acme").records()]


def test_a_paid_plan_is_completed_once(uow: UowFactory, engine: Engine, tmp_path: Path) -> None:
    plan = active_plan(uow, tmp_path)
    total = sum(Decimal(i["total"]) for i in plan["schedule"])
    pay(uow, (str(total - 1), date(2025, 7, 1)))
    assert review(uow, date(2025, 7, 1))["plans"] == []  # 1 CNY short: still active
    pay_rest = Payment("acme", "P9", "L1", Money.of("1"), date(2025, 7, 2))
    with uow() as unit:
        unit.payments("acme").add_many([pay_rest])
        unit.commit()
    report = review(uow, date(2025, 7, 2))
    assert [(d["plan_id"], d["status"]) for d in report["plans"]] == [("A1-1", "completed")]
    shown = relief_service.show_application(
        uow=uow(), platform="acme", application_id="A1"
    ).to_json()
    assert shown["status"] == "closed"
    assert shown["plans"][0]["status"] == "completed"
    assert audit_kinds(uow)[-2:] == ["plan_completed", "hardship_closed"]
    before = state(engine)
    again = review(uow, date(2025, 7, 2))
    assert (again["active_plans_reviewed"], again["plans"]) == (0, [])
    assert state(engine) == before


def test_an_unpaid_installment_breaks_the_plan_after_the_grace(
    uow: UowFactory, engine: Engine, tmp_path: Path
) -> None:
    active_plan(uow, tmp_path)
    pay(uow, ("640.44", date(2025, 7, 15)))  # the first installment only
    second_due = date(2025, 8, 15)
    assert review(uow, second_due + timedelta(days=5))["plans"] == []  # last day of grace
    report = review(uow, second_due + timedelta(days=6))
    [decision] = report["plans"]
    assert (decision["status"], decision["note"]) == ("broken", "installment 2 unpaid after grace")
    shown = relief_service.show_plan(uow=uow(), platform="acme", plan_id="A1-1").to_json()
    assert [e["status"] for e in shown["events"]][-1] == "broken"
    application = relief_service.show_application(
        uow=uow(), platform="acme", application_id="A1"
    ).to_json()
    assert application["status"] == "decided"  # a person re-offers or cancels a broken plan
    assert audit_kinds(uow)[-1] == "plan_broken"
    before = state(engine)
    assert review(uow, second_due + timedelta(days=6))["plans"] == []
    assert state(engine) == before
    relief_service.cancel_plan(
        uow=uow(), platform="acme", plan_id="A1-1", by="lead", reason="broken", clock=LATER
    )
    assert audit_kinds(uow)[-2:] == ["hardship_closed", "plan_cancelled"]


def test_a_vulnerable_borrower_gets_twice_the_grace(uow: UowFactory, tmp_path: Path) -> None:
    plan = active_plan(uow, tmp_path, vulnerable=True)
    assert plan["grace_days"] == 10
    assert review(uow, FIRST_DUE + timedelta(days=10))["plans"] == []
    [decision] = review(uow, FIRST_DUE + timedelta(days=11))["plans"]
    assert (decision["status"], decision["grace_days"]) == ("broken", 10)


def test_cancel_broken_cancels_and_closes_the_application(uow: UowFactory, tmp_path: Path) -> None:
    active_plan(uow, tmp_path)
    report = review(uow, FIRST_DUE + timedelta(days=6), cancel_broken=True)
    assert [d["status"] for d in report["plans"]] == ["broken", "cancelled"]
    application = relief_service.show_application(
        uow=uow(), platform="acme", application_id="A1"
    ).to_json()
    assert (application["status"], application["plans"][0]["status"]) == ("closed", "cancelled")
    assert audit_kinds(uow)[-3:] == ["plan_broken", "plan_cancelled", "hardship_closed"]


def monthly(months: int) -> list[tuple[str, date]]:
    """The plan's installments paid on their due dates for ``months`` months."""
    return [(str(INSTALLMENT.amount), date(2025, 7 + m, 15)) for m in range(months)]


def test_re_aging_after_consecutive_kept_payments(
    uow: UowFactory, engine: Engine, tmp_path: Path
) -> None:
    active_plan(uow, tmp_path)
    pay(uow, *monthly(5))
    # Three kept by 2025-09-15, but the loan is 8 months on book there (FFIEC asks for 9).
    assert review(uow, date(2025, 9, 15))["plans"] == []
    [decision] = review(uow, date(2025, 10, 15))["plans"]
    assert decision["status"] == "reaged"
    assert (decision["consecutive_kept"], decision["schedule_version"]) == (4, 3)
    assert decision["ages_from"] == "2025-10-15"
    with uow() as unit:
        history = unit.schedules("acme").schedule_history("L1")
    assert [(v.version, v.reason, v.effective_from) for v in history] == [
        (1, "contract", date(2025, 1, 15)),
        (2, "plan term-22", date(2025, 6, 20)),
        (3, "re-aged", date(2025, 10, 15)),
    ]
    assert history[2].schedule == history[1].schedule  # brought current, same installments
    assert audit_kinds(uow)[-1] == "plan_reaged"
    before = state(engine)
    assert review(uow, date(2025, 10, 15))["plans"] == []  # the same date again
    # One more kept payment is not three since the re-aging, and FFIEC allows one a year.
    assert review(uow, date(2025, 11, 15))["plans"] == []
    loose = ReagingRule(consecutive_payments=1, max_in_12_months=5, max_in_5_years=5)
    assert review(uow, date(2025, 10, 15), rule=loose)["plans"] == []  # nothing new since
    assert state(engine) == before
    [again] = review(uow, date(2025, 11, 15), rule=loose)["plans"]
    assert (again["status"], again["schedule_version"]) == ("reaged", 4)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"as_of": date(2027, 1, 2)}, "after its business date 2027-01-01"),
        ({"promise_grace_days": -1}, "between 0 and 31"),
        ({"rule": ReagingRule(consecutive_payments=0)}, "consecutive_payments"),
    ],
)
def test_bad_reviews_are_refused_and_change_nothing(
    uow: UowFactory, engine: Engine, tmp_path: Path, kwargs: dict[str, Any], words: str
) -> None:
    active_plan(uow, tmp_path)
    before = state(engine)
    args = dict(kwargs)  # the parameters are shared by the SQLite and PostgreSQL runs
    as_of = args.pop("as_of", date(2026, 1, 1))
    with pytest.raises(ValidationError) as caught:
        review(uow, as_of, **args)
    assert words in caught.value.en
    assert caught.value.zh
    assert caught.value.zh != caught.value.en
    assert state(engine) == before


def invoke(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main.run(["plans", *args])
    return code, out.getvalue(), err.getvalue()


def test_review_from_the_command_line(
    uow: UowFactory,
    engine: Engine,
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    active_plan(uow, tmp_path)
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    args = ["review", "--platform", "acme", "--as-of", "2025-07-21"]
    code, out, err = invoke([*args, "--json"])
    assert code == 0, err
    report = json.loads(out)
    assert [(d["plan_id"], d["status"]) for d in report["plans"]] == [("A1-1", "broken")]
    assert report["reaging_rule"]["consecutive_payments"] == 3
    code, out, err = invoke(args)
    assert code == 0, err
    assert "0 active plans reviewed" in out
    before = state(engine)
    for bad, error in ((["--as-of", "21/07/2025"], UsageError), (["--promise-grace", "40"],
                       ValidationError), (["--reage-after", "0"], ValidationError)):  # fmt: skip
        code, out, err = invoke(["review", "--platform", "acme", "--as-of", "2025-07-21", *bad])
        assert code == error.exit_code
        assert f"[{error.code}]" in err
    assert state(engine) == before


def test_a_promise_made_during_a_plan_belongs_to_it(uow: UowFactory, tmp_path: Path) -> None:
    active_plan(uow, tmp_path)
    recorded = promise_service.record_promise(
        uow=uow(), platform="acme", loan_id="L1", amount="640.44", due=FIRST_DUE, by="c1",
        clock=CLOCK,
    ).to_json()  # fmt: skip
    assert recorded["plan_id"] == "A1-1"
    pay(uow, ("640.44", FIRST_DUE))
    report = review(uow, FIRST_DUE)
    assert [(p["promise_id"], p["outcome"]) for p in report["promises"]] == [("PTP-1", "kept")]
    assert report["plans"] == []  # the plan runs on
