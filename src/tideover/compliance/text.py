"""Message checker (zh + en): normalise, match a dictionary at once, map spans back.

Matching uses an Aho-Corasick automaton (``pyahocorasick``): one pass over the
text finds every dictionary term whatever the dictionary's size, where a regex
alternation is tried term by term at each position.  A few regular expressions
cover phrasings a fixed term cannot.  Normalisation (NFKC for full-width forms,
case folding, dropping spaces, punctuation, symbols and zero-width characters)
defeats evasions such as "弄 死 你", "ｋｉｌｌ ｙｏｕ" or "k\u200bill you".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import ahocorasick  # type: ignore[import-not-found,unused-ignore]
import yaml

_DROP_CATEGORIES = ("Z", "P", "S", "C")  # separators, punctuation, symbols, control/format
# How far before a match (in normalised characters) a negation still applies: about a
# clause; English words are longer than Chinese characters.
_CJK_REACH, _LATIN_REACH = 8, 24


@dataclass(frozen=True, slots=True)
class Match:
    category: str
    start: int  # span in the original text, end exclusive
    end: int
    matched: str


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    en: str
    zh: str


def normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index in ``text``."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char).casefold():
            if unicodedata.category(piece)[0] in _DROP_CATEGORIES:
                continue
            chars.append(piece)
            origin.append(index)
    return "".join(chars), origin


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class MessageChecker:
    """Finds dictionary terms and patterns of every category in a text."""

    def __init__(self, lexicon: dict[str, Any]) -> None:
        self.categories: dict[str, Category] = {}
        self._automaton = ahocorasick.Automaton()
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        self._negations: dict[str, tuple[str, ...]] = {}
        self._gaps: dict[str, int] = {}  # categories whose negation must come right before
        for name, spec in lexicon["categories"].items():
            self.categories[name] = Category(name, spec["en"], spec["zh"])
            self._negations[name] = tuple(normalise(str(n))[0] for n in spec.get("negated_by", []))
            if "negation_gap" in spec:
                self._gaps[name] = int(spec["negation_gap"])
            for term in spec.get("terms", []):
                key, _ = normalise(str(term))
                latin = _is_word_char(key[0]), _is_word_char(key[-1])
                entries = self._automaton.get(key, [])
                entries.append((name, len(key), latin))
                self._automaton.add_word(key, entries)
            for pattern in spec.get("patterns", []):
                self._patterns.append((name, re.compile(pattern)))
        self._automaton.make_automaton()

    def scan(self, text: str) -> list[Match]:
        """Every match, sorted by position; overlapping terms of one category merged."""
        norm, origin = normalise(text)
        found: dict[tuple[str, int], int] = {}
        for end, entries in self._automaton.iter(norm):
            for category, length, (latin_start, latin_end) in entries:
                start = end - length + 1
                first, last = origin[start], origin[end]
                if latin_start and first > 0 and _is_word_char(text[first - 1]):
                    continue  # "sue" inside "issue"
                if latin_end and last + 1 < len(text) and _is_word_char(text[last + 1]):
                    continue
                if self._negated(category, norm, start):
                    continue
                key = (category, first)
                found[key] = max(found.get(key, 0), last + 1)
        for category, pattern in self._patterns:
            for hit in pattern.finditer(norm):
                if self._negated(category, norm, hit.start()):
                    continue
                first, last = origin[hit.start()], origin[hit.end() - 1]
                key = (category, first)
                found[key] = max(found.get(key, 0), last + 1)
        return sorted(
            (Match(cat, start, stop, text[start:stop]) for (cat, start), stop in found.items()),
            key=lambda m: (m.start, m.category),
        )

    def _negated(self, category: str, norm: str, start: int) -> bool:
        """A warning such as "切勿向个人账户转账" is not a request to pay one.

        With a ``negation_gap`` the negation must end at most that many normalised
        characters before the match: "we will not sue you" is negated, "if you will
        not pay we sue" is not.
        """
        gap = self._gaps.get(category)
        for negation in self._negations[category]:
            if gap is not None:
                reach = len(negation) + gap
            else:
                reach = _LATIN_REACH if negation.isascii() else _CJK_REACH
            if negation in norm[max(0, start - reach) : start]:
                return True
        return False

    def contains(self, text: str, phrase: str) -> bool:
        """Whether ``phrase`` occurs in ``text`` once both are normalised."""
        needle, _ = normalise(phrase)
        return bool(needle) and needle in normalise(text)[0]


@lru_cache(maxsize=1)
def default_checker() -> MessageChecker:
    """The checker built from the shipped ``packs/lexicon.yaml``."""
    source = resources.files("tideover.compliance.packs").joinpath("lexicon.yaml")
    return MessageChecker(yaml.safe_load(source.read_text("utf-8")))
