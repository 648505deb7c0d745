"""Normalisation defeats evasions before both detectors, and spans still point into the text."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tideover.compliance.text import MessageChecker, default_lexicon, normalise
from tideover.compliance.textcheck.normalise import normalise_text
from tideover.compliance.textcheck.scripts import scripts


@pytest.fixture(scope="module")
def lexicon_only() -> MessageChecker:
    """The shipped lexicon without the learned model: what normalisation alone buys."""
    return _lexicon_checker()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("這裡是法院執行局", "这里是法院执行局"),  # traditional characters
        ("nong si ni", "弄死你"),  # full pinyin
        ("再不还钱就nong si你", "再不还钱就弄死你"),  # pinyin inside Chinese
        ("弄s你", "弄死你"),  # an initial
        ("nsn", "弄死你"),  # initials only, three characters
        ("弄私你", "弄死你"),  # one homophone in a three-character word
        ("你个sb", "你个傻逼"),  # a listed short form
        ("我的zfb", "我的支付宝"),
        ("r3gret", "regret"),  # digits for letters
        ("ki11 y0u", "killyou"),  # "1" read as l because that makes a known word
        ("a$$hole", "asshole"),
        ("we know where u live", "weknowwhereyoulive"),  # English short forms
        ("kіll", "kill"),  # a Cyrillic і
        ("ｋｉｌｌ", "kill"),  # full-width
        ("K I L L", "kill"),  # spelled out: the letters are not read as "are"/"you"
        ("We know where you live 🔪", "weknowwhereyouliveknife"),  # an emoji's meaning
        ("小心🔪", "小心刀"),  # in Chinese when the text is Chinese
    ],
)
def test_evasions_are_undone(text: str, expected: str) -> None:
    assert normalise(text)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "去四川出差",  # 去四 sounds like 去死: two-character homophones are not matched
        "Pay by 10am, $500 due on the 2nd",  # numbers, amounts and times stay numbers
        "Reply STOP to opt out",
        "回复TD退订，App内还款",
    ],
)
def test_ordinary_text_is_not_rewritten_into_a_watched_word(text: str) -> None:
    norm = normalise(text)[0]
    assert "死" not in norm
    assert "kill" not in norm


@pytest.mark.parametrize(
    ("text", "category", "span"),
    [
        ("再不还钱，小心我弄s你", "threat", "弄s你"),
        ("nong si ni", "threat", "nong si ni"),
        ("再不還錢就通知你單位", "notify_contacts", "通知你單位"),
        ("你這個老賴", "insult", "老賴"),
        ("you will r3gret this", "threat", "you will r3gret"),
        ("Send it to my V3nmo", "personal_account", "my V3nmo"),
        ("this is the p0lice", "impersonation", "this is the p0lice"),
    ],
)
def test_the_lexicon_finds_evasions_and_reports_the_words_as_written(
    lexicon_only: MessageChecker, text: str, category: str, span: str
) -> None:
    found = [f for f in lexicon_only.verdict(text).findings if f.category == category]
    assert found, f"{category} not found in {text!r}"
    assert found[0].matched == span
    assert text[found[0].start : found[0].end] == span


@lru_cache(maxsize=1)
def _lexicon_checker() -> MessageChecker:
    return MessageChecker(default_lexicon())


_SAYS = re.compile(r"[a-z]{2}|[\u4e00-\u9fff]")
_EVASIONS = [
    lambda t: " ".join(t),
    lambda t: "\u200b".join(t),
    lambda t: t.upper(),
    lambda t: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in t),
]


@given(
    st.sampled_from(["弄死你", "kill you", "通知你单位", "my venmo", "老赖"]),
    st.sampled_from(range(len(_EVASIONS))),
    st.text(max_size=12),
    st.text(max_size=12),
)
def test_an_evaded_term_is_found_within_any_text_and_its_span_maps_back(
    term: str, evasion: int, before: str, after: str
) -> None:
    # A context that says something may rightly negate the term ("N0T" reads as "not",
    # "不会" before a threat): the contexts here hold no English word and no Chinese
    # character once normalised.
    assume(not any(_SAYS.search(normalise(part)[0]) for part in (before, after)))
    written = _EVASIONS[evasion](term)
    text = f"{before} {written} {after}"
    checker = _lexicon_checker()
    for finding in checker.verdict(text).findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.matched == text[finding.start : finding.end]
    assert any(f.matched.strip() == written for f in checker.verdict(text).findings)


@given(st.text(max_size=80))
def test_every_normalised_character_comes_from_the_text_in_order(text: str) -> None:
    normalised = normalise_text(text)
    assert len(normalised.origin) == len(normalised.text)
    assert all(0 <= i < len(text) for i in normalised.origin)
    assert normalised.origin == sorted(normalised.origin)


@pytest.mark.parametrize(
    ("text", "language", "unknown"),
    [
        ("再不还钱就通知你单位", "zh", []),
        ("Please call us back.", "en", []),
        ("【Acme】请在App内还款", "zh", []),
        ("kіll you", "en", []),  # a look-alike letter is a disguise, not Cyrillic text
        ("5µg", "en", []),  # one letter of another script is ignored
        ("Заплати долг сегодня", "unknown", ["Cyrillic"] * 3),
        ("Hi Алексей, pay now", "en", ["Cyrillic"]),
        ("빨리 갚아", "unknown", ["Hangul", "Hangul"]),
        ("你好 ありがとう", "zh", ["Hiragana"]),
        ("", "none", []),
        ("💸💸💸", "none", []),
    ],
)
def test_scripts_the_checker_cannot_read_are_found(
    text: str, language: str, unknown: list[str]
) -> None:
    found = scripts(text)
    assert found.language == language
    assert [run.script for run in found.unknown] == unknown
