"""`tideover borrower show` and `tideover loan show`: the 360's read handler on the command
line, masked unless a user who may see personal data asks, whole in a pipe, in both languages."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli.main import run
from tideover.services.portfolio.borrower_view import borrower_view, loan_view

IMPORTS = Path(__file__).parents[1] / "data" / "import"
TEST_PII_KEY = base64.urlsafe_b64encode(b"tideover-test-key-0123456789abcd").decode()  # conftest
NATIONAL_ID = "11010519491231002X"  # B001 in borrowers.csv


@pytest.fixture
def book(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    monkeypatch.setenv("TIDEOVER_PII_KEY", TEST_PII_KEY)
    assert run(["init"]) == 0
    assert run(["platform", "set", "acme", "--name", "Acme", "--currency", "CNY"]) == 0
    for kind in ("borrowers", "loans", "payments"):
        path = str(IMPORTS / f"{kind}.csv")
        assert run(["import", kind, path, "--platform", "acme", "--as-of", "2026-01-31"]) == 0
    hold = ["compliance", "hold", "add", "--platform", "acme", "--borrower", "B001"]
    assert run([*hold, "--kind", "dispute", "--reason", "says paid", "--by", "lead"]) == 0
    # Promises are refused in the past of the platform's own (Shanghai) day.
    due = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=30)).isoformat()
    promise = ["plans", "promise", "--platform", "acme", "--loan", "L001", "--amount", "500.00"]
    assert run([*promise, "--date", due, "--by", "lead"]) == 0
    viewer = ["users", "add", "viewer", "--platform", "acme", "--role", "auditor", "--by", "admin"]
    assert run(viewer) == 0
    return tmp_path


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out


def test_borrower_show_json_is_the_handlers_result(
    book: Path,
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert run(["borrower", "show", "B001", "--platform", "acme", "--json"]) == 0
    shown = json.loads(_out(capsys))
    expected = borrower_view(
        uow=uow_factory(), platform="acme", borrower_id="B001", scores_dir=book / "scores"
    ).to_json()
    assert shown == expected
    assert shown["masked"] is True
    assert shown["national_id"] != NATIONAL_ID
    assert [loan["loan_id"] for loan in shown["loans"]] == ["L001"]
    assert [h["kind"] for h in shown["holds"]] == ["dispute"]
    assert [p["amount"] for p in shown["loans"][0]["promises"]] == ["500.00"]


def test_loan_show_json_is_the_handlers_result(
    book: Path,
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert run(["loan", "show", "L002", "--platform", "acme", "--json"]) == 0
    expected = loan_view(
        uow=uow_factory(), platform="acme", loan_id="L002", scores_dir=book / "scores"
    ).to_json()
    assert json.loads(_out(capsys)) == expected


def test_the_360_reads_whole_in_a_pipe(book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(["borrower", "show", "B001", "--platform", "acme"]) == 0
    out = _out(capsys)
    assert "…" not in out
    for expected in ("Borrower B001 on acme", "Loan L001", "equal installment", "12,000.00"):
        assert expected in out
    for section in ("Schedule in force", "Payments", "Promises to pay", "Holds", "Contacts"):
        assert section in out
    assert "1101**********002X" in out
    assert NATIONAL_ID not in out
    # A pipe gets plain columns: one line per installment, every value whole.
    installments = [line for line in out.splitlines() if line.strip().startswith("12 ")]
    assert len(installments) == 1
    assert len(re.findall(r"\b\d{1,3}(?:,\d{3})*\.\d{2}\b", installments[0])) == 3


def test_personal_data_is_shown_only_to_a_user_who_may_see_it(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    show = ["borrower", "show", "B001", "--platform", "acme", "--json"]
    assert run([*show, "--reveal-pii", "lead"]) == 0
    assert json.loads(_out(capsys))["national_id"] == NATIONAL_ID
    assert run([*show, "--reveal-pii", "viewer"]) == 1
    err = capsys.readouterr().err
    assert "pii:read" in err
    assert NATIONAL_ID not in err


def test_the_360_speaks_chinese_without_english_words(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["--lang", "zh", "loan", "show", "L001", "--platform", "acme"]) == 0
    out = _out(capsys)
    for expected in ("借据 L001", "等额本息", "生效的还款计划", "还款承诺", "未决"):
        assert expected in out
    for english in ("equal installment", "Schedule", "Payments", "pending", "overdue", "due"):
        assert english not in out


def test_an_unknown_borrower_or_loan_is_one_line(
    book: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["borrower", "show", "B999", "--platform", "acme"]) == 1
    assert (
        capsys.readouterr().err.strip()
        == "error [not_found]: no borrower 'B999' on platform 'acme'"
    )
    assert run(["loan", "show", "L999", "--platform", "acme"]) == 1
    assert "error [not_found]" in capsys.readouterr().err
