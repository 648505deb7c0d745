"""The classifier's features: character n-grams of the normalised text, and English words.

Training (``train``) and scoring (``model``) call the same function, so a feature
means the same thing in both.  The normalised text has no spaces or punctuation, so
its n-grams run across word boundaries: "k i l l y o u" and "kill you" give the same
features.  English is also read as words and word pairs (where the original text had
a space or punctuation mark between two letters), which carry more of an English
sentence's meaning than letter sequences do.  Optionally, Chinese characters also give
their toneless syllables (as syllable pairs), so a homophone or a word spelled in
pinyin shares features with the characters it stands for.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

_SYLLABLE_MARK = "\x01"  # prefixes syllable features: they never collide with n-grams
_WORD_MARK = "\x02"  # prefixes English word features


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    ngram_min: int = 1
    ngram_max: int = 4
    syllables: bool = False
    words: bool = True

    def as_dict(self) -> dict[str, object]:
        return {
            "ngram_min": self.ngram_min,
            "ngram_max": self.ngram_max,
            "syllables": self.syllables,
            "words": self.words,
        }


def features(norm: str, origin: list[int], config: FeatureConfig) -> list[str]:
    """Every feature of ``norm`` (``origin``: index of each character in the original)."""
    grams: list[str] = []
    n = len(norm)
    for size in range(config.ngram_min, config.ngram_max + 1):
        grams.extend(norm[i : i + size] for i in range(n - size + 1))
    if config.words:
        grams.extend(_word_features(norm, origin))
    if config.syllables:
        grams.extend(_syllable_pairs(norm))
    return grams


def english_words(norm: str, origin: list[int]) -> list[str]:
    """Runs of Latin letters and digits that were separated in the original text."""
    words: list[str] = []
    start = -1
    for i, char in enumerate(norm):
        latin = char.isascii() and char.isalnum()
        joined = i > 0 and origin[i] - origin[i - 1] <= 1
        if start >= 0 and (not latin or not joined):
            words.append(norm[start:i])
            start = -1
        if latin and start < 0:
            start = i
    if start >= 0:
        words.append(norm[start:])
    return words


def _word_features(norm: str, origin: list[int]) -> list[str]:
    words = english_words(norm, origin)
    out = [_WORD_MARK + w for w in words]
    out.extend(f"{_WORD_MARK}{a} {b}" for a, b in itertools.pairwise(words))
    return out


@lru_cache(maxsize=1)
def _reading() -> dict[str, str]:
    from tideover.compliance.textcheck.pinyin import first_readings

    return first_readings()


def _syllable_pairs(norm: str) -> list[str]:
    reading = _reading()
    out: list[str] = []
    previous = ""
    for char in norm:
        syllable = reading.get(char, "")
        if syllable and previous:
            out.append(f"{_SYLLABLE_MARK}{previous} {syllable}")
        previous = syllable
    return out
