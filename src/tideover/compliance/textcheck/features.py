"""The classifier's features: character n-grams of the normalised text, and English words.

Training (``train``) and scoring (``model``) call the same function, so a feature
means the same thing in both.  The normalised text has no spaces or punctuation, so
its n-grams run across word boundaries: "k i l l y o u" and "kill you" give the same
features.  English is also read as words and word pairs (where the original text had
a space or punctuation mark between two letters), which carry more of an English
sentence's meaning than letter sequences do.  Optionally, Chinese characters also give
their toneless syllables (as syllable pairs), so a homophone or a word spelled in
pinyin shares features with the characters it stands for.  The concepts of
``data/concepts.yaml`` (family, workplace, harm, authority …) and their pairs let
two texts that say the same thing in different words share features.  Last, the
frames of ``data/frames.yaml`` read how an English sentence is built — the person or
their family in a vulnerable situation, the sender knowing where they are, harm that
"just happens", a consequence tied to not paying, or a wish — and pair with the
concepts, so that an implied threat and a kind reminder about the same family, home
or car no longer look alike.
"""

from __future__ import annotations

import itertools
import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import ahocorasick  # type: ignore[import-not-found,unused-ignore]
import yaml

_SYLLABLE_MARK = "\x01"  # prefixes syllable features: they never collide with n-grams
WORD_MARK = "\x02"  # prefixes English word features
_CONCEPT_MARK = "\x03"  # prefixes concept features
FRAME_MARK = "\x04"  # prefixes frame features and their pairs
_SUFFIXES = ("ing", "ed", "es", "s")
_LATIN_RUN = re.compile(r"[a-z0-9]+")
_SECOND = operator.itemgetter(1)


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    ngram_min: int = 1
    ngram_max: int = 4
    syllables: bool = False
    words: bool = True
    concepts: bool = True
    frames: bool = False
    negation: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "ngram_min": self.ngram_min,
            "ngram_max": self.ngram_max,
            "syllables": self.syllables,
            "words": self.words,
            "concepts": self.concepts,
            "frames": self.frames,
            "negation": self.negation,
        }


def features(norm: str, origin: list[int], config: FeatureConfig) -> list[str]:
    """Every feature of ``norm`` (``origin``: index of each character in the original)."""
    grams: list[str] = []
    n = len(norm)
    for size in range(config.ngram_min, config.ngram_max + 1):
        grams += [norm[i : i + size] for i in range(n - size + 1)]
    grams.extend(word_features(norm, english_words(norm, origin), config))
    return grams


def word_features(norm: str, words: list[str], config: FeatureConfig) -> list[str]:
    """The features after the character n-grams: words, concepts and syllables, in that
    order (``words``: ``english_words(norm, origin)``)."""
    known = _STEMS.get  # a stem is never empty
    stems = [known(w) or _stem(w) for w in words] if config.words or config.concepts else []
    out: list[str] = []
    if config.words:
        out.extend(_word_features(stems))
        if config.negation:
            out.extend(_negated_words(stems))
    if config.concepts:
        concepts = _concepts_found(norm, stems)
        out.extend(_concept_features(concepts))
        if config.frames and words:
            out.extend(_frame_features(words, concepts))
    if config.syllables:
        out.extend(_syllable_pairs(norm))
    return out


def english_words(norm: str, origin: list[int]) -> list[str]:
    """Runs of Latin letters and digits that were separated in the original text."""
    words: list[str] = []
    for run in _LATIN_RUN.finditer(norm):
        a, b = run.span()
        cuts = [j for j in range(a + 1, b) if origin[j] - origin[j - 1] > 1]
        for lo, hi in zip([a, *cuts], [*cuts, b], strict=True):
            words.append(norm[lo:hi])
    return words


def stem(word: str) -> str:
    """A light English stem: "calls", "called", "calling" -> "call"."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


_STEMS: dict[str, str] = {}
_STEMS_KEPT = 50_000  # words remembered; an unbounded stream of new words starts afresh


def _stem(word: str) -> str:
    """``stem``, remembered: a message repeats the words of the ones before it."""
    known = _STEMS.get(word)
    if known is None:
        if len(_STEMS) >= _STEMS_KEPT:
            _STEMS.clear()
        known = _STEMS[word] = stem(word)
    return known


def _word_features(stems: list[str]) -> list[str]:
    out = [WORD_MARK + w for w in stems]
    out += [f"{WORD_MARK}{a} {b}" for a, b in itertools.pairwise(stems)]
    return out


# English words that deny what follows them ("t" is what is left of "don't", "can't")
_NEGATIONS = frozenset(
    {"not", "no", "never", "t", "nobody", "none", "nothing", "cannot", "neither", "nor", "without"}
)
NEGATION_REACH = 4  # words after a negation that it scopes


def _negated_words(stems: list[str]) -> list[str]:
    """The words a negation scopes, marked: "you are not going to prison" gives "not going",
    "not to" and "not prison" besides the words themselves, so a reassurance and a threat
    that share their words no longer share all of their features."""
    out: list[str] = []
    reach = 0
    for word in stems:
        if word in _NEGATIONS:
            reach = NEGATION_REACH
        elif reach:
            out.append(f"{WORD_MARK}not {word}")
            reach -= 1
    return out


@dataclass(frozen=True, slots=True)
class _Concepts:
    english: dict[str, str]  # stemmed word (or "word word") -> concept
    chinese: ahocorasick.Automaton
    # any character of a Chinese entry: a text with none has no Chinese concept, and the
    # automaton, which tries each such character against all of its first characters, is
    # not run over it
    letters: re.Pattern[str]


@lru_cache(maxsize=1)
def _concepts() -> _Concepts:
    source = resources.files("tideover.compliance.textcheck").joinpath("data", "concepts.yaml")
    raw = yaml.safe_load(source.read_text("utf-8"))["concepts"]
    english: dict[str, str] = {}
    chinese = ahocorasick.Automaton()
    for name, spec in raw.items():
        for entry in spec.get("en", []):
            key = " ".join(stem(w) for w in re.findall(r"[a-z0-9]+", str(entry).lower()))
            english.setdefault(key, name)
        for entry in spec.get("zh", []):
            chinese.add_word(str(entry), name)
    chinese.make_automaton()
    letters = {c for spec in raw.values() for entry in spec.get("zh", []) for c in str(entry)}
    alphabet = f"[{re.escape(''.join(sorted(letters)))}]" if letters else "(?!)"
    return _Concepts(english, chinese, re.compile(alphabet))


def _concepts_found(norm: str, stems: list[str]) -> list[str]:
    """The concepts of ``norm``, sorted."""
    table = _concepts()
    # the concepts of every stem and of every pair of neighbouring stems ("word word")
    found: set[str | None] = set(map(table.english.get, stems))
    found.update(map(table.english.get, map(" ".join, itertools.pairwise(stems))))
    if len(table.chinese) and table.letters.search(norm):
        found.update(map(_SECOND, table.chinese.iter(norm)))
    return sorted(c for c in found if c is not None)


def _concept_features(ordered: list[str]) -> list[str]:
    out = [_CONCEPT_MARK + c for c in ordered]
    out += [f"{_CONCEPT_MARK}{a}+{b}" for a, b in itertools.combinations(ordered, 2)]
    return out


@dataclass(frozen=True, slots=True)
class _Frames:
    names: tuple[str, ...]  # in the order of the file
    # " word word " -> the indices of the frames that list it
    automaton: ahocorasick.Automaton


@lru_cache(maxsize=1)
def _frames() -> _Frames:
    source = resources.files("tideover.compliance.textcheck").joinpath("data", "frames.yaml")
    raw = yaml.safe_load(source.read_text("utf-8"))["frames"]
    names = tuple(str(name) for name in raw)
    listed: dict[str, list[int]] = {}
    for k, name in enumerate(names):
        for phrase in raw[name]:
            listed.setdefault(f" {' '.join(str(phrase).split())} ", []).append(k)
    automaton = ahocorasick.Automaton()
    for phrase, frames in listed.items():
        automaton.add_word(phrase, tuple(frames))
    if len(automaton):
        automaton.make_automaton()
    return _Frames(names, automaton)


def frames_of(words: list[str]) -> list[str]:
    """The frames of ``data/frames.yaml`` found in ``words`` (English words, lower-case),
    in the order of the file: one automaton pass over the words, each a whole word."""
    table = _frames()
    if not len(table.automaton):
        return []
    found: set[int] = set()
    for _, frames in table.automaton.iter(f" {' '.join(words)} "):
        found.update(frames)
    return [table.names[k] for k in sorted(found)]


def _frame_features(words: list[str], concepts: list[str]) -> list[str]:
    """Each frame found, each pair of frames, and each frame with each concept."""
    found = frames_of(words)
    out = [FRAME_MARK + f for f in found]
    out += [f"{FRAME_MARK}{a}+{b}" for a, b in itertools.combinations(found, 2)]
    out += [f"{FRAME_MARK}{a}+{c}" for a in found for c in concepts]
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
