"""The training report: Markdown for people, JSON for machines, PNG plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tideover.i18n import N_, Wording
from tideover.i18n.charts import cjk_font, label, title
from tideover.scoring.evaluate import METRICS, expected_calibration_error
from tideover.scoring.training import TrainingResult

PLOTS = ("roc.png", "calibration.png", "scores.png")


def write_report(result: TrainingResult, directory: Path, *, title: str) -> list[Path]:
    """Write ``metrics.json``, ``report.md`` and the plots into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    summary = result.summary()
    metrics_path = directory / "metrics.json"
    metrics_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    report_path = directory / "report.md"
    report_path.write_text(markdown(summary, title=title))
    return [metrics_path, report_path, *_plots(result, directory)]


def markdown(summary: dict[str, Any], *, title: str) -> str:
    """The report as Markdown."""
    cv = summary["cross_validation"]
    lines = [
        f"# {title}",
        "",
        f"- model kind: {summary['kind']}",
        f"- rows: {summary['rows']}, bad rate: {summary['bad_rate']:.2%}",
        f"- features ({len(summary['features'])}): {', '.join(summary['features'])}",
        f"- derived features: {', '.join(summary['derivations']) or 'none'}",
        "- excluded: "
        + (", ".join(f"{k} ({v})" for k, v in summary["excluded"].items()) or "none"),
        "",
        f"## Stratified {cv['folds']}-fold cross-validation",
        "",
        "| metric | mean | std | min | max |",
        "|---|---|---|---|---|",
    ]
    for name in METRICS:
        m = cv[name]
        lines.append(
            f"| {name} | {m['mean']:.4f} | {m['std']:.4f} | {m['min']:.4f} | {m['max']:.4f} |"
        )
    table = summary["calibration"]
    lines += [
        "",
        "## Calibration (out-of-fold, ten equal-count groups)",
        "",
        f"Expected calibration error: {expected_calibration_error(table):.4f}",
        "",
        "| group | rows | mean predicted | observed bad rate |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['group']} | {r['rows']} | {r['mean_predicted']:.4f} | {r['observed_bad_rate']:.4f} |"
        for r in table
    ]
    lines += ["", "![ROC](roc.png) ![calibration](calibration.png) ![scores](scores.png)", ""]
    return "\n".join(lines)


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
