"""The command line as a user meets it: help, JSON, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tideover.cli.main import run

COMMANDS = [
    [],
    ["init"],
    ["schedule"],
    ["delinquency"],
    ["demo"],
    ["import"],
    ["import", "borrowers"],
    ["import", "loans"],
    ["import", "payments"],
    ["data"],
    ["data", "fetch"],
    ["platform"],
    ["platform", "set"],
    ["platform", "list"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "tideover")
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run([*command, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


def test_schedule_json_matches_the_annuity_reference(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "schedule",
            "--principal",
            "100000",
            "--annual-rate",
            "12%",
            "--months",
            "12",
            "--start-date",
            "2026-01-15",
            "--json",
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    rows = data["installments"]
    assert len(rows) == 12
    assert {row["total"] for row in rows[:-1]} == {"8884.88"}
    assert rows[0]["due_date"] == "2026-02-15"
    assert rows[-1]["remaining_principal"] == "0.00"
    assert data["summary"]["total_principal"] == "100000.00"


def test_schedule_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "schedule",
            "--principal",
            "12000",
            "--annual-rate",
            "0.06",
            "--months",
            "3",
            "--method",
            "equal-principal",
            "--start-date",
            "2026-03-31",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "4,000.00" in out
    assert "2026-04-30" in out  # month-end anchor clamped to April


def test_bad_terms_are_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "schedule",
            "--principal",
            "-5",
            "--annual-rate",
            "0.1",
            "--months",
            "12",
            "--start-date",
            "2026-01-01",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error [validation_error]")
    assert len(err.splitlines()) == 1


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schedule", "--principal", "1", "--annual-rate", "0.1", "--months", "x"]) == 2
    assert (
        run(
            [
                "schedule",
                "--principal",
                "1",
                "--annual-rate",
                "0.1",
                "--months",
                "3",
                "--method",
                "weekly-magic",
            ]
        )
        == 2
    )
    assert run(["no-such-command"]) == 2
    capsys.readouterr()


def test_errors_speak_chinese_by_locale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh_CN.UTF-8")
    code = run(
        [
            "schedule",
            "--principal",
            "abc",
            "--annual-rate",
            "0.1",
            "--months",
            "12",
            "--start-date",
            "2026-01-01",
        ]
    )
    assert code == 1
    assert "不是有效的数字" in capsys.readouterr().err


def test_installed_command_never_prints_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "TIDEOVER_DATA_DIR": str(tmp_path), "TIDEOVER_LOCALE": "en"}
    env.pop("TIDEOVER_DATABASE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tideover.cli.main",
            "delinquency",
            "--platform",
            "x",
            "--as-of",
            "2026-01-01",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "tideover init" in done.stderr


def test_an_unknown_demo_platform_is_refused_before_anything_is_set_up(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    assert run(["demo", "--platform", "demo-xx"]) == 2
    assert "demo-xx" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no database, no cache, nothing
