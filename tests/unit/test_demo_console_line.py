"""``make demo`` ends by saying how to open the console and whom to sign in as, one user per
role on each demo platform, in the reader's language."""

from __future__ import annotations

import pytest

from tideover.cli import demo
from tideover.services.demo.people import DEMO_PASSWORD, DEMO_STAFF


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
