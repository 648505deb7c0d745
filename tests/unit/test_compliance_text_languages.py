"""One model per language: each language's rows train its own vocabulary, units and
thresholds, and a text is read by the model of its language (both for a mixed one).

The models here are small ones made for the test, so that what is checked is how an
artefact is read, whichever artefact is shipped."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tideover.compliance.text import normalise
from tideover.compliance.textcheck.corpus import LEARNED
from tideover.compliance.textcheck.features import english_words
from tideover.compliance.textcheck.model import (
    ANY,
    ARRAYS,
    LANGUAGES,
    SHORT,
    TextClassifier,
    default_classifier,
    english_dominant,
    mixed,
)

CLASSES = [*LEARNED, ANY]
FEATURES = {
    "ngram_min": 2,
    "ngram_max": 4,
    "syllables": False,
    "words": True,
    "concepts": False,
    "frames": False,
    "negation": False,
}
VOCAB = {
    "zh": ["不还", "还钱", "弄死", "家人", "单位", "领导"],
    "en": ["kill", "your", "family", "\x02we know", "\x02know", "\x02school"],
}
ENGLISH = "We know where your family is and which school the kids go to."
CHINESE = "你再不还钱，我们就去你单位找你领导，让你家人都知道。"
MIXED = "你再不还钱后果自负，we know your family。"
GROUPS = {"zh": ("zh", SHORT), "en": ("en",)}


def _arrays(seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays: dict[str, np.ndarray] = {}
    for lang, vocab in VOCAB.items():
        arrays[f"{lang}.vocab"] = np.asarray(vocab, dtype=str)
        arrays[f"{lang}.idf"] = rng.uniform(1.0, 3.0, len(vocab)).astype(np.float32)
        arrays[f"{lang}.weights"] = rng.normal(size=(len(vocab), len(CLASSES))).astype(np.float16)
        arrays[f"{lang}.bias"] = rng.normal(size=len(CLASSES)).astype(np.float32)
    return arrays


def _card(zh: float = 0.5, en: float = 0.5) -> dict[str, Any]:
    cut = {"zh": zh, "en": en}
    return {
        "classes": CLASSES,
        "short_han": 12,
        "languages": {
            lang: {
                "features": FEATURES,
                "thresholds": {g: dict.fromkeys(CLASSES, cut[lang]) for g in GROUPS[lang]},
            }
            for lang in LANGUAGES
        },
    }


def _scrambled(arrays: dict[str, np.ndarray], lang: str) -> dict[str, np.ndarray]:
    """``arrays`` with one language's IDF, weights and biases replaced by others."""
    other = _arrays(seed=99)
    return arrays | {f"{lang}.{n}": other[f"{lang}.{n}"] for n in ("idf", "weights", "bias")}


def test_each_language_has_its_own_vocabulary_and_thresholds() -> None:
    classifier = TextClassifier(_arrays(), _card())
    assert set(classifier.models) == set(LANGUAGES)
    for lang in LANGUAGES:
        model = classifier.models[lang]
        assert list(model.vocabulary) == VOCAB[lang]
        assert set(model.thresholds) == set(GROUPS[lang])
    # the short Chinese thresholds belong to the Chinese model
    assert classifier.thresholds[SHORT] is classifier.models["zh"].thresholds[SHORT]
    assert classifier.short_han == 12


@pytest.mark.parametrize(("text", "other"), [(ENGLISH, "zh"), (CHINESE, "en")])
def test_a_text_is_scored_by_its_own_language_model_alone(text: str, other: str) -> None:
    arrays = _arrays()
    norm, origin = normalise(text)
    mine = TextClassifier(arrays, _card(zh=0.3, en=0.3))
    scrambled = TextClassifier(_scrambled(arrays, other), _card(zh=0.3, en=0.3))
    assert mine.scores(norm, origin).tobytes() == scrambled.scores(norm, origin).tobytes()
    assert mine.detect(text, norm, origin)
    assert mine.detect(text, norm, origin) == scrambled.detect(text, norm, origin)
    # nor by the other one's thresholds
    silenced = TextClassifier(arrays, _card(**{other: 1.0, "zh" if other == "en" else "en": 0.3}))
    assert mine.detect(text, norm, origin) == silenced.detect(text, norm, origin)


def test_a_chinese_text_with_english_words_is_read_by_both_models() -> None:
    arrays = _arrays()
    english_only = TextClassifier(arrays, _card(zh=1.0, en=0.0))
    chinese_only = TextClassifier(arrays, _card(zh=0.0, en=1.0))
    norm, origin = normalise(MIXED)
    assert mixed(english_words(norm, origin))
    assert len(english_only.readers(10, english_words(norm, origin))) == 2
    # found by the English model alone, and by the Chinese model alone
    assert english_only.detect(MIXED, norm, origin)
    assert chinese_only.detect(MIXED, norm, origin)
    # a Chinese text without English words is the Chinese model's alone
    plain, plain_origin = normalise(CHINESE)
    assert not english_only.detect(CHINESE, plain, plain_origin)
    assert chinese_only.detect(CHINESE, plain, plain_origin)
    # an English text is the English model's alone
    words, words_origin = normalise(ENGLISH)
    assert english_only.detect(ENGLISH, words, words_origin)
    assert not chinese_only.detect(ENGLISH, words, words_origin)


def test_an_english_text_citing_chinese_sources_is_the_english_models_alone() -> None:
    """An English letter whose sources are named in Chinese (the CN pack's rights statement
    in English) is mostly English: the Chinese model, which knows English only as evasions
    inside Chinese abuse, does not read it."""
    text = (
        "Source: 互联网金融贷后催收业务指引（2024） 投诉与争议处理\n\nHow to complain\n"
        "You can complain to the customer service; if you are not satisfied, call the "
        "consumer hotline 12378."
    )
    norm, origin = normalise(text)
    words = english_words(norm, origin)
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in norm)
    assert han >= 10
    assert mixed(words)
    assert english_dominant(han, words)
    arrays = _arrays()
    both = TextClassifier(arrays, _card(zh=0.0, en=1.0))  # the Chinese model finds anything
    (reader,) = both.readers(han, words)
    assert reader[0] is both.models["en"]
    assert not both.detect(text, norm, origin)
    # pinyin is not English: a Chinese insult spelled half in pinyin stays the Chinese model's
    pinyin, pinyin_origin = normalise("再tuo jiu fei了你，你家人单位都知道")
    pinyin_words = english_words(pinyin, pinyin_origin)
    assert not english_dominant(sum("\u4e00" <= ch <= "\u9fff" for ch in pinyin), pinyin_words)
    # a card of one model for both languages reads it as before: by the Chinese thresholds
    joint = TextClassifier(
        {name: arrays[f"en.{name}"] for name in ARRAYS},
        {
            "classes": CLASSES,
            "short_han": 12,
            "features": FEATURES,
            "thresholds": {g: dict.fromkeys(CLASSES, 0.5) for g in ("zh", SHORT, "en")},
        },
    )
    ((_, limits),) = joint.readers(han, words)
    assert limits is joint.models["zh"].limit_lists["zh"]


@pytest.mark.parametrize(
    "text",
    [
        "请登录App还款，客服电话400-820-1234。",  # one word, digits
        "以下哪句违规？A.“可以分期” B.“曝光你”。答案：B。",  # letters of a list
        "您本期应还1,280.00元，还款日6月8日。",
    ],
)
def test_numbers_and_list_letters_do_not_make_a_chinese_text_mixed(text: str) -> None:
    norm, origin = normalise(text)
    assert not mixed(english_words(norm, origin))


def test_a_card_of_one_model_for_both_languages_reads_every_text_once() -> None:
    arrays = _arrays()
    joint = {name: arrays[f"en.{name}"] for name in ARRAYS}
    card = {
        "classes": CLASSES,
        "short_han": 12,
        "features": FEATURES,
        "thresholds": {g: dict.fromkeys(CLASSES, 0.0) for g in ("zh", SHORT, "en")},
    }
    classifier = TextClassifier(joint, card)
    assert classifier.models["zh"] is classifier.models["en"]
    norm, origin = normalise(MIXED)
    readers = classifier.readers(10, english_words(norm, origin))
    assert len(readers) == 1  # by the Chinese thresholds, as before
    assert classifier.detect(MIXED, norm, origin)


def test_the_shipped_model_reads_both_languages() -> None:
    classifier = default_classifier()
    assert classifier is not None
    assert set(classifier.models) == set(LANGUAGES)
    assert {"zh", SHORT, "en"} <= set(classifier.thresholds)
