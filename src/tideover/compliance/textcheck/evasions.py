"""The tables of ``data/evasions.yaml`` and the per-character and per-token rewrites.

Everything here keeps one output piece per input character (a piece may be empty or
several characters long), so a match in the normalised text maps back to a span of the
original text.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_DROP_CATEGORIES = frozenset("ZPSC")  # separators, punctuation, symbols, control/format
_VARIATION_SELECTORS = frozenset(chr(c) for c in range(0xFE00, 0xFE10))
# A token that may hide letters behind digits or symbols, and the English short forms.
_TOKEN = re.compile(r"[A-Za-z0-9@$!|+]+")
_SINGLE_BEFORE = re.compile(r"(?:^|[^A-Za-z0-9])[A-Za-z0-9][^A-Za-z0-9]{1,3}$")
_SINGLE_AFTER = re.compile(r"[^A-Za-z0-9]{1,3}[A-Za-z0-9](?:[^A-Za-z0-9]|$)")
_MAX_AMBIGUOUS = 4  # symbols with two readings tried in every combination, at most


@dataclass(frozen=True, slots=True)
class Evasions:
    emoji_zh: dict[str, str]
    emoji_en: dict[str, str]
    homoglyphs: dict[str, str]
    leet: dict[str, tuple[str, ...]]
    english_short: dict[str, str]
    pinyin_short: dict[str, str]
    words: frozenset[str]  # English words a leet token may stand for


def _data(name: str) -> str:
    return (
        resources.files("tideover.compliance.textcheck").joinpath("data", name).read_text("utf-8")
    )


@lru_cache(maxsize=1)
def evasions() -> Evasions:
    """The shipped tables (read once)."""
    raw: dict[str, Any] = yaml.safe_load(_data("evasions.yaml"))
    emoji = {str(k): (str(v[0]), str(v[1])) for k, v in raw["emoji"].items()}
    words = frozenset(line.strip() for line in _data("words-en.txt").splitlines() if line.strip())
    return Evasions(
        emoji_zh={k: zh for k, (zh, _) in emoji.items()},
        emoji_en={k: en.replace(" ", "") for k, (_, en) in emoji.items()},
        homoglyphs={str(k): str(v) for k, v in raw["homoglyphs"].items()},
        leet={str(k): tuple(str(x) for x in v) for k, v in raw["leet"].items()},
        english_short={str(k): str(v) for k, v in raw["english_short"].items()},
        pinyin_short={str(k): str(v) for k, v in raw["pinyin_short"].items()},
        words=words,
    )


def map_char(char: str, chinese: bool) -> str:
    """The normalised piece of one character: NFKC, case folded, look-alikes folded to
    Latin, emoji replaced by their meaning, separators/punctuation/symbols dropped."""
    tables = evasions()
    meaning = (tables.emoji_zh if chinese else tables.emoji_en).get(char)
    if meaning is not None:
        return meaning
    out = []
    for piece in unicodedata.normalize("NFKC", char).casefold():
        if piece in _VARIATION_SELECTORS or unicodedata.category(piece)[0] in _DROP_CATEGORIES:
            continue
        out.append(tables.homoglyphs.get(piece, piece))
    return "".join(out)


def token_rewrites(text: str) -> dict[int, str]:
    """Pieces replacing characters of leet tokens and English short forms, by index.

    A token such as ``r3gret`` becomes ``regret``: each digit or symbol is read as the
    letter it stands for, choosing the reading that makes a known word; a token that
    makes no known word is rewritten only when its digits sit between letters (``k1ll``),
    so numbers, amounts and times (``10am``, ``$500``, ``2nd``) stay as they are.
    """
    tables = evasions()
    rewrites: dict[int, str] = {}
    for hit in _TOKEN.finditer(text):
        token = hit.group().lower()
        short = tables.english_short.get(token)
        if (
            short is not None
            and _alone(text, hit.start(), hit.end())
            and not _spelled_out(text, hit)
        ):
            rewrites[hit.start()] = short
            for index in range(hit.start() + 1, hit.end()):
                rewrites[index] = ""
            continue
        if token.isalpha() and not _letters_in_leet():
            continue  # letters only: no symbol to read as a letter (``_unleet`` says None)
        word = _unleet(token, tables)
        if word is not None:
            for offset, letter in enumerate(word):
                if letter != token[offset]:
                    rewrites[hit.start() + offset] = letter
    return rewrites


@lru_cache(maxsize=1)
def _letters_in_leet() -> bool:
    """Whether a letter stands for another letter (the shipped table has only symbols)."""
    return any(c.isalpha() for c in evasions().leet)


def _alone(text: str, start: int, end: int) -> bool:
    """The token is a word of its own, not part of a longer run of letters."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def _spelled_out(text: str, hit: re.Match[str]) -> bool:
    """A one-letter token among other one-letter tokens: a word spelled out ("C A R E")."""
    if hit.end() - hit.start() > 1:
        return False
    left = _SINGLE_BEFORE.search(text, 0, hit.start())
    right = _SINGLE_AFTER.match(text, hit.end())
    return left is not None or right is not None


def _unleet(token: str, tables: Evasions) -> str | None:
    letters = sum(c.isalpha() for c in token)
    symbols = [i for i, c in enumerate(token) if c in tables.leet]
    if letters < 2 or not symbols or len(token) - letters > len(symbols):
        return None  # not a word with symbols in it (or a digit with no reading, "2nd")
    ambiguous = [i for i in symbols if len(tables.leet[token[i]]) > 1][:_MAX_AMBIGUOUS]
    base = list(token)
    for i in symbols:
        base[i] = tables.leet[token[i]][0]
    for choice in itertools.product(*(tables.leet[token[i]] for i in ambiguous)):
        for i, letter in zip(ambiguous, choice, strict=True):
            base[i] = letter
        candidate = "".join(base)
        if candidate in tables.words:
            return candidate
    if _run_between_letters(token, tables):
        for i in ambiguous:
            base[i] = tables.leet[token[i]][0]
        return "".join(base)
    return None


def _run_between_letters(token: str, tables: Evasions) -> bool:
    """Some run of symbols has a letter right before and right after it (``fr33loader``)."""
    for run in re.finditer(r"[^a-z]+", token):
        inside = run.start() > 0 and run.end() < len(token)
        if inside and all(c in tables.leet for c in run.group()):
            return True
    return False
