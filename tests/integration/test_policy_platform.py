"""``policy assign|impact|diff`` on a stored platform: its active version and its portfolio.

The demo platform ``demo-cn`` is loaded from the LendingClub sample; features
come from the database as the daily cycle builds them, assignments go to
Parquet under the data directory, never to the database.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.batch.assign import read_codebook
from tideover.cli import main
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.errors import NotFound
from tideover.policy import decide, load_policy
from tideover.services.cycle.run import run_cycle
from tideover.services.demo.story import load_demo_platform
from tideover.services.policy import assignment
from tideover.services.policy import versions as policies

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "src" / "tideover" / "policy" / "examples"
SUPPORTIVE, AGGRESSIVE = EXAMPLES / "supportive.yaml", EXAMPLES / "aggressive.yaml"
PLATFORM = "demo-cn"
AS_OF = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
TEST_PII_KEY = base64.urlsafe_b64encode(b"tideover-test-key-0123456789abcd").decode()  # conftest


def _activate(uow: UowFactory, policy: Path) -> int:
    """Submit (alice), approve and activate (bob) ``policy`` from AS_OF; its version number."""
    text = policy.read_text(encoding="utf-8")
    submitted = policies.submit_policy(
        uow=uow(), platform=PLATFORM, text=text, by="alice"
    ).to_json()
    number = int(submitted["version"])
    policies.approve_policy_version(uow=uow(), platform=PLATFORM, version=number, by="bob")
    policies.activate_policy_version(
        uow=uow(), platform=PLATFORM, version=number, by="bob", effective=AS_OF
    )
    return number


@pytest.fixture
def demo_cn(uow_factory: UowFactory) -> UowFactory:
    """demo-cn loaded on AS_OF, with nothing active yet."""
    frame = pd.read_csv(DATA / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS[PLATFORM], load_source=lambda: frame, as_of=AS_OF
    )
    return uow_factory


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Path:
    """The command line on the test database; the data directory is returned."""
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    monkeypatch.setenv("TIDEOVER_PII_KEY", TEST_PII_KEY)
    return tmp_path / "data"


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert main.run([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def _labelled(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of an assignment file with the codes turned back into ids."""
    book = read_codebook(path)
    for row in pq.read_table(path).to_pylist():
        yield {
            "account_id": row["account_id"],
            "segment": book.segments[row["segment"]],
            "arm": None if row["arm"] is None else book.arms[row["arm"]][1],
            "treatment": book.treatments[row["treatment"]],
        }


# --- features from the database ---------------------------------------------------------------


def test_stored_features_are_the_open_accounts_and_agree_with_the_evaluator(
    demo_cn: UowFactory,
) -> None:
    features = assignment.platform_features(uow=demo_cn(), platform=PLATFORM, as_of=AS_OF)
    accounts, _digits = assignment.load_accounts(uow=demo_cn(), platform=PLATFORM, as_of=AS_OF)
    open_ids = sorted(r["account_id"] for r in accounts.to_pylist() if r["is_open"])
    assert 0 < len(open_ids) < accounts.num_rows  # the sample has repaid loans too
    assert features.column("account_id").to_pylist() == open_ids
    assert set(features.column_names) >= set(load_policy(SUPPORTIVE).features) | {"score"}
    compiled = load_policy(SUPPORTIVE)
    for row in features.slice(0, 60).to_pylist():
        account = row["account_id"]
        given = {k: row[k] for k in compiled.features}
        decided = decide(compiled, given, platform=PLATFORM, account_id=account)
        assert decided.segment  # the evaluator accepts the stored features' types


def test_assignments_agree_with_the_daily_cycle(demo_cn: UowFactory, tmp_path: Path) -> None:
    _activate(demo_cn, SUPPORTIVE)
    report = assignment.assign_stored_portfolio(
        uow=demo_cn(), platform=PLATFORM, as_of=AS_OF, data_dir=tmp_path
    ).to_json()
    assigned = {r["account_id"]: r for r in _labelled(Path(report["out"]))}
    run_cycle(uow=demo_cn(), platform=PLATFORM, as_of=AS_OF, clock=CLOCK)
    with demo_cn() as uow:
        rows = uow.cycle(PLATFORM).outbox(AS_OF) + uow.cycle(PLATFORM).queue_items(AS_OF)
    assert rows
    for row in rows:
        mine = assigned[row["account_id"]]
        assert (mine["segment"], mine["arm"] or "", mine["treatment"]) == (
            row["segment"],
            row["arm"] or "",
            row["treatment"],
        )


# --- policy assign --platform P --as-of D -------------------------------------------------------


def test_assign_writes_the_data_dir_file_and_a_rerun_replaces_it(
    demo_cn: UowFactory, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _activate(demo_cn, SUPPORTIVE)
    argv = ["policy", "assign", "--platform", PLATFORM, "--as-of", AS_OF.isoformat()]
    report = _json(capsys, argv)
    target = cli_env / "assignments" / PLATFORM / "2026-11-30.parquet"
    assert report["out"] == str(target)
    assert (report["version"], report["policy"], report["portfolio"]) == (
        first,
        "supportive",
        "stored",
    )
    assert report["accounts"] == pq.read_metadata(target).num_rows > 0
    assert sum(report["segments"].values()) == report["accounts"]
    book = read_codebook(target)
    assert (book.platform, book.as_of, book.policy) == (PLATFORM, "2026-11-30", "supportive")

    assert main.run(argv) == 0
    text = capsys.readouterr().out
    assert f"accounts assigned under supportive v{first} → {target}" in text
    assert "experiment early-tone: champion" in text

    second = _activate(demo_cn, AGGRESSIVE)
    again = _json(capsys, argv)
    assert (again["version"], again["policy"]) == (second, "aggressive")
    assert read_codebook(target).policy == "aggressive"
    assert again["accounts"] == report["accounts"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["2026-11-30.parquet"]


def test_a_failed_rerun_leaves_the_previous_file(
    demo_cn: UowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _activate(demo_cn, SUPPORTIVE)
    done = assignment.assign_stored_portfolio(
        uow=demo_cn(), platform=PLATFORM, as_of=AS_OF, data_dir=tmp_path
    ).to_json()
    target = Path(done["out"])
    before = target.read_bytes()

    def half_then_crash(*_args: Any, out: Path, **_kwargs: Any) -> dict[str, Any]:
        out.write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(assignment, "assign_compiled", half_then_crash)
    with pytest.raises(OSError, match="disk full"):
        assignment.assign_stored_portfolio(
            uow=demo_cn(), platform=PLATFORM, as_of=AS_OF, data_dir=tmp_path
        )
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_assign_refusals(
    demo_cn: UowFactory, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["policy", "assign", "--platform", PLATFORM, "--as-of", AS_OF.isoformat()]
    assert main.run(argv) == 1  # nothing active yet
    assert "no active policy version" in capsys.readouterr().err
    assert main.run([*argv, str(SUPPORTIVE)]) == 2  # a file needs --portfolio
    assert "needs --portfolio" in capsys.readouterr().err
    assert main.run(["policy", "assign", "--portfolio", "x.parquet", "--as-of", "2026-11-30"]) == 2
    assert "--portfolio needs --out" in capsys.readouterr().err
    assert not (cli_env / "assignments").exists()
    with pytest.raises(NotFound):
        assignment.assign_stored_portfolio(
            uow=demo_cn(), platform="nowhere", as_of=AS_OF, data_dir=cli_env
        )


# --- impact and diff against the active version -------------------------------------------------


def test_impact_against_the_active_version_on_the_stored_portfolio(
    demo_cn: UowFactory, cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = _activate(demo_cn, SUPPORTIVE)
    changed = tmp_path / "changed.parquet"
    argv = ["policy", "impact", str(AGGRESSIVE), "--platform", PLATFORM]
    argv += ["--as-of", AS_OF.isoformat(), "--out", str(changed)]
    report = _json(capsys, argv)
    assert report["old"] == f"{PLATFORM} active version {version}"
    assert report["old_version"]["version"] == version
    assert report["portfolio"] == "stored"
    assert report["changes"]
    assert sum(m["accounts"] for m in report["moves"]) == report["accounts"] > 0
    material = report["material"]
    assert 0 < material["accounts"] == pq.read_metadata(changed).num_rows
    listed = pq.read_table(changed).to_pylist()
    assert all(r["treatment_changed"] or r["offers_changed"] for r in listed)

    # The same comparison from files, on the same features written to Parquet, agrees.
    features = tmp_path / "features.parquet"
    table = assignment.platform_features(uow=demo_cn(), platform=PLATFORM, as_of=AS_OF)
    pq.write_table(table, features)
    files = ["policy", "impact", str(SUPPORTIVE), str(AGGRESSIVE), "--portfolio", str(features)]
    from_files = _json(capsys, [*files, "--platform", PLATFORM])
    for key in ("accounts", "balance", "moves", "material", "changes"):
        expected = from_files[key]
        if key == "material":
            expected = {**expected, "out": str(changed)}
        assert report[key] == expected, key

    assert main.run(argv[:-2]) == 0
    text = capsys.readouterr().out
    assert f"{PLATFORM} active version {version} → {AGGRESSIVE}" in text
    assert "material change (treatment or offers)" in text


def test_impact_of_the_active_text_itself_changes_nothing(
    demo_cn: UowFactory, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _activate(demo_cn, SUPPORTIVE)
    argv = ["policy", "impact", str(SUPPORTIVE), "--platform", PLATFORM, "--as-of", "2026-11-30"]
    report = _json(capsys, argv)
    assert report["changes"] == []
    assert report["material"]["accounts"] == 0
    assert all(m["old_segment"] == m["new_segment"] for m in report["moves"])
    assert main.run(argv[:-2]) == 2  # the active version needs a date
    assert "--as-of" in capsys.readouterr().err


def test_diff_against_the_active_version(
    demo_cn: UowFactory, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["policy", "diff", "--platform", PLATFORM, str(AGGRESSIVE)]
    assert main.run(argv) == 1
    assert "no active policy version" in capsys.readouterr().err
    version = _activate(demo_cn, SUPPORTIVE)
    stored = _json(capsys, argv)
    files = _json(capsys, ["policy", "diff", str(SUPPORTIVE), str(AGGRESSIVE)])
    assert stored["changes"] == files["changes"] != []
    assert stored["old_version"]["version"] == version
    assert main.run(["policy", "diff", "--platform", PLATFORM, str(SUPPORTIVE)]) == 0
    assert "no structural change" in capsys.readouterr().out
    assert main.run([*argv, str(SUPPORTIVE)]) == 2  # two files and --platform
    assert main.run(["policy", "diff", str(SUPPORTIVE)]) == 2  # one file, no platform
