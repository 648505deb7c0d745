"""``tideover simulate``, ``tideover experiment report`` and ``policy show`` on a stored
platform after a few daily cycles (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.support import activate_policy

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.services.cycle.run import run_cycle
from tideover.services.demo.story import load_demo_platform
from tideover.services.simulate import behaviour

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "src" / "tideover" / "policy" / "examples"
PLATFORM = "demo-cn"
DAYS = [date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30)]
TEST_PII_KEY = "dGlkZW92ZXItdGVzdC1rZXktMDEyMzQ1Njc4OWFiY2Q="  # as tests/conftest.py
QUICK = ["--platform", PLATFORM, "--behaviour", "normal", "--runs", "12", "--months", "2"]


@pytest.fixture(autouse=True)
def reference_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    taiwan = pd.read_csv(DATA / "taiwan_sample.csv")
    loans = pd.read_csv(DATA / "lendingclub_sample.csv")
    monkeypatch.setattr(behaviour, "load_taiwan", lambda _cache: taiwan)
    monkeypatch.setattr(behaviour, "load_lendingclub", lambda _cache, _which: loans)


@pytest.fixture
def cycled(uow_factory: UowFactory) -> UowFactory:
    """demo-cn from the sample under the supportive example, its cycles of three days."""
    frame = pd.read_csv(DATA / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS[PLATFORM], load_source=lambda: frame,
        as_of=DAYS[-1],
    )  # fmt: skip
    activate_policy(uow_factory, PLATFORM, EXAMPLES / "supportive.yaml")
    for day in DAYS:
        clock = FixedClock(datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC))
        run_cycle(uow=uow_factory(), platform=PLATFORM, as_of=day, clock=clock)
    return uow_factory


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Path:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    monkeypatch.setenv("TIDEOVER_PII_KEY", TEST_PII_KEY)
    return tmp_path


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert main.run([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_compare_prints_the_difference_and_draws_it(
    cycled: UowFactory, cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = cli / "compare.png"
    argv = ["simulate", "compare", "1", str(EXAMPLES / "aggressive.yaml"), *QUICK]
    found = _json(capsys, [*argv, "--chart", str(chart)])
    assert found["book"]["as_of"] == "2026-11-30"
    assert [d["policy"] for d in found["differences"]] == ["aggressive (aggressive.yaml)"]
    assert found["chart"]["chart"] == str(chart)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main.run(argv) == 0
    shown = capsys.readouterr().out
    assert "aggressive (aggressive.yaml) against supportive v1 (active)" in shown
    assert "what drives the difference" in shown


@pytest.mark.parametrize(
    ("argv", "locale", "code", "words"),
    [
        (["--months", "0"], "en", "simulation_out_of_range", "months must be 1 to 60"),
        (["--runs", "0"], "zh", "simulation_out_of_range", "模拟次数必须在 1 到"),
        (["--behaviour", "own"], "en", "not_enough_history", "month(s) of stored delinquency"),
        (["--behaviour", "own"], "zh", "not_enough_history", "逾期历史"),
    ],
)
def test_bad_input_is_one_clear_line_in_the_readers_language(
    cycled: UowFactory,
    cli: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    locale: str,
    code: str,
    words: str,
) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", locale)
    assert main.run(["simulate", "run", "--platform", PLATFORM, "--policy", "1", *argv]) != 0
    error = capsys.readouterr().err
    assert f"[{code}]" in error
    assert words in " ".join(error.split())
    assert "Traceback" not in error


def test_an_unknown_version_and_a_bad_chart_path_are_refused(
    cycled: UowFactory, cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main.run(["simulate", "run", *QUICK, "--policy", "9"]) != 0
    assert "policy version 9 not found" in capsys.readouterr().err
    assert main.run(["simulate", "run", *QUICK, "--policy", "1", "--chart", "x.jpg"]) != 0
    assert "PNG" in capsys.readouterr().err


def test_the_experiment_report_reads_the_stored_days(
    cycled: UowFactory, cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = _json(capsys, ["experiment", "report", "--platform", PLATFORM])
    (early,) = found["experiments"]
    assert (early["experiment"], early["segment"], early["days"]) == ("early-tone", "early", 3)
    assert [a["arm"] for a in early["arms"]] == ["champion", "warm", "holdout"]
    assert early["call"] in ("keep_running", "promote", "stop")
    assert [c["arm"] for c in early["challengers"]] == ["warm"]
    assert main.run(["experiment", "report", "--platform", PLATFORM]) == 0
    assert "experiment early-tone in segment early" in capsys.readouterr().out
    assert main.run(["experiment", "report", "--platform", PLATFORM, "--experiment", "x"]) != 0
    assert "no experiment 'x'" in capsys.readouterr().err


def test_policy_show_keeps_the_document_alone_on_standard_output(
    cycled: UowFactory, cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = (EXAMPLES / "supportive.yaml").read_text(encoding="utf-8")
    assert main.run(["policy", "show", "1", "--platform", PLATFORM]) == 0
    shown = capsys.readouterr()
    assert shown.out == document
    assert "simulation for the review" in shown.err
    assert main.run(["simulate", "review", "1", *QUICK[:2]]) == 0
    capsys.readouterr()
    found = _json(capsys, ["policy", "show", "1", "--platform", PLATFORM])
    assert found["document"] == document
    assert found["simulation"]["state"] == "done"
    assert found["simulation"]["report"]["policies"][0]["source"]["version"] == 1
