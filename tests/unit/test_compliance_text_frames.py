"""The classifier's English frames and negated words, and quotations banned after the fact."""

from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml

from tideover.compliance.textcheck.corpus import load_corpus
from tideover.compliance.textcheck.features import (
    FRAME_MARK,
    WORD_MARK,
    FeatureConfig,
    english_words,
    features,
    frames_of,
)
from tideover.compliance.textcheck.normalise import normalise_text
from tideover.compliance.textcheck.quotes import reported_spans

FRAMES = resources.files("tideover.compliance.textcheck").joinpath("data", "frames.yaml")
WITH_FRAMES = FeatureConfig(ngram_min=2, ngram_max=4, frames=True, negation=True)


def _words(text: str) -> list[str]:
    normalised = normalise_text(text)
    return english_words(normalised.text, normalised.origin)


def test_every_word_sequence_of_every_frame_occurs_in_english_training_text() -> None:
    # so that no frame was written from the held-out split
    lines = "\n".join(
        f" {' '.join(_words(row.text))} "
        for row in load_corpus("train", "en")
        if row.variant in ("", "hand")
    )
    frames = yaml.safe_load(FRAMES.read_text("utf-8"))["frames"]
    assert frames
    for name, phrases in frames.items():
        for phrase in phrases:
            assert f" {phrase} " in lines, (name, phrase)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Be careful walking home at night.", {"vulnerable"}),
        (
            "It would be a shame if something happened to your car.",
            {"your_property", "veiled_harm"},
        ),
        ("We know which school your kids go to.", {"knowledge", "your_family"}),
        ("We hope you and your family had a lovely summer.", {"your_family", "wish"}),
        ("Your statement is ready.", set()),
    ],
)
def test_frames_tell_how_a_sentence_is_built(text: str, expected: set[str]) -> None:
    assert set(frames_of(_words(text))) == expected


def test_a_frame_pairs_with_the_concepts_of_its_text() -> None:
    normalised = normalise_text("Be careful walking home at night, your wife is alone.")
    found = features(normalised.text, normalised.origin, WITH_FRAMES)
    assert FRAME_MARK + "vulnerable" in found
    assert FRAME_MARK + "your_family+vulnerable" in found  # in the order of frames.yaml
    assert FRAME_MARK + "vulnerable+family" in found  # the concept of "wife"
    plain = features(normalised.text, normalised.origin, FeatureConfig(ngram_min=2, ngram_max=4))
    assert not any(f.startswith(FRAME_MARK) for f in plain)


def test_a_negation_marks_the_words_it_scopes() -> None:
    normalised = normalise_text("You are not going to prison for a missed payment.")
    found = features(normalised.text, normalised.origin, WITH_FRAMES)
    assert f"{WORD_MARK}not prison" in found
    assert f"{WORD_MARK}not payment" not in found  # beyond its reach
    threat = normalise_text("You are going to prison.")
    assert not any(
        f.startswith(f"{WORD_MARK}not ") for f in features(threat.text, threat.origin, WITH_FRAMES)
    )


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("【反诈中心】“不还钱就抓你”“冻结你全家银行卡”都是诈骗分子常用的恐吓话术。", 2),
        ("合规简报：“出门小心”“我们就在附近”等说法一律按威胁处理。", 2),
        ('Reminder: "you\'ll regret this" is banned on every call.', 1),
        ("你再不还“后果自负”，我说到做到。", 0),
        ('Pay today. "Accidents happen," as they say.', 0),
    ],
)
def test_a_quotation_the_sentence_then_bans_is_reported_speech(text: str, quoted: int) -> None:
    spans = reported_spans(text)
    assert len(spans) == quoted
    assert all(re.match('[“"]', text[a]) for a, _ in spans)
