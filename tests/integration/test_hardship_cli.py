"""``tideover hardship ...`` and the stored ``tideover plans ...`` commands, end to end."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.domain.borrowers import Borrower
from tideover.domain.errors import NotFound, TideoverError, ValidationError
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans import ApplicationRejected, ApprovalRefused, EvidenceRejected, InvalidTransition

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
PDF = b"%PDF-1.4 a termination letter"
APPLICATION: dict[str, Any] = {
    "application_id": "A1",
    "loan_id": "L1",
    "submitted_on": "2025-06-20",
    "reason": "unemployment",
    "description": "Laid off in May; looking for work.",
    "expected_duration_months": 4,
    "income": {"benefits": "5200"},
    "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
    "dependants": 1,
}
WRITTEN = (
    "hardship_applications",
    "hardship_evidence",
    "relief_plans",
    "plan_approvals",
    "schedule_versions",
    "audit_records",
)


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        return json.loads(self.stdout)


def invoke(*args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main.run(list(args))
    return Result(code, out.getvalue(), err.getvalue())


def rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            t: [tuple(r) for r in connection.execute(text(f"SELECT * FROM {t}"))] for t in WRITTEN
        }


@pytest.fixture
def env(
    tmp_path: Path, uow_factory: UowFactory, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A configured database with platform ``acme`` and loan L1; returns a work folder."""
    terms = terms_for(
        principal=Money.of("12000"),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 1, 15),
    )
    with uow_factory() as unit:
        unit.platforms.ensure("acme", name="Acme", currency=CNY, settings={})
        unit.borrowers("acme").add_many([Borrower(platform="acme", borrower_id="B1", name="王")])
        unit.loans("acme").add_many([Loan("acme", "L1", "B1", terms, build_schedule(terms))])
        unit.commit()
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    (tmp_path / "letter.pdf").write_bytes(PDF)
    (tmp_path / "app.json").write_text(json.dumps(APPLICATION), encoding="utf-8")
    return tmp_path


def apply_and_review(env: Path) -> None:
    applied = invoke(
        "hardship", "apply", str(env / "app.json"), "--platform", "acme",
        "--evidence", f"termination_letter:{env / 'letter.pdf'}",
    )  # fmt: skip
    assert applied.exit_code == 0, applied.output
    reviewed = invoke("hardship", "review", "A1", "--platform", "acme", "--by", "reviewer")
    assert reviewed.exit_code == 0, reviewed.output


def test_apply_review_decline_show(env: Path) -> None:
    applied = invoke(
        "hardship", "apply", str(env / "app.json"), "--platform", "acme",
        "--evidence", f"termination_letter:{env / 'letter.pdf'}", "--json",
    )  # fmt: skip
    assert applied.exit_code == 0, applied.output
    report = applied.json()
    assert report["status"] == "submitted"
    assert report["evidence"][0]["document_type"] == "termination_letter"
    reviewed = invoke("hardship", "review", "A1", "--platform", "acme", "--by", "r1")
    assert reviewed.exit_code == 0, reviewed.output
    assert "under review" in reviewed.stdout
    declined = invoke(
        "hardship", "decline", "A1", "--platform", "acme", "--by", "r1",
        "--reason", "income covers the contract", "--json",
    )  # fmt: skip
    assert declined.exit_code == 0, declined.output
    assert (declined.json()["status"], declined.json()["outcome"]) == ("decided", "declined")
    shown = invoke("hardship", "show", "A1", "--platform", "acme")
    assert shown.exit_code == 0, shown.output
    assert "income covers the contract" in shown.stdout
    assert "letter.pdf" in shown.stdout


@pytest.mark.parametrize(
    ("change", "extra", "error", "words"),
    [
        ({"income": {"earnings": "-1"}}, [], ApplicationRejected, "income.earnings"),
        ({"description": None}, [], ApplicationRejected, "description"),
        ({}, ["--evidence", "payslip:{env}/virus.exe"], EvidenceRejected, "not a PDF"),
        ({}, ["--platform", "nowhere"], NotFound, "nowhere"),
    ],
)
def test_bad_applications_are_clear_errors_and_change_nothing(
    env: Path,
    engine: Engine,
    change: dict[str, Any],
    extra: list[str],
    error: type[TideoverError],
    words: str,
) -> None:
    (env / "virus.exe").write_bytes(b"MZ\x90\x00")
    (env / "bad.json").write_text(json.dumps({**APPLICATION, **change}), encoding="utf-8")
    before = rows(engine)
    options = [a.format(env=env) for a in extra]
    platform = [] if "--platform" in options else ["--platform", "acme"]
    result = invoke("hardship", "apply", str(env / "bad.json"), *platform, *options)
    assert result.exit_code == error.exit_code
    assert f"[{error.code}]" in result.stderr
    assert words in result.stderr
    assert rows(engine) == before


def test_options_offer_approve_accept_show_cancel(env: Path, engine: Engine) -> None:
    apply_and_review(env)
    common = ("--platform", "acme")
    options = invoke(
        "plans", "options", "--application", "A1", "--loan", "L1", *common,
        "--as-of", "2025-06-20", "--json",
    )  # fmt: skip
    assert options.exit_code == 0, options.output
    listed = {o["option_id"]: o for o in options.json()["options"]}
    assert listed["term-36"]["approval"] == "team_lead"

    offered = invoke(
        "plans", "offer", "term-36", "--application", "A1", "--loan", "L1", *common,
        "--as-of", "2025-06-20", "--by", "collector1", "--json",
    )  # fmt: skip
    assert offered.exit_code == 0, offered.output
    plan = offered.json()
    assert (plan["plan_id"], plan["status"]) == ("A1-1", "offered")
    assert plan["summary"]["total_cost"] == listed["term-36"]["total_cost"]

    before = rows(engine)
    refusals: list[tuple[list[str], type[TideoverError], str]] = [
        (["approve", "A1-1", *common, "--by", "collector1", "--role", "manager"],
         ApprovalRefused, "cannot also approve"),
        (["approve", "A1-1", *common, "--by", "c2", "--role", "collector"],
         ApprovalRefused, "team_lead"),
        (["accept", "A1-1", *common], InvalidTransition, "awaits approval"),
        (["cancel", "A1-1", *common, "--by", "c2", "--reason", " "], ValidationError, "reason"),
        (["show", "A1-9", *common], NotFound, "A1-9"),
    ]  # fmt: skip
    for args, error, words in refusals:
        refused = invoke("plans", *args)
        assert refused.exit_code == error.exit_code, refused.output
        assert f"[{error.code}]" in refused.stderr
        assert words in refused.stderr
    assert rows(engine) == before

    approved = invoke("plans", "approve", "A1-1", *common, "--by", "lead", "--role", "team_lead")
    assert approved.exit_code == 0, approved.output
    assert "approved by lead (team_lead)" in approved.stdout
    accepted = invoke("plans", "accept", "A1-1", *common, "--json")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.json()["status"] == "active"
    shown = invoke("plans", "show", "A1-1", *common)
    assert shown.exit_code == 0, shown.output
    assert "v1 2025-01-15 contract" in shown.stdout
    assert "plan term-36" in shown.stdout
    cancelled = invoke(
        "plans", "cancel", "A1-1", *common, "--by", "lead", "--reason", "moved", "--json"
    )
    assert cancelled.exit_code == 0, cancelled.output
    assert cancelled.json()["status"] == "cancelled"
    again = invoke("plans", "cancel", "A1-1", *common, "--by", "lead", "--reason", "twice")
    assert again.exit_code == InvalidTransition.exit_code
    assert f"[{InvalidTransition.code}]" in again.stderr


def test_chinese_errors(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apply_and_review(env)
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh")
    result = invoke("plans", "accept", "A1-9", "--platform", "acme")
    assert result.exit_code == NotFound.exit_code
    assert "没有还款方案" in result.stderr
