"""The learned detector: a linear model over character n-grams per language, loaded from a
small artefact.

The artefact (``model/text-model.npz`` and its card ``model/text-model.json``) is built
by ``make text-model`` from the training split of the corpus and committed, so an
install never trains and nothing is downloaded at run time.  It holds plain arrays —
for each language (``zh.*``, ``en.*``) the n-gram vocabulary, inverse document
frequencies, one weight column and bias per category — read with
``allow_pickle=False``: no code is ever unpickled.  Each language's model is trained on
that language's rows alone, with thresholds of its own, so adding rows of one language
never moves the scores of the other.  A text is read by the model of its language: the
Chinese one when it has a Chinese character, the English one otherwise, and both when a
Chinese text also has a few English words (``TextClassifier``).  A card without
``languages``, the format of one model for both languages, is read as before: its one
model reads every text, once, by the thresholds of the text's language.

Scoring is TF-IDF (sublinear term frequency, L2 norm) then one logistic unit per
category, exactly as scikit-learn computes it at training time, plus one unit that
tells abusive from lawful whatever the category (``abusive``): abusive texts share
more with each other than any one category has examples, so this unit catches
phrasings a category's own unit misses; the category it reports is then the one whose
unit scores highest.  A long text is read
in windows of whole sentences so that one abusive sentence is not diluted by pages of
ordinary text; the window with the highest score is the span reported.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import itertools
import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from tideover.compliance.textcheck.evasions import evasions
from tideover.compliance.textcheck.features import FeatureConfig, english_words, word_features

if TYPE_CHECKING:
    from tideover.compliance.textcheck.grams import GramTable

WINDOW = 200  # normalised characters read at once
# A text shorter than this carries too little for character statistics ("Stupidity
# aside" shares "stupid" with an insult); the lexicon alone reads it.
MIN_WORDS, MIN_HAN = 3, 4
# A Chinese text of at most this many characters (a time, a place, a name with a title)
# is judged against thresholds of its own (``zh-short``), chosen out of fold on the short
# rows alone: a few characters carry little evidence either way, and the thresholds of
# whole messages blocked everyday fragments ("王经理下午到").  0 in a card without them.
SHORT_HAN = 12
ANY = "abusive"  # the unit that scores abuse of any category
SHORT = "zh-short"  # the thresholds of short Chinese texts
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"[。！？!?;；\n…]+|\.(?=\s|$)")
MODEL_NPZ, MODEL_CARD = "text-model.npz", "text-model.json"
LANGUAGES = ("zh", "en")  # one model each; its arrays are named "<lang>.<array>"
ARRAYS = ("vocab", "idf", "weights", "bias")
# A Chinese text with at least this many English words (of two letters or more, no digit:
# an amount, a phone number or an "A." of a list is no English) is also read by the
# English model.  Out of fold, of the Chinese training rows only four (pinyin evasions)
# have them; any run of letters and digits would count 66, 61 of them lawful.
MIXED_WORDS = 3
# Lexicon categories a model's doubt never sets aside (``Reading``), besides those it has no
# unit for: that a text names the debt is a fact about its words, not a judgement of its tone
UNDOUBTED = frozenset({"disclosure"})


@dataclass(frozen=True, slots=True)
class Detection:
    """One category the classifier found, its score and the span of text it read."""

    category: str
    score: float
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Reading:
    """What the classifier made of one text: its findings, and whether it doubts the
    lexicon's.

    ``doubt`` is the highest score any unit gave any part of the text, when every model
    that read the text confirms lexicon matches (``LanguageModel.confirmation``), the text
    has no Chinese character, and that score is below the confirmation score: the model
    reads no abuse in the text, and a lexicon match in it of the model's categories is a
    risky word used lawfully.  None otherwise — the text too short to read, nothing in it
    the model knows, a model that does not confirm, or a score at or above it — and a
    lexicon match then stands alone."""

    detections: list[Detection]
    doubt: float | None


class LanguageModel:
    """One language's model: its vocabulary, IDF, units and thresholds."""

    def __init__(
        self,
        arrays: dict[str, np.ndarray],
        features: dict[str, Any],
        thresholds: dict[str, dict[str, float]],
        classes: tuple[str, ...],
        confirmation: float | None = None,
    ) -> None:
        vocab = arrays["vocab"]
        self.vocabulary: dict[str, int] = {str(g): i for i, g in enumerate(vocab.tolist())}
        self.config = FeatureConfig(**features)
        self.idf = arrays["idf"].astype(np.float64)
        # imported here: Numba's import (0.2 s) is paid by a process that reads with a model,
        # not by every one that imports the checker
        from tideover.compliance.textcheck.grams import GramTable

        self._grams: GramTable = GramTable(
            self.vocabulary, self.config.ngram_min, self.config.ngram_max
        )
        self.weights = arrays["weights"].astype(np.float64)
        self.bias = arrays["bias"].astype(np.float64)
        self._minus_bias = -self.bias
        self.classes = classes
        # per threshold group: a model's texts may be judged by more than one (``zh-short``)
        self.thresholds = {
            group: np.array([float(cut[c]) for c in self.classes])
            for group, cut in thresholds.items()
        }
        self.limit_lists = {group: [float(v) for v in t] for group, t in self.thresholds.items()}
        # the lowest highest-unit score with which this model confirms a lexicon match in a
        # text it reads alone; None: a lexicon match stands alone (``Reading.doubt``)
        self.confirmation = confirmation

    def scores(self, norm: str, origin: list[int]) -> np.ndarray:
        """Probability of each class for one normalised text."""
        return self.word_scores(norm, english_words(norm, origin))

    def feature_rows(self, norm: str, words: list[str]) -> list[int]:
        """The vocabulary rows of ``features(norm, origin, config)``, in the same order,
        features outside the vocabulary left out (``words``: ``english_words(norm, origin)``).

        The character n-grams are looked up by ``GramTable``, which gives exactly the
        slices of each length that are in the vocabulary, left to right, without making
        them.
        """
        grams: list[int] = self._grams.rows(norm).tolist()
        return grams + self._word_rows(norm, words)

    def _word_rows(self, norm: str, words: list[str]) -> list[int]:
        """The vocabulary rows of the features after the character n-grams."""
        found = map(self.vocabulary.get, word_features(norm, words, self.config))
        return [row for row in found if row is not None]

    def word_scores(self, norm: str, words: list[str]) -> np.ndarray:
        """``scores``, given the text's English words."""
        found = self.known_scores(norm, words)
        return 1.0 / (1.0 + np.exp(-self.bias)) if found is None else found

    def known_scores(self, norm: str, words: list[str]) -> np.ndarray | None:
        """``word_scores``, or None for a text with no feature in the vocabulary."""
        grams, others = self._grams.rows(norm), self._word_rows(norm, words)
        at, values = self._grams.count(grams, others)
        if not len(at):
            return None
        # ``take`` copies the same rows as indexing with ``at`` does, with less overhead
        if len(at) == len(grams) + len(others):
            values = self.idf.take(at)  # every count is 1: (1 + log 1) * idf is idf exactly
        else:
            np.log(values, out=values)  # sublinear tf: 1 + log(count)
            values += 1.0
            values *= self.idf.take(at)
        values /= math.sqrt(float(values.dot(values)))  # the same BLAS dot as ``@``
        # 1 / (1 + exp(-(x @ w + b))), each step in place; -b - y is -(y + b) exactly
        result: np.ndarray = values @ self.weights.take(at, axis=0)
        np.subtract(self._minus_bias, result, out=result)
        np.exp(result, out=result)
        result += 1.0
        np.divide(1.0, result, out=result)
        return result


class TextClassifier:
    """Scores a normalised text for every category, with the model of its language.

    Each language has a model of its own (vocabulary, IDF, units, thresholds), trained on
    that language's rows alone, so the rows of one language never move the scores of the
    other.  A text with a Chinese character is read by the Chinese model; a text without
    one, or one that is mostly English (``english_dominant``), by the English model; a
    Chinese text that also has ``MIXED_WORDS`` English words or more (``mixed``) is read
    by both, and a category found by either is found (the higher score is reported).
    """

    def __init__(self, arrays: dict[str, np.ndarray], card: dict[str, Any]) -> None:
        self.classes: tuple[str, ...] = tuple(card["classes"])
        if "languages" in card:
            self.models: dict[str, LanguageModel] = {
                lang: LanguageModel(
                    {name: arrays[f"{lang}.{name}"] for name in ARRAYS},
                    spec["features"],
                    spec["thresholds"],
                    self.classes,
                    spec.get("lexicon_confirmation"),
                )
                for lang, spec in card["languages"].items()
            }
        else:
            # a card of one model for both languages (before 2026-12-07): it reads every
            # text, once, by the thresholds of the text's language
            joint = LanguageModel(
                {name: arrays[name] for name in ARRAYS},
                card["features"],
                card["thresholds"],
                self.classes,
            )
            self.models = dict.fromkeys(LANGUAGES, joint)
        if set(self.models) != set(LANGUAGES):
            raise ValueError(f"a model for each of {LANGUAGES}, not {sorted(self.models)}")
        self.thresholds = {
            group: t for model in self.models.values() for group, t in model.thresholds.items()
        }
        self.short_han = int(card.get("short_han", 0)) if SHORT in self.thresholds else 0
        self._any = self.classes.index(ANY) if ANY in self.classes else -1
        self.version = str(card.get("version", ""))
        self.card = card

    def readers(self, han: int, words: list[str]) -> list[tuple[LanguageModel, list[float]]]:
        """The models that read a text with ``han`` Chinese characters and English
        ``words``, each with the thresholds it judges the text by."""
        if self.models["en"] is self.models["zh"]:  # one model: the thresholds tell them apart
            read_by: tuple[str, ...] = ("zh",) if han else ("en",)
        else:
            read_by = languages_of(han, words)
        return [
            (
                self.models[lang],
                self.models[lang].limit_lists[self.group(han) if lang == "zh" else "en"],
            )
            for lang in read_by
        ]

    def model_for(self, norm: str, words: list[str]) -> LanguageModel:
        """The model of ``norm``'s language (Chinese for a mixed text): the first of
        ``readers``."""
        return self.readers(len(_HAN.findall(norm)), words)[0][0]

    def scores(self, norm: str, origin: list[int]) -> np.ndarray:
        """Probability of each class for one normalised text, by the model of its language."""
        words = english_words(norm, origin)
        return self.model_for(norm, words).word_scores(norm, words)

    def feature_rows(self, norm: str, words: list[str]) -> list[int]:
        """The vocabulary rows of the text's features in the model of its language."""
        return self.model_for(norm, words).feature_rows(norm, words)

    def detect(
        self, text: str, norm: str, origin: list[int], *, ignore: Collection[str] = ()
    ) -> list[Detection]:
        """Categories whose score reaches their threshold, with the span read (``read``)."""
        return self.read(text, norm, origin, ignore=ignore).detections

    def read(
        self, text: str, norm: str, origin: list[int], *, ignore: Collection[str] = ()
    ) -> Reading:
        """Categories whose score reaches their threshold, with the span read, and the
        model's doubt of the lexicon's matches (``Reading``).

        ``ignore``: categories the caller has no use for (found by another detector):
        they are left out before their span is narrowed to a sentence, which costs a
        scoring of every sentence."""
        words = english_words(norm, origin)
        han = len(_HAN.findall(norm))
        if not long_enough(han, words):
            return Reading([], None)
        confirmations = [model.confirmation for model, _ in self.readers(han, words)]
        # only a text wholly in the confirming model's language: the English model reading
        # a mostly English text cannot doubt the Chinese words in it, which it never learned
        confirming = not han and None not in confirmations
        top = -1.0  # the highest unit score of any window, by any model (-1: none known)
        best: dict[int, Detection] = {}
        for start, stop in _windows(text, norm, origin):
            if stop - start == len(norm):  # the whole text, read once already
                piece, piece_words, piece_han = norm, words, han
            else:
                piece = norm[start:stop]
                piece_words = english_words(piece, origin[start:stop])
                piece_han = len(_HAN.findall(piece))
            for model, limits in self.readers(piece_han, piece_words):
                scores = model.known_scores(piece, piece_words)
                if scores is None:
                    # nothing in it the model knows: its scores would be the units' priors
                    # (the abusive unit's is about 0.77), which say nothing of this text
                    continue
                if confirming:
                    top = max(top, float(scores.max()))
                for k, score in self._found(scores, limits):
                    if k not in best or score > best[k].score:
                        best[k] = Detection(
                            self.classes[k], score, origin[start], origin[stop - 1] + 1
                        )
        sentences: dict[tuple[int, int], list[tuple[np.ndarray, list[float]]]] = {}
        found = [
            self._narrow(text, norm, origin, d, sentences)
            for d in best.values()
            if d.category not in ignore
        ]
        doubted = confirming and 0.0 <= top < min(c for c in confirmations if c is not None)
        return Reading(found, round(top, 4) if doubted else None)

    def group(self, han: int) -> str:
        """Whose thresholds a text with ``han`` Chinese characters is judged by."""
        return threshold_group(han, self.short_han)

    def _found(self, scores: np.ndarray, limits: list[float]) -> list[tuple[int, float]]:
        """(category index, score) of every category found in one window."""
        values: list[float] = scores.tolist()
        found = [
            (k, v) for k, (v, limit) in enumerate(zip(values, limits, strict=True)) if v >= limit
        ]
        if self._any < 0 or not found:
            return found
        named = [(k, v) for k, v in found if k != self._any]
        if named:
            return named
        k = max((k for k in range(len(values)) if k != self._any), key=values.__getitem__)
        return [(k, max(values[k], values[self._any]))]

    def _narrow(
        self,
        text: str,
        norm: str,
        origin: list[int],
        found: Detection,
        sentences: dict[tuple[int, int], list[tuple[np.ndarray, list[float]]]],
    ) -> Detection:
        """The one sentence that carries the finding on its own, when there is one.

        ``sentences``: each sentence's scores by each model that reads it, with the
        thresholds it is judged by, kept over one text's findings (a text with findings
        of several categories scores its sentences once)."""
        k = self.classes.index(found.category)
        pieces = _sentences(text, norm, origin, found.start, found.end)
        if len(pieces) < 2:
            return found
        scored = []
        for a, b in pieces:
            if (a, b) not in sentences:
                piece = norm[a:b]
                words = english_words(piece, origin[a:b])
                sentences[a, b] = [
                    (model.word_scores(piece, words), limits)
                    for model, limits in self.readers(len(_HAN.findall(piece)), words)
                ]
            for scores, limits in sentences[a, b]:
                score = float(scores[k])
                scored.append((score, a, b, score >= limits[k]))
        _, a, b, reaches = max(scored)
        if not reaches:
            return found
        return Detection(found.category, found.score, origin[a], origin[b - 1] + 1)


def threshold_group(han: int, short_han: int = SHORT_HAN) -> str:
    """``zh-short``, ``zh`` or ``en``: the thresholds for a text with ``han`` Chinese characters."""
    if not han:
        return "en"
    return SHORT if han <= short_han else "zh"


def mixed(words: list[str]) -> bool:
    """Whether a Chinese text with English ``words`` has enough English to be read as
    English too (``MIXED_WORDS``)."""
    count = 0
    for word in words:
        if len(word) > 1 and word.isalpha():
            count += 1
            if count >= MIXED_WORDS:
                return True
    return False


def english_dominant(han: int, words: list[str]) -> bool:
    """Whether a text with ``han`` Chinese characters is mostly English, and read by the
    English model alone: at least ``MIXED_WORDS`` English words, and at least one for
    every two Chinese characters (a Chinese word is one or two characters).  An English
    word here is one of the English word list (``data/words-en.txt``), so pinyin ("tuo",
    "jiu") does not count.  An English letter that cites its sources in Chinese is such a
    text: the Chinese model, which has seen English only as evasions inside Chinese
    abuse, scored its sentences as abusive."""
    known = evasions().words
    english = sum(1 for word in words if len(word) > 1 and word.lower() in known)
    return english >= MIXED_WORDS and 2 * english >= han


def languages_of(han: int, words: list[str]) -> tuple[str, ...]:
    """The languages whose models read a text with ``han`` Chinese characters and English
    ``words`` (one model per language): English for a text without Chinese or mostly
    English, Chinese for the others, and English too for a ``mixed`` one."""
    if not han or english_dominant(han, words):
        return ("en",)
    return ("zh", "en") if mixed(words) else ("zh",)


def long_enough(han: int, words: list[str]) -> bool:
    """Enough Chinese characters (``han``) or English words to read."""
    return han >= MIN_HAN or len(words) >= MIN_WORDS


def _sentences(
    text: str, norm: str, origin: list[int], start: int, end: int
) -> list[tuple[int, int]]:
    """Normalised spans of the sentences of ``text[start:end]``."""
    cuts = [start] + [m.end() for m in _SENTENCE_END.finditer(text, start, end)] + [end]
    spans = []
    for a, b in itertools.pairwise(cuts):
        lo, hi = bisect.bisect_left(origin, a), bisect.bisect_left(origin, b)
        if hi > lo:
            spans.append((lo, hi))
    return spans


def _windows(text: str, norm: str, origin: list[int]) -> list[tuple[int, int]]:
    """Normalised spans read at once: the whole text, or runs of sentences up to WINDOW."""
    if len(norm) <= WINDOW:
        return [(0, len(norm))]
    windows: list[tuple[int, int]] = []
    lo = hi = 0
    for a, b in _sentences(text, norm, origin, 0, len(text)):
        if b - lo > WINDOW and hi > lo:
            windows.append((lo, hi))
            lo = a
        if b - a > WINDOW:  # one long sentence: overlapping slices
            for s in range(a, b, WINDOW // 2):
                windows.append((s, min(b, s + WINDOW)))
            lo = b
        hi = b
    if hi > lo:
        windows.append((lo, hi))
    return windows


def _package_file(name: str) -> Any:
    return resources.files("tideover.compliance.textcheck").joinpath("model", name)


@lru_cache(maxsize=1)
def default_classifier() -> TextClassifier | None:
    """The shipped model, loaded once; None when the artefact is absent (before a build)."""
    npz, card = _package_file(MODEL_NPZ), _package_file(MODEL_CARD)
    if not (npz.is_file() and card.is_file()):
        return None
    with npz.open("rb") as handle:
        data = handle.read()
    loaded = np.load(io.BytesIO(data), allow_pickle=False)
    arrays = {name: loaded[name] for name in loaded.files}
    meta = json.loads(card.read_text("utf-8"))
    meta.setdefault("version", hashlib.sha256(data).hexdigest()[:16])
    return TextClassifier(arrays, meta)
