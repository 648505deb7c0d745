"""Stored hardship applications, evidence, plans, approvals, schedule history and promises.

Every use case runs on SQLite and PostgreSQL; every refusal is checked to leave
the database exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from tideover import policy as policy_package
from tideover.adapters.database import MIGRATIONS_DIR, migrate
from tideover.adapters.orm import Base
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict, NotFound, TideoverError, ValidationError
from tideover.domain.money import Money
from tideover.plans import (
    ApplicationRejected,
    ApprovalRefused,
    EvidenceRejected,
    IncomeCategory,
    InvalidTransition,
    OfferExpired,
    OfferOutsideLimits,
)
from tideover.plans.lifecycle import Outcome, PromiseToPay
from tideover.services.plans import hardship as hardship_service
from tideover.services.plans import relief as relief_service
from tideover.services.policy import versions as policies

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
CLOCK = FixedClock(datetime(2025, 6, 20, 3, 0, tzinfo=UTC))  # 11:00 in Asia/Shanghai
PDF = b"%PDF-1.4 medical certificate"
TABLES = (
    "hardship_applications",
    "hardship_evidence",
    "relief_plans",
    "plan_approvals",
    "schedule_versions",
    "promises_to_pay",
    "audit_records",
    "audit_heads",
)
APPLICATION: dict[str, Any] = {
    "application_id": "A1",
    "loan_id": "L1",
    "submitted_on": "2025-06-20",
    "reason": "illness_injury",
    "description": "In hospital for two months.",
    "expected_duration_months": 4,
    "income": {"benefits": "5200"},
    "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
    "dependants": 1,
}


@pytest.fixture
def uow(acme_with_loan: UowFactory) -> UowFactory:
    return acme_with_loan


def state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables these use cases write, to prove a refusal changed nothing."""
    with engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
            for table in TABLES
        }


def apply(uow: UowFactory, tmp_path: Path, **changes: Any) -> dict[str, Any]:
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(PDF)
    data = {**APPLICATION, **changes}
    return hardship_service.apply_for_hardship(
        uow=uow(),
        platform="acme",
        data=data,
        evidence=[f"medical_certificate:{pdf}"],
        clock=CLOCK,
    ).to_json()


def under_review(uow: UowFactory, tmp_path: Path) -> None:
    apply(uow, tmp_path)
    hardship_service.review_application(
        uow=uow(), platform="acme", application_id="A1", by="reviewer", clock=CLOCK
    )


def offer(uow: UowFactory, option: str = "term-36", **kwargs: Any) -> dict[str, Any]:
    return relief_service.offer_plan(
        uow=uow(),
        platform="acme",
        application_id="A1",
        loan_id="L1",
        option_id=option,
        by=kwargs.pop("by", "collector1"),
        clock=kwargs.pop("clock", CLOCK),
        **kwargs,
    ).to_json()


def audit_kinds(uow: UowFactory, platform: str = "acme") -> list[str]:
    with uow() as unit:
        return [r.kind for r in unit.audit(platform).records()]


def test_the_migration_builds_the_orm_schema_and_comes_and_goes(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    assert not set(TABLES[:6]) & set(inspect(engine).get_table_names())
    migrate(engine, "head")
    assert set(TABLES) <= set(inspect(engine).get_table_names())


def test_an_application_and_its_evidence_are_stored_and_audited(
    uow: UowFactory, tmp_path: Path
) -> None:
    report = apply(uow, tmp_path)
    assert report["status"] == "submitted"
    [doc] = report["evidence"]
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert doc["media_type"] == "application/pdf"
    with uow() as unit:
        repo = unit.applications("acme")
        case = repo.require_application("A1")
        assert case.application.income[IncomeCategory.BENEFITS] == Decimal("5200")
        assert repo.evidence_content("A1", "cert.pdf") == PDF
        assert unit.applications("other").application("A1") is None  # never across platforms
    assert audit_kinds(uow) == ["hardship_submitted"]


def test_listed_evidence_must_match_its_file(uow: UowFactory, tmp_path: Path) -> None:
    pdf = tmp_path / "payslip.pdf"
    pdf.write_bytes(PDF)
    listed = {
        "document_type": "payslip",
        "file_name": "payslip.pdf",
        "media_type": "application/pdf",
        "size_bytes": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
    }
    report = hardship_service.apply_for_hardship(
        uow=uow(),
        platform="acme",
        data={**APPLICATION, "evidence": [listed]},
        evidence=[str(pdf)],
        clock=CLOCK,
    ).to_json()
    assert [d["document_type"] for d in report["evidence"]] == ["payslip"]


def _oversize(tmp_path: Path) -> str:
    big = tmp_path / "scan.pdf"
    with big.open("wb") as handle:  # sparse: cheap to make, refused before it is read
        handle.write(b"%PDF-")
        handle.truncate(10 * 1024 * 1024 + 1)
    return f"bank_statement:{big}"


@pytest.mark.parametrize(
    ("changes", "files", "error", "words"),
    [
        ({"income": {"earnings": "-1"}}, [], ApplicationRejected, "income.earnings"),
        ({"reason": None}, [], ApplicationRejected, "reason"),
        ({"loan_id": "L9"}, [], NotFound, "L9"),
        ({}, ["payslip:{tmp}/virus.exe"], EvidenceRejected, "not a PDF"),
        ({}, ["selfie:{tmp}/cert.pdf"], EvidenceRejected, "document_type"),
        ({}, ["{tmp}/cert.pdf"], EvidenceRejected, "not listed"),
        ({}, ["oversize"], EvidenceRejected, "over 10485760 bytes"),
        (
            {
                "evidence": [
                    {
                        "document_type": "payslip",
                        "file_name": "gone.pdf",
                        "media_type": "application/pdf",
                        "size_bytes": 5,
                        "sha256": "0" * 64,
                    }
                ]
            },
            [],
            EvidenceRejected,
            "listed but no file",
        ),
    ],
)
def test_bad_applications_are_refused_and_change_nothing(
    uow: UowFactory,
    engine: Engine,
    tmp_path: Path,
    changes: dict[str, Any],
    files: list[str],
    error: type[TideoverError],
    words: str,
) -> None:
    (tmp_path / "virus.exe").write_bytes(b"MZ\x90\x00")
    (tmp_path / "cert.pdf").write_bytes(PDF)
    paths = [_oversize(tmp_path) if f == "oversize" else f.format(tmp=tmp_path) for f in files]
    before = state(engine)
    with pytest.raises(error) as caught:
        hardship_service.apply_for_hardship(
            uow=uow(), platform="acme", data={**APPLICATION, **changes}, evidence=paths
        )
    assert words in caught.value.en
    assert caught.value.zh
    assert caught.value.zh != caught.value.en
    assert state(engine) == before


def test_a_repeated_application_id_is_a_conflict(
    uow: UowFactory, engine: Engine, tmp_path: Path
) -> None:
    apply(uow, tmp_path)
    before = state(engine)
    with pytest.raises(Conflict):
        apply(uow, tmp_path)
    assert state(engine) == before


def test_review_and_decline_with_reasons(uow: UowFactory, engine: Engine, tmp_path: Path) -> None:
    apply(uow, tmp_path)
    before = state(engine)
    with pytest.raises(InvalidTransition):  # a submitted application is reviewed first
        hardship_service.decline_application(
            uow=uow(), platform="acme", application_id="A1", by="r", reasons=["no"], clock=CLOCK
        )
    assert state(engine) == before
    hardship_service.review_application(
        uow=uow(), platform="acme", application_id="A1", by="r", clock=CLOCK
    )
    before = state(engine)
    with pytest.raises(ApplicationRejected):  # a decline needs a reason
        hardship_service.decline_application(
            uow=uow(), platform="acme", application_id="A1", by="r", reasons=[" "], clock=CLOCK
        )
    assert state(engine) == before
    report = hardship_service.decline_application(
        uow=uow(),
        platform="acme",
        application_id="A1",
        by="r",
        reasons=["income covers the contract"],
        clock=CLOCK,
    ).to_json()
    assert (report["status"], report["outcome"]) == ("decided", "declined")
    assert report["decline_reasons"][0]["en"] == "income covers the contract"
    assert [h["status"] for h in report["history"]] == ["submitted", "under_review", "decided"]
    assert audit_kinds(uow) == ["hardship_submitted", "hardship_review", "hardship_declined"]


def test_options_come_from_the_stored_application(uow: UowFactory, tmp_path: Path) -> None:
    apply(uow, tmp_path)
    result = relief_service.options_for_application(
        uow=uow(), platform="acme", application_id="A1", loan_id="L1", clock=CLOCK
    )
    assert result.snapshot.as_of == date(2025, 6, 20)  # the platform's business date
    ids = {e.option.option_id for e in result.offered}
    assert "term-36" in ids


def test_offer_approve_accept_cancel(uow: UowFactory, engine: Engine, tmp_path: Path) -> None:
    under_review(uow, tmp_path)
    plan = offer(uow)
    assert plan["plan_id"] == "A1-1"
    assert plan["status"] == "offered"
    assert plan["expires_on"] == "2025-07-04"  # offer_valid_days 14
    assert plan["approval"]["required_role"] == "team_lead"
    before = state(engine)
    refusals: list[tuple[dict[str, str], type[TideoverError]]] = [
        ({"by": "collector1", "role": "manager"}, ApprovalRefused),  # own request
        ({"by": "collector2", "role": "collector"}, ApprovalRefused),  # role too junior
        ({"by": "system", "role": "manager"}, ValidationError),  # reserved actor
    ]
    for who, error in refusals:
        with pytest.raises(error):
            relief_service.approve_plan(
                uow=uow(), platform="acme", plan_id="A1-1", clock=CLOCK, **who
            )
    with pytest.raises(InvalidTransition):  # not approved yet
        relief_service.accept_plan(uow=uow(), platform="acme", plan_id="A1-1", clock=CLOCK)
    with pytest.raises(Conflict):  # one open plan per application
        offer(uow, "term-22")
    assert state(engine) == before

    approved = relief_service.approve_plan(
        uow=uow(), platform="acme", plan_id="A1-1", by="lead", role="manager", clock=CLOCK
    ).to_json()
    assert approved["approval"]["approved_by"] == "lead"
    accepted = relief_service.accept_plan(
        uow=uow(), platform="acme", plan_id="A1-1", clock=CLOCK
    ).to_json()
    assert accepted["status"] == "active"
    with pytest.raises(InvalidTransition):  # accepted once only
        relief_service.accept_plan(uow=uow(), platform="acme", plan_id="A1-1", clock=CLOCK)
    shown = relief_service.show_plan(uow=uow(), platform="acme", plan_id="A1-1").to_json()
    history = shown["schedule_history"]
    assert [(v["version"], v["reason"]) for v in history] == [(1, "contract"), (2, "plan term-36")]
    assert history[1]["total"] == shown["summary"]["total_cost"]
    app = relief_service.show_application(uow=uow(), platform="acme", application_id="A1").to_json()
    assert (app["status"], app["outcome"], app["plan_option_id"]) == (
        "decided",
        "approved",
        "term-36",
    )
    relief_service.cancel_plan(
        uow=uow(), platform="acme", plan_id="A1-1", by="lead", reason="moved abroad", clock=CLOCK
    )
    app = relief_service.show_application(uow=uow(), platform="acme", application_id="A1").to_json()
    assert app["status"] == "closed"
    assert audit_kinds(uow) == [
        "hardship_submitted",
        "hardship_review",
        "plan_offered",
        "plan_approved",
        "hardship_approved",
        "plan_accepted",
        "hardship_closed",
        "plan_cancelled",
    ]


def test_an_automatic_offer_is_approved_at_once(uow: UowFactory, tmp_path: Path) -> None:
    under_review(uow, tmp_path)
    plan = offer(uow, "term-22")
    assert plan["approval"]["approved_by"] == "system"
    assert plan["approval"]["required_role"] == "system"
    accepted = relief_service.accept_plan(
        uow=uow(), platform="acme", plan_id="A1-1", clock=CLOCK
    ).to_json()
    assert accepted["status"] == "active"


def test_an_expired_offer_is_refused(uow: UowFactory, engine: Engine, tmp_path: Path) -> None:
    under_review(uow, tmp_path)
    offer(uow, "term-22")
    late = FixedClock(CLOCK.instant + timedelta(days=15))
    before = state(engine)
    with pytest.raises(OfferExpired) as caught:
        relief_service.accept_plan(uow=uow(), platform="acme", plan_id="A1-1", clock=late)
    assert "2025-07-04" in caught.value.en
    assert state(engine) == before


def test_offers_must_be_offerable(uow: UowFactory, engine: Engine, tmp_path: Path) -> None:
    before = state(engine)
    with pytest.raises(NotFound):  # no such application
        offer(uow)
    apply(uow, tmp_path)
    with pytest.raises(InvalidTransition):  # not under review yet
        offer(uow)
    hardship_service.review_application(
        uow=uow(), platform="acme", application_id="A1", by="r", clock=CLOCK
    )
    before = state(engine)
    for option, error in (("term-99", NotFound), ("shift-30d", ValidationError)):
        with pytest.raises(error):
            offer(uow, option)
    assert state(engine) == before


def _activate_supportive_policy(uow: UowFactory) -> None:
    text_ = (Path(policy_package.__file__).parent / "examples" / "supportive.yaml").read_text(
        encoding="utf-8"
    )
    policies.submit_policy(uow=uow(), platform="acme", text=text_, by="author", clock=CLOCK)
    policies.approve_policy_version(uow=uow(), platform="acme", version=1, by="cco", clock=CLOCK)
    policies.activate_policy_version(
        uow=uow(), platform="acme", version=1, by="cco", effective=date(2025, 6, 1), clock=CLOCK
    )


def test_the_active_policy_sets_the_limits(uow: UowFactory, engine: Engine, tmp_path: Path) -> None:
    under_review(uow, tmp_path)
    _activate_supportive_policy(uow)
    result = relief_service.options_for_application(
        uow=uow(), platform="acme", application_id="A1", loan_id="L1", clock=CLOCK
    )
    listed = {e.option.option_id for e in result.evaluations}
    assert "term-36" not in listed  # hardship_relief allows 12 more months at most
    assert "term-24" in listed
    assert not any(e.option.option_id.startswith("settlement") for e in result.offered)
    before = state(engine)
    with pytest.raises(OfferOutsideLimits) as caught:  # settlement is not in hardship_relief
        offer(uow, "settlement-100pct-1")
    assert "settlement is not in the policy's offers" in caught.value.en
    assert "结清" in caught.value.zh or "settlement" in caught.value.zh
    with pytest.raises(NotFound):
        offer(uow, "term-36")
    assert state(engine) == before
    with pytest.raises(ValidationError):
        offer(uow, "term-22", offers="no_such_offers")
    assert state(engine) == before


def test_schedule_versions_are_append_only(uow: UowFactory, engine: Engine, tmp_path: Path) -> None:
    under_review(uow, tmp_path)
    offer(uow, "term-22")
    relief_service.accept_plan(uow=uow(), platform="acme", plan_id="A1-1", clock=CLOCK)
    for statement in ("UPDATE schedule_versions SET reason = 'x'", "DELETE FROM schedule_versions"):
        with pytest.raises(DBAPIError), engine.begin() as connection:
            connection.execute(text(statement))
    with uow() as unit:
        assert [v.version for v in unit.schedules("acme").schedule_history("L1")] == [1, 2]


def test_promises_to_pay_are_kept_or_broken(uow: UowFactory) -> None:
    promise = PromiseToPay("PTP1", Money.of("500"), date(2025, 7, 1), date(2025, 6, 20))
    with uow() as unit:
        repo = unit.promises("acme")
        repo.add_promise(promise, loan_id="L1", plan_id=None, by="collector1")
        unit.commit()
    with uow() as unit, pytest.raises(Conflict):
        unit.promises("acme").add_promise(promise, loan_id="L1", plan_id=None, by="collector1")
    with uow() as unit:
        repo = unit.promises("acme")
        [stored] = repo.promises("L1")
        assert (stored.promise, stored.outcome) == (promise, Outcome.PENDING)
        repo.decide_promise("PTP1", Outcome.KEPT, date(2025, 7, 1))
        unit.commit()
    with uow() as unit:
        [stored] = unit.promises("acme").promises("L1")
        assert (stored.outcome, stored.decided_on) == (Outcome.KEPT, date(2025, 7, 1))


def test_application_document_round_trips_exactly(uow: UowFactory, tmp_path: Path) -> None:
    apply(uow, tmp_path, lump_sum_available="123.45")
    with uow() as unit:
        case = unit.applications("acme").require_application("A1")
    assert case.application.lump_sum_available == Decimal("123.45")
    assert json.loads(case.application.model_dump_json())["application_id"] == "A1"
