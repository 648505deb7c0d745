"""The CLI over a real database (SQLite and PostgreSQL): init, import, delinquency."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tideover.cli.main import run

IMPORTS = Path(__file__).parents[1] / "data" / "import"


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    return tmp_path


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    out = capsys.readouterr().out
    return json.loads(out)  # type: ignore[no-any-return]


def _platform() -> None:
    assert run(["platform", "set", "acme", "--name", "Acme 消费金融", "--currency", "CNY"]) == 0


def test_init_is_idempotent(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["init", "--json"]) == 0
    first = _json(capsys)
    assert first["revision_before"] is None
    assert run(["init", "--json"]) == 0
    second = _json(capsys)
    assert second["revision_before"] == second["revision"] == first["revision"]


def test_import_then_delinquency(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["init"]) == 0
    _platform()
    capsys.readouterr()
    for kind in ("borrowers", "loans", "payments"):
        path = IMPORTS / f"{kind}.csv"
        code = run(
            ["import", kind, str(path), "--platform", "acme", "--as-of", "2026-01-31", "--json"]
        )
        result = _json(capsys)
        assert code == 0, result
        assert result["accepted"] is True
        assert result["written"] == result["rows"]
    # The same file again writes nothing.
    assert (
        run(
            [
                "import",
                "payments",
                str(IMPORTS / "payments.csv"),
                "--platform",
                "acme",
                "--as-of",
                "2026-01-31",
                "--json",
            ]
        )
        == 0
    )
    again = _json(capsys)
    assert again["written"] == 0
    assert again["unchanged"] == again["rows"]

    assert run(["delinquency", "--platform", "acme", "--as-of", "2026-01-31", "--json"]) == 0
    report = _json(capsys)
    buckets = report["buckets"]
    assert isinstance(buckets, list)
    assert [b["bucket"] for b in buckets] == ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+"]
    assert sum(b["accounts"] for b in buckets) == report["open_accounts"]
    assert report["delinquent_accounts"] > 0
    assert report["previous_as_of"] is None

    # A month later, with no new payments, accounts age and roll rates appear.
    assert run(["delinquency", "--platform", "acme", "--as-of", "2026-03-02", "--json"]) == 0
    later = _json(capsys)
    assert later["previous_as_of"] == "2026-01-31"
    rolls = later["roll_rates"]
    assert isinstance(rolls, dict)
    assert rolls["M0"]["accounts"] == buckets[0]["accounts"]


def test_broken_file_is_rejected_with_every_row(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["init"]) == 0
    _platform()
    capsys.readouterr()
    code = run(
        [
            "import",
            "borrowers",
            str(IMPORTS / "borrowers_broken.csv"),
            "--platform",
            "acme",
            "--as-of",
            "2026-01-31",
            "--json",
        ]
    )
    result = _json(capsys)
    assert code == 1
    assert result["accepted"] is False
    assert result["written"] == 0
    report = result["report"]
    assert isinstance(report, dict)
    errors = report["errors"]
    assert isinstance(errors, list)
    assert {e["field"] for e in errors} >= {"national_id", "phone"}
    # The readable form is a table, and also exits 1.
    assert (
        run(
            [
                "import",
                "borrowers",
                str(IMPORTS / "borrowers_broken.csv"),
                "--platform",
                "acme",
                "--as-of",
                "2026-01-31",
            ]
        )
        == 1
    )
    assert "national_id" in capsys.readouterr().out


def test_unknown_platform_is_one_line(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["init"]) == 0
    capsys.readouterr()
    assert run(["delinquency", "--platform", "nobody", "--as-of", "2026-01-31"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "error [not_found]: unknown platform 'nobody'"


def test_missing_file_is_a_clear_error(
    cli_env: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["init"]) == 0
    _platform()
    capsys.readouterr()
    code = run(["import", "loans", str(cli_env / "nope.csv"), "--platform", "acme"])
    assert code in (1, 2)
    err = capsys.readouterr().err
    assert "nope.csv" in err
    assert "Traceback" not in err


def test_platforms_are_created_listed_and_validated(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["init"]) == 0
    settings = cli_env / "settings.json"
    settings.write_text(
        json.dumps(
            {
                "time_zone": "America/Chicago",
                "buckets": {
                    "buckets": [
                        {"label": "current", "min_dpd": 0, "max_dpd": 0},
                        {"label": "early", "min_dpd": 1, "max_dpd": 59},
                        {"label": "late", "min_dpd": 60, "max_dpd": None},
                    ]
                },
            }
        ),
        encoding="utf-8",
    )
    assert (
        run(
            [
                "platform",
                "set",
                "acme-us",
                "--name",
                "Acme",
                "--currency",
                "USD",
                "--settings",
                str(settings),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert run(["platform", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["code"] == "acme-us"
    assert listed["settings"]["time_zone"] == "America/Chicago"
    assert listed["settings"]["currency"] == "USD"

    # The currency of a platform never changes: its amounts are stored in it.
    assert run(["platform", "set", "acme-us", "--name", "Acme", "--currency", "EUR"]) == 1
    assert "error [conflict]" in capsys.readouterr().err
    assert run(["platform", "set", "Acme US", "--name", "x"]) == 1
    assert "lower-case" in capsys.readouterr().err
    assert run(["platform", "set", "acme-x", "--name", "x", "--time-zone", "Mars/Base"]) == 1
    assert "unknown time zone" in capsys.readouterr().err
    settings.write_text("[1, 2]", encoding="utf-8")
    assert run(["platform", "set", "acme-x", "--name", "x", "--settings", str(settings)]) == 1
    assert "JSON object" in capsys.readouterr().err
