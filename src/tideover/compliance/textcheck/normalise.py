"""Normalisation that defeats evasions, run once before both detectors.

In order, each step keeping for every normalised character the index of the original
character it came from (so findings point into the text as written):

1. tokens: English short forms (``u`` → you) and letters hidden behind digits or
   symbols (``r3gret``, ``a$$``) are read as letters;
2. characters: NFKC (full-width and mathematical letters), case folding, look-alike
   letters of other scripts folded to Latin (a Cyrillic ``і`` in ``kіll``), emoji that
   stand for a weapon, an act or a person replaced by their meaning, and separators,
   punctuation, symbols, zero-width and other format characters dropped ("弄 死 你",
   "k*i*l*l");
3. traditional characters → simplified (OpenCC ``t2s``);
4. pinyin, initials and homophones of watched Chinese words matched back to the
   characters (``pinyin``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import opencc  # type: ignore[import-not-found,unused-ignore]
import yaml

from tideover.compliance.textcheck import pinyin
from tideover.compliance.textcheck.evasions import map_char, token_rewrites

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Worth the token pass: a letter next to a digit or symbol, or a lone short form.  Two
# patterns, the first starting with its rarer character, are searched faster than one.
_LEET = re.compile(r"[0-9@$!|+](?:(?<=[A-Za-z].)|(?=[A-Za-z]))", re.IGNORECASE)
_SHORT_FORM = re.compile(
    r"\b(?:u|ur|r|ya|yr|pls|plz|ppl|cuz|coz|b4|2day|2nite|tmrw|bc)\b", re.IGNORECASE
)
_LATIN = re.compile(r"[a-z]")


@dataclass(frozen=True, slots=True)
class Normalised:
    """The normalised text and, for each of its characters, the index in the original."""

    text: str
    origin: list[int]
    chinese: bool  # the original has Chinese characters


class _Pieces(dict[str, str]):
    """The normalised piece of each character seen so far (``map_char``), in a Chinese
    text or not."""

    def __init__(self, chinese: bool) -> None:
        super().__init__()
        self.chinese = chinese

    def __missing__(self, char: str) -> str:
        piece = self[char] = map_char(char, self.chinese)
        return piece


_PIECES = {True: _Pieces(True), False: _Pieces(False)}


@lru_cache(maxsize=1)
def _t2s() -> Any:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _matcher() -> Any:
    return pinyin.tables(watched_words())


def watched_words() -> list[str]:
    """Chinese words matched back from pinyin: the lexicon's Chinese terms and the list."""
    source = resources.files("tideover.compliance.textcheck").joinpath("data", "restore-zh.txt")
    words = [
        line.strip()
        for line in source.read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    lexicon = resources.files("tideover.compliance.packs").joinpath("lexicon.yaml")
    for spec in yaml.safe_load(lexicon.read_text("utf-8"))["categories"].values():
        words.extend(str(t) for t in spec.get("terms", []) if _HAN.search(str(t)))
    return words


def normalise_text(text: str) -> Normalised:
    """Every step of the module docstring, in order."""
    chinese = _HAN.search(text) is not None
    # one piece per character of ``text``
    pieces = list(map(_PIECES[chinese].__getitem__, text))
    if _LEET.search(text) or _SHORT_FORM.search(text):
        for index, piece in token_rewrites(text).items():
            pieces[index] = piece
    norm = "".join(pieces)
    origin = list(itertools.compress(range(len(text)), pieces))  # characters not dropped
    if len(origin) != len(norm):  # some piece is longer than one character
        origin = []
        for index, piece in enumerate(pieces):
            origin.extend([index] * len(piece))
    if chinese:
        simplified = _t2s().convert(norm)
        if len(simplified) == len(norm):  # phrase conversions that change length are skipped
            norm = simplified
    if chinese or _LATIN.search(norm):
        norm, origin = pinyin.restore(norm, origin, _matcher())
    return Normalised(norm, origin, chinese)
