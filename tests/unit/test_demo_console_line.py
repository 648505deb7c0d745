"""``make demo`` ends by saying how to open the console and whom to sign in as, one user per
role on each demo platform, and the demo borrower's number for the portal, in the reader's
language."""

from __future__ import annotations

from pathlib import Path

import pytest

from tideover.cli import demo
from tideover.services.demo.people import (
    DEMO_BORROWER_PHONES,
    DEMO_PASSWORD,
    DEMO_STAFF,
    DemoBorrower,
)


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ["strategy manager", "collector"]), ("zh", ["策略经理", "催收员"])],
)
def test_the_demo_prints_the_console_and_its_users(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    language: str,
    words: list[str],
) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", language)
    demo._render_console(["demo-cn", "demo-cn-aggressive"])
    shown = capsys.readouterr().out
    assert "tideover serve" in shown
    assert "http://127.0.0.1:8000/" in shown
    assert DEMO_PASSWORD in shown
    for username, _ in DEMO_STAFF:
        assert shown.count(username) >= 2  # on both platforms
    for word in words:
        assert word in shown


@pytest.mark.parametrize(
    ("language", "words"), [("en", "the borrower portal"), ("zh", "借款人门户")]
)
def test_the_demo_prints_the_borrower_to_sign_in_as_and_where_the_code_goes(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    language: str,
    words: str,
) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", language)
    borrower = DemoBorrower(
        platform="demo-cn", borrower_id="LC-123", phone=DEMO_BORROWER_PHONES["demo-cn"]
    )
    demo._render_console(["demo-cn"], borrowers=[borrower], sink=Path("var/sink/sms.jsonl"))
    shown = capsys.readouterr().out
    line = next(x for x in shown.splitlines() if words in x)  # one line, never wrapped
    assert "http://127.0.0.1:8000/borrower/login?platform=demo-cn" in line
    assert "+8613000000000" in line
    assert "LC-123" in line
    assert "var/sink/sms.jsonl" in line


def test_no_borrower_line_without_a_demo_borrower(capsys: pytest.CaptureFixture[str]) -> None:
    demo._render_console(["demo-cn"])
    assert "/borrower/login" not in capsys.readouterr().out
