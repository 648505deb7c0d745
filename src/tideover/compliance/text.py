"""Message checker (zh + en): two detectors, one verdict.

A text is normalised once (``textcheck.normalise``: full-width and look-alike letters,
spacing and punctuation, leet, emoji, traditional characters, pinyin and homophones),
then read by two detectors:

- the **lexicon** (``packs/lexicon.yaml``, ``textcheck.lexicon``): terms and patterns
  found in one Aho-Corasick pass, with negations and quoted speech understood; fast,
  and every finding has the span of the words that matched;
- the **learned classifier** (``textcheck.model``): a linear model over character
  n-grams trained on the project's corpus, which catches phrasings no list holds.

The verdict names each category found, the detector, a score (1.0 for a lexicon
match, the model's probability otherwise) and a span; a category the lexicon found is
not repeated by the classifier.  Where the model confirms lexicon matches (a setting of
its card, per language) and reads no abuse in a text at all, the text's lexicon matches
of the model's categories (all but disclosure) are set aside — shown in the verdict, not
found — as risky words used lawfully.  Text in a script the checker cannot read, and
text beyond ``MAX_CHECKED`` characters, is reported as unchecked — never passed silently.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from tideover.compliance.textcheck.lexicon import Lexicon, Quotes, quotations
from tideover.compliance.textcheck.model import UNDOUBTED, TextClassifier, default_classifier
from tideover.compliance.textcheck.normalise import normalise_text
from tideover.compliance.textcheck.quotes import signature_spans
from tideover.compliance.textcheck.scripts import scripts
from tideover.compliance.textcheck.verdict import (
    CLASSIFIER,
    LEXICON,
    MAX_CHECKED,
    UNCHECKED_LENGTH,
    UNCHECKED_SCRIPT,
    TextFinding,
    TextVerdict,
    Unchecked,
)
from tideover.i18n import N_, Bilingual, Wording


@dataclass(frozen=True, slots=True)
class Match:
    category: str
    start: int  # span in the original text, end exclusive
    end: int
    matched: str
    detector: str = LEXICON
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    title: Wording | Bilingual  # Bilingual: a category of the lexicon file
    definition_en: str = ""
    definition_zh: str = ""
    sources: tuple[str, ...] = ()

    @property
    def en(self) -> str:
        return self.title.en

    @property
    def zh(self) -> str:
        return self.title.zh


# Parts of a text the checker did not read block like a finding (see messages.py).
_SURROGATES = re.compile("[\ud800-\udfff]")
_UNCHECKED_CATEGORIES = {
    UNCHECKED_SCRIPT: Category(
        UNCHECKED_SCRIPT,
        Wording(N_("contains text in a script the checker cannot read, which was not checked")),
    ),
    UNCHECKED_LENGTH: Category(
        UNCHECKED_LENGTH,
        Wording(N_("is longer than the checker reads; the rest was not checked")),
    ),
}


def normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index in ``text``."""
    normalised = normalise_text(text)
    return normalised.text, normalised.origin


class MessageChecker:
    """Finds the categories of a lexicon (and of a learned model, when given) in a text."""

    def __init__(
        self,
        lexicon: dict[str, Any],
        *,
        classifier: TextClassifier | None = None,
        max_chars: int = MAX_CHECKED,
    ) -> None:
        self.max_chars = max_chars
        self.categories: dict[str, Category] = dict(_UNCHECKED_CATEGORIES)
        for name, spec in lexicon["categories"].items():
            self.categories[name] = Category(
                name,
                Bilingual(spec["en"], spec["zh"]),
                spec.get("definition_en", ""),
                spec.get("definition_zh", ""),
                tuple(str(s) for s in spec.get("sources", [])),
            )
        self._lexicon = Lexicon(
            lexicon["categories"],
            normalise,
            sentence_negations=lexicon.get("sentence_negations", ()),
            sentence_patterns=lexicon.get("sentence_negation_patterns", ()),
            sentence_negations_after=lexicon.get("sentence_negations_after", ()),
            warning_cues=lexicon.get("warning_cues", ()),
            dissuasions=lexicon.get("dissuasions", ()),
            representatives=lexicon.get("representatives", ()),
        )
        self.classifier = classifier
        # the model's units with no category of the lexicon (``abusive``): never reported
        self._unknown_classes = (
            set(classifier.classes if classifier else ()) - self.categories.keys()
        )
        # the lexicon's categories whose matches the model's doubt sets aside
        self._doubtable = (
            set(classifier.classes if classifier else ()) & self.categories.keys()
        ) - UNDOUBTED

    def verdict(self, text: str) -> TextVerdict:
        """Both detectors' findings and the parts of ``text`` left unchecked."""
        # A lone surrogate (text decoded with "surrogateescape", a broken JSON escape) is no
        # character: it becomes U+FFFD, one for one, so every offset still points into ``text``.
        scope = _SURROGATES.sub("\ufffd", text[: self.max_chars])
        normalised = normalise_text(scope)
        norm, origin = normalised.text, normalised.origin
        # both detectors set reported speech aside: found once for the two
        quotes = quotations(scope) if self.classifier is not None else None
        findings = [
            self._finding(scope, h.category, LEXICON, 1.0, h.start, h.end)
            for h in self._lexicon.scan(scope, norm, origin, quotes)
        ]
        set_aside: list[TextFinding] = []
        doubt = None
        if self.classifier is not None:
            by_lexicon = {f.category for f in findings}
            read_norm, read_origin = _classifier_view(scope, norm, origin, quotes)
            unused = by_lexicon | self._unknown_classes
            reading = self.classifier.read(scope, read_norm, read_origin, ignore=unused)
            if reading.doubt is not None:
                # the model reads no abuse in the text: its lexicon matches of the model's
                # categories are risky words used lawfully, shown but not found
                # (``textcheck.model.Reading``); the other categories' matches stand
                set_aside = [f for f in findings if f.category in self._doubtable]
                findings = [f for f in findings if f.category not in self._doubtable]
                doubt = reading.doubt if set_aside else None
            for d in reading.detections:
                if d.category not in by_lexicon and d.category in self.categories:
                    findings.append(
                        self._finding(scope, d.category, CLASSIFIER, d.score, d.start, d.end)
                    )
        found = scripts(scope)
        unchecked = [
            Unchecked(
                UNCHECKED_SCRIPT,
                run.start,
                run.end,
                run.script,
                Wording(
                    N_("%(script)s text at %(start)s-%(end)s was not checked"),
                    script=run.script,
                    start=run.start,
                    end=run.end,
                ),
            )
            for run in found.unknown
        ]
        if len(text) > self.max_chars:
            rest = len(text) - self.max_chars
            unchecked.append(
                Unchecked(
                    UNCHECKED_LENGTH,
                    self.max_chars,
                    len(text),
                    str(rest),
                    Wording(
                        N_("the last %(rest)s characters were not checked"), rest=format(rest, ",")
                    ),
                )
            )
        findings.sort(key=lambda f: (f.start, f.category))
        return TextVerdict(
            length=len(text),
            language=found.language,
            findings=tuple(findings),
            unchecked=tuple(unchecked),
            model_version=self.classifier.version if self.classifier is not None else "",
            set_aside=tuple(set_aside),
            doubt=doubt,
        )

    def scan(self, text: str) -> list[Match]:
        """Every finding and every unchecked part, as matches sorted by position."""
        verdict = self.verdict(text)
        matches = [
            Match(f.category, f.start, f.end, f.matched, f.detector, f.score)
            for f in verdict.findings
        ]
        for part in verdict.unchecked:
            shown = text[part.start : part.end] if part.reason == UNCHECKED_SCRIPT else ""
            matches.append(Match(part.reason, part.start, part.end, shown, LEXICON, 1.0))
        return sorted(matches, key=lambda m: (m.start, m.category))

    def contains(self, text: str, phrase: str) -> bool:
        """Whether ``phrase`` occurs in ``text`` once both are normalised."""
        needle, _ = normalise(phrase)
        return bool(needle) and needle in normalise(text)[0]

    def _finding(
        self, text: str, category: str, detector: str, score: float, start: int, end: int
    ) -> TextFinding:
        known = self.categories[category]
        return TextFinding(
            category, detector, round(score, 4), start, end, text[start:end], known.en, known.zh
        )


def _classifier_view(
    text: str, norm: str, origin: list[int], quotes: Quotes | None = None
) -> tuple[str, list[int]]:
    """The normalised text without the sender's signature and reported quotations.

    Neither is the sender's own request: a signature only names the sender, and a
    complaint reply quotes what the borrower was told in order to answer it.
    ``quotes``: ``quotations(text)``, when the caller has it.
    """
    skip = signature_spans(text) + (quotes or quotations(text))[1]
    if not skip:
        return norm, origin
    cuts = sorted((bisect.bisect_left(origin, a), bisect.bisect_left(origin, b)) for a, b in skip)
    pieces, where, at = [], [], 0
    for lo, hi in cuts:
        if lo > at:
            pieces.append(norm[at:lo])
            where.extend(origin[at:lo])
        at = max(at, hi)
    pieces.append(norm[at:])
    where.extend(origin[at:])
    return "".join(pieces), where


@lru_cache(maxsize=1)
def default_lexicon() -> dict[str, Any]:
    """The shipped ``packs/lexicon.yaml``."""
    source = resources.files("tideover.compliance.packs").joinpath("lexicon.yaml")
    loaded: dict[str, Any] = yaml.safe_load(source.read_text("utf-8"))
    return loaded


@lru_cache(maxsize=1)
def default_checker() -> MessageChecker:
    """The checker built from the shipped lexicon and learned model (both loaded once)."""
    return MessageChecker(default_lexicon(), classifier=default_classifier())


def verdict_for(text: str) -> TextVerdict:
    """The shipped checker's verdict on ``text``."""
    return default_checker().verdict(text)
