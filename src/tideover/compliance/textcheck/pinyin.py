"""Chinese words written in pinyin, initials or homophones, matched back to characters.

"nong si ni", "弄s你", "nsn" and "弄私你" all stand for 弄死你.  The text is read as a
sequence of units — a Chinese character (its toneless reading), a pinyin syllable
spelled in Latin letters, or a single Latin letter standing for a syllable's initial —
and every unit is encoded as one private-use code point, so one Aho-Corasick pass finds
every spelling of every watched word.  The watched words are the lexicon's Chinese
terms and ``data/restore-zh.txt``; readings come from pypinyin's character table.

A match is accepted only when it looks like an evasion rather than chance:

- some of it is Latin (pinyin or initials) and at least one of its characters is the
  word's own, or it is all pinyin syllables (two or more), or all initials of a word of
  three or more characters, or a listed short form ("sb", "zfb");
- or, written all in characters, one character of a word of three or more is a
  homophone and the rest are the word's own ("弄私你").  Two-character homophones
  (去四 for 去死) are far too common by chance and are not matched.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import ahocorasick  # type: ignore[import-not-found,unused-ignore]

from tideover.compliance.textcheck.evasions import evasions

_SYLLABLE_BASE = 0xF0000  # private use plane A: one code point per syllable
_INITIAL_BASE = 0xF8000  # one code point per initial letter
_BARRIER = chr(0xFFF00)
_HAN, _PINYIN, _INITIAL = 0, 1, 2
_MAX_READINGS = 8  # reading combinations of one word
_MAX_MASKED = 4  # words up to this length get every mix of syllables and initials
_LONGEST_SYLLABLE = 6  # "zhuang"
_LATIN = re.compile(r"[a-z]")
_NOT_LATIN = re.compile(r"[^a-z]")


@dataclass(frozen=True, slots=True)
class _Tables:
    reading: dict[str, str]  # character -> first toneless reading
    codes: dict[str, str]  # syllable -> its code point
    prefixes: frozenset[str]  # every start of a syllable ("z", "zh", "zhu" … "zhuang")
    table: dict[int, str]  # character -> code point of its reading, for str.translate
    automaton: ahocorasick.Automaton
    short: dict[str, str]  # whole Latin runs standing for a word (sb -> 傻逼)


def _toneless(reading: str) -> str:
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", reading) if unicodedata.category(c) != "Mn"
    )
    return stripped.replace("ü", "v")


@lru_cache(maxsize=1)
def _readings() -> dict[str, tuple[str, ...]]:
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[str, tuple[str, ...]] = {}
    for codepoint, readings in pinyin_dict.items():
        plain = tuple(dict.fromkeys(_toneless(r) for r in readings.split(",")))
        table[chr(codepoint)] = plain
    return table


def first_readings() -> dict[str, str]:
    """Each Chinese character's first toneless reading."""
    return {c: rs[0] for c, rs in _readings().items()}


def tables(words: Iterable[str]) -> _Tables:
    """The matcher for ``words`` (Chinese words of two characters or more)."""
    readings = _readings()
    syllables = sorted({s for rs in readings.values() for s in rs if s.isalpha()})
    codes = {s: chr(_SYLLABLE_BASE + i) for i, s in enumerate(syllables)}
    automaton = ahocorasick.Automaton()
    for word in sorted(set(words)):
        if len(word) < 2 or not all(c in readings for c in word):
            continue
        for key in _keys(word, readings, codes):
            entries = automaton.get(key, [])
            if word not in entries:
                entries.append(word)
            automaton.add_word(key, entries)
    automaton.make_automaton()
    first = first_readings()
    return _Tables(
        reading=first,
        codes=codes,
        prefixes=frozenset(s[:k] for s in codes for k in range(1, len(s) + 1)),
        table={ord(c): codes[r] for c, r in first.items() if r in codes},
        automaton=automaton,
        short=evasions().pinyin_short,
    )


def _keys(word: str, readings: dict[str, tuple[str, ...]], codes: dict[str, str]) -> set[str]:
    keys: set[str] = set()
    combos = itertools.islice(itertools.product(*(readings[c] for c in word)), _MAX_READINGS)
    for combo in combos:
        if not all(s in codes for s in combo):
            continue
        full = [codes[s] for s in combo]
        initial = [chr(_INITIAL_BASE + ord(s[0])) for s in combo]
        if len(word) <= _MAX_MASKED:
            for mask in itertools.product((False, True), repeat=len(word)):
                keys.add(
                    "".join(i if m else f for f, i, m in zip(full, initial, mask, strict=True))
                )
        else:
            keys.add("".join(full))
            keys.add("".join(initial))
    return keys


class _Unit(NamedTuple):  # a tuple: one is made for every character of a mixed text
    start: int  # span in the normalised text
    end: int
    kind: int
    run: int  # the Latin run it belongs to (-1 for a character)


def restore(norm: str, origin: list[int], matcher: _Tables) -> tuple[str, list[int]]:
    """``norm`` with evasive spellings of watched words replaced by the words."""
    if _LATIN.search(norm) is None:
        return _restore_characters(norm, origin, matcher)
    units, encoded, runs = _encode(norm, matcher)
    if not units:
        return norm, origin
    picks: list[tuple[int, int, str]] = []  # first unit, unit count, word
    for end, words in matcher.automaton.iter(encoded):
        for word in words:
            first = end - len(word) + 1
            if _accepted(word, units[first : end + 1], norm, runs):
                picks.append((first, len(word), word))
    for run, (start, end, _) in enumerate(runs):
        word = matcher.short.get(norm[start:end])
        if word is not None:
            picks.append((run, 0, word))  # a whole run; unit count 0 marks it
    if not picks:
        return norm, origin
    return _rewrite(norm, origin, units, runs, picks)


def _restore_characters(norm: str, origin: list[int], matcher: _Tables) -> tuple[str, list[int]]:
    """The fast path for a text without Latin letters: only homophones can be restored.

    Each character is one unit, so a unit's index is its index in ``norm``.
    """
    spans: list[tuple[int, int, str]] = []
    for end, words in matcher.automaton.iter(norm.translate(matcher.table)):
        for word in words:
            start = end - len(word) + 1
            piece = norm[start : end + 1]
            if piece == word or len(word) < 3:
                continue
            changed = [k for k, (a, b) in enumerate(zip(piece, word, strict=True)) if a != b]
            if len(changed) == 1 and not _in_common_word(norm, start + changed[0], start, end):
                spans.append((start, end + 1, word))
    return _replace(norm, origin, spans) if spans else (norm, origin)


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Everyday two-character words (``data/common-zh.txt``) that veto a homophone swap."""
    from importlib import resources

    source = resources.files("tideover.compliance.textcheck").joinpath("data", "common-zh.txt")
    lines = source.read_text("utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _in_common_word(norm: str, k: int, first: int, last: int) -> bool:
    """Whether the swapped character at ``k``, at an edge of the match ``norm[first:last + 1]``,
    makes an everyday word with its neighbour outside the match: in "不要联系" the 联 of 联系
    is no homophone of the 脸 of 不要脸, and in "借钱我们" the 钱 is no 欠."""
    words = _common_words()
    if k == first and k > 0 and norm[k - 1 : k + 1] in words:
        return True
    return k == last and norm[k : k + 2] in words


def _encode(norm: str, matcher: _Tables) -> tuple[list[_Unit], str, list[tuple[int, int, int]]]:
    """Units, their code points, and the Latin runs (start, end, index of first unit)."""
    units: list[_Unit] = []
    codes: list[str] = []
    runs: list[tuple[int, int, int]] = []
    reading, syllable_code = matcher.reading, matcher.codes
    i, n = 0, len(norm)
    while i < n:
        char = norm[i]
        if "a" <= char <= "z":
            stop = _NOT_LATIN.search(norm, i + 1)
            j = stop.start() if stop is not None else n
            run = len(runs)
            runs.append((i, j, len(units)))
            parts = _segment(norm[i:j], syllable_code, matcher.prefixes)
            if parts is not None:
                at = i
                for part in parts:
                    units.append(_Unit(at, at + len(part), _PINYIN, run))
                    codes.append(syllable_code[part])
                    at += len(part)
            elif j - i <= 5:
                for k in range(i, j):
                    units.append(_Unit(k, k + 1, _INITIAL, run))
                    codes.append(chr(_INITIAL_BASE + ord(norm[k])))
            else:
                units.append(_Unit(i, j, -1, run))
                codes.append(_BARRIER)
            i = j
            continue
        syllable = reading.get(char)
        units.append(_Unit(i, i + 1, _HAN if syllable else -1, -1))
        codes.append(syllable_code.get(syllable, _BARRIER) if syllable else _BARRIER)
        i += 1
    return units, "".join(codes), runs


def _segment(run: str, codes: dict[str, str], prefixes: frozenset[str]) -> list[str] | None:
    """``run`` split into pinyin syllables (fewest syllables; of those, the first found),
    or None.  ``prefixes``: every start of a syllable (a piece that is none is no syllable,
    and no longer piece from the same place is one either)."""
    n = len(run)
    count = [0] + [-1] * n  # syllables in the best split of run[:j]; -1 for none
    back = [0] * (n + 1)  # where the last syllable of that split starts
    reached = 0  # the furthest position a split has reached
    for i in range(n):
        if i > reached:
            return None  # no syllable ends here, so none starts here or later
        if count[i] < 0:
            continue
        here = count[i] + 1
        for j in range(i + 1, min(i + _LONGEST_SYLLABLE, n) + 1):
            piece = run[i:j]
            if piece not in prefixes:
                break
            if piece in codes and (count[j] < 0 or here < count[j]):
                count[j], back[j] = here, i
                reached = max(reached, j)
    if count[n] < 0:
        return None
    parts: list[str] = []
    j = n
    while j > 0:
        parts.append(run[back[j] : j])
        j = back[j]
    return parts[::-1]


def _accepted(word: str, units: list[_Unit], norm: str, runs: list[tuple[int, int, int]]) -> bool:
    exact = homophone = pinyin = initial = 0
    for char, unit in zip(word, units, strict=True):
        if unit.kind == _HAN:
            if norm[unit.start] == char:
                exact += 1
            else:
                homophone += 1
        elif unit.kind == _PINYIN:
            pinyin += 1
        else:
            initial += 1
    k = len(word)
    if initial and not _whole_runs(units, runs):
        return False  # initials are a whole Latin run of their own ("弄s你", not "App")
    if pinyin or initial:
        if homophone > 1:
            return False
        return exact > 0 or (pinyin == k and k >= 2) or (initial == k and k >= 3)
    return k >= 3 and homophone == 1


def _whole_runs(units: list[_Unit], runs: list[tuple[int, int, int]]) -> bool:
    span = range(units[0].start, units[-1].end + 1)
    for unit in units:
        if unit.kind == _INITIAL:
            start, end, _ = runs[unit.run]
            if start not in span or end not in span:
                return False
    return True


def _rewrite(
    norm: str,
    origin: list[int],
    units: list[_Unit],
    runs: list[tuple[int, int, int]],
    picks: list[tuple[int, int, str]],
) -> tuple[str, list[int]]:
    spans: list[tuple[int, int, str]] = []  # normalised span replaced by a word
    for first, count, word in picks:
        if count == 0:
            start, end, _ = runs[first]
            spans.append((start, end, word))
        else:
            spans.append((units[first].start, units[first + count - 1].end, word))
    return _replace(norm, origin, spans)


def _replace(
    norm: str, origin: list[int], spans: list[tuple[int, int, str]]
) -> tuple[str, list[int]]:
    """``norm`` with each span replaced by its word (overlaps: the earlier, longer one wins)."""
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    chars: list[str] = []
    where: list[int] = []
    at = 0
    for start, end, word in spans:
        if start < at:
            continue  # overlaps a longer or earlier pick
        chars.append(norm[at:start])
        where.extend(origin[at:start])
        # each character of the word points at the original text of its part
        step = (end - start) / len(word)
        for k, char in enumerate(word):
            chars.append(char)
            where.append(origin[end - 1 if k == len(word) - 1 else start + int(k * step)])
        at = end
    chars.append(norm[at:])
    where.extend(origin[at:])
    return "".join(chars), where
