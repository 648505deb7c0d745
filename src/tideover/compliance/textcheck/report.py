"""What ``tideover compliance text-eval`` and ``text-check`` compute and print.

Kept out of the command line so that tests and the benchmark use the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tideover.compliance.textcheck.corpus import LAWFUL, LEARNED, Row, load_corpus, read_rows
from tideover.compliance.textcheck.evaluate import NONE, Report, Tally, evaluate
from tideover.compliance.textcheck.verdict import TextVerdict
from tideover.domain.errors import ValidationError
from tideover.i18n import N_

DETECTORS = ("both", "lexicon", "classifier")


class TextNotUtf8(ValidationError):
    """A message or corpus file is not valid UTF-8: nothing in it was checked."""

    code = "text_not_utf8"


def decode(data: bytes, source: str) -> str:
    """``data`` as UTF-8 text, or an error naming the first bad byte (nothing is guessed)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextNotUtf8(
            N_("%(source)s is not valid UTF-8 (byte %(start)s): nothing was checked"),
            source=source,
            start=exc.start,
        ) from None


def read_text_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            N_("cannot read %(path)s: %(strerror)s"),
            path=path,
            strerror=exc.strerror or exc,
        ) from None
    return decode(data, str(path))


def judge_for(detectors: str) -> Callable[[str], TextVerdict]:
    """The verdict function of the shipped checker, with one or both detectors."""
    from tideover.compliance.text import MessageChecker, default_checker, default_lexicon
    from tideover.compliance.textcheck.model import default_classifier

    if detectors == "both":
        return default_checker().verdict
    if detectors == "lexicon":
        return MessageChecker(default_lexicon()).verdict
    # the lexicon's categories without their terms: the checker must know every category
    # when it is made, or it takes the model's units for ones it cannot report
    bare = {
        name: {key: value for key, value in spec.items() if key in _DESCRIPTION}
        for name, spec in default_lexicon()["categories"].items()
    }
    return MessageChecker({"categories": bare}, classifier=default_classifier()).verdict


_DESCRIPTION = ("en", "zh", "definition_en", "definition_zh", "sources")


def corpus_rows(split: str, lang: str | None, path: Path | None) -> list[Row]:
    if path is None:
        return load_corpus(split, lang)
    rows = read_rows(iter(read_text_file(path).splitlines()), str(path))
    return [r for r in rows if (not lang or r.lang == lang) and (not split or r.split == split)]


@dataclass(frozen=True, slots=True)
class Evaluation:
    split: str
    detectors: str
    report: Report

    def as_dict(self) -> dict[str, Any]:
        languages: dict[str, Any] = {}
        for lang, tally in self.report.by_language.items():
            micro = tally.micro()
            languages[lang] = {
                "abusive": tally.abusive,
                "lawful": tally.lawful,
                "recall": round(tally.recall, 4),
                "false_positive_rate": round(tally.false_positive_rate, 4),
                "micro": _scores(micro),
                "categories": {c: _scores(tally.scores(c)) for c in LEARNED},
                "misses": tally.misses,
                "false_alarms": tally.false_alarms,
            }
        return {
            "split": self.split,
            "detectors": self.detectors,
            "rows": self.report.rows,
            "languages": languages,
        }


def _scores(scores: Any) -> dict[str, float | int]:
    return {
        "precision": round(scores.precision, 4),
        "recall": round(scores.recall, 4),
        "f1": round(scores.f1, 4),
        "support": scores.support,
    }


def run_evaluation(
    *,
    split: str = "heldout",
    lang: str | None = None,
    detectors: str = "both",
    path: Path | None = None,
) -> Evaluation:
    rows = corpus_rows(split, lang, path)
    return Evaluation(split, detectors, evaluate(rows, judge_for(detectors)))


def confusion_markdown(evaluation: Evaluation) -> str:
    """The confusion tables, one per language, as a Markdown page."""
    lines = [
        "# Message checker: confusion on the corpus",
        "",
        "Written by `tideover compliance text-eval` "
        f"(split `{evaluation.split}`, detectors `{evaluation.detectors}`); do not edit by hand.",
        "",
        "Rows: the category a message was written for (`lawful`: none).  Columns: the "
        "blocking categories the checker found for its recipient (`none`: it passed).  A "
        "message with two categories, or found to have two, counts in each cell it meets, "
        "so a row may add up to more than its messages.",
        "",
    ]
    for lang, tally in evaluation.report.by_language.items():
        lines += [f"## {lang}", "", *_matrix(tally), ""]
    return "\n".join(lines)


def _matrix(tally: Tally) -> list[str]:
    columns = [*LEARNED, "payment_demand", NONE]
    rows = [LAWFUL, *LEARNED]
    head = "| written \\ found | " + " | ".join(columns) + " |"
    rule = "|---|" + "---|" * len(columns)
    body = [
        f"| {truth} | "
        + " | ".join(str(tally.confusion.get((truth, c), 0)) for c in columns)
        + " |"
        for truth in rows
    ]
    return [head, rule, *body]


def verdict_dict(verdict: TextVerdict, locale: str) -> dict[str, Any]:
    return {
        "length": verdict.length,
        "language": verdict.language,
        "complete": verdict.complete,
        "model_version": verdict.model_version,
        "summary": verdict.summary(locale),
        "findings": [
            {
                "category": f.category,
                "detector": f.detector,
                "score": f.score,
                "start": f.start,
                "end": f.end,
                "matched": f.matched,
                "en": f.en,
                "zh": f.zh,
            }
            for f in verdict.findings
        ],
        "set_aside": [
            {"category": f.category, "start": f.start, "end": f.end, "matched": f.matched}
            for f in verdict.set_aside
        ],
        "doubt": verdict.doubt,
        "unchecked": [
            {
                "reason": u.reason,
                "start": u.start,
                "end": u.end,
                "detail": u.detail,
                "en": u.en,
                "zh": u.zh,
            }
            for u in verdict.unchecked
        ],
    }
