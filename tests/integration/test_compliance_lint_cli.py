"""``tideover compliance lint`` end to end: packs, templates, hours, JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tideover.cli import main

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
AGGRESSIVE = str(EXAMPLES / "aggressive.yaml")
SUPPORTIVE = str(EXAMPLES / "supportive.yaml")


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main.run(["compliance", "lint", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = run([*argv, "--json"], capsys)
    return code, json.loads(out)


def test_aggressive_is_blocked_under_us(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([AGGRESSIVE, "--pack", "US"], capsys)
    assert code == 1
    assert "blocking [US-7IN7-ATTEMPTS] segment overdue / treatment daily_pressure / step 0" in out
    assert "approval blocked" in out


def test_supportive_passes_the_packs_it_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run_json([SUPPORTIVE], capsys)
    assert code == 0
    assert [p["pack"] for p in result["packs"]] == ["CN"]
    assert result["blocking"] is False
    assert {f["severity"] for f in result["findings"]} == {"warning"}


def test_json_locates_each_finding(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run_json([AGGRESSIVE, "--pack", "us-ma", "--pack", "UK"], capsys)
    assert code == 1
    assert result["counts"]["blocking"] == len(
        [f for f in result["findings"] if f["severity"] == "blocking"]
    )
    forb = [f for f in result["findings"] if f["rule_id"] == "UK-FORB"]
    assert {(f["location"]["treatment"], f["location"]["step"]) for f in forb} == {
        (None, None),
        ("escalation", 3),
    }
    assert all(f["en"] and f["zh"] for f in result["findings"])


def test_templates_file_catches_disclosure_to_a_contact_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        Path(SUPPORTIVE)
        .read_text("utf-8")
        .replace(
            "- {at: 20, channel: sms, template: sms_soft_reminder, tone: neutral}",
            "- {at: 20, channel: sms, template: sms_soft_reminder, tone: neutral}\n"
            "      - {at: 25, channel: sms, template: sms_hardship_check_in}",
            1,
        ),
        encoding="utf-8",
    )
    templates = tmp_path / "templates.yaml"
    templates.write_text(
        "sms_soft_reminder: 【某某金融】温馨提示：您本期账单未还，可在App内还款或申请延期。\n"
        "sms_hardship_check_in:\n"
        "  text: 您好，您的联系人李四的借款已逾期，请转告他还款。\n"
        "  target: contact_person\n",
        encoding="utf-8",
    )
    code, result = run_json([str(policy), "--templates", str(templates)], capsys)
    assert code == 1
    blocking = {(f["rule_id"], f["location"]["template"]) for f in result["findings"]}
    assert ("CN-DISCLOSE", "sms_hardship_check_in") in blocking
    assert not any(t == "sms_soft_reminder" for r, t in blocking if r != "LINT-TEMPLATE-TEXT")


def test_hours_and_actor_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([SUPPORTIVE, "--hours", "human_call=07:30-20:00"], capsys)
    assert code == 1
    assert "[CN-HOURS]" in out
    code, out, _ = run(
        [SUPPORTIVE, "--pack", "US", "--hours", "human_call=07:30-20:00", "--actor", "creditor"],
        capsys,
    )
    assert code == 0  # Regulation F's hours bind collectors, not the creditor
    assert "US-TIME" not in out


def test_chinese_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh")
    code, out, _ = run([AGGRESSIVE, "--pack", "US"], capsys)
    assert code == 1
    assert "阻断 [US-7IN7-ATTEMPTS]" in out
    assert "不可批准" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--hours", "human_call=9-8"], "--hours"),
        (["--hours", "pigeon=09:00-10:00"], "pigeon"),
        (["--actor", "bailiff"], "--actor"),
        (["--pack", "XX"], "XX"),
    ],
)
def test_bad_options_are_refused(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([SUPPORTIVE, *argv], capsys)
    assert code != 0
    assert not out  # an error, not a lint report
    assert expected in err


def test_bad_files_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    templates = tmp_path / "t.yaml"
    templates.write_text("- just a list\n", encoding="utf-8")
    code, out, err = run([SUPPORTIVE, "--templates", str(templates)], capsys)
    assert (code, out) == (1, "")  # input rejected (exit 1 by the CLI contract), no report
    assert "mapping" in err
    templates.write_text("tpl: {text: hi, target: neighbour}\n", encoding="utf-8")
    code, out, err = run([SUPPORTIVE, "--templates", str(templates)], capsys)
    assert (code, out) == (1, "")
    assert "target" in err
    policy = tmp_path / "p.yaml"
    policy.write_text("policy: [\n", encoding="utf-8")
    code, out, err = run([str(policy)], capsys)
    assert (code, out) == (1, "")
    assert "policy" in err.lower() or "yaml" in err.lower()
