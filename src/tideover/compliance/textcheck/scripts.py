"""Which writing systems a text uses, and which parts of it the checker cannot read.

The checker reads Chinese (Han characters) and English (Latin letters).  Letters of
any other script — Cyrillic, Greek, Arabic, Hebrew, Thai, Devanagari, Hangul, kana and
the rest — are not checked, and the verdict says so: a run of two or more such letters
is an unchecked span, never a silent pass.  A single letter on its own (a unit sign
such as µ, one kana in Chinese slang) is too short to carry a word and is ignored.

Look-alike letters used inside Latin words to dodge the word list ("kіll" with a
Cyrillic і) are a disguise, not another language: a run whose letters all have a
Latin look-alike, or that mixes them with Latin letters, counts as Latin.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from tideover.compliance.textcheck.evasions import evasions

LATIN, HAN = "Latin", "Han"
_MIN_RUN = 2
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")
_HAN_CHARS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WITHOUT_LETTERS = {c: None for c in range(128) if chr(c).isalpha()}  # for str.translate
# Anything beyond ASCII, Chinese characters, CJK punctuation, full-width forms and
# general punctuation needs the character-by-character reading below.
_OTHER = re.compile(
    r"[^\x00-\x7f\u2000-\u206f\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uff64\uffe0-\uffef]"
)


@dataclass(frozen=True, slots=True)
class ScriptRun:
    start: int
    end: int  # exclusive
    script: str


@dataclass(frozen=True, slots=True)
class Scripts:
    latin: int  # letters
    han: int
    unknown: tuple[ScriptRun, ...]

    @property
    def language(self) -> str:
        """``zh``, ``en``, ``zh+en``; ``unknown`` (only unreadable letters), ``none``."""
        if not self.latin and not self.han:
            return "unknown" if self.unknown else "none"
        if not self.han:
            return "en"
        # Chinese messages carry brand names and "App"; a character says more than a letter
        return "zh" if self.han * 4 >= self.latin else "zh+en"


@lru_cache(maxsize=4096)
def script_of(char: str) -> str | None:
    """The script of a letter (``Latin``, ``Han`` or another name), None for a non-letter."""
    if char.isascii():
        return LATIN if char.isalpha() else None
    folded = unicodedata.normalize("NFKC", char)
    if not folded or not folded[0].isalpha():
        return None
    first = folded[0]
    if first.isascii():
        return LATIN
    name = unicodedata.name(first, "")
    if name.startswith("CJK "):
        return HAN
    word = name.split(" ", 1)[0].title()
    return LATIN if word == "Latin" else word or "Unknown"


def scripts(text: str) -> Scripts:
    """Letters per script and the runs of letters the checker cannot read."""
    if text.isascii():
        return Scripts(len(text) - len(text.translate(_WITHOUT_LETTERS)), 0, ())
    if not _OTHER.search(text):  # only ASCII, Chinese characters and CJK/full-width marks
        return Scripts(_count(_ASCII_LETTERS, text), _count(_HAN_CHARS, text), ())
    look_alike = evasions().homoglyphs
    latin = han = 0
    unknown: list[ScriptRun] = []
    run: list[tuple[int, str, str]] = []  # index, letter, script of the current run
    for index, char in enumerate(text + " "):
        script = script_of(char)
        if script is None and run and unicodedata.category(char)[0] == "M":
            run.append((index, char, run[-1][2]))  # a combining mark joins its letter
            continue
        if script is not None and script != HAN:
            run.append((index, char, script))
            continue
        if run:
            letters, unreadable = _close(run, look_alike)
            latin += letters
            unknown.extend(unreadable)
            run = []
        if script == HAN:
            han += 1
    return Scripts(latin, han, tuple(unknown))


def _count(runs: re.Pattern[str], text: str) -> int:
    """Characters in the runs of ``runs`` (one match a run, not one a character)."""
    return sum(map(len, runs.findall(text)))


def _close(
    word: list[tuple[int, str, str]], look_alike: dict[str, str]
) -> tuple[int, list[ScriptRun]]:
    """Latin letters of a finished run, and its unreadable part (if any)."""
    others = [(i, c, s) for i, c, s in word if s != LATIN]
    if not others:
        return len(word), []
    disguised = all(c.casefold() in look_alike for _, c, _ in others)
    if disguised and (len(others) < len(word) or len(word) >= _MIN_RUN):
        return len(word), []
    latin = len(word) - len(others)
    if len(others) < _MIN_RUN:
        return latin, []
    return latin, [ScriptRun(others[0][0], others[-1][0] + 1, others[0][2])]
