"""Demo models and challenger shadow scoring in the daily cycle, on both databases."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from tests.support import activate_policy, cycle_under

from tideover.adapters.database import make_engine, migrate, session_factory
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict
from tideover.policy.features import FEATURES
from tideover.scoring.registry import ModelRegistry
from tideover.services.demo.models import ensure_demo_models
from tideover.services.demo.story import load_demo_platform

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
DATA = Path(__file__).parents[1] / "data"
SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
)
AS_OF = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
PLATFORM = "demo-cn"
TEST_PII_KEY = base64.urlsafe_b64encode(b"tideover-test-key-0123456789abcd").decode()  # conftest


class Crash(Exception):
    pass


def _load(uow: UowFactory) -> None:
    frame = pd.read_csv(DATA / "lendingclub_sample.csv")  # the sample of test_cycle.py
    load_demo_platform(
        uow=uow(), preset=DEMO_PLATFORMS[PLATFORM], load_source=lambda: frame, as_of=AS_OF
    )


@pytest.fixture(scope="session")
def trained_registry(tmp_path_factory: pytest.TempPathFactory, cipher: PiiCipher) -> Path:
    """Champion and challenger trained once by ``ensure_demo_models`` (tests copy it)."""
    folder = tmp_path_factory.mktemp("demo-models")
    engine = make_engine(f"sqlite:///{folder / 'train.db'}")
    migrate(engine)
    sessions = session_factory(engine)

    def factory() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, cipher)

    _load(factory)
    ensure_demo_models(
        uow_factory=factory, platform=PLATFORM, registry_dir=folder / "models", as_of=AS_OF,
        clock=CLOCK,
    )  # fmt: skip
    engine.dispose()
    return folder / "models"


@pytest.fixture
def demo_cn(uow_factory: UowFactory) -> UowFactory:
    _load(uow_factory)
    return uow_factory


def _registries(trained: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """(champion and challenger, champion alone, the challenger's version)."""
    both, alone = tmp_path / "both", tmp_path / "alone"
    shutil.copytree(trained, both)
    shutil.copytree(trained, alone)
    (challenger,) = ModelRegistry(alone).state(PLATFORM).challengers
    ModelRegistry(alone).retire(platform=PLATFORM, version=challenger, by="test", at=CLOCK.now())
    return both, alone, challenger


def _run(uow: UowFactory, registry: Path, scores: Path, **options: Any) -> dict[str, Any]:
    return cycle_under(
        uow=uow(), platform=PLATFORM, as_of=AS_OF, clock=CLOCK, policy_file=SUPPORTIVE,
        model_registry=registry, scores_dir=scores, **options,
    ).to_json()  # fmt: skip


def _work(uow: UowFactory) -> dict[str, Any]:
    with uow() as opened:
        repo = opened.cycle(PLATFORM)
        return {"outbox": repo.outbox(AS_OF), "queue": repo.queue_items(AS_OF)}


def _fail_at(stage: str) -> Callable[[str], None]:
    def fault(name: str) -> None:
        if name == stage:
            raise Crash(f"injected crash at {stage}")

    return fault


def test_demo_models_are_trained_once_from_the_platforms_own_loans(
    demo_cn: UowFactory, tmp_path: Path
) -> None:
    registry = tmp_path / "models"
    trained = ensure_demo_models(
        uow_factory=demo_cn, platform=PLATFORM, registry_dir=registry, as_of=AS_OF, clock=CLOCK
    ).to_json()
    assert trained["already_trained"] is False
    assert (trained["observation_date"], trained["outcome_date"]) == ("2026-10-01", "2026-10-31")
    assert 20 <= trained["bad"] < trained["rows"]
    champion, challenger = trained["models"]
    assert (champion["kind"], champion["role"], challenger["kind"]) == (
        "scorecard", "champion", "gbm"
    )  # fmt: skip
    for model in trained["models"]:
        assert set(model["features"]) <= set(FEATURES)  # the cycle's own feature names
        assert "region" not in model["features"]
        assert model["auc"] > 0.7
    assert "dpd" in champion["features"]  # finer bins keep the few delinquent loans
    state = ModelRegistry(registry).state(PLATFORM)
    assert (state.champion, state.challengers) == (champion["version"], [challenger["version"]])
    again = ensure_demo_models(
        uow_factory=demo_cn, platform=PLATFORM, registry_dir=registry, as_of=AS_OF, clock=CLOCK
    ).model_dump(mode="json", exclude_none=True)  # no training fields: nothing was trained
    assert again == {
        "platform": PLATFORM,
        "already_trained": True,
        "champion": champion["version"],
        "challengers": [challenger["version"]],
    }
    assert len(ModelRegistry(registry).versions(PLATFORM)) == 2


def test_challengers_are_shadow_scored_and_change_no_action(
    demo_cn: UowFactory, trained_registry: Path, tmp_path: Path
) -> None:
    both, alone, challenger = _registries(trained_registry, tmp_path)
    scores = tmp_path / "scores"
    first = _run(demo_cn, alone, scores)
    work_alone = _work(demo_cn)
    assert (first["versions"]["challengers"], first["versions"]["shadow"]) == ([], [])
    only_champion = pq.read_table(first["scores_file"])
    assert set(only_champion["role"].to_pylist()) == {"champion"}

    summary = _run(demo_cn, both, scores)  # the same date again, now with the challenger
    assert _work(demo_cn) == work_alone  # no outbox message or queue item moved
    path = scores / PLATFORM / "2026-11-30.parquet"
    assert summary["scores_file"] == str(path) == first["scores_file"]
    table = pq.read_table(path)
    accounts = summary["counts"]["accounts"]
    assert table.num_rows == 2 * accounts
    rows = table.to_pylist()
    by_role: dict[str, dict[str, dict[str, Any]]] = {"champion": {}, "challenger": {}}
    for row in rows:
        assert row["probability"] is not None
        assert row["band"] is not None
        by_role[row["role"]][row["account_id"]] = row
    assert {r["model_version"] for r in by_role["challenger"].values()} == {challenger}
    assert {r["model_version"] for r in by_role["champion"].values()} == {
        summary["versions"]["model"]
    }
    assert only_champion.to_pylist() == [r for r in rows if r["role"] == "champion"]
    queue = _work(demo_cn)["queue"]
    assert queue
    for item in queue:  # scores reached the assignment: the champion's, never the challenger's
        score = by_role["champion"][item["account_id"]]
        assert item["summary"]["score"] == str(score["probability"])
        assert item["summary"]["band"] == score["band"]
        # ... and the champion's top reason, named for the collector in both languages.
        reason = item["summary"]["reason"]
        if score["reason_code"] is None:
            assert reason is None
        else:
            assert reason["code"] == score["reason_code"]
            assert reason["en"] != reason["code"]
            assert reason["zh"] != reason["code"]
    assert any(item["summary"]["reason"] for item in queue)

    (compared,) = summary["versions"]["shadow"]
    assert compared["challenger"] == challenger
    assert compared["accounts"] == accounts
    differs = sum(
        1 for a, r in by_role["challenger"].items() if r["band"] != by_role["champion"][a]["band"]
    )
    assert compared["band_differs"] == differs
    assert compared["band_agreement"] == f"{(accounts - differs) / accounts:.4f}"
    assert 0 < float(compared["challenger_mean_probability"]) < 1
    with demo_cn() as uow:
        record = uow.cycle(PLATFORM).runs(AS_OF)[-1]
    assert record.versions["challengers"] == [challenger]
    assert record.versions["shadow"] == [compared]


def test_a_crash_at_write_or_commit_keeps_the_previous_scores_file(
    demo_cn: UowFactory,
    trained_registry: Path,
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    both, alone, _challenger = _registries(trained_registry, tmp_path)
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TIDEOVER_PII_KEY", TEST_PII_KEY)
    activate_policy(demo_cn, PLATFORM, SUPPORTIVE)
    argv = ["cycle", "run", "--platform", PLATFORM, "--date", "2026-11-30",
            "--model-registry", str(alone), "--json"]  # fmt: skip
    assert main.run(argv) == 0
    path = tmp_path / "data" / "scores" / PLATFORM / "2026-11-30.parquet"  # the default
    assert json.loads(capsys.readouterr().out)["scores_file"] == str(path)
    before = path.read_bytes()
    for stage in ("write", "commit"):
        with pytest.raises(Crash):
            _run(demo_cn, both, path.parents[1], fault=_fail_at(stage))
        assert path.read_bytes() == before  # champion alone, as the last complete run left it
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no partial
    _run(demo_cn, both, path.parents[1])
    assert set(pq.read_table(path)["role"].to_pylist()) == {"champion", "challenger"}
    with demo_cn() as uow:
        statuses = [r.status for r in uow.cycle(PLATFORM).runs(AS_OF)]
    assert statuses == ["completed", "failed", "failed", "completed"]


def test_an_altered_challenger_is_refused_before_anything_runs(
    uow_factory: UowFactory, trained_registry: Path, tmp_path: Path
) -> None:
    with uow_factory() as uow:  # the platform alone: nothing is read before the refusal
        uow.platforms.ensure(PLATFORM, name=PLATFORM, currency="CNY", settings={})
        uow.commit()
    both, _alone, challenger = _registries(trained_registry, tmp_path)
    model = both / PLATFORM / challenger / "model.txt"
    model.chmod(0o644)
    model.write_text(model.read_text() + "\n")
    with pytest.raises(Conflict, match=challenger):
        _run(uow_factory, both, tmp_path / "scores")
    with uow_factory() as uow:
        assert uow.cycle(PLATFORM).runs() == []
    assert not (tmp_path / "scores").exists()
