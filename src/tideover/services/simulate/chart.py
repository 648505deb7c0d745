"""The simulation's PNG: per headline KPI, month by month, the median and its 90 % band.

A single policy's chart shows its level; a comparison's shows each policy's
difference from the baseline (policy − baseline, on the same draws) with a line
at zero: where the band leaves zero, the difference holds in 90 % of the runs.
Its texts come from the catalogue: English, with the Chinese under each title
(and after an axis label) only when a font with Chinese glyphs is installed
(none is downloaded); the result says which.
Matplotlib draws on its Agg canvas (no display); floats appear only to draw.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from tideover.i18n import N_, Wording
from tideover.i18n.charts import cjk_font, label, title
from tideover.services.cycle.kpi_chart import check_chart_path
from tideover.services.simulate.results import (
    HEADLINE,
    KPI_LABELS,
    RATE_KPIS,
    ComparisonReport,
    KpiInterval,
    SimulationChart,
    SimulationReport,
)

WIDTH_IN, HEIGHT_IN, DPI = 16, 8, 100  # 1600 × 800 pixels
Series = dict[str, list[KpiInterval]]  # line label -> one KPI's months


def write_simulation_chart(
    report: SimulationReport | ComparisonReport, path: Path
) -> SimulationChart:
    """Draw ``report`` into ``path`` (written beside it, then renamed: never half a file)."""
    target = check_chart_path(path)
    font = cjk_font()
    if isinstance(report, SimulationReport):
        lines = {report.run.source.label: report.run.kpis}
        heading = Wording(
            N_("%(platform)s: %(policy)s, %(runs)s runs"),
            platform=report.platform,
            policy=report.run.source.label,
            runs=report.settings.runs,
        )
        difference = False
    else:
        lines = {f"{d.policy} − {d.baseline}": list(d.kpis) for d in report.differences}
        if not lines:  # one policy only: its level
            only = report.policies[0]
            lines = {only.source.label: only.kpis}
        heading = Wording(
            N_("%(platform)s: difference from %(baseline)s"),
            platform=report.platform,
            baseline=report.policies[0].source.label,
        )
        difference = bool(report.differences)
    heading = Wording(
        N_("%(heading)s (%(scenario)s behaviour, book of %(as_of)s) — median and 90 %% interval"),
        heading=heading,
        scenario=report.behaviour.scenario,
        as_of=report.book.as_of,
    )
    figure = _figure(lines, heading, font, difference)
    handle, temporary = tempfile.mkstemp(suffix=".png", dir=target.parent)
    os.close(handle)
    try:
        figure.savefig(temporary, format="png", dpi=DPI)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return SimulationChart(
        chart=str(target), width=WIDTH_IN * DPI, height=HEIGHT_IN * DPI, cjk_font=font
    )


def _figure(
    lines: dict[str, list[KpiInterval]], heading: Wording, font: str | None, zero: bool
) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    style = {"fontfamily": font} if font else {}
    for axes, kpi in zip(figure.subplots(2, 4).flat, HEADLINE, strict=True):
        scale = 100.0 if kpi in RATE_KPIS else 1.0
        for policy, rows in lines.items():
            mine = sorted((r for r in rows if r.kpi == kpi), key=lambda r: r.month)
            months = [r.month for r in mine]
            median = [_float(r.median, scale) for r in mine]
            low = [_float(r.low, scale) for r in mine]
            high = [_float(r.high, scale) for r in mine]
            axes.plot(months, median, marker="o", label=policy)
            axes.fill_between(months, low, high, alpha=0.2)
        if zero:
            axes.axhline(0.0, color="black", linewidth=0.8)
        axes.set_title(
            title(Wording(KPI_LABELS[kpi]), chinese=font is not None), fontsize=10, **style
        )
        axes.set_xlabel(label(Wording(N_("month")), chinese=font is not None), fontsize=8, **style)
        axes.set_ylabel("%" if kpi in RATE_KPIS else "", fontsize=8)
        axes.tick_params(labelsize=8)
        axes.grid(alpha=0.3)
        axes.legend(prop={"size": 7, "family": font} if font else {"size": 7})
    figure.suptitle(title(heading, chinese=font is not None), fontsize=12, **style)
    return figure


def _float(value: object, scale: float) -> float:
    return float("nan") if value is None else float(value) * scale  # type: ignore[arg-type]
