"""``tideover cycle run --engine``: an engine that cannot run here is refused, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tideover.cli.main import run

POLICY = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    return tmp_path


def _cycle(engine: str) -> int:
    return run(
        [
            "cycle",
            "run",
            "--platform",
            "acme",
            "--date",
            "2026-11-30",
            "--engine",
            engine,
        ]
    )


def _runs(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM cycle_runs")).scalar_one())
    finally:
        engine.dispose()


def test_spark_without_java_fails_clearly_and_writes_nothing(
    cli_env: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["init"]) == 0
    assert run(["platform", "set", "acme", "--name", "Acme", "--currency", "CNY"]) == 0
    capsys.readouterr()
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(cli_env))  # no java on it
    assert _cycle("spark") == 1
    err = capsys.readouterr().err
    assert "Spark engine needs" in err
    assert "Java" in err
    assert "Traceback" not in err
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh")
    assert _cycle("spark") == 1
    assert "Spark 引擎需要 Java" in capsys.readouterr().err
    assert _runs(database_url) == 0


def test_an_unknown_engine_is_a_usage_error(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["init"]) == 0
    assert _cycle("polars") == 2
    assert "polars" in capsys.readouterr().err
    assert _runs(database_url) == 0
