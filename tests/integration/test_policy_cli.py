"""``tideover policy validate|diff|schema`` end to end: output, JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tideover.cli import main

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
SUPPORTIVE = EXAMPLES / "supportive.yaml"


@pytest.mark.parametrize("command", ["validate", "diff", "schema"])
def test_every_policy_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main.run(["policy", command, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["supportive", "aggressive"])
def test_validate_accepts_the_examples(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main.run(["policy", "validate", str(EXAMPLES / f"{name}.yaml"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True
    assert report["policy"] == name


def test_validate_lists_every_error_with_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    bad = tmp_path / "bad.yaml"
    text = SUPPORTIVE.read_text(encoding="utf-8")
    bad.write_text(
        text.replace("condition: dpd > 30", "condition: dpd > 'thirty'").replace(
            "weight: 0.10", "weight: 0.15"
        ),
        encoding="utf-8",
    )
    assert main.run(["policy", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    line = text.split("\n").index("    condition: dpd > 30") + 1
    assert f"{bad}:{line}:16: error: segments[4].condition: cannot compare" in err
    assert "sum to 1.05, not 1" in err
    assert "rejected, 2 error(s)" in err

    assert main.run(["policy", "validate", str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert {p["code"] for p in report["problems"]} == {"condition", "weights"}


def test_validate_speaks_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh_CN")
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy: x\n", encoding="utf-8")
    assert main.run(["policy", "validate", str(bad)]) == 1
    assert "错误" in capsys.readouterr().err


def test_diff_shows_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(
        SUPPORTIVE.read_text(encoding="utf-8").replace(
            "dpd BETWEEN 1 AND 30", "dpd BETWEEN 1 AND 20"
        ),
        encoding="utf-8",
    )
    assert main.run(["policy", "diff", str(SUPPORTIVE), str(new), "--json"]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    assert [(c["area"], c["path"]) for c in changes] == [("condition", "early")]
    assert main.run(["policy", "diff", str(SUPPORTIVE), str(SUPPORTIVE)]) == 0
    assert "no structural change" in capsys.readouterr().out


def test_diff_refuses_an_invalid_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy: [\n", encoding="utf-8")
    assert main.run(["policy", "diff", str(SUPPORTIVE), str(bad)]) == 1
    assert "policy_rejected" in capsys.readouterr().err


def test_schema_prints_the_published_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.run(["policy", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    committed = json.loads((EXAMPLES.parent / "policy.schema.json").read_text(encoding="utf-8"))
    assert schema == committed
