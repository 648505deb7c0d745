"""One verdict for a text: what each detector found, and what was and was not checked."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from tideover.i18n import N_, Clauses, Worded, Wording

LEXICON, CLASSIFIER = "lexicon", "classifier"
UNCHECKED_SCRIPT, UNCHECKED_LENGTH = "unchecked_script", "unchecked_length"
UNCHECKED = frozenset({UNCHECKED_SCRIPT, UNCHECKED_LENGTH})
MAX_CHECKED = 1_000_000  # characters read; a longer text's rest is reported unchecked


@dataclass(frozen=True, slots=True)
class TextFinding:
    """A category found in the text, by which detector, how sure, and where."""

    category: str
    detector: str  # "lexicon" (score 1.0, the matched term's span) or "classifier"
    score: float
    start: int  # span in the original text, end exclusive
    end: int
    matched: str
    en: str
    zh: str


@dataclass(frozen=True, slots=True)
class Unchecked(Worded):
    """A part of the text the checker did not read, and why."""

    reason: str  # UNCHECKED_SCRIPT or UNCHECKED_LENGTH
    start: int
    end: int
    detail: str  # the script's name, or the number of characters left unread
    wording: Wording


@dataclass(frozen=True, slots=True)
class TextVerdict:
    """Both detectors' findings on one text, and the parts of it left unchecked."""

    length: int  # characters in the text
    language: str  # zh, en, zh+en, unknown (only unreadable letters), none (no letters)
    findings: tuple[TextFinding, ...]
    unchecked: tuple[Unchecked, ...]
    model_version: str  # "" when no learned model was used
    # lexicon matches the learned model did not confirm: it read no abuse in the text (its
    # highest score, ``doubt``, is below the model's confirmation score); shown, not found
    set_aside: tuple[TextFinding, ...] = ()
    doubt: float | None = None

    @property
    def complete(self) -> bool:
        """Every part of the text was read."""
        return not self.unchecked

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(f.category for f in self.findings)

    def blocking(self, categories: Collection[str]) -> tuple[TextFinding, ...]:
        """Findings in ``categories``; an unchecked part blocks too (never a silent pass)."""
        return tuple(f for f in self.findings if f.category in categories)

    def blocked(self, categories: Collection[str]) -> bool:
        return bool(self.blocking(categories)) or not self.complete

    def summary(self, locale: str = "en") -> str:
        """What was checked and what was not, in one sentence."""
        if self.length == 0:
            return Wording(N_("empty text: nothing to check.")).in_language(locale)
        detectors = N_("the lexicon and the learned model")
        if not self.model_version:
            detectors = N_("the lexicon")
        checked = Wording(
            N_("checked %(read)s of %(length)s characters with %(detectors)s (%(language)s)"),
            read=self.length - sum(u.end - u.start for u in self.unchecked),
            length=self.length,
            detectors=Wording(detectors),
            language=self.language,
        )
        aside = []
        if self.set_aside:
            aside.append(
                Wording(
                    N_(
                        "the lexicon's %(matched)s set aside: the learned model reads no "
                        "abuse in the text (highest score %(score)s)"
                    ),
                    matched=tuple(f"“{f.matched}”" for f in self.set_aside),
                    score=f"{self.doubt:.2f}",
                )
            )
        parts = Clauses([checked, *aside, *(u.wording for u in self.unchecked)])
        return Wording(N_("%(parts)s."), parts=parts).in_language(locale)
