"""Stored policy versions and their workflow, on SQLite and PostgreSQL.

Service handlers first (four eyes, one active version, rollback, audit trail,
an invalid document never stored), then the database's own guards against
direct SQL, then the ``tideover policy`` commands end to end.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.policy.problems import PolicyRejected
from tideover.services.compliance.checks import verify_audit_trail
from tideover.services.policy import versions as service

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "src" / "tideover" / "policy" / "examples"
SUPPORTIVE = (EXAMPLES / "supportive.yaml").read_text(encoding="utf-8")
AGGRESSIVE = (EXAMPLES / "aggressive.yaml").read_text(encoding="utf-8")
PLATFORM, OTHER = "acme-cn", "beta-cn"
# 17:30 UTC on 1 June is already 2 June in Shanghai: the default effective date.
NOON = FixedClock(datetime(2026, 6, 1, 17, 30, tzinfo=UTC))

UowFactory = Callable[[], SqlAlchemyUnitOfWork]


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")


@pytest.fixture
def uow(uow_factory: UowFactory) -> UowFactory:
    """Units of work on a database holding two platforms in Shanghai time."""
    with uow_factory() as opened:
        for code in (PLATFORM, OTHER):
            opened.platforms.ensure(
                code, name=code, currency="CNY", settings={"time_zone": "Asia/Shanghai"}
            )
        opened.commit()
    return uow_factory


def _later(minutes: int) -> FixedClock:
    return FixedClock(NOON.instant + timedelta(minutes=minutes))


def _submit(
    uow: UowFactory, document: str = SUPPORTIVE, by: str = "alice", platform: str = PLATFORM
) -> int:
    result = service.submit_policy(
        uow=uow(), platform=platform, text=document, by=by, clock=NOON
    ).to_json()
    return int(result["version"])


def _approved(uow: UowFactory, document: str = SUPPORTIVE) -> int:
    number = _submit(uow, document)
    service.approve_policy_version(
        uow=uow(), platform=PLATFORM, version=number, by="bob", clock=_later(1)
    )
    return number


def _audit_kinds(uow: UowFactory, platform: str = PLATFORM) -> list[str]:
    with uow() as opened:
        return [r.kind for r in opened.audit(platform).records()]


# --- the service handlers ------------------------------------------------------------------


def test_submit_stores_the_exact_text_its_hash_and_two_events(uow: UowFactory) -> None:
    document = "# 关怀型 — CRLF line ends and a trailing blank\r\n" + SUPPORTIVE + "\r\n"
    result = service.submit_policy(
        uow=uow(), platform=PLATFORM, text=document, by="alice", clock=NOON
    ).to_json()
    assert (result["version"], result["status"], result["author"]) == (1, "in_review", "alice")
    assert result["sha256"] == hashlib.sha256(document.encode("utf-8")).hexdigest()
    shown = service.show_policy_version(uow=uow(), platform=PLATFORM, version=1).to_json()
    assert shown["document"] == document  # byte for byte, CRLF kept
    assert shown["policy"] == "supportive"
    assert [(e["action"], e["actor"], e["after"]) for e in shown["events"]] == [
        ("draft", "alice", "draft"),
        ("submit", "alice", "in_review"),
    ]
    assert shown["events"][0]["at"] == NOON.instant.isoformat()
    assert _audit_kinds(uow) == ["policy_draft", "policy_submit"]


def test_an_invalid_document_is_never_stored(uow: UowFactory) -> None:
    broken = SUPPORTIVE.replace("condition: dispute_flag", "condition: no_such_feature > 1")
    with pytest.raises(PolicyRejected) as raised:
        service.submit_policy(uow=uow(), platform=PLATFORM, text=broken, by="alice", clock=NOON)
    assert raised.value.problems[0].line is not None
    listed = service.list_policy_versions(uow=uow(), platform=PLATFORM).to_json()
    assert listed["versions"] == []
    assert _audit_kinds(uow) == []


def test_the_author_cannot_approve_their_own_version(uow: UowFactory) -> None:
    number = _submit(uow)
    with pytest.raises(Conflict) as raised:
        service.approve_policy_version(uow=uow(), platform=PLATFORM, version=number, by="alice")
    assert "another person" in raised.value.en
    shown = service.show_policy_version(uow=uow(), platform=PLATFORM, version=number).to_json()
    assert (shown["status"], shown["approver"]) == ("in_review", None)
    assert len(_audit_kinds(uow)) == 2  # the refused step left no trace
    approved = service.approve_policy_version(
        uow=uow(), platform=PLATFORM, version=number, by="bob", clock=_later(5)
    ).to_json()
    assert (approved["status"], approved["approver"]) == ("approved", "bob")
    assert approved["events"][0]["at"] == _later(5).instant.isoformat()


def test_approval_is_refused_while_the_linter_finds_blocking_problems(uow: UowFactory) -> None:
    # Daily calls from day 1 break the US 7-calls-in-7-days cap (Regulation F).
    us_aggressive = AGGRESSIVE.replace("jurisdiction: CN", "jurisdiction: US").replace(
        "rule_packs: [cn]", "rule_packs: [us]"
    )
    with pytest.raises(ValidationError, match="written for US"):  # not on a CN platform
        _submit(uow, us_aggressive)
    with uow() as unit:  # the platform collects under US law from now on
        settings = {"time_zone": "Asia/Shanghai", "jurisdiction": "US"}
        unit.platforms.ensure(PLATFORM, name=PLATFORM, currency="CNY", settings=settings)
        unit.commit()
    number = _submit(uow, us_aggressive)
    with pytest.raises(service.PolicyLintBlocked) as raised:
        service.approve_policy_version(
            uow=uow(), platform=PLATFORM, version=number, by="bob", clock=_later(1)
        )
    assert "US-7IN7-ATTEMPTS" in raised.value.en
    assert "阻断性合规问题" in raised.value.zh
    shown = service.show_policy_version(uow=uow(), platform=PLATFORM, version=number).to_json()
    assert shown["status"] == "in_review"
    assert _audit_kinds(uow) == ["policy_draft", "policy_submit"]


def test_an_approved_version_keeps_its_lint_result_in_the_audit_trail(uow: UowFactory) -> None:
    _approved(uow)
    assert _audit_kinds(uow) == ["policy_draft", "policy_submit", "policy_lint", "policy_approve"]


def test_activate_defaults_to_the_platforms_business_date_and_retires_the_last(
    uow: UowFactory,
) -> None:
    first = _approved(uow)
    active = service.activate_policy_version(
        uow=uow(), platform=PLATFORM, version=first, by="carol", clock=_later(2)
    ).to_json()
    assert (active["status"], active["effective_from"]) == ("active", "2026-06-02")
    second = _approved(uow, AGGRESSIVE)
    service.activate_policy_version(
        uow=uow(),
        platform=PLATFORM,
        version=second,
        by="carol",
        effective=date(2026, 7, 1),
        clock=_later(3),
    )
    listed = service.list_policy_versions(uow=uow(), platform=PLATFORM).to_json()
    assert listed["active"] == second
    statuses = [(v["version"], v["status"]) for v in listed["versions"]]
    assert statuses == [(first, "retired"), (second, "active")]
    assert _audit_kinds(uow)[-2:] == ["policy_retire", "policy_activate"]


def test_only_an_approved_version_can_be_activated(uow: UowFactory) -> None:
    number = _submit(uow)
    with pytest.raises(Conflict) as raised:
        service.activate_policy_version(uow=uow(), platform=PLATFORM, version=number, by="bob")
    assert "in_review" in raised.value.en
    with pytest.raises(NotFound):
        service.activate_policy_version(uow=uow(), platform=PLATFORM, version=99, by="bob")


def test_rollback_reactivates_the_previous_version(uow: UowFactory) -> None:
    first, second = _approved(uow), _approved(uow, AGGRESSIVE)
    for number in (first, second):
        service.activate_policy_version(
            uow=uow(), platform=PLATFORM, version=number, by="carol", effective=date(2026, 6, 3)
        )
    back = service.rollback_policy(
        uow=uow(), platform=PLATFORM, by="dave", effective=date(2026, 6, 9), clock=_later(9)
    ).to_json()
    assert (back["version"], back["status"], back["effective_from"]) == (
        first,
        "active",
        "2026-06-09",
    )
    assert [(e["action"], e["version"]) for e in back["events"]] == [
        ("retire", second),
        ("rollback", first),
    ]
    history = service.show_policy_version(uow=uow(), platform=PLATFORM, version=first).to_json()
    assert [e["effective_from"] for e in history["events"] if e["action"] == "rollback"] == [
        "2026-06-09"
    ]
    # Stored activations replay in order: a second rollback returns to the second version.
    again = service.rollback_policy(
        uow=uow(), platform=PLATFORM, by="dave", clock=_later(10)
    ).to_json()
    assert again["version"] == second
    assert verify_audit_trail(uow=uow(), platform=PLATFORM).to_json()["ok"]


def test_rollback_without_an_earlier_active_version_is_refused(uow: UowFactory) -> None:
    with pytest.raises(Conflict):
        service.rollback_policy(uow=uow(), platform=PLATFORM, by="dave")
    number = _approved(uow)
    service.activate_policy_version(uow=uow(), platform=PLATFORM, version=number, by="carol")
    with pytest.raises(Conflict) as raised:
        service.rollback_policy(uow=uow(), platform=PLATFORM, by="dave")
    assert "no earlier active version" in raised.value.en


def test_reject_sends_a_version_back_to_draft_with_its_reason(uow: UowFactory) -> None:
    number = _submit(uow)
    with pytest.raises(ValidationError):
        service.reject_policy_version(
            uow=uow(), platform=PLATFORM, version=number, by="bob", reason=" "
        )
    service.reject_policy_version(
        uow=uow(), platform=PLATFORM, version=number, by="bob", reason="too many calls"
    )
    shown = service.show_policy_version(uow=uow(), platform=PLATFORM, version=number).to_json()
    assert shown["status"] == "draft"
    assert shown["events"][-1]["note"] == "too many calls"
    with pytest.raises(Conflict):
        service.approve_policy_version(uow=uow(), platform=PLATFORM, version=number, by="carol")


def test_versions_are_numbered_and_seen_per_platform(uow: UowFactory) -> None:
    _submit(uow)
    _submit(uow, AGGRESSIVE)
    assert _submit(uow, platform=OTHER) == 1
    other = service.list_policy_versions(uow=uow(), platform=OTHER).to_json()
    assert [v["policy"] for v in other["versions"]] == ["supportive"]
    with pytest.raises(NotFound):
        service.show_policy_version(uow=uow(), platform=OTHER, version=2)
    with pytest.raises(NotFound):
        service.list_policy_versions(uow=uow(), platform="nobody")


def test_active_policy_checks_the_date_and_the_hash(uow: UowFactory, engine: Engine) -> None:
    with pytest.raises(NotFound):
        service.active_policy(uow=uow(), platform=PLATFORM, as_of=date(2026, 6, 2))
    number = _approved(uow)
    service.activate_policy_version(
        uow=uow(), platform=PLATFORM, version=number, by="carol", effective=date(2026, 6, 5)
    )
    with pytest.raises(Conflict) as early:
        service.active_policy(uow=uow(), platform=PLATFORM, as_of=date(2026, 6, 4))
    assert "2026-06-05" in early.value.en
    compiled, version = service.active_policy(uow=uow(), platform=PLATFORM, as_of=date(2026, 6, 5))
    assert (compiled.policy.policy, version.version) == ("supportive", number)
    # Someone disables the guard and edits the stored text: the hash shows it.
    with engine.begin() as connection:
        _disable_frozen_trigger(connection)
        connection.execute(text("UPDATE policy_versions SET document = document || '\n# edited'"))
    with pytest.raises(Conflict) as tampered:
        service.active_policy(uow=uow(), platform=PLATFORM, as_of=date(2026, 6, 5))
    assert "SHA-256" in tampered.value.en


def _disable_frozen_trigger(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        statement = "ALTER TABLE policy_versions DISABLE TRIGGER tr_policy_versions_frozen"
    else:
        statement = "DROP TRIGGER tr_policy_versions_frozen"
    connection.execute(text(statement))


# --- the database's own guards -------------------------------------------------------------


def test_the_database_refuses_to_change_a_submitted_document(
    uow: UowFactory, engine: Engine
) -> None:
    _approved(uow)
    for statement in (
        "UPDATE policy_versions SET document = 'policy: other'",
        "UPDATE policy_versions SET sha256 = 'x'",
        "UPDATE policy_versions SET author = 'mallory'",
        "DELETE FROM policy_versions",
    ):
        with pytest.raises(DBAPIError), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.begin() as connection:  # its state may still move (the workflow does that)
        connection.execute(text("UPDATE policy_versions SET status = 'in_review'"))


def test_the_database_allows_one_active_version_and_four_eyes_only(
    uow: UowFactory, engine: Engine
) -> None:
    first, second = _approved(uow), _approved(uow, AGGRESSIVE)
    service.activate_policy_version(uow=uow(), platform=PLATFORM, version=first, by="carol")
    refused = [
        f"UPDATE policy_versions SET status = 'active', effective_from = '2026-06-02' "
        f"WHERE number = {second}",
        f"UPDATE policy_versions SET approver = author WHERE number = {second}",
        f"UPDATE policy_versions SET status = 'active', effective_from = NULL "
        f"WHERE number = {first}",
        f"UPDATE policy_versions SET status = 'live' WHERE number = {second}",
    ]
    for statement in refused:
        with pytest.raises(DBAPIError), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        actives = connection.execute(
            text("SELECT count(*) FROM policy_versions WHERE status = 'active'")
        ).scalar()
    assert actives == 1


# --- the commands --------------------------------------------------------------------------


@pytest.fixture
def database(
    uow: UowFactory, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    return database_url


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main.run(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


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


def test_the_commands_run_the_whole_workflow(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "supportive.yaml"
    file.write_bytes(SUPPORTIVE.encode("utf-8").replace(b"\n", b"\r\n"))
    on = ["--platform", PLATFORM]
    code, out, _ = _run(["policy", "submit", str(file), *on, "--by", "alice"], capsys)
    assert code == 0
    assert "version 1 (supportive" in out
    code, _, err = _run(["policy", "approve", "1", *on, "--by", "alice"], capsys)
    assert code == 1
    assert "another person must approve" in err
    assert _run(["policy", "approve", "1", *on, "--by", "bob"], capsys)[0] == 0
    code, out, _ = _run(
        ["policy", "activate", "1", *on, "--by", "carol", "--effective", "2026-06-02"], capsys
    )
    assert (code, out.strip()) == (0, f"{PLATFORM}: version 1 active from 2026-06-02")
    code, out, _ = _run(["policy", "show", "1", *on], capsys)
    assert out.encode("utf-8") == file.read_bytes()  # exactly as submitted
    code, out, _ = _run(["policy", "versions", *on, "--json"], capsys)
    listed = json.loads(out)
    assert listed["active"] == 1
    assert [e["action"] for e in listed["versions"][0]["events"]] == [
        "draft",
        "submit",
        "approve",
        "activate",
    ]
    assert listed["versions"][0]["sha256"] == hashlib.sha256(file.read_bytes()).hexdigest()


def test_an_invalid_file_is_refused_by_the_command_and_not_stored(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text(SUPPORTIVE.replace("treatment: paused", "treatment: nowhere", 1))
    code, _, err = _run(
        ["policy", "submit", str(file), "--platform", PLATFORM, "--by", "a"], capsys
    )
    assert code == 1
    assert f"{file}:" in err
    code, out, _ = _run(["policy", "versions", "--platform", PLATFORM], capsys)
    assert (code, out.strip()) == (0, f"{PLATFORM}: no policy version yet")


def test_rollback_command_and_assign_under_the_active_version(
    database: str, uow: UowFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    portfolio = Path(_generator().write_portfolio(tmp_path / "features.parquet", 2000))
    first, second = _approved(uow), _approved(uow, AGGRESSIVE)
    for number in (first, second):
        service.activate_policy_version(
            uow=uow(), platform=PLATFORM, version=number, by="carol", effective=date(2026, 6, 1)
        )
    stored_out, file_out = tmp_path / "stored.parquet", tmp_path / "file.parquet"
    common = ["--portfolio", str(portfolio), "--as-of", "2026-06-30", "--platform", PLATFORM]
    code, out, _ = _run(["policy", "assign", *common, "--out", str(stored_out), "--json"], capsys)
    assert code == 0
    assert (json.loads(out)["policy"], json.loads(out)["version"]) == ("aggressive", second)

    rollback = ["policy", "rollback", "--platform", PLATFORM, "--by", "dave"]
    code, out, _ = _run([*rollback, "--effective", "2026-06-15"], capsys)
    assert code == 0
    assert f"rolled back to version {first}, active from 2026-06-15" in out
    code, out, err = _run(["policy", "assign", *common, "--out", str(stored_out)], capsys)
    assert code == 0, err
    assert f"under supportive v{first}" in out
    file_argv = ["policy", "assign", str(EXAMPLES / "supportive.yaml"), *common]
    assert _run([*file_argv, "--out", str(file_out)], capsys)[0] == 0  # the file form still works
    assert pq.read_table(stored_out).equals(pq.read_table(file_out))


def test_assign_without_a_file_needs_an_active_version(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    portfolio = Path(_generator().write_portfolio(tmp_path / "features.parquet", 50))
    argv = ["policy", "assign", "--portfolio", str(portfolio), "--as-of", "2026-06-30"]
    argv += ["--out", str(tmp_path / "out.parquet"), "--platform", PLATFORM]
    code, _, err = _run(argv, capsys)
    assert code == 1
    assert "no active policy version" in err
    assert not (tmp_path / "out.parquet").exists()
