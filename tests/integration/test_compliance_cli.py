"""``tideover compliance rules|text|check|record`` and ``tideover audit verify`` end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from tideover.cli import main
from tideover.domain.borrowers import Borrower, PhoneNumber

SHANGHAI, NEW_YORK = "Asia/Shanghai", "America/New_York"
PLATFORM = "acme-us"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")


@pytest.fixture
def database(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Engine:
    """A migrated database holding platform acme-us, used by the commands."""
    from tideover.bootstrap import open_app

    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    with open_app() as app, app.uow() as uow:
        uow.platforms.ensure(PLATFORM, name="Acme US", currency="USD", settings={})
        phone = PhoneNumber("+12125550123", "US", (NEW_YORK,))
        uow.borrowers(PLATFORM).add_many(
            [Borrower(platform=PLATFORM, borrower_id="b-stored", name="Ann", phones=(phone,))]
        )
        uow.commit()
    return engine


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main.run(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def local(zone: str, y: int, m: int, d: int, hh: int, mm: int = 0) -> str:
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone)).isoformat()


def attempt_file(tmp_path: Path, name: str = "attempt.json", **changes: Any) -> Path:
    """A US agency call to b1 on debt d1, at 10:00 New York on 3 June 2026 unless changed."""
    document: dict[str, Any] = {
        "attempt": {
            "borrower_id": "b1",
            "debt_id": "d1",
            "channel": "call",
            "actor": "agency",
            "planned_at": local(NEW_YORK, 2026, 6, 3, 10),
            "number": "+1 212 555 0123",
        },
        "borrower": {"time_zones": [NEW_YORK]},
    }
    for key, value in changes.items():
        section, _, field = key.partition("__")
        if field:
            document[section][field] = value
        elif value is None:
            document.pop(section, None)
        else:
            document[section] = value
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ["compliance", "rules"],
        ["compliance", "text"],
        ["compliance", "check"],
        ["compliance", "record"],
        ["audit", "verify"],
    ],
)
def test_every_command_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main.run([*argv, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


# -- rules ----------------------------------------------------------------------------


def test_rules_lists_sources_and_confidence(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["compliance", "rules", "--pack", "CN", "--json"], capsys)
    assert code == 0
    listing = json.loads(out)
    rules = {r["id"]: r for r in listing["rules"]}
    assert listing["version"].startswith("sha256:")
    assert rules["CN-HOURS"]["params"]["end"] == "22:00:00"
    assert all(r["sources"] and r["confidence"] for r in rules.values())
    code, out, _ = run(["compliance", "rules", "--pack", "US-NYC"], capsys)
    assert code == 0
    assert "US-7IN7-ATTEMPTS" in out  # overlays list the base pack's rules too
    assert "1006.14" in out
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh_CN")
    code, out, _ = run(["compliance", "rules", "--pack", "CN"], capsys)
    assert "可信度" in out


def test_an_unknown_pack_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["compliance", "rules", "--pack", "XX"], capsys)
    assert code == 1
    assert "unknown rule pack 'XX'" in err


# -- text -----------------------------------------------------------------------------


def test_text_reports_findings_with_spans(capsys: pytest.CaptureFixture[str]) -> None:
    message = "提醒：再不还钱，小心我弄 死 你。"
    code, out, _ = run(["compliance", "text", "--pack", "CN", message, "--json"], capsys)
    assert code == 1
    result = json.loads(out)
    assert result["blocking"] is True
    (finding,) = result["findings"]
    assert finding["category"] == "threat"
    assert "CN-LANG" in finding["rule_ids"]
    assert message[finding["start"] : finding["end"]] == finding["matched"]
    assert "弄 死 你" in finding["matched"]
    code, out, _ = run(["compliance", "text", "--pack", "CN", message], capsys)
    assert code == 1
    assert "CN-LANG" in out


def test_a_clean_text_passes_and_required_elements_are_checked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    clean = "您本期账单将于 6 月 10 日到期，可在 App 内还款。"
    code, out, _ = run(["compliance", "text", "--pack", "CN", clean], capsys)
    assert (code, out.strip()) == (0, "no findings")
    # 12 CFR 1006.6(e): an agency's text message needs an opt-out.
    reminder = "Your payment of $50 is due on June 10."
    argv = ["compliance", "text", "--pack", "US", reminder, "--actor", "agency", "--json"]
    code, out, _ = run(argv, capsys)
    assert code == 1
    assert [f["category"] for f in json.loads(out)["findings"]] == ["missing_opt_out"]
    code, _, _ = run([*argv[:4], reminder + " Reply STOP to opt out.", *argv[5:]], capsys)
    assert code == 0
    code, _, err = run([*argv, "--channel", "pigeon"], capsys)
    assert code == 2
    assert "--channel: 'pigeon' is not one of call, sms" in err


# -- check without a platform -------------------------------------------------------


def test_check_denies_outside_hours_with_the_earliest_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    late = attempt_file(
        tmp_path,
        attempt__planned_at=local(SHANGHAI, 2026, 6, 3, 22, 30),
        borrower={"time_zones": [SHANGHAI]},
    )
    code, out, _ = run(["compliance", "check", "--pack", "CN", "--attempt", str(late)], capsys)
    assert code == 1
    assert "denied: CN-HOURS" in out
    assert "earliest allowed: 2026-06-04T00:00:00+00:00" in out  # 08:00 Shanghai
    assert "2026-06-04T08:00:00+08:00 Asia/Shanghai" in out
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh_CN")
    code, out, _ = run(["compliance", "check", "--pack", "CN", "--attempt", str(late)], capsys)
    assert code == 1
    assert "拒绝" in out
    assert "最早允许时间" in out
    ok = attempt_file(
        tmp_path,
        "ok.json",
        attempt__planned_at=local(SHANGHAI, 2026, 6, 3, 21, 59),
        borrower={"time_zones": [SHANGHAI]},
    )
    code, out, _ = run(["compliance", "check", "--pack", "CN", "--attempt", str(ok)], capsys)
    assert code == 0
    assert "允许" in out


def test_check_counts_the_history_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 12 CFR 1006.14(b)(2): the 8th call attempt on a debt within 7 days is refused.
    first = datetime(2026, 5, 28, 9, tzinfo=ZoneInfo(NEW_YORK))
    history = [
        {"at": (first + timedelta(days=day)).isoformat(), "outcome": "no_answer"}
        for day in range(7)  # 28 May to 3 June, 09:00
    ]
    path = attempt_file(tmp_path, history=history)
    argv = ["compliance", "check", "--pack", "US", "--attempt", str(path), "--json"]
    code, out, _ = run(argv, capsys)
    assert code == 1
    decision = json.loads(out)
    assert decision["rule_ids"] == ["US-7IN7-ATTEMPTS"]
    assert decision["audit"] is None
    code, _, _ = run(
        [*argv[:5], str(attempt_file(tmp_path, history=history[1:])), "--json"], capsys
    )
    assert code == 0


@pytest.mark.parametrize(
    ("content", "en", "zh"),
    [
        ("{not json", "is not valid JSON", "不是有效的 JSON"),
        ("[]", "not a valid attempt document", "联系尝试文件无效"),
        ("naive", "attempt.planned_at: the time has no time zone", "时间缺少时区"),
        ("channel", "attempt.channel: invalid value; expected 'call'", "取值无效"),
        ("zones", "borrower.time_zones is required", "必须给出 borrower.time_zones"),
        ("bad zone", "Mars/Olympus", "Mars/Olympus"),
    ],
)
def test_check_explains_a_bad_attempt_file(
    content: str,
    en: str,
    zh: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "bad.json"
    if content == "naive":
        path = attempt_file(tmp_path, attempt__planned_at="2026-06-03T10:00:00")
    elif content == "channel":
        path = attempt_file(tmp_path, attempt__channel="pigeon")
    elif content == "zones":
        path = attempt_file(tmp_path, borrower=None)
    elif content == "bad zone":
        path = attempt_file(tmp_path, borrower={"time_zones": ["Mars/Olympus"]})
    else:
        path.write_text(content, encoding="utf-8")
    argv = ["compliance", "check", "--pack", "US", "--attempt", str(path)]
    code, _, err = run(argv, capsys)
    assert code == 1
    assert en in err
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh_CN")
    code, _, err = run(argv, capsys)
    assert code == 1
    assert zh in err


def test_check_refuses_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["compliance", "check", "--pack", "US", "--attempt", str(tmp_path / "none.json")], capsys
    )
    assert code == 1
    assert "cannot read attempt file" in err


# -- with a platform: the stored ledger and the audit trail --------------------------


def test_recorded_contacts_deny_the_eighth_call_and_decisions_are_audited(
    database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = datetime(2026, 5, 28, 13, 0, tzinfo=UTC)  # 09:00 New York
    for day in range(7):
        at = (start + timedelta(days=day)).isoformat()
        argv = ["compliance", "record", "--platform", PLATFORM, "--attempt"]
        argv += [str(attempt_file(tmp_path)), "--outcome", "no_answer", "--at", at]
        code, out, err = run([*argv, "--id", f"call-{day}", "--json"], capsys)
        assert code == 0, err
        assert json.loads(out)["attempt_id"] == f"call-{day}"
    check = ["compliance", "check", "--pack", "US", "--platform", PLATFORM, "--attempt"]
    code, out, _ = run([*check, str(attempt_file(tmp_path)), "--json"], capsys)
    assert code == 1
    denied = json.loads(out)
    assert denied["rule_ids"] == ["US-7IN7-ATTEMPTS"]
    assert denied["audit"]["seq"] == 1
    other_debt = attempt_file(tmp_path, "d2.json", attempt__debt_id="d2")
    code, out, _ = run([*check, str(other_debt)], capsys)
    assert code == 0
    assert "audit record 2" in out

    code, out, _ = run(["audit", "verify", "--platform", PLATFORM, "--json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert (report["ok"], report["records"], report["head"]["seq"]) == (True, 2, 2)
    code, out, _ = run(["audit", "verify", "--platform", PLATFORM], capsys)
    assert (code, "intact, 2 record(s)" in out) == (0, True)

    with database.begin() as connection:
        if database.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER tr_audit_records_no_update"))
        connection.execute(
            text(
                "UPDATE audit_records SET payload = REPLACE(payload, 'false', 'true') WHERE seq = 1"
            )
        )
    code, _, err = run(["audit", "verify", "--platform", PLATFORM], capsys)
    assert code == 1
    assert "edited: record 1 was edited" in err
    assert "BROKEN" in err
    code, out, _ = run(["audit", "verify", "--platform", PLATFORM, "--json"], capsys)
    assert code == 1
    assert [(i["problem"], i["seq"]) for i in json.loads(out)["issues"]] == [("edited", 1)]


def test_time_zones_come_from_the_stored_borrower(
    database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 07:30 in New York: before 08:00 under 12 CFR 1006.6(b)(1)(i).
    path = attempt_file(
        tmp_path,
        attempt__borrower_id="b-stored",
        attempt__planned_at=local(NEW_YORK, 2026, 6, 3, 7, 30),
        borrower={},
    )
    argv = ["compliance", "check", "--pack", "US", "--platform", PLATFORM, "--attempt", str(path)]
    code, out, _ = run([*argv, "--json"], capsys)
    assert code == 1
    decision = json.loads(out)
    assert decision["rule_ids"] == ["US-TIME"]
    assert decision["earliest_allowed_local"] == {NEW_YORK: local(NEW_YORK, 2026, 6, 3, 8)}
    unknown = attempt_file(tmp_path, "u.json", attempt__borrower_id="b-nobody", borrower={})
    code, _, err = run([*argv[:-1], str(unknown)], capsys)
    assert code == 1
    assert "is not stored on platform" in err


def test_platform_mistakes_are_explained(
    database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = attempt_file(tmp_path)
    check = ["compliance", "check", "--pack", "US", "--attempt", str(path)]
    code, _, err = run([*check, "--platform", "nowhere"], capsys)
    assert code == 1
    assert "unknown platform 'nowhere'" in err
    with_history = attempt_file(
        tmp_path,
        "h.json",
        history=[{"at": local(NEW_YORK, 2026, 6, 2, 10), "outcome": "voicemail"}],
    )
    code, _, err = run([*check[:-1], str(with_history), "--platform", PLATFORM], capsys)
    assert code == 1
    assert "'history' cannot be used with a platform" in err
    record = ["compliance", "record", "--platform", PLATFORM, "--attempt", str(path)]
    code, _, err = run([*record, "--outcome", "no_answer", "--result", "refusal"], capsys)
    assert code == 1
    assert "nobody was spoken to" in err
    code, _, err = run([*record, "--outcome", "connected", "--at", "2026-06-03T10:00"], capsys)
    assert code == 2
    assert "with an offset" in err
    code, _, err = run(["audit", "verify", "--platform", "nowhere"], capsys)
    assert code == 1


def test_the_documented_attempt_file_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "compliance.md").read_text("utf-8")
    example = doc.split("### Attempt files\n\n```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "documented.json"
    path.write_text(example, encoding="utf-8")
    code, out, _ = run(["compliance", "check", "--pack", "US", "--attempt", str(path)], capsys)
    assert code == 1  # the example borrower has an open dispute
    assert "denied: US-BASE-HOLD" in out
    assert "no later time would be allowed" in out


# -- time-barred debts, voicemails, the place of work and visit teams -----------------


def test_check_reads_the_time_barred_voicemail_and_workplace_facts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check = ["compliance", "check", "--pack", "US", "--json", "--attempt"]
    threat = attempt_file(
        tmp_path,
        "tbd.json",
        attempt__channel="sms",
        attempt__message="Acme: pay now or we will sue you. Reply STOP to opt out.",
        attempt__time_barred=True,
    )
    code, out, _ = run([*check, str(threat)], capsys)
    assert code == 1
    assert json.loads(out)["rule_ids"] == ["US-TBD"]

    voicemail = attempt_file(
        tmp_path,
        "vm.json",
        attempt__voicemail=True,
        attempt__sender_name="Acme Services",
        attempt__caller_name="Jordan Lee",
        attempt__message="This is Jordan Lee from Acme Services about your overdue loan. "
        "Please call me back at 212-555-0123.",
    )
    code, out, _ = run([*check, str(voicemail)], capsys)
    assert code == 1
    decision = json.loads(out)
    assert decision["rule_ids"] == ["US-LCM"]
    assert {f["category"] for f in decision["findings"]} == {"disclosure"}

    work = attempt_file(
        tmp_path,
        "work.json",
        attempt__at_workplace=True,
        borrower={"time_zones": [NEW_YORK], "employer_prohibits_contact": True},
    )
    code, out, _ = run([*check, str(work)], capsys)
    assert code == 1
    assert json.loads(out)["rule_ids"] == ["US-WORK"]

    off_call = attempt_file(tmp_path, "bad.json", attempt__channel="sms", attempt__voicemail=True)
    code, _, err = run([*check, str(off_call)], capsys)
    assert code == 1
    assert "a voicemail is left on a call" in err


def test_check_reads_the_visit_team(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check = ["compliance", "check", "--pack", "CN", "--json", "--attempt"]
    base = {
        "attempt__channel": "visit",
        "attempt__actor": "creditor",
        "attempt__planned_at": local(SHANGHAI, 2026, 6, 3, 15),
        "borrower": {"time_zones": [SHANGHAI]},
    }
    for name, team, allowed in (
        ("none.json", {}, False),
        ("blank.json", {"attempt__visitors": ["WK-1", ""], "attempt__recorded": True}, False),
        ("unrecorded.json", {"attempt__visitors": ["WK-1"]}, False),
        ("ok.json", {"attempt__visitors": ["WK-1", "WK-2"], "attempt__recorded": True}, True),
        ("queued.json", {"attempt__visitors": None}, True),
    ):
        path = tmp_path / name
        document = json.loads(attempt_file(tmp_path, name, **base).read_text("utf-8"))
        for key, value in team.items():
            document["attempt"][key.split("__")[1]] = value
        path.write_text(json.dumps(document), encoding="utf-8")
        code, out, _ = run([*check, str(path)], capsys)
        assert (code == 0) is allowed, name
        if not allowed:
            assert json.loads(out)["rule_ids"] == ["CN-VISIT"], name


def test_the_audit_keeps_the_facts_a_decision_read(
    database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = attempt_file(
        tmp_path,
        attempt__at_workplace=True,
        attempt__time_barred=True,
        borrower={"time_zones": [NEW_YORK], "employer_prohibits_contact": True},
    )
    argv = ["compliance", "check", "--pack", "US", "--platform", PLATFORM, "--attempt", str(path)]
    code, _, _ = run([*argv, "--json"], capsys)
    assert code == 1
    with database.connect() as connection:
        payload = connection.execute(text("SELECT payload FROM audit_records")).scalar_one()
    attempt = json.loads(payload)["attempt"]
    assert json.loads(payload)["rule_ids"] == ["US-WORK"]
    assert (attempt["at_workplace"], attempt["time_barred"], attempt["voicemail"]) == (
        True,
        True,
        False,
    )
    assert attempt["visitors"] == []
