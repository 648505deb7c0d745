"""``tideover templates`` and ``tideover outbox`` on a test database, with an SMTP server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import TEST_PII_KEY
from tests.integration.comms_support import NOON, UowFactory, platform, queue, smtp_server

from tideover.cli import main
from tideover.domain.clock import FixedClock


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Path:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    monkeypatch.setenv("TIDEOVER_PII_KEY", TEST_PII_KEY)
    monkeypatch.setenv("TIDEOVER_MODE", "test")
    return tmp_path / "data"


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert main.run([*argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_templates_and_the_outbox_from_the_command_line(
    uow_factory: UowFactory,
    cli_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    platform(uow_factory)
    source = tmp_path / "t.yaml"
    source.write_text(
        "name: reminder_email\npurpose: reminder\nchannel: email\n"
        "subject: {zh-CN: '{{ platform_name }}提醒', en: '{{ platform_name }} reminder'}\n"
        "body:\n  zh-CN: '{{ borrower_name }}，应还{{ overdue_amount }}。回复TD退订'\n"
        "  en: '{{ borrower_name }}, {{ overdue_amount }} is due. Reply STOP to opt out.'\n",
        encoding="utf-8",
    )
    drafted = _json(
        capsys, ["templates", "draft", str(source), "--platform", "acme", "--by", "alice"]
    )
    assert drafted["info"]["version"] == 1
    assert (
        main.run(
            ["templates", "approve", "reminder_email", "1", "--platform", "acme", "--by", "alice"]
        )
        == 1
    )  # four eyes
    assert "another person" in capsys.readouterr().err
    _json(
        capsys, ["templates", "approve", "reminder_email", "1", "--platform", "acme", "--by", "bob"]
    )
    _json(
        capsys,
        ["templates", "activate", "reminder_email", "1", "--platform", "acme", "--by", "bob"],
    )
    listed = _json(capsys, ["templates", "list", "--platform", "acme"])
    assert listed["versions"][0]["status"] == "active"

    queue(uow_factory, "acme", [("B1", "email", "reminder_email"), ("B0", "sms", "reminder_sms")])
    # The worker's "now": 10:00 in Shanghai, inside the contact windows.
    monkeypatch.setattr("tideover.services.comms.worker.SystemClock", lambda: FixedClock(NOON))
    with smtp_server() as box:
        monkeypatch.setenv("TIDEOVER_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("TIDEOVER_SMTP_PORT", str(box.port))
        done = _json(capsys, ["outbox", "run", "--platform", "acme"])
    assert done["sent"] == 2
    assert box.messages[0]["Subject"] == "示例金融 reminder"
    page = _json(
        capsys, ["outbox", "list", "--platform", "acme", "--channel", "email", "--state", "sent"]
    )
    assert page["total"] == 1
    assert page["items"][0]["template_version"] == "1"
    assert (cli_env / "sink" / "sms.jsonl").exists()
    assert main.run(["outbox", "list", "--platform", "acme", "--state", "lost"]) == 1
    assert "unknown state" in capsys.readouterr().err
    assert main.run(["outbox", "list", "--platform", "acme", "--since", "yesterday"]) != 0
