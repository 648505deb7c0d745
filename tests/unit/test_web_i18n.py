"""The console's catalogues and language choice: every text translated, the reader's pick."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tideover.web.i18n import Texts, choose

TOOL = Path(__file__).parents[2] / "tools" / "messages.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("messages_tool", TOOL)
    assert spec is not None
    assert spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_every_console_text_has_a_translation_in_both_catalogues() -> None:
    assert _tool().missing() == {}, "run `make messages` and translate what it lists"


def test_an_error_the_console_raises_is_a_text_of_the_tideover_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool = _tool()
    web = tmp_path / "web"
    (web / "ui").mkdir(parents=True)
    (web / "deps.py").write_text(
        'from tideover.i18n import N_\nraise Forbidden(N_("no entry for %(who)s"), who=who)\n',
        encoding="utf-8",
    )
    (web / "ui" / "page.py").write_text(
        "from tideover.web.ui.words import N_\n"
        'DONE = {"saved": N_("Saved.")}\n'
        'title = _("Sign in")\n',
        encoding="utf-8",
    )
    ours = tool.DOMAINS["tideover"]._replace(locale=tmp_path / "locale", top=tmp_path)
    ours = ours._replace(help_tree=False)
    pages = tool.DOMAINS["messages"]._replace(locale=tmp_path / "web_locale", top=web)
    assert {m.id for m in tool.extract(ours) if m.id} == {"no entry for %(who)s"}
    assert {m.id for m in tool.extract(pages) if m.id} == {"Saved.", "Sign in"}
    # ``check`` names it while either language lacks it.
    monkeypatch.setattr(tool, "DOMAINS", {"tideover": ours})
    lacking = {"tideover/en": ["no entry for %(who)s"], "tideover/zh_CN": ["no entry for %(who)s"]}
    assert tool.missing("tideover") == lacking
    tool.update(ours)
    tool.translate(ours, {"no entry for %(who)s": "%(who)s 不得进入"})
    assert tool.missing("tideover") == {}


def test_a_console_module_marks_the_texts_of_one_catalogue() -> None:
    tool = _tool()
    both = b"from tideover.i18n import N_\nfrom tideover.web.ui.words import N_\n"
    with pytest.raises(ValueError, match="import one"):
        tool.marks_for_tideover(both, "web/ui/page.py")
    for path in sorted((TOOL.parents[1] / "src" / "tideover" / "web").rglob("*.py")):
        tool.marks_for_tideover(path.read_bytes(), str(path))  # no module mixes them


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
