"""The command line's texts come from the catalogues: every one translated, placeholders kept,
no English slipped into Chinese, --help and usage errors in the reader's language."""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

from tideover.cli import output
from tideover.cli.labels import kinds
from tideover.cli.main import run

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "src" / "tideover" / "i18n" / "locale" / "zh_CN" / "LC_MESSAGES" / "tideover.po"
CLI = ROOT / "src" / "tideover" / "cli"
# Latin words a Chinese text may carry over from its English one: what a person types
# (option values, file kinds, names of programs), a measure named for its author (Brier) and
# an author cited (Siddiqi) — never an ordinary English word.
CARRIED = frozenset(
    """tideover demo aggressive csv parquet jsonl json md docs letter email active name team role
    jurisdictions queues file text target sender offers hardship purpose channel body subject
    auto own normal stress both lexicon classifier champion challenger creditor agency debtor
    guarantor delivered failed dispute bankruptcy deceased planned voicemail connected
    conversation refusal complaint scorecard gbm call sms taiwan lendingclub train heldout read
    pii outcome models scores inbox borrowers loans payments assignments function spark duckdb
    uvicorn http api utf worker acme collector auditor Asia Shanghai Ctrl Lines Parquet Schema
    Markdown Java Secure Cookie PySpark Tideover
    queue priority history default every until true false columns values payee bank account note
    alpha pauses phone collectors set diff install pip modeldata datetime int sha big base None
    NaT MiB KiB Spark Lending Club App PostgreSQL WeasyPrint Pango Noto Debian wheel
    Brier Siddiqi""".split()  # noqa: SIM905
)


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    output.set_language(None)


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("messages_tool", ROOT / "tools" / "messages.py")
    assert spec is not None
    assert spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def _translations() -> list[tuple[str, str]]:
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")
    return [(str(m.id), str(m.string)) for m in catalog if m.id]


def test_every_command_line_text_has_a_translation() -> None:
    assert _tool().missing("tideover") == {}, "run tools/messages.py update tideover, translate"


def test_a_translation_keeps_every_placeholder() -> None:
    for english, chinese in _translations():
        placeholders = sorted(re.findall(r"%\(\w+\)s|\{\}", english))
        assert sorted(re.findall(r"%\(\w+\)s|\{\}", chinese)) == placeholders, english


def test_chinese_texts_carry_no_english_words() -> None:
    for english, chinese in _translations():
        text = re.sub(r"%\(\w+\)s|`[^`]*`|--[\w-]+|\S*[/.]\w+\S*", " ", chinese)
        for word in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text):
            code_like = "_" in word or word.isupper() or any(c.isdigit() for c in word)
            assert word.lower() in english.lower(), (word, chinese)
            assert code_like or word in CARRIED, (word, chinese)


def test_every_code_shown_as_a_word_has_a_label() -> None:
    for kind, labels in kinds().items():
        assert labels, kind
        assert all(code and text for code, text in labels.items()), kind


def _written_pairs(source: str) -> list[int]:
    """Lines where a module picks between two texts it writes itself: ``either`` (or the old
    ``say``) given a literal, where the catalogue and ``_`` belong."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("either", "say"):
            literal = (ast.Constant, ast.JoinedStr, ast.BinOp)
            if any(isinstance(argument, literal) for argument in node.args):
                found.append(node.lineno)
    return found


def test_the_check_finds_texts_written_in_pairs() -> None:
    assert _written_pairs('either(f"{n} sent", f"已发送 {n}")\nsay("yes", "是")') == [1, 2]
    assert _written_pairs("either(reason.en, reason.zh)\n_('sent %(n)s', n=n)") == []


def test_the_modules_print_through_the_catalogue() -> None:
    assert not hasattr(output, "say"), "the inline pairs are gone: use _() and the catalogue"
    inline = []
    for path in sorted(CLI.glob("*.py")):
        for line in _written_pairs(path.read_text(encoding="utf-8")):
            inline.append(f"{path.name}:{line}")
    assert inline == [], "use _() and the catalogue for the command line's own texts"


@pytest.mark.parametrize(
    "command",
    [[], ["import", "loans"], ["borrower", "show"], ["kpi"], ["demo"], ["simulate"], ["outbox"]],
)
def test_help_in_chinese_is_whole_and_chinese(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert run(["--lang", "zh", *command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "用法" in out
    assert "…" not in out
    for english in ("Usage", "Options", "Commands", "Arguments", "Show this message", "[required]"):
        assert english not in out


def test_usage_errors_speak_the_readers_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--lang", "zh", "import", "loans", "x.csv"]) == 2
    err = capsys.readouterr().err
    assert "缺少选项 '--platform'" in err
    assert "错误：" in err
    assert run(["--lang", "en", "import", "loans", "x.csv"]) == 2
    assert "Missing option '--platform'" in capsys.readouterr().err


def test_lang_wins_over_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh")
    args = ["schedule", "--principal", "1000", "--annual-rate", "12%", "--months", "2"]
    assert run(args) == 0
    assert "应还日" in capsys.readouterr().out
    assert run(["--lang", "en", *args]) == 0
    assert "due date" in capsys.readouterr().out
    assert run(["--lang", "fr", *args]) == 2
