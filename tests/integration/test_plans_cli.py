"""``tideover plans options`` end to end: a loan file, a stored loan, and clear errors."""

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

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.domain.borrowers import Borrower
from tideover.domain.errors import NotFound, TideoverError, UsageError, ValidationError
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.payments import Payment
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans import ApplicationRejected, EvidenceRejected

LOAN: dict[str, Any] = {
    "platform": "acme",
    "loan_id": "L1",
    "principal": "12000.00",
    "annual_rate": "12%",
    "term": 12,
    "method": "equal-installment",
    "start_date": "2025-01-15",
    "payments": [
        {"payment_id": "P1", "amount": "1066.19", "paid_on": "2025-02-15"},
        {"payment_id": "P2", "amount": "1066.19", "paid_on": "2025-03-15"},
    ],
}
APPLICATION: dict[str, Any] = {
    "application_id": "A1",
    "submitted_on": "2025-06-20",
    "reason": "illness_injury",
    "description": "In hospital for two months.",
    "expected_duration_months": 4,
    "income": {"benefits": "5200"},
    "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
    "dependants": 1,
}


@dataclass(frozen=True)
class Result:
    """What ``tideover plans ...`` printed and returned, through the real entry point."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def invoke(args: list[str]) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main.run(["plans", *args])
    return Result(code, out.getvalue(), err.getvalue())


def test_options_from_a_loan_file_as_json(tmp_path: Path) -> None:
    loan, app = write(tmp_path, "loan.json", LOAN), write(tmp_path, "app.json", APPLICATION)
    result = invoke(["options", "--loan-file", str(loan), "--application", str(app), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2025-06-20"
    assert data["account"]["dpd"] == 66
    offered = [o for o in data["options"] if o["offered"]]
    assert offered
    assert offered[0]["rank"] == 1
    for option in data["options"]:
        schedule_total = sum(Decimal(i["total"]) for i in option["schedule"])
        assert schedule_total == Decimal(option["total_cost"])
        assert option["reasons"][0]["en"]
        assert option["reasons"][0]["zh"]
    again = invoke(["options", "--loan-file", str(loan), "--application", str(app), "--json"])
    assert again.stdout == result.stdout  # same inputs, same options


def test_text_output_names_the_best_option(tmp_path: Path) -> None:
    loan, app = write(tmp_path, "loan.json", LOAN), write(tmp_path, "app.json", APPLICATION)
    result = invoke(
        ["options", "--loan-file", str(loan), "--application", str(app), "--as-of", "2025-06-20"]
    )
    assert result.exit_code == 0, result.output
    assert "1. " in result.stdout
    assert "disposable income" in result.stdout


@pytest.mark.parametrize(
    ("loan_change", "app_change", "error", "words"),
    [
        ({}, {"income": {"earnings": "-1"}}, ApplicationRejected, "income.earnings"),
        ({}, {"reason": None}, ApplicationRejected, "reason"),
        (
            {},
            {
                "evidence": [
                    {
                        "document_type": "payslip",
                        "file_name": "a.exe",
                        "media_type": "application/x-msdownload",
                        "size_bytes": 1,
                        "sha256": "0" * 64,
                    }
                ]
            },
            EvidenceRejected,
            "not allowed",
        ),
        ({"term": 0}, {}, ValidationError, "term"),
        ({}, {"currency": "USD"}, ValidationError, "USD"),
    ],
)
def test_bad_input_is_a_clear_error(
    tmp_path: Path,
    loan_change: dict[str, object],
    app_change: dict[str, object],
    error: type[TideoverError],
    words: str,
) -> None:
    loan = write(tmp_path, "loan.json", {**LOAN, **loan_change})
    app = write(tmp_path, "app.json", {**APPLICATION, **app_change})
    result = invoke(["options", "--loan-file", str(loan), "--application", str(app)])
    assert result.exit_code == error.exit_code
    assert f"[{error.code}]" in result.stderr
    assert words in result.stderr


def test_a_loan_must_be_named_one_way(tmp_path: Path) -> None:
    app = write(tmp_path, "app.json", APPLICATION)
    result = invoke(["options", "--application", str(app)])
    assert result.exit_code == UsageError.exit_code == 2
    assert f"[{UsageError.code}]" in result.stderr


UowFactory = Callable[[], SqlAlchemyUnitOfWork]


def _store(uow_factory: UowFactory) -> None:
    terms = terms_for(
        principal=Money.of("12000"),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 1, 15),
    )
    loan = Loan("acme", "L1", "B1", terms, build_schedule(terms))
    borrower = Borrower(platform="acme", borrower_id="B1", name="王小明")
    payments = [
        Payment(
            "acme", p["payment_id"], "L1", Money.of(p["amount"]), date.fromisoformat(p["paid_on"])
        )
        for p in LOAN["payments"]
    ]
    with uow_factory() as uow:
        uow.platforms.ensure("acme", name="Acme", currency=CNY, settings={})
        uow.borrowers("acme").add_many([borrower])
        uow.loans("acme").add_many([loan])
        uow.payments("acme").add_many(payments)
        uow.commit()


def test_options_for_a_stored_loan_match_the_file(
    tmp_path: Path, uow_factory: UowFactory, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(uow_factory)
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    app = write(tmp_path, "app.json", APPLICATION)
    stored = invoke(
        [
            "options",
            "--loan",
            "L1",
            "--platform",
            "acme",
            "--application",
            str(app),
            "--as-of",
            "2025-06-20",
            "--json",
        ]
    )
    assert stored.exit_code == 0, stored.output
    loan = write(tmp_path, "loan.json", LOAN)
    from_file = invoke(
        [
            "options",
            "--loan-file",
            str(loan),
            "--application",
            str(app),
            "--as-of",
            "2025-06-20",
            "--json",
        ]
    )
    assert json.loads(stored.stdout) == json.loads(from_file.stdout)
    missing = invoke(
        [
            "options",
            "--loan",
            "L9",
            "--platform",
            "acme",
            "--application",
            str(app),
            "--as-of",
            "2025-06-20",
        ]
    )
    assert missing.exit_code == NotFound.exit_code
    assert f"[{NotFound.code}]" in missing.stderr
