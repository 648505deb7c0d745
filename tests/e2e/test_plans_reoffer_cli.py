"""The whole story on the command line, on SQLite and PostgreSQL: a plan breaks and is re-offered.

apply → review → offer → accept → payments missed → ``plans review`` breaks the
plan → ``plans reoffer`` → approval by a second person → accept → the new plan
is paid.  The commands read the real clock for the platform's business date;
a plan can only break once time has passed, so the one fake here is that
clock (``services.hardship.SystemClock``), moved forward between commands.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tideover.cli.main import run
from tideover.services import common

IMPORTS = Path(__file__).parents[1] / "data" / "import"
PLATFORM = ("--platform", "acme")
WRITTEN = ("hardship_applications", "relief_plans", "plan_approvals", "schedule_versions",
           "audit_records")  # fmt: skip


class Calendar:
    """A clock whose business date the test sets (11:00 in Asia/Shanghai on ``day``)."""

    def __init__(self, day: date) -> None:
        self.day = day

    def now(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 3, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def tideover(*args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run(list(args))
    return Result(code, out.getvalue(), err.getvalue())


def ok(*args: str) -> Result:
    result = tideover(*args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def calendar(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Calendar:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    clock = Calendar(date(2025, 9, 20))
    # Every handler reads "now" through services.common (the commands pass no clock).
    monkeypatch.setattr(common, "SystemClock", lambda: clock)
    return clock


def rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            t: [tuple(r) for r in connection.execute(text(f"SELECT * FROM {t}"))] for t in WRITTEN
        }


def audit_kinds(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(text("SELECT kind FROM audit_records ORDER BY seq")))


def test_a_broken_plan_is_reoffered_and_accepted(
    calendar: Calendar, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("init")
    ok("platform", "set", "acme", "--name", "Acme 消费金融", "--currency", "CNY")
    for kind in ("borrowers", "loans", "payments"):  # L001: 12,000 CNY, paid to 2025-08-15
        ok("import", kind, str(IMPORTS / f"{kind}.csv"), *PLATFORM, "--as-of", "2026-01-31")

    (tmp_path / "letter.pdf").write_bytes(b"%PDF-1.4 termination letter")
    application = {
        "application_id": "A1", "loan_id": "L001", "submitted_on": "2025-09-20",
        "reason": "unemployment", "description": "Laid off in August; looking for work.",
        "expected_duration_months": 4, "income": {"benefits": "5200"},
        "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
        "dependants": 1,
    }  # fmt: skip
    (tmp_path / "app.json").write_text(json.dumps(application), encoding="utf-8")
    ok("hardship", "apply", str(tmp_path / "app.json"), *PLATFORM,
       "--evidence", f"termination_letter:{tmp_path / 'letter.pdf'}")  # fmt: skip
    ok("hardship", "review", "A1", *PLATFORM, "--by", "reviewer")

    options = ok("plans", "options", "--application", "A1", "--loan", "L001", *PLATFORM, "--json")
    automatic = next(o for o in options.json()["options"] if o["approval"] == "system")
    offered = ok("plans", "offer", automatic["option_id"], "--application", "A1", "--loan", "L001",
                 *PLATFORM, "--by", "collector1", "--json").json()  # fmt: skip
    assert (offered["plan_id"], offered["approval"]["approved_by"]) == ("A1-1", "system")
    first = ok("plans", "accept", "A1-1", *PLATFORM, "--json").json()
    assert first["status"] == "active"

    # Nothing is paid: a day after the grace of the first installment, the review breaks it.
    calendar.day = date.fromisoformat(first["schedule"][0]["due_date"]) + timedelta(days=6)
    day = calendar.day.isoformat()
    review = ok("plans", "review", *PLATFORM, "--as-of", day, "--json").json()
    assert [(d["plan_id"], d["status"]) for d in review["plans"]] == [("A1-1", "broken")]

    before = rows(engine)
    unknown = tideover("plans", "reoffer", "--plan", "A1-9", *PLATFORM, "--by", "collector1")
    assert (unknown.exit_code, "[not_found]" in unknown.stderr) == (1, True)
    assert rows(engine) == before

    plan = ok(
        "plans", "reoffer", "--plan", "A1-1", *PLATFORM, "--by", "collector1", "--json"
    ).json()
    assert (plan["plan_id"], plan["status"], plan["reoffer_of"]) == ("A1-2", "offered", "A1-1")
    assert plan["as_of"] == day
    assert plan["approval"]["required_role"] in ("team_lead", "manager")  # never automatic
    shown = ok("hardship", "show", "A1", *PLATFORM)
    assert "under_review" in shown.stdout
    assert "plan A1-1 broken; re-offered as A1-2" in shown.stdout

    before = rows(engine)
    for args, code in (
        (("approve", "A1-2", *PLATFORM, "--by", "collector1", "--role", "manager"),
         "[approval_refused]"),  # one's own re-offer
        (("reoffer", "--plan", "A1-1", *PLATFORM, "--by", "collector1"),
         "[invalid_transition]"),  # A1-1 is cancelled now
        (("accept", "A1-2", *PLATFORM), "[invalid_transition]"),  # not approved yet
    ):  # fmt: skip
        refused = tideover("plans", *args)
        assert refused.exit_code == 1, refused.stdout
        assert code in refused.stderr
        assert "Traceback" not in refused.stderr
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh")
    chinese = tideover("plans", "reoffer", "--plan", "A1-1", *PLATFORM, "--by", "collector1")
    assert "只有已违约的方案可以重新提供" in chinese.stderr
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    assert rows(engine) == before

    approved = ok("plans", "approve", "A1-2", *PLATFORM, "--by", "lead", "--role", "manager")
    assert "approved by lead (manager)" in approved.stdout
    assert "re-offer of A1-1" in approved.stdout
    accepted = ok("plans", "accept", "A1-2", *PLATFORM, "--json").json()
    assert (accepted["status"], accepted["starts_on"]) == ("active", day)
    case = ok("hardship", "show", "A1", *PLATFORM, "--json").json()
    assert (case["status"], case["outcome"], case["plan_option_id"]) == (
        "decided", "approved", accepted["option_id"],
    )  # fmt: skip
    history = ok("plans", "show", "A1-2", *PLATFORM).stdout
    assert "re-offer of A1-1" in history
    assert f"v3 {day} plan {accepted['option_id']}" in history

    # The borrower pays the new plan's first installment on time: the plan runs on.
    installment = accepted["schedule"][0]
    (tmp_path / "paid.csv").write_text(
        "payment_id,loan_id,amount,currency,paid_on,reverses,channel\n"
        f"P900,L001,{installment['total']},CNY,{installment['due_date']},,alipay\n",
        encoding="utf-8",
    )
    calendar.day = date.fromisoformat(installment["due_date"]) + timedelta(days=6)
    ok("import", "payments", str(tmp_path / "paid.csv"), *PLATFORM)
    later = ok("plans", "review", *PLATFORM, "--as-of", calendar.day.isoformat(), "--json").json()
    assert (later["active_plans_reviewed"], later["plans"]) == (1, [])
    assert audit_kinds(engine)[-6:] == [
        "plan_cancelled", "hardship_reopened", "plan_reoffered",
        "plan_approved", "hardship_approved", "plan_accepted",
    ]  # fmt: skip
    ok("audit", "verify", *PLATFORM)  # the chain still holds
