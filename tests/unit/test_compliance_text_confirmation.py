"""A lexicon match the learned model does not confirm is set aside (``model.Reading``).

The English model reads no abuse in a lawful text that uses a risky word properly, so the
lexicon's match in it is shown in the verdict, not found; an abusive text, or one the model
does not read (too short), keeps the lexicon's finding.  A model whose card has no
confirmation score lets every lexicon match stand, as before.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from tideover.compliance.text import MessageChecker, default_lexicon
from tideover.compliance.textcheck import train
from tideover.compliance.textcheck.corpus import BLOCKING
from tideover.compliance.textcheck.model import TextClassifier, default_classifier
from tideover.compliance.textcheck.report import verdict_dict

TO_DEBTOR = BLOCKING["debtor"]
# lawful texts the lexicon alone blocks (tests/unit/test_compliance_text_lexicon_probes.py,
# UNREAD) in which the English model reads no abuse
RISKY_WORDS_USED_LAWFULLY = [
    "Thank you for completing our survey. Your $10 gift card will arrive by email within "
    "five working days.",
    "Gift cards, cryptocurrency and cash sent by post are not accepted. Our only payment "
    "channels are listed on the back of this letter.",
]
ABUSIVE = [
    "Buy three gift cards and text me the codes within the hour.",
    "This is Deputy Walsh from the county sheriff's office. Pay now or you will be arrested "
    "tonight.",
]
UNREAD_SHORT = ["Loser.", "Deadbeat loser."]  # too short for the model: the lexicon stands


@pytest.fixture(scope="module")
def checker() -> MessageChecker:
    classifier = default_classifier()
    assert classifier is not None
    assert classifier.models["en"].confirmation is not None
    return MessageChecker(default_lexicon(), classifier=classifier)


@pytest.fixture(scope="module")
def lexicon_alone() -> MessageChecker:
    return MessageChecker(default_lexicon())


@pytest.mark.parametrize("text", RISKY_WORDS_USED_LAWFULLY)
def test_a_risky_word_used_lawfully_is_shown_and_set_aside(
    checker: MessageChecker, lexicon_alone: MessageChecker, text: str
) -> None:
    assert lexicon_alone.verdict(text).blocked(TO_DEBTOR)  # the lexicon alone blocks it
    verdict = checker.verdict(text)
    assert not verdict.blocked(TO_DEBTOR)
    assert not verdict.findings
    assert verdict.set_aside
    assert all(f.detector == "lexicon" for f in verdict.set_aside)
    confirmation = checker.classifier.models["en"].confirmation  # type: ignore[union-attr]
    assert verdict.doubt is not None
    assert 0.0 <= verdict.doubt < confirmation
    matched = verdict.set_aside[0].matched
    assert matched.lower().startswith("gift card")
    assert f"“{matched}” set aside" in verdict.summary("en")
    assert f"“{matched}”已搁置" in verdict.summary("zh")
    shown = verdict_dict(verdict, "en")
    assert shown["findings"] == []
    assert shown["set_aside"][0]["matched"] == matched
    assert shown["doubt"] == verdict.doubt


@pytest.mark.parametrize("text", ABUSIVE + UNREAD_SHORT)
def test_abuse_and_texts_too_short_to_read_keep_the_lexicons_finding(
    checker: MessageChecker, lexicon_alone: MessageChecker, text: str
) -> None:
    assert lexicon_alone.verdict(text).blocked(TO_DEBTOR)
    verdict = checker.verdict(text)
    assert verdict.blocked(TO_DEBTOR)
    assert any(f.detector == "lexicon" for f in verdict.findings)
    assert not verdict.set_aside
    assert verdict.doubt is None


def test_chinese_words_in_an_english_message_keep_the_lexicons_finding(
    checker: MessageChecker,
) -> None:
    # the English model reads a mostly English text alone, and never learned Chinese words
    text = (
        "Hi 我们会通知你的家人, CN¥1.00 on account ending 0001 is 3 days overdue. Please pay "
        "in the app or call 400-000-0000 if you need help."
    )
    verdict = checker.verdict(text)
    assert "notify_contacts" in verdict.categories
    assert not verdict.set_aside


def test_a_text_that_names_the_debt_still_says_so(checker: MessageChecker) -> None:
    # what the text says, not its tone: the voicemail and third-party rules need it
    verdict = checker.verdict("Hello, this is Maria from Northgate. It is about your overdue loan.")
    assert "disclosure" in {f.category for f in verdict.findings if f.detector == "lexicon"}
    assert all(f.category != "disclosure" for f in verdict.set_aside)


def test_a_card_without_a_confirmation_score_lets_every_lexicon_match_stand() -> None:
    shipped = default_classifier()
    assert shipped is not None
    card = {
        **shipped.card,
        "languages": {
            lang: {**spec, "lexicon_confirmation": None}
            for lang, spec in shipped.card["languages"].items()
        },
    }
    npz = resources.files("tideover.compliance.textcheck").joinpath("model", "text-model.npz")
    with npz.open("rb") as handle, np.load(handle, allow_pickle=False) as loaded:
        arrays = {name: loaded[name] for name in loaded.files}
    checker = MessageChecker(default_lexicon(), classifier=TextClassifier(arrays, card))
    for text in RISKY_WORDS_USED_LAWFULLY:
        verdict = checker.verdict(text)
        assert verdict.blocked(TO_DEBTOR)
        assert not verdict.set_aside


def test_the_build_counts_a_match_only_where_the_model_would_confirm_it() -> None:
    lexicon = np.array([True, True, True, False, True])
    firm = np.array([False, False, False, False, True])
    scores = np.array([[0.05, 0.1], [0.3, 0.0], [0.0, 0.0], [0.9, 0.9], [0.01, 0.0]])
    silent = np.array([False, False, True, False, False])
    # row 0: the model doubts it; row 1: confirmed; row 2: not read, stands; row 3: no
    # match; row 4: a match of a category the model never doubts (the debt named)
    confirmed = train.confirmed(lexicon, firm, scores, silent, 0.2).tolist()
    assert confirmed == [False, True, True, False, True]
    assert train.confirmed(lexicon, firm, scores, silent, None).tolist() == lexicon.tolist()
