"""``tideover compliance text-eval|text-check``: the message checker measured and explained.

``text-eval`` reads the labelled corpus (the held-out split by default), prints
precision, recall and F1 per category and overall, the recall on abusive messages and
the false-positive rate on lawful ones, per language, and writes the confusion tables
to ``docs/compliance-text-confusion.md``.  ``text-check`` gives the verdict on one
message — from a file, or the argument — with each finding's detector, score and span,
and says what was not checked.  Exit 1 when the message is blocked (a finding in a
blocking category, or a part left unchecked).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from tideover.cli.output import JsonOption, _, console, either, locale, print_json, texts
from tideover.cli.tables import Column, Listing
from tideover.i18n import N_

CONFUSION_DOC = Path("docs") / "compliance-text-confusion.md"


def text_eval(
    split: Annotated[str, typer.Option(help="train or heldout.")] = "heldout",
    lang: Annotated[str | None, typer.Option(help="zh or en (default both).")] = None,
    detectors: Annotated[str, typer.Option(help="both, lexicon or classifier.")] = "both",
    corpus: Annotated[
        Path | None, typer.Option(help="A corpus file (JSON Lines) instead of the shipped one.")
    ] = None,
    confusion: Annotated[
        Path | None, typer.Option(help="Where to write the confusion tables (Markdown).")
    ] = CONFUSION_DOC,
    json_out: JsonOption = False,
) -> None:
    """Measure the message checker on the labelled corpus."""
    from tideover.compliance.textcheck.report import DETECTORS, confusion_markdown, run_evaluation

    choice_of_value(split, ("train", "heldout"), "--split")
    choice_of_value(detectors, DETECTORS, "--detectors")
    if lang is not None:
        choice_of_value(lang, ("zh", "en"), "--lang")
    evaluation = run_evaluation(split=split, lang=lang, detectors=detectors, path=corpus)
    if confusion is not None:
        confusion.parent.mkdir(parents=True, exist_ok=True)
        confusion.write_text(confusion_markdown(evaluation) + "\n", encoding="utf-8")
    result = evaluation.as_dict()
    if json_out:
        print_json(result)
        return
    for lang_code, figures in result["languages"].items():
        listing = Listing(
            lang_code,
            [
                Column("category", _("category")),
                Column("precision", "P", "right"),
                Column("recall", "R", "right"),
                Column("f1", "F1", "right"),
                Column("support", _("support"), "right"),
            ],
        )
        for name, scores in figures["categories"].items():
            listing.add(name, *_cells(scores))
        listing.add(_("overall (micro)"), *_cells(figures["micro"]))
        listing.print()
        console.print(
            _(
                "%(lang_code)s: recall %(recall)s on %(abusive)s abusive, false-positive rate "
                "%(false_positive_rate)s on %(lawful)s lawful",
                lang_code=lang_code,
                recall=format(figures["recall"], ".3f"),
                abusive=figures["abusive"],
                false_positive_rate=format(figures["false_positive_rate"], ".4f"),
                lawful=figures["lawful"],
            ),
            markup=False,
        )
    if confusion is not None:
        console.print(_("confusion tables: %(confusion)s", confusion=confusion), markup=False)


def _cells(scores: dict[str, Any]) -> list[str]:
    return [
        f"{scores['precision']:.3f}",
        f"{scores['recall']:.3f}",
        f"{scores['f1']:.3f}",
        str(scores["support"]),
    ]


def text_check(
    message: Annotated[
        str | None, typer.Argument(help="The message (or use --file).", show_default=False)
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the message from a file ('-' for stdin).")
    ] = None,
    target: Annotated[str, typer.Option(help="debtor, guarantor or third_party.")] = "debtor",
    json_out: JsonOption = False,
) -> None:
    """The checker's verdict on one message: findings, detectors, scores, spans, unchecked parts."""
    from tideover.compliance.text import verdict_for
    from tideover.compliance.textcheck.corpus import BLOCKING
    from tideover.compliance.textcheck.report import decode, read_text_file, verdict_dict
    from tideover.domain.errors import UsageError

    choice_of_value(target, tuple(BLOCKING), "--target")
    if (message is None) == (file is None):
        raise UsageError(N_("give the message or --file, not both"))
    if file is None:
        text = message or ""
    elif str(file) == "-":
        text = decode(sys.stdin.buffer.read(), "standard input")
    else:
        text = read_text_file(file)
    verdict = verdict_for(text)
    blocking = verdict.blocking(BLOCKING[target])
    result = verdict_dict(verdict, locale()) | {"blocked": verdict.blocked(BLOCKING[target])}
    if json_out:
        print_json(result)
    else:
        console.print(result["summary"], markup=False)
        for f in verdict.findings:
            mark = "✗" if f in blocking else "·"
            where = f" «{_short(f.matched)}» [{f.start}:{f.end}]" if f.matched else ""
            console.print(
                f"{mark} {f.category} ({f.detector}, {f.score:.2f}): {either(f.en, f.zh)}{where}",
                markup=False,
            )
        for part in verdict.unchecked:
            console.print(f"✗ {texts().of(part.wording)}", markup=False)
    if result["blocked"]:
        raise typer.Exit(1)


def choice_of_value(value: str, allowed: tuple[str, ...], option: str) -> str:
    from tideover.domain.errors import UsageError

    if value not in allowed:
        known = ", ".join(allowed)
        raise UsageError(
            N_("%(option)s: %(value)s is not one of %(known)s"),
            option=option,
            value=repr(value),
            known=known,
        )
    return value


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
