"""Adversarial variants of the corpus's written rows (``make text-model`` runs this first).

Every abusive row written in a split gets one variant in the same split, made by one
of the evasions abusive senders use; a share of lawful rows gets one too (traditional
characters for Chinese, capitals for English), so the detectors learn that the form
alone is no offence.  Variants of held-out rows stay held out.  The transformation is
chosen and applied with a random generator seeded by the row id, so a rebuild writes
the same rows.

    python -m tideover.compliance.textcheck.variants [CORPUS_DIR]
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from tideover.compliance.textcheck.corpus import LANGS, SPLITS, Row, read_rows

_LEET = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7", "l": "1"}
_CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х", "i": "і"}
_SPACERS = [" ", "  ", ".", "*", "-", "\u200b"]
_LAWFUL_SHARE = {"zh": 0.3, "en": 0.15}


def _han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


@lru_cache(maxsize=1)
def _readings() -> dict[str, str]:
    from tideover.compliance.textcheck.pinyin import first_readings

    return first_readings()


@lru_cache(maxsize=1)
def _homophones() -> dict[str, list[str]]:
    """Common characters by reading (the CJK block's order), for homophone swaps."""
    by_reading: dict[str, list[str]] = {}
    for char, reading in _readings().items():
        if _han(char):
            by_reading.setdefault(reading, []).append(char)
    return by_reading


def _traditional(text: str, rng: random.Random) -> str:
    import opencc  # type: ignore[import-not-found,unused-ignore]

    converted: str = opencc.OpenCC("s2t").convert(text)
    return converted


def _window(text: str, rng: random.Random, size: int) -> list[int]:
    """Indices of up to ``size`` consecutive Chinese characters."""
    spots = [i for i, c in enumerate(text) if _han(c)]
    if not spots:
        return []
    start = rng.randrange(len(spots))
    return [i for i in spots[start : start + size] if i - spots[start] < size]


def _pinyin(text: str, rng: random.Random) -> str:
    chars = list(text)
    initials = rng.random() < 0.4
    for i in _window(text, rng, rng.randint(1, 3)):
        reading = _readings().get(chars[i], chars[i])
        chars[i] = reading[0] if initials else reading + rng.choice(["", " "])
    return "".join(chars)


def _homophone(text: str, rng: random.Random) -> str:
    chars = list(text)
    for i in _window(text, rng, 1):
        others = [c for c in _homophones().get(_readings().get(chars[i], ""), []) if c != chars[i]]
        if others:
            chars[i] = rng.choice(others[:12])
    return "".join(chars)


def _spaced(text: str, rng: random.Random) -> str:
    spacer = rng.choice(_SPACERS)
    start = rng.randrange(max(1, len(text) - 6))
    segment = text[start : start + rng.randint(4, 8)]
    return text[:start] + spacer.join(segment) + text[start + len(segment) :]


def _words(text: str, rng: random.Random, change: Callable[[str], str]) -> str:
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if sum(c.isalpha() for c in w) >= 3]
    for i in rng.sample(candidates, min(len(candidates), rng.randint(1, 3))):
        words[i] = change(words[i])
    return " ".join(words)


def _leet(text: str, rng: random.Random) -> str:
    def swap(word: str) -> str:
        spots = [k for k, c in enumerate(word) if c.lower() in _LEET]
        out = list(word)
        for k in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
            out[k] = rng.choice(_LEET[word[k].lower()])
        return "".join(out)

    return _words(text, rng, swap)


def _homoglyph(text: str, rng: random.Random) -> str:
    def swap(word: str) -> str:
        return "".join(_CYRILLIC.get(c, c) if rng.random() < 0.5 else c for c in word)

    return _words(text, rng, swap)


def _spread(text: str, rng: random.Random) -> str:
    return _words(text, rng, lambda w: " ".join(w.upper()))


def _capitals(text: str, rng: random.Random) -> str:
    return text.upper()


_ABUSIVE: dict[str, list[tuple[str, Callable[[str, random.Random], str]]]] = {
    "zh": [
        ("trad", _traditional),
        ("pinyin", _pinyin),
        ("homophone", _homophone),
        ("spaced", _spaced),
    ],
    "en": [("leet", _leet), ("homoglyph", _homoglyph), ("spread", _spread), ("spaced", _spaced)],
}
_LAWFUL = {"zh": ("trad", _traditional), "en": ("capitals", _capitals)}


def variants_of(rows: list[Row]) -> list[Row]:
    """One variant per written abusive row and per chosen lawful row."""
    made: list[Row] = []
    change: Callable[[str, random.Random], str]
    texts = {row.text for row in rows}
    for row in rows:
        if row.variant:
            continue  # only rows as written (hand-written evasions are variants already)
        rng = random.Random(row.id)
        if row.lawful:
            if rng.random() >= _LAWFUL_SHARE[row.lang]:
                continue
            kind, change = _LAWFUL[row.lang]
        else:
            kind, change = rng.choice(_ABUSIVE[row.lang])
        text = change(row.text, rng)
        if text not in texts:  # a hand-written evasion may already say it
            texts.add(text)
            made.append(
                Row(
                    f"{row.id}-{kind}",
                    row.lang,
                    row.split,
                    row.channel,
                    row.stage,
                    row.target,
                    row.categories,
                    kind,
                    row.id,
                    text,
                )
            )
    return made


def rebuild(folder: Path) -> dict[str, int]:
    """Rewrite every corpus file with its written rows followed by fresh variants."""
    counts: dict[str, int] = {}
    for lang in LANGS:
        for split in SPLITS:
            path = folder / f"{lang}-{split}.jsonl"
            rows = read_rows(iter(path.read_text("utf-8").splitlines()), path.name)
            written = [r for r in rows if r.variant in ("", "hand")]
            every = written + variants_of(written)
            path.write_text(
                "".join(json.dumps(r.as_dict(), ensure_ascii=False) + "\n" for r in every),
                "utf-8",
            )
            counts[path.name] = len(every)
    return counts


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "corpus"
    for name, count in rebuild(target).items():
        print(f"{name}: {count} rows")
