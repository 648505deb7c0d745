"""``tideover policy assign|impact`` end to end on a synthetic Parquet portfolio."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq
import pytest

from tideover.batch.assign import read_codebook
from tideover.cli import main
from tideover.policy import decide, load_policy

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "src" / "tideover" / "policy" / "examples"
SUPPORTIVE, AGGRESSIVE = EXAMPLES / "supportive.yaml", EXAMPLES / "aggressive.yaml"


def _generator() -> ModuleType:
    """bench/assign_portfolio.py, the fixed-seed generator the benchmark uses."""
    spec = importlib.util.spec_from_file_location(
        "assign_portfolio", ROOT / "bench" / "assign_portfolio.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("assign_portfolio", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("portfolio") / "features.parquet"
    return Path(_generator().write_portfolio(path, 3000))


@pytest.mark.parametrize("command", ["assign", "impact"])
def test_commands_have_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main.run(["policy", command, "--help"]) == 0
    assert "--portfolio" in capsys.readouterr().out


def test_the_generator_is_reproducible(tmp_path: Path, portfolio: Path) -> None:
    again = Path(_generator().write_portfolio(tmp_path / "again.parquet", 3000))
    assert pq.read_table(again).equals(pq.read_table(portfolio))


def test_assign_writes_assignments_and_counts(
    tmp_path: Path, portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "assigned.parquet"
    argv = ["policy", "assign", str(SUPPORTIVE), "--portfolio", str(portfolio)]
    argv += ["--as-of", "2026-11-30", "--out", str(out), "--platform", "acme", "--json"]
    assert main.run(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["accounts"] == 3000
    assert sum(report["segments"].values()) == 3000
    assert sum(report["arms"]["early-tone"].values()) == report["segments"]["early"] > 0
    book = read_codebook(out)
    assert (book.platform, book.as_of) == ("acme", "2026-11-30")
    # Spot-check the file against the single-account evaluator.
    compiled = load_policy(SUPPORTIVE)
    features = pq.read_table(portfolio).slice(0, 200).to_pylist()
    assigned = pq.read_table(out).slice(0, 200).to_pylist()
    for row, got in zip(features, assigned, strict=True):
        account = row.pop("account_id")
        decision = decide(compiled, row, platform="acme", account_id=account)
        assert got["account_id"] == account
        assert book.segments[got["segment"]] == decision.segment
        assert book.treatments[got["treatment"]] == decision.treatment

    assert main.run([*argv[:-1]]) == 0
    text = capsys.readouterr().out
    assert "3,000 accounts assigned under supportive" in text
    assert "experiment early-tone: champion" in text


def test_assign_refuses_a_bad_date_and_a_missing_file(
    tmp_path: Path, portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["policy", "assign", str(SUPPORTIVE), "--out", str(tmp_path / "o.parquet")]
    assert main.run([*base, "--portfolio", str(portfolio), "--as-of", "30/11/2026"]) == 2
    missing = str(tmp_path / "none.parquet")
    assert main.run([*base, "--portfolio", missing, "--as-of", "2026-11-30"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_impact_lists_moves_and_material_changes(
    tmp_path: Path, portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "notices.parquet"
    argv = ["policy", "impact", str(SUPPORTIVE), str(AGGRESSIVE), "--portfolio", str(portfolio)]
    assert main.run([*argv, "--out", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["accounts"] == 3000
    assert report["changes"]
    assert sum(m["accounts"] for m in report["moves"]) == 3000
    listed = pq.read_table(out)
    assert listed.num_rows == report["material"]["accounts"] > 0
    # Aggressive offers no relief: every account that had offers loses them.
    had_offers = [r for r in listed.to_pylist() if r["old_offers"] is not None]
    assert had_offers
    assert all(r["new_offers"] is None and r["offers_changed"] for r in had_offers)

    assert main.run(argv) == 0
    assert "material change (treatment or offers)" in capsys.readouterr().out


def test_impact_of_a_version_on_itself_is_empty(
    portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["policy", "impact", str(SUPPORTIVE), str(SUPPORTIVE), "--portfolio", str(portfolio)]
    assert main.run([*argv, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["changes"] == []
    assert report["material"]["accounts"] == 0
