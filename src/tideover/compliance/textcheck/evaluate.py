"""Precision, recall and F1 per category, the false-positive rate on lawful texts, confusion.

A row's predicted categories are the verdict's categories that block a message to the
row's recipient (``corpus.BLOCKING``): a debt word is no finding in a message to the
debtor, but discloses the debt to a third party.  Measured per language and overall:

- per category: precision, recall and F1 (a row may carry two categories);
- recall: the share of abusive rows blocked at all (any blocking category, or a part
  left unchecked);
- false-positive rate: the share of lawful rows blocked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tideover.compliance.textcheck.corpus import LAWFUL, LEARNED, Row
from tideover.compliance.textcheck.verdict import TextVerdict

NONE = "none"


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int  # rows carrying the category


@dataclass(slots=True)
class Tally:
    """Counts for one language (or all), filled row by row."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    abusive: int = 0
    caught: int = 0
    lawful: int = 0
    false_positives: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)  # ids of abusive rows not blocked
    false_alarms: list[str] = field(default_factory=list)  # ids of lawful rows blocked

    def add(self, row: Row, predicted: frozenset[str], blocked: bool) -> None:
        gold = frozenset(row.categories)
        for category in predicted | gold:
            if category in gold and category in predicted:
                self.tp[category] += 1
            elif category in predicted:
                self.fp[category] += 1
            else:
                self.fn[category] += 1
        for truth in gold or {LAWFUL}:
            for guess in predicted or {NONE}:
                self.confusion[(truth, guess)] += 1
        if row.lawful:
            self.lawful += 1
            if blocked:
                self.false_positives += 1
                self.false_alarms.append(row.id)
        else:
            self.abusive += 1
            if blocked:
                self.caught += 1
            else:
                self.misses.append(row.id)

    def scores(self, category: str) -> Scores:
        tp, fp, fn = self.tp[category], self.fp[category], self.fn[category]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return Scores(precision, recall, f1, tp + fn)

    def micro(self) -> Scores:
        tp = sum(self.tp[c] for c in LEARNED)
        fp = sum(self.fp[c] for c in LEARNED)
        fn = sum(self.fn[c] for c in LEARNED)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return Scores(precision, recall, f1, tp + fn)

    @property
    def recall(self) -> float:
        return self.caught / self.abusive if self.abusive else 1.0

    @property
    def false_positive_rate(self) -> float:
        return self.false_positives / self.lawful if self.lawful else 0.0


@dataclass(frozen=True, slots=True)
class Report:
    by_language: dict[str, Tally]  # "zh", "en" and "all"
    rows: int


def evaluate(rows: Iterable[Row], judge: Callable[[str], TextVerdict]) -> Report:
    """Judge every row and count the outcome per language and overall."""
    tallies = {"all": Tally()}
    count = 0
    for row in rows:
        verdict = judge(row.text)
        predicted = frozenset(verdict.categories & row.blocking)
        blocked = bool(predicted) or not verdict.complete
        for key in (row.lang, "all"):
            tallies.setdefault(key, Tally()).add(row, predicted, blocked)
        count += 1
    return Report(tallies, count)
