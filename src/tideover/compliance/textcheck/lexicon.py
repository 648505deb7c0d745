"""The lexicon detector: one Aho-Corasick pass over the normalised text, spans mapped back.

Matching uses an Aho-Corasick automaton (``pyahocorasick``): one pass over the text
finds every dictionary term whatever the dictionary's size, where a regex alternation
is tried term by term at each position.  A few regular expressions cover phrasings a
fixed term cannot; each runs only over a text that contains one of the strings every
match of it contains (``literals``), which most texts do not.  The grammar of
``packs/lexicon.yaml`` is described at its top.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick  # type: ignore[import-not-found,unused-ignore]

from tideover.compliance.textcheck.literals import required
from tideover.compliance.textcheck.quotes import plain_chinese, reported_spans

# How far before a match (in normalised characters) a plain negation still applies:
# about a clause; English words are longer than Chinese characters.
_CJK_REACH, _LATIN_REACH = 8, 24
_AFTER_GAP = 3  # a negation right after a match: "公安机关不会……", "courts never ……"
# (the full stop of an initial, "J. Kay", ends no sentence)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]|(?<!\b[A-Z])\.(?=\s|$)")
_NOT_A = re.compile(r"(not an?|isn't an?|不是|并非)\s*$", re.IGNORECASE)
# A rule that lists what its subject must not do ("Staff must not: threaten …; claim to be
# …; ask for …") reaches past the semicolons of its list, never past the end of a sentence.
# It names whom it binds: a bare "Don't:" or "不要：" opening a message is no rule.
_RULE_LIST = re.compile(
    r"\b(staff|collectors?|agents?|employees|officers|representatives|we|our team)\s+"
    r"(must not|must never|may not|shall not|should never|never|do not|don't)\s*[:：]"
    r"|(员工|催收人员|催收员|工作人员|坐席|外包机构|受托机构|我们|我司|本公司)"
    r"(不得|严禁|禁止|切勿|不要|绝不|不能)\s*[:：]",
    re.IGNORECASE,
)
_RULE_LIST_END = re.compile(r"[。！？!?\n]|\.(?=\s|$)")
# An English heading over a list of what must not be said or done ("Red lines for all
# agents: …; …", "Things you must never say to a customer:", "Prohibited practices: (1) …")
# or over a quiz's choices ("Which of these breaks the rules? (a) … (b) …"): its items
# are what the rule names or the question offers, never the sender's own words.  A rule's
# heading ends in a colon and reaches past semicolons; a quiz's ends in a colon or a
# question mark and reaches only items it marks.  Both reach past the end of a marked
# item ("(a)", "b)", "1.", "-", "•") as far as a line or a sentence with no item mark.
_BANNED_KIND = (
    r"(?:practices|conduct|phrases|statements|words|wording|language|topics|things|acts"
    r"|behaviou?rs?|on (?:every|all|any) calls?|for (?:all |every )?(?:agents|staff|collectors))"
)
_RULE_HEADING = re.compile(
    rf"(?P<rule>\b(?:red lines?\b[^.!?:;\n]{{0,40}}|(?:prohibited|forbidden|banned|not allowed"
    rf"|not permitted) {_BANNED_KIND}[^.!?:;\n]{{0,40}}|(?:things|what|words|phrases) "
    r"(?:you|agents|staff|we|collectors) (?:must|should|may) (?:not|never) [^.!?:;\n]{0,40}"
    r"|(?:(?:must|should|may) (?:not|never)|never|do not|don['’]t) "
    r"(?:say|tell|imply|suggest|threaten|mention)"
    r"(?: (?:to )?(?:a|the|any) (?:customers?|borrowers?|clients?|debtors?))?\s*):)"
    r"|(?P<quiz>\b(?:which (?:of (?:these|the following)|one)|true or false|spot the|quiz"
    r"|question \d+)[^.!?:;\n]{0,80}[:?])",
    re.IGNORECASE,
)
_ITEM_MARK = re.compile(r"\s*(?:\(?[a-z0-9]\)|\d{1,2}\.(?!\d)|[-•*–])\s", re.IGNORECASE)
# A staff notice's own label at the start of a line ("Staff room poster:", "Poster for the
# collections floor:") names what the text is: that noun is no threat to put one up.
_WORKPLACE = (
    r"(?:staff|team|office|wall|break|room|call|centre|center|training|collections|floor"
    r"|compliance|kitchen|canteen|agents?|collectors?|notice|board)"
)
_LABEL = re.compile(
    rf"^[ \t]*(?:{_WORKPLACE}[ -]){{0,3}}(posters?|flyers?)"
    rf"(?: (?:for|in|on) (?:the|our|all) (?:[a-z-]+ ){{0,2}}{_WORKPLACE}s?)?:",
    re.IGNORECASE | re.MULTILINE,
)

Normaliser = Callable[[str], tuple[str, list[int]]]
Quotes = tuple[str, list[tuple[int, int]]]  # plain_chinese(text), its reported_spans


def quotations(text: str) -> Quotes:
    """``text`` with its characters simplified, and the spans of reported speech in it."""
    plain = plain_chinese(text)
    return plain, reported_spans(plain)


@dataclass(frozen=True, slots=True)
class Hit:
    category: str
    start: int  # span in the original text, end exclusive
    end: int


def is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class Lexicon:
    """Terms, patterns and negations of every category, compiled once."""

    def __init__(
        self,
        categories: dict[str, Any],
        normalise: Normaliser,
        *,
        sentence_negations: Sequence[str] = (),
        sentence_patterns: Sequence[str] = (),
        sentence_negations_after: Sequence[str] = (),
        warning_cues: Sequence[str] = (),
        dissuasions: Sequence[str] = (),
        representatives: Sequence[str] = (),
    ) -> None:
        self._representatives = _alternation((), representatives)
        self._to_representative = {
            n for n, spec in categories.items() if spec.get("representative_exempt")
        }
        # a reading of the match's sentence that makes it no finding of its category: a
        # hit of one of these patterns that covers the match ("only a sheriff can …")
        self._contexts = {
            n: _alternation((), spec["contexts"])
            for n, spec in categories.items()
            if spec.get("contexts")
        }
        self._sentence_cues = _alternation(sentence_negations, sentence_patterns)
        self._sentence_after = _alternation(sentence_negations_after)
        self._dissuasions = _alternation((), dissuasions)
        self._dissuaded = {n for n, spec in categories.items() if spec.get("dissuaded")}
        self._warning_cues = _alternation(warning_cues)
        self._sentence_negated = {
            n for n, spec in categories.items() if spec.get("sentence_negated")
        }
        self._warned = {n for n, spec in categories.items() if spec.get("warnings")}
        self._automaton = ahocorasick.Automaton()
        self._patterns: list[tuple[str, re.Pattern[str]]] = []
        self._before: dict[str, _Cues] = {}
        self._after: dict[str, _Cues] = {}

        def key(value: object) -> str:
            return normalise(str(value))[0]

        for name, spec in categories.items():
            self._before[name] = _Cues(_negations(spec, key))
            self._after[name] = _Cues(_negations_after(spec, key))
            for term in spec.get("terms", []):
                normal = key(term)
                if not normal:
                    continue
                latin = is_word_char(normal[0]), is_word_char(normal[-1])
                entries = self._automaton.get(normal, [])
                entries.append((name, len(normal), latin))
                self._automaton.add_word(normal, entries)
            for pattern in spec.get("patterns", []):
                self._patterns.append((name, re.compile(pattern)))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()
        # the patterns a text may match: those whose required strings it contains, and
        # those nothing is known of (see ``literals``)
        self._always: list[int] = []
        self._required = ahocorasick.Automaton()
        for k, (_, compiled) in enumerate(self._patterns):
            strings = required(compiled)
            if strings is None:
                self._always.append(k)
                continue
            for string in strings:
                needing = self._required.get(string, [])
                needing.append(k)
                self._required.add_word(string, needing)
        if len(self._required):
            self._required.make_automaton()

    def scan(
        self, text: str, norm: str, origin: list[int], quotes: Quotes | None = None
    ) -> list[Hit]:
        """Every hit, overlapping hits of one category merged, sorted by position.

        ``quotes``: ``plain_chinese(text)`` and its ``reported_spans``, when the caller
        has them already (otherwise they are found when a hit needs them)."""
        found: dict[tuple[str, int], int] = {}
        context: _Context | None = None
        represented: bool | None = None
        for category, start, end, latin in self._raw(norm):
            first, last = origin[start], origin[end]
            if not _on_word_boundaries(text, first, last, latin):
                continue
            if self._negated(category, norm, start, end + 1, _Crossing(text, origin, first)):
                continue
            if context is None:
                context = _Context(text, quotes)
            if context.quoted(first, last):
                continue  # the borrower's own words quoted back
            if context.label(first, last):
                continue  # "Staff room poster: …" names the text itself
            if category in self._sentence_negated and (
                context.cue_before(self._sentence_cues, first)
                or context.cue_after(self._sentence_after, last)
            ):
                continue  # "we will never ask you to ……", "“……” is forbidden"
            if category in self._warned and context.warning(self._warning_cues, first):
                continue  # "scammers pose as the police ……"
            if category in self._dissuaded and context.cue_after(self._dissuasions, last, extra=1):
                continue  # "… sell your home. Please don't."
            if context.covered(self._contexts.get(category), first, last):
                continue  # "only a sheriff can …", "no criminal record", "you can show it to …"
            if category in self._to_representative:
                if represented is None:
                    represented = bool(self._representatives and self._representatives.search(text))
                if represented:
                    continue  # written to the estate's executor, the person's attorney or deputy
            key = (category, first)
            found[key] = max(found.get(key, 0), last + 1)
        return sorted(
            (Hit(category, start, stop) for (category, start), stop in found.items()),
            key=lambda h: (h.start, h.category),
        )

    def _raw(self, norm: str) -> Iterable[tuple[str, int, int, tuple[bool, bool]]]:
        """Category, normalised span (end inclusive) and Latin ends of every hit."""
        if not self._empty:
            for end, entries in self._automaton.iter(norm):
                for category, length, latin in entries:
                    yield category, end - length + 1, end, latin
        candidates = set(self._always)
        if len(self._required):
            for _, needing in self._required.iter(norm):
                candidates.update(needing)
        for k in sorted(candidates):
            category, pattern = self._patterns[k]
            for hit in pattern.finditer(norm):
                # a Latin construction starts a word: "im" + "the court" is not in
                # "claim. The court"
                yield category, hit.start(), hit.end() - 1, (is_word_char(hit.group()[0]), False)

    def _negated(
        self, category: str, norm: str, start: int, end: int, crossing: _Crossing | None = None
    ) -> bool:
        """A warning such as "切勿向个人账户转账" is not a request to pay one."""
        return self._before[category].before(norm, start, crossing) or self._after[category].after(
            norm, end
        )


class _Crossing:
    """Whether an English cue ending at a normalised index lies in an earlier sentence than
    the match at ``first``: in "Don't pay in the app. Buy gift cards" the "don't" does not
    deny the gift cards.  A Chinese cue is read as before: its gap scopes a clause."""

    def __init__(self, text: str, origin: list[int], first: int) -> None:
        self.text, self.origin, self.first = text, origin, first

    def __call__(self, cue: str, last: int) -> bool:
        if not cue.isascii():
            return False
        return _SENTENCE_END.search(self.text, self.origin[last] + 1, self.first) is not None


class _Cues:
    """Negation cues, each with its reach: a cue counts when it lies wholly within
    ``reach`` characters before a match (``cue in norm[start - reach : start]``), or,
    after one, when it starts within ``reach - len(cue)`` characters of its end.  One
    automaton pass over that stretch finds every cue in it."""

    def __init__(self, cues: Iterable[tuple[str, int]]) -> None:
        reach: dict[str, int] = {}
        for cue, far in cues:
            reach[cue] = max(reach.get(cue, far), far)
        self._every = "" in reach  # an empty cue is in every stretch of text
        self._furthest = max(reach.values(), default=0)
        self._automaton = ahocorasick.Automaton()
        for cue, far in reach.items():
            if cue:
                self._automaton.add_word(cue, (len(cue), far))
        if len(self._automaton):
            self._automaton.make_automaton()

    def before(
        self, norm: str, start: int, crossing: Callable[[str, int], bool] | None = None
    ) -> bool:
        """A cue within its reach before ``start`` (and, with ``crossing``, in its sentence)."""
        if self._every:
            return True
        if not len(self._automaton):
            return False
        lo = max(0, start - self._furthest)
        for last, (length, far) in self._automaton.iter(norm, lo, start):
            if last - length + 1 >= start - far and not (
                crossing is not None and crossing(norm[last - length + 1 : last + 1], last)
            ):
                return True
        return False

    def after(self, norm: str, end: int) -> bool:
        """A cue starting within its gap after ``end`` (the match's end, exclusive)."""
        if self._every:
            return True
        if not len(self._automaton):
            return False
        stop = min(len(norm), end + self._furthest)
        for last, (length, far) in self._automaton.iter(norm, end, stop):
            if last - length + 1 <= end + far - length:
                return True
        return False


class _Context:
    """What the sentence-level checks need of the original text, computed once per scan."""

    def __init__(self, text: str, quotes: Quotes | None = None) -> None:
        self.text, self.spans = quotes or quotations(text)
        self._ends: list[int] | None = None  # where each sentence ends, found when asked

    @property
    def ends(self) -> list[int]:
        if self._ends is None:
            self._ends = [m.end() for m in _SENTENCE_END.finditer(self.text)]
        return self._ends

    def quoted(self, first: int, last: int) -> bool:
        return any(start <= first and last < end for start, end in self.spans)

    def _sentence(self, at: int, extra: int = 0) -> tuple[int, int]:
        ends = self.ends
        k = bisect.bisect_right(ends, at)
        start = ends[k - 1] if k else 0
        k += extra
        end = ends[k] if k < len(ends) else len(self.text)
        return start, end

    def cue_before(self, cues: re.Pattern[str] | None, first: int) -> bool:
        if cues is None:
            return False
        start, _ = self._sentence(first)
        if cues.search(self.text, start, first) is not None:
            return True
        line = self.text.rfind("\n", 0, first) + 1
        for rule in _RULE_LIST.finditer(self.text, line, first):
            if _RULE_LIST_END.search(self.text, rule.end(), first) is None:
                return True
        return self._listed_under_heading(first)

    def _listed_under_heading(self, first: int) -> bool:
        """``first`` stands under a rule's or a quiz's heading (``_RULE_HEADING``)."""
        paragraph = self.text.rfind("\n\n", 0, first)
        lo = paragraph + 2 if paragraph >= 0 else 0
        for heading in _RULE_HEADING.finditer(self.text, lo, first):
            at, marked = heading.end(), False
            while True:
                mark = _ITEM_MARK.match(self.text, at, first)
                if mark is not None:
                    at, marked = mark.end(), True
                elif marked or heading.group("quiz"):
                    break  # a line or sentence with no mark: the list has ended
                end = _RULE_LIST_END.search(self.text, at, first)
                if end is None:
                    return True
                if not marked:
                    break
                at = end.end()
        return False

    def covered(self, patterns: re.Pattern[str] | None, first: int, last: int) -> bool:
        """A hit of ``patterns`` in the match's sentence spans the whole match."""
        if patterns is None:
            return False
        start, end = self._sentence(first)
        return any(
            hit.start() <= first and last < hit.end()
            for hit in patterns.finditer(self.text, start, max(end, last + 1))
        )

    def label(self, first: int, last: int) -> bool:
        """The match is the noun of a document's own label (``_LABEL``)."""
        line = self.text.rfind("\n", 0, first) + 1
        found = _LABEL.match(self.text, line)
        return found is not None and found.start(1) == first and found.end(1) == last + 1

    def cue_after(self, cues: re.Pattern[str] | None, last: int, extra: int = 0) -> bool:
        """A cue after ``last`` in its sentence (and the ``extra`` sentences after it)."""
        if cues is None:
            return False
        _, end = self._sentence(last, extra)
        return cues.search(self.text, last + 1, end) is not None

    def warning(self, cues: re.Pattern[str] | None, first: int) -> bool:
        """A scam warning in the match's sentence or the next one (not "this is not a scam")."""
        if cues is None:
            return False
        start, end = self._sentence(first, extra=1)
        for hit in cues.finditer(self.text, start, end):
            if not _NOT_A.search(self.text, max(0, hit.start() - 8), hit.start()):
                return True
        return False


def _alternation(cues: Sequence[str], patterns: Sequence[str] = ()) -> re.Pattern[str] | None:
    """One pattern for literal cues (any case) and regular expressions."""
    if not cues and not patterns:
        return None
    ordered = sorted({str(c) for c in cues}, key=len, reverse=True)
    parts = [re.escape(c) for c in ordered] + [f"(?:{p})" for p in patterns]
    return re.compile("|".join(parts), re.IGNORECASE)


def _on_word_boundaries(text: str, first: int, last: int, latin: tuple[bool, bool]) -> bool:
    """A Latin term starts and ends on a word boundary of the original text."""
    if latin[0] and first > 0 and is_word_char(text[first - 1]):
        return False  # "sue" inside "issue"
    return not (latin[1] and last + 1 < len(text) and is_word_char(text[last + 1]))


def _negations_after(
    spec: dict[str, Any], key: Callable[[object], str]
) -> Iterable[tuple[str, int]]:
    """(normalised cue, reach) for every negation after a match of a category: a plain
    cue starts within ``_AFTER_GAP`` characters of its end, a group ``{terms, gap}``
    within its own gap."""
    for entry in spec.get("negated_after", []):
        if isinstance(entry, dict):
            for term in entry["terms"]:
                cue = key(term)
                yield cue, len(cue) + int(entry.get("gap", _AFTER_GAP))
        else:
            cue = key(entry)
            yield cue, len(cue) + _AFTER_GAP


def _negations(spec: dict[str, Any], key: Callable[[object], str]) -> Iterable[tuple[str, int]]:
    """(normalised cue, reach) for every negation of a category."""
    gap = spec.get("negation_gap")
    for entry in spec.get("negated_by", []):
        if isinstance(entry, dict):
            for term in entry["terms"]:
                cue = key(term)
                if "gap" not in entry:
                    yield cue, _LATIN_REACH if cue.isascii() else _CJK_REACH
                    continue
                group_gap = int(entry["gap"])
                zh_gap = int(entry.get("gap_zh", group_gap))
                yield cue, len(cue) + (group_gap if cue.isascii() else zh_gap)
        else:
            cue = key(entry)
            if gap is not None:
                yield cue, len(cue) + int(gap)
            else:
                yield cue, _LATIN_REACH if cue.isascii() else _CJK_REACH
