"""The training report: Markdown for people, JSON for machines, PNG plots."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tideover.i18n import N_, Texts, Wording
from tideover.i18n.charts import cjk_font, label, title
from tideover.scoring.evaluate import METRICS, expected_calibration_error
from tideover.scoring.training import TrainingResult

PLOTS = ("roc.png", "calibration.png", "scores.png")


def write_report(
    result: TrainingResult, directory: Path, *, title: Wording, language: str = "en"
) -> list[Path]:
    """Write ``metrics.json`` (as stored: codes, English), ``report.md`` (in ``language``,
    the reader's) and the plots into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    summary = result.summary()
    metrics_path = directory / "metrics.json"
    metrics_path.write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    report_path = directory / "report.md"
    shown = markdown(summary, title=title, language=language, excluded=result.data.excluded)
    report_path.write_text(shown, encoding="utf-8")
    return [metrics_path, report_path, *_plots(result, directory)]


def markdown(
    summary: dict[str, Any],
    *,
    title: Wording | str,
    language: str = "en",
    excluded: Mapping[str, Wording] | None = None,
) -> str:
    """The report as Markdown in ``language``; ``excluded``: why each column was left out
    (by default the summary's English reasons)."""
    texts = Texts(language)
    say = texts.gettext

    def said(message: str, /, **values: object) -> str:  # a tuple: the reader's "a, b" / "a、b"
        return texts.of(Wording(message, **values))

    def listed(items: Sequence[object]) -> object:
        return tuple(items) if items else Wording(N_("none"))

    cv = summary["cross_validation"]
    reasons: Mapping[str, object] = summary["excluded"] if excluded is None else excluded
    left_out = [
        Wording(N_("%(column)s (%(reason)s)"), column=name, reason=why)
        for name, why in reasons.items()
    ]
    lines = [
        "# " + (texts.of(title) if isinstance(title, Wording) else title),
        "",
        say(N_("- model kind: %(kind)s"), kind=summary["kind"]),
        say(
            N_("- rows: %(rows)s, bad rate: %(bad_rate)s"),
            rows=texts.number(summary["rows"]),
            bad_rate=texts.percent(summary["bad_rate"], 2),
        ),
        said(
            N_("- features (%(count)s): %(features)s"),
            count=texts.number(len(summary["features"])),
            features=listed(summary["features"]),
        ),
        said(N_("- derived features: %(derivations)s"), derivations=listed(summary["derivations"])),
        said(N_("- excluded: %(columns)s"), columns=listed(left_out)),
        "",
        say(N_("## Stratified %(folds)s-fold cross-validation"), folds=cv["folds"]),
        "",
        _row(say(N_("metric")), say(N_("mean")), say(N_("std")), say(N_("min")), say(N_("max"))),
        "|---" * 5 + "|",
    ]
    for name in METRICS:
        m = cv[name]
        spread = (texts.fixed(m[key]) for key in ("mean", "std", "min", "max"))
        lines.append(_row(name, *spread))
    table = summary["calibration"]
    lines += [
        "",
        say(N_("## Calibration (out-of-fold, ten equal-count groups)")),
        "",
        say(
            N_("Expected calibration error: %(error)s"),
            error=texts.fixed(expected_calibration_error(table)),
        ),
        "",
        _row(
            say(N_("group")),
            say(N_("rows")),
            say(N_("mean predicted")),
            say(N_("observed bad rate")),
        ),
        "|---" * 4 + "|",
    ]
    lines += [
        _row(
            r["group"],
            texts.number(r["rows"]),
            texts.fixed(r["mean_predicted"]),
            texts.fixed(r["observed_bad_rate"]),
        )
        for r in table
    ]
    images = (
        (N_("ROC"), "roc.png"),
        (N_("Calibration"), "calibration.png"),
        (N_("Scores by outcome (out-of-fold)"), "scores.png"),
    )
    lines += ["", " ".join(f"![{say(alt)}]({path})" for alt, path in images), ""]
    return "\n".join(lines)


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _plots(result: TrainingResult, directory: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    font = cjk_font()
    chinese = font is not None
    style = {"fontfamily": font} if font else {}

    def named(axes: Any, x: str, y: str, heading: str) -> None:
        axes.set_xlabel(label(Wording(x), chinese=chinese), **style)
        axes.set_ylabel(label(Wording(y), chinese=chinese), **style)
        axes.set_title(title(Wording(heading), chinese=chinese), **style)

    y = result.data.target
    probability = result.validation.out_of_fold
    paths = [directory / name for name in PLOTS]

    figure, axes = plt.subplots(figsize=(4.5, 4.5))
    fpr, tpr, _ = roc_curve(y, probability)
    axes.plot(fpr, tpr, label=label(Wording(N_("out-of-fold")), chinese=chinese))
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey")
    axes.legend(prop={"family": font} if font else None)
    named(axes, N_("false positive rate"), N_("true positive rate"), N_("ROC"))
    figure.savefig(paths[0], dpi=80, bbox_inches="tight")
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(4.5, 4.5))
    predicted = [r["mean_predicted"] for r in result.calibration]
    observed = [r["observed_bad_rate"] for r in result.calibration]
    axes.plot(predicted, observed, marker="o")
    top = max([*predicted, *observed, 0.01])
    axes.plot([0, top], [0, top], linestyle="--", color="grey")
    named(axes, N_("mean predicted"), N_("observed bad rate"), N_("Calibration"))
    figure.savefig(paths[1], dpi=80, bbox_inches="tight")
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(6, 4))
    score = result.model.scale.score(np.log(probability / (1.0 - probability)))
    for outcome, rows in ((N_("good"), y == 0), (N_("bad"), y == 1)):
        shown = label(Wording(outcome), chinese=chinese)
        axes.hist(score[rows], bins=40, alpha=0.6, label=shown, density=True)
    axes.legend(prop={"family": font} if font else None)
    named(axes, N_("score"), N_("density"), N_("Scores by outcome (out-of-fold)"))
    figure.savefig(paths[2], dpi=80, bbox_inches="tight")
    plt.close(figure)
    return paths
