"""Quotations of what someone else said: "您说“他们要去我单位”", "you told us 'I'll go to jail'".

A complaint reply or a call note quotes the borrower, or what a collector said to
them, in order to answer it.  The lexicon does not read such a quotation as the
sender's own words.  A quotation is reported speech when a reporting word stands just
before its opening mark ("您说“", "said \""), when a word that only introduces reports
("反映", "投诉", "you told us", "complaint"), a word that bans what follows ("禁用语",
"banned") or one that opens training or review material ("Examples of unlawful
threats:", "case study", "考试题") stands a little further back, when what follows it
in its sentence says it is banned or a scammer's ("“……”等说法一律按威胁处理", "像“……”这样的话
一律禁止使用", "“……” is banned"), or when it stands directly next to such a quotation
("“留案底”“影响子女考公”") or further along a list of them ('never say "…", "…" or "…"',
a quiz's '(a) "…" (b) "…"').  A script's customer line ('Customer: "Will I go to jail?"')
is reported speech too.  Only paired marks count.  A straight single quote opens a
quotation only at the start of a word (after a space, a bracket, a dash or a colon) and
closes one only at the end of a word (before a space, punctuation or the end), so the
apostrophes of "don't" and "the customer's" are never quotation marks.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import opencc  # type: ignore[import-not-found,unused-ignore]

# opening mark -> closing mark
_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", '"': '"', "《": "》"}
_OPENING = re.compile("""[“「『‘"《]|(?:^|(?<=[\\s(\\[{:—–-]))'(?=[A-Za-z0-9])""")
# a straight single quote that closes a quotation: at the end of a word
_SINGLE_CLOSE = re.compile(r"(?<=[^\s'])'(?![A-Za-z0-9])")
# Verbs of saying: they must stand right before the quotation.
_SAYING = re.compile(
    r"(说|称|讲|写道|写到|问|骂|原话|类似|诸如|例如|比如|像|出现|建议|said|says|say|saying|told|wrote|asked|"
    r"such as|like|quote[ds]?|suggest(?:s|ed|ing)?|instead of|rewrite|the phrase|"
    r"(?:agent|collector|caller)'s words|"
    r"called(?: you| me| him| her| them)?(?: an?)?|"
    # a speaker label of a script or a call note: the customer's line, not the sender's
    r"(?:customer|borrower|caller|debtor)\s*:)"
    r"[\W_]{0,3}$",
    re.IGNORECASE,
)
# Words that only introduce a report: they may stand a short clause before it.
_REPORTING = re.compile(
    r"(反映|投诉|提到|声称|自称|所谓|让您|要求您|叫您|you told us|you said|you mentioned|"
    r"you wrote|you reported|complaint|reported|claimed|claiming|alleged|so-called|regarding|"
    r"threat to|threatened to|威胁要|扬言|(?:were|was|been|being) told|"
    # messages of a kind described by what they are headed or signed with, and a caller's
    # name for himself ("letters headed '…'", "voicemails from a '…'", "introduced himself
    # as '…'"); in the plural only: "an email titled '…'" may be the sender's own
    r"(?:letters|texts|e-?mails|messages|calls|voicemails|notices) "
    r"(?:headed|signed|titled|entitled|reading|(?:that|which) (?:read|say)|from(?: an?| the)?)|"
    r"(?:introduc(?:ed|ing)|describ(?:ed|ing)|call(?:ed|ing)) (?:himself|herself|themselves)|"
    # a question, an exercise or a review quoting what was said
    r"关于|考试题|哪句话|扣分项|training exercise|case study|quiz|"
    r"(?:called|told) (?:a|the) (?:customer|borrower|client)|"
    r"examples? of (?:an? )?(?:breach|false|unlawful|forbidden|banned|prohibited|insulting)|"
    r"违规示例|违规话术举例|"
    # a rule or a lesson quoting what must not be said (only words that say it is banned:
    # a sender's "Our statement:" or "用语提醒：" before its own words is no report)
    r"禁用语|违规用语|违规话术|违规说法|属于?违规|均属违规|不得说|不要说|banned|forbidden|prohibited|"
    r"must not say|"
    r"never say|coaching note)",
    re.IGNORECASE,
)
# Words after a quotation, in its sentence, that say it is banned or a scammer's.
_BANNED_AFTER = re.compile(
    r"[\W_]{0,3}(?:等|这样的|这类|之类的|此类)?(?:说法|话术|表述|用语|字样|这样的话|之类的话)"
    r"|[^。！？!?\n]{0,30}?(?:属于?(?:违规|威胁|恐吓|隐性威胁|虚假|违法|误导|侮辱|辱骂|诈骗)"
    r"|一律(?:禁止|按)|禁止使用|严禁|是诈骗|恐吓话术|诈骗分子|违反|"
    r"(?:is|are) (?:(?:false|untrue|misleading),? and )?"
    r"(?:banned|forbidden|prohibited|not allowed)|"
    r"counts? as (?:a )?threats?|"
    r"breach(?:es|ed)? |(?:is|was) a threat|(?:are|were) threats)",
    re.IGNORECASE,
)
_NEAR, _FAR = 4, 40  # characters before the mark searched for each kind of cue
_CHAIN = 3  # a quotation this close after a reported one is reported too
# ... or one item further in a list of quotations: '"…", "…" or "…"', '(a) "…" (b) "…"'
_LIST_GAP = re.compile(r"[\s,;/、，]*(?:(?:and|or|nor)\s+)?(?:\(?[a-z0-9][).]\s*)?", re.IGNORECASE)
_LIST_REACH = 12
_LONGEST = 400  # a quotation longer than this is not treated as one


@lru_cache(maxsize=1)
def _t2s() -> Any:
    return opencc.OpenCC("t2s")


def plain_chinese(text: str) -> str:
    """``text`` with traditional characters simplified, when that keeps its length."""
    if text.isascii():
        return text  # nothing to simplify (OpenCC returns ASCII as it is)
    simplified: str = _t2s().convert(text)
    return simplified if len(simplified) == len(text) else text


# A sender's signature: 【星辰消费金融】 at either end of a Chinese message, "Acme Finance:"
# opening an English one.  It names the sender and says nothing about what is asked.
_SIGNATURE = re.compile(
    r"^\s*【[^】]{1,24}】|【[^】]{1,24}】\s*$"
    r"|^\s*[A-Z][A-Za-z0-9&'.]*(?: [A-Z][A-Za-z0-9&'.]*){0,3}:(?=\s)"
)


def signature_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sender's signature (see ``_SIGNATURE``)."""
    return [m.span() for m in _SIGNATURE.finditer(text)]


def _listed(text: str, end: int, start: int) -> bool:
    """Whether a quotation at ``start`` follows one ending at ``end`` in a list of them."""
    gap = start - end
    if gap < 0:
        return False
    return gap <= _CHAIN or (
        gap <= _LIST_REACH and _LIST_GAP.fullmatch(text, end, start) is not None
    )


def reported_spans(text: str) -> list[tuple[int, int]]:
    """Spans (start, end exclusive, marks included) of quotations of reported speech."""
    spans: list[tuple[int, int]] = []
    waiting: list[tuple[int, int]] = []  # quotations not reported (yet), directly in a row
    at = 0
    while True:
        opening = _OPENING.search(text, at)
        if opening is None:
            return sorted(spans)
        start = opening.start()
        if opening.group() == "'":
            closing = _SINGLE_CLOSE.search(text, start + 2, start + 1 + _LONGEST)
            close = closing.start() if closing else -1
        else:
            close = text.find(_PAIRS[opening.group()], start + 1, start + 1 + _LONGEST)
        if close < 0:
            at = start + 1
            continue
        chained = bool(spans) and _listed(text, spans[-1][1], start)
        near = text[max(0, start - _NEAR - 8) : start]
        if waiting and not _listed(text, waiting[-1][1], start):
            waiting = []
        if chained or _SAYING.search(near) or _REPORTING.search(text[max(0, start - _FAR) : start]):
            spans.append((start, close + 1))
        elif _BANNED_AFTER.match(text, close + 1, close + 1 + _FAR):
            # this one and the quotations right before it ("“……”“……”等说法")
            spans.extend(waiting)
            spans.append((start, close + 1))
            waiting = []
        else:
            waiting.append((start, close + 1))
        at = close + 1
