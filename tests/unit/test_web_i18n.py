"""The console's catalogues and language choice: every text translated, the reader's pick."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tideover.web.i18n import Texts, choose

TOOL = Path(__file__).parents[2] / "tools" / "messages.py"


def test_every_console_text_has_a_translation_in_both_catalogues() -> None:
    spec = importlib.util.spec_from_file_location("messages_tool", TOOL)
    assert spec is not None
    assert spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.missing() == {}, "run `make messages` and translate what it lists"


@pytest.mark.parametrize(
    ("chosen", "header", "expected"),
    [
        (None, "en-GB,en;q=0.8", "en"),
        (None, "zh-TW;q=0.9,en;q=0.5", "zh_CN"),
        (None, "fr-FR,de;q=0.9", "zh_CN"),
        (None, "fr;q=0.9,en;q=0.8,zh;q=0.7", "en"),
        ("en", "zh-CN", "en"),
        ("zh_CN", "en", "zh_CN"),
        ("xx", "en", "en"),
        (None, "en;q=nonsense,zh", "zh_CN"),
    ],
)
def test_the_language_is_the_choice_then_the_browsers_then_chinese(
    chosen: str | None, header: str, expected: str
) -> None:
    assert choose(chosen, header) == expected


def test_texts_translate_and_format_in_the_readers_locale() -> None:
    zh, en = Texts("zh_CN"), Texts("en")
    assert zh.gettext("Sign in") == "登录"
    assert en.gettext("Sign in") == "Sign in"
    assert zh.gettext("Policy version %(n)s", n=3) == "策略版本 3"
    assert en.number(1234567) == "1,234,567"
