"""`tideover kpi` after `tideover cycle run`: outcome rows in JSON and CSV, the PNG chart."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib import image
from tests.support import activate_policy

from tideover.adapters.repositories import ContactEvent, ContactResult
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli.main import run
from tideover.compliance.contacts import ActorRole, Attempt, Channel, Outcome
from tideover.domain.borrowers import Borrower
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.payments import Payment
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans.lifecycle import PromiseToPay

POLICY = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
TEST_PII_KEY = base64.urlsafe_b64encode(b"tideover-test-key-0123456789abcd").decode()  # conftest
FIRST, SECOND = date(2025, 6, 20), date(2025, 6, 21)
SPAN = ["kpi", "--platform", "acme", "--from", "2025-06-20", "--to", "2025-06-21"]


@pytest.fixture
def acme(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Two overdue loans; on 2025-06-20 L2 pays 500.00, promises 300.00 and complains."""
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    monkeypatch.setenv("TIDEOVER_PII_KEY", TEST_PII_KEY)
    terms = terms_for(
        principal=Money.of("12000"),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 1, 15),
    )
    at = datetime(2025, 6, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    with uow_factory() as unit:
        unit.platforms.ensure("acme", name="acme", currency=CNY, settings={})
        unit.borrowers("acme").add_many(
            [Borrower(platform="acme", borrower_id=f"B{i}", name="王") for i in (1, 2)]
        )
        unit.loans("acme").add_many(
            [Loan("acme", f"L{i}", f"B{i}", terms, build_schedule(terms)) for i in (1, 2)]
        )
        unit.payments("acme").add_many([Payment("acme", "P1", "L2", Money.of("500"), FIRST)])
        unit.promises("acme").add_promise(
            PromiseToPay("PTP-1", Money.of("300"), date(2025, 6, 27), FIRST),
            loan_id="L2",
            plan_id=None,
            by="collector1",
        )
        call = Attempt("B2", "L2", Channel.CALL, ActorRole.CREDITOR, at)
        sms = Attempt("B1", "L1", Channel.SMS, ActorRole.CREDITOR, at)
        unit.contacts("acme").add_many(
            [
                ContactEvent("E1", call, Outcome.CONVERSATION, at, False, ContactResult.COMPLAINT),
                ContactEvent("E2", sms, Outcome.DELIVERED, at),
            ]
        )
        unit.commit()
    activate_policy(uow_factory, "acme", POLICY)
    for day in (FIRST, SECOND):
        argv = ["cycle", "run", "--platform", "acme", "--date", day.isoformat()]
        assert run(argv) == 0
    return tmp_path


def _sums(rows: list[dict[str, Any]], day: str) -> dict[tuple[str, str], list[int]]:
    out: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        if r["as_of"] == day:
            t = out.setdefault((r["metric"], r["key"]), [0, 0, 0, 0])
            for i, name in enumerate(
                ("accounts", "amount_minor", "base_accounts", "base_amount_minor")
            ):
                t[i] += int(r[name] or 0)
    return out


def test_json_and_csv_carry_the_outcome_rows(
    acme: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run([*SPAN, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["buckets"][:2] == ["M0", "M1"]
    first, second = _sums(report["rows"], "2025-06-20"), _sums(report["rows"], "2025-06-21")
    assert first[("recovery", "M5")][:3] == [1, 50_000, 2]  # L2 paid; L1 and L2 were overdue
    assert second[("recovery", "M5")][:2] == [0, 0]  # no money on the 21st
    # Made and contacted on the 20th, after that morning's run: the run of the 21st reports it.
    assert second[("promises", "made")][:2] == [1, 30_000]
    assert ("promises", "made") not in first
    assert second[("complaints", "all")][:3] == [1, 0, 2]  # one complaint in two attempts
    (complaint,) = [r for r in report["rows"] if r["metric"] == "complaints" and r["accounts"]]
    assert complaint["per_1000"] == str(
        (Decimal(1000) / complaint["base_accounts"]).quantize(Decimal("0.01"))
    )
    assert run([*SPAN, "--csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert "per_1000" in table[0]
    metrics = {r["metric"] for r in table}
    assert {"recovery", "promises", "plans", "attempted", "complaints"} <= metrics
    assert {r["per_1000"] for r in table if r["metric"] == "complaints" and r["accounts"] != "0"}
    assert run(SPAN) == 0
    shown = capsys.readouterr().out
    assert "acme: outcomes by date" in shown
    assert "complaints/1k" in shown
    # Recovered 500.00 on the 20th; the 20th's complaint (one in two attempts) on the 21st.
    # Piped: plain columns, each value whole.
    assert re.search(r"^2025-06-20 +500\.00 +\d+\.\d% +0/0 +0 +—$", shown, re.M)
    assert re.search(r"^2025-06-21 +0\.00 +0\.0% +0/0 +0 +500\.00$", shown, re.M)


def test_the_chart_is_written_and_reads_back_as_a_picture(
    acme: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = acme / "kpis.png"
    capsys.readouterr()
    assert run([*SPAN, "--chart", str(out)]) == 0
    assert f"chart of 2 date(s) written to {out} (1600×800 px)" in capsys.readouterr().out
    pixels = np.asarray(image.imread(out))
    assert pixels.shape[:2] == (800, 1600)
    assert len(np.unique(pixels[..., :3].reshape(-1, 3), axis=0)) > 50
    out.unlink()
    assert run([*SPAN, "--json", "--chart", str(out)]) == 0
    drawn = json.loads(capsys.readouterr().out)["chart"]
    assert drawn == {"chart": str(out), "dates": 2, "width": 1600, "height": 800}
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("month", "name", "words"),
    [
        ("2024-01", "empty.png", "no KPI snapshot of platform 'acme'"),
        ("2025-06", "kpis.svg", "ending in .png"),
        ("2025-06", "nowhere/kpis.png", "does not exist"),
    ],
)
def test_a_chart_that_cannot_be_drawn_is_a_clear_error_and_no_file(
    acme: Path, capsys: pytest.CaptureFixture[str], month: str, name: str, words: str
) -> None:
    before = sorted(p.name for p in acme.iterdir())
    capsys.readouterr()
    span = ["--from", f"{month}-01", "--to", f"{month}-28"]
    assert run(["kpi", "--platform", "acme", *span, "--chart", str(acme / name)]) == 1
    captured = capsys.readouterr()
    assert words in captured.err
    assert len(captured.err.strip().splitlines()) == 1  # one line, no traceback
    assert sorted(p.name for p in acme.iterdir()) == before
