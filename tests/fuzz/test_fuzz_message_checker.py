"""The message checker (tideover.compliance.text): any text gets a verdict, never a crash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.common import FUZZ, result_or_coded_error, tricky_text
from tideover.compliance.text import verdict_for
from tideover.compliance.textcheck.verdict import TextVerdict

# Collection-flavoured words in both languages, so that the detectors have something to read.
words = st.sampled_from(
    ["还款", "逾期", "家人", "起诉", "坐牢", "通讯录", "pay", "now", "jail", "family", "debt", "!"]
)
# Text a message can be made of: anything encodable as UTF-8 (see the lone surrogate below).
utf8 = st.characters(codec="utf-8")
messages = st.one_of(
    st.text(utf8, max_size=300),
    tricky_text.filter(lambda t: not any("\ud800" <= c <= "\udfff" for c in t)),
    st.lists(st.one_of(words, st.text(utf8, max_size=20)), max_size=12).map(" ".join),
    st.text(utf8, min_size=2000, max_size=6000),
)


@FUZZ
@given(messages)
def test_any_text_gets_a_verdict(text: str) -> None:
    verdict = result_or_coded_error(lambda: verdict_for(text))
    if isinstance(verdict, TextVerdict):
        assert verdict.length == len(text)
        for finding in verdict.findings:
            assert 0 <= finding.start <= finding.end <= len(text)


@FUZZ
@given(st.text(st.sampled_from(["\ud800", "\udfff", "还", "款", "a"]), min_size=1, max_size=8))
def test_text_with_a_lone_surrogate_gets_a_verdict(text: str) -> None:
    verdict = verdict_for(text)
    assert verdict.length == len(text)
    for finding in verdict.findings:  # what a finding quotes can be written out as UTF-8
        finding.matched.encode("utf-8")
