"""The message checker's fast paths give exactly what the plain definitions give.

Scoring finds the vocabulary's n-grams by compiled hash-table lookups instead of
slicing every n-gram, and counts them in compiled code instead of a ``Counter``; the
lexicon runs only the patterns whose required strings a text contains and finds
negation cues with one automaton pass; and pinyin segmentation stops once nothing can
be reached: each is compared here with the plain computation it replaces, on every
corpus row and on generated text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.compliance.text import default_checker, normalise
from tideover.compliance.textcheck.corpus import load_corpus
from tideover.compliance.textcheck.features import english_words, features
from tideover.compliance.textcheck.lexicon import _AFTER_GAP, _Cues
from tideover.compliance.textcheck.literals import required
from tideover.compliance.textcheck.model import LanguageModel, TextClassifier, default_classifier
from tideover.compliance.textcheck.pinyin import _segment

# Letters, digits, Chinese characters, evasions and separators the checker reads.
_PIECES = [
    *"abcdefghijklmnopqrstuvwxyz0123456789 .,!?'\n",
    *"还款逾期家人起诉坐牢通讯录弄死你告诉同事单位公安法院转账到我卖房子借",
    *("nong si ni", "kill", "your family", "jail", "k1ll", "u", "ｋ", "і", "🔪", "“", "”"),
]
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=80).map("".join)


@lru_cache(maxsize=1)
def _classifier() -> TextClassifier:
    classifier = default_classifier()
    if classifier is None:
        pytest.skip("the model artefact is not built")
    return classifier


@lru_cache(maxsize=1)
def _corpus_norms() -> list[tuple[str, list[int]]]:
    return [normalise(row.text) for row in load_corpus()]


def _plain_rows(classifier: LanguageModel, norm: str, origin: list[int]) -> list[int]:
    rows = map(classifier.vocabulary.get, features(norm, origin, classifier.config))
    return [row for row in rows if row is not None]


def _plain_scores(classifier: LanguageModel, norm: str, origin: list[int]) -> np.ndarray:
    """The scoring as first written: every feature sliced, counted, then TF-IDF and logits."""
    counts = Counter(map(classifier.vocabulary.get, features(norm, origin, classifier.config)))
    counts.pop(None, None)
    if not counts:
        return 1.0 / (1.0 + np.exp(-classifier.bias))
    rows = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    values = (1.0 + np.log(tf)) * classifier.idf[rows]
    values /= math.sqrt(float(values @ values))
    result: np.ndarray = 1.0 / (
        1.0 + np.exp(-(values @ classifier.weights[rows] + classifier.bias))
    )
    return result


def _check_scoring(norm: str, origin: list[int]) -> None:
    words = english_words(norm, origin)
    for model in _classifier().models.values():  # each language's, whatever the text
        assert model.feature_rows(norm, words) == _plain_rows(model, norm, origin)
        # equal to the last bit, not merely close
        assert model.scores(norm, origin).tobytes() == _plain_scores(model, norm, origin).tobytes()


def test_scoring_equals_the_plain_computation_on_the_corpus() -> None:
    for norm, origin in _corpus_norms():
        _check_scoring(norm, origin)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_scoring_equals_the_plain_computation_on_any_text(text: str) -> None:
    _check_scoring(*normalise(text))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            "(告诉|通知)你?的?客户",
            {f"{a}{b}客户" for a in ("告诉", "通知") for b in ("", "你", "的", "你的")},
        ),
        ("(你|你的)", {"你"}),  # 你的 contains 你
        ("(会|就)?被?(砸|烧)", {"砸", "烧"}),
        ("ab[^c]{0,3}xyz", {"xyz"}),  # the longer of two runs
        ("ab(?!c)d", {"ab"}),
        (r"\bpay\b", {"pay"}),
        ("(?i:pay)now", {"now"}),  # a group with a flag tells nothing
        (r"\w+", None),  # nothing known: always run
        ("(?i)pay", None),  # a flag on the whole pattern
        ("x*", None),
    ],
)
def test_required_strings_of_a_pattern(pattern: str, expected: set[str] | None) -> None:
    assert required(re.compile(pattern)) == expected


def test_every_lexicon_match_contains_a_required_string() -> None:
    patterns = [pattern for _, pattern in default_checker()._lexicon._patterns]
    needed = [required(pattern) for pattern in patterns]
    matched = 0
    for norm, _ in _corpus_norms():
        for pattern, strings in zip(patterns, needed, strict=True):
            if strings is not None and pattern.search(norm):
                matched += 1
                assert any(s in norm for s in strings), (pattern.pattern, norm)
    assert matched > 100  # the corpus exercises the patterns


def _plain_segment(run: str, codes: dict[str, str]) -> list[str] | None:
    n = len(run)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        for length in range(1, min(6, n - i) + 1):
            piece = run[i : i + length]
            if piece in codes:
                option = [*here, piece]
                known = best[i + length]
                if known is None or len(option) < len(known):
                    best[i + length] = option
    return best[n]


_SYLLABLES = ["nong", "si", "ni", "zh", "xian", "x", "q", "a", "ng", "e", "r", "hello", "ai"]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(_SYLLABLES)).map("".join),
        st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), max_size=30),
    )
)
def test_pinyin_segmentation_equals_the_plain_search(run: str) -> None:
    from tideover.compliance.textcheck.normalise import _matcher

    codes, prefixes = _matcher().codes, _matcher().prefixes
    if run:
        assert _segment(run, codes, prefixes) == _plain_segment(run, codes)


_CUE = st.text(st.sampled_from("不会ab"), max_size=3)


@settings(max_examples=500, deadline=None)
@given(
    st.text(st.sampled_from("不会要ab"), max_size=30),
    st.lists(st.tuples(_CUE, st.integers(0, 12)), max_size=5),
    st.lists(_CUE, max_size=4),
    st.integers(0, 30),
    st.integers(0, 30),
)
def test_negation_cues_equal_the_plain_slices(
    norm: str, before: list[tuple[str, int]], after: list[str], start: int, end: int
) -> None:
    start, end = min(start, len(norm)), min(end, len(norm))
    plain_before = any(cue in norm[max(0, start - reach) : start] for cue, reach in before)
    assert _Cues(before).before(norm, start) == plain_before
    plain_after = any(cue in norm[end : end + len(cue) + _AFTER_GAP] for cue in after)
    assert _Cues((cue, len(cue) + _AFTER_GAP) for cue in after).after(norm, end) == plain_after


def test_pinyin_segmentation_equals_the_plain_search_on_the_corpus() -> None:
    from tideover.compliance.textcheck.normalise import _matcher

    codes, prefixes = _matcher().codes, _matcher().prefixes
    for norm, _ in _corpus_norms():
        for run in re.findall("[a-z]+", norm):
            assert _segment(run, codes, prefixes) == _plain_segment(run, codes), run


# The token pass's gate as first written, one pattern.
_TOKENISH = re.compile(
    r"[A-Za-z][0-9@$!|+]|[0-9@$!|+][A-Za-z]|\b(?:u|ur|r|ya|yr|pls|plz|ppl|cuz|coz|b4|2day|"
    r"2nite|tmrw|bc)\b",
    re.IGNORECASE,
)


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from([*"uUrRsSplzbB24ayK1@$!|+ _.\n", "\u212a", "ſ", "ı", "İ", "中"])))
def test_the_token_gate_equals_the_single_pattern(text: str) -> None:
    from tideover.compliance.textcheck.normalise import _LEET, _SHORT_FORM

    split = bool(_LEET.search(text) or _SHORT_FORM.search(text))
    assert split == bool(_TOKENISH.search(text))
