"""The KPI chart: the main series of a platform over a date range, as one PNG.

Series are summed over segments and arms from the stored counts and bases
(``kpi_report`` rows), so a platform's rate is its accounts (or amounts) over
its base, never an average of segment rates.  Floats appear only to draw.

Labels are English; a Chinese label is added under each title only when a
font with CJK glyphs is installed (none is downloaded).  Matplotlib runs on its
Agg canvas (no display), like the training report's plots.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from tideover.domain.errors import NotFound, ValidationError
from tideover.domain.money import currency
from tideover.i18n import N_, Wording
from tideover.services.cycle.results import KpiChart, KpiFigure, KpiReport

WIDTH_IN, HEIGHT_IN, DPI = 16, 8, 100  # 1600 × 800 pixels
MAX_TICKS = 6
# Fonts known to carry Simplified Chinese glyphs, in order of preference.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
HUNDRED, THOUSAND = Decimal(100), Decimal(1000)


@dataclass(frozen=True)
class KpiSeries:
    """One value per date and series; ``None`` where the date has no base for it."""

    dates: list[date]
    values: dict[str, list[Decimal | None]]
    currency: str
    roll_from: str | None  # the first delinquent bucket, whose roll rate is drawn


def _ratio(part: int, whole: int, scale: Decimal = HUNDRED) -> Decimal | None:
    return Decimal(part) * scale / Decimal(whole) if whole else None


def _sums(rows: Sequence[KpiFigure], roll_from: str | None) -> dict[str, int]:
    """The counts and bases of one date, summed over segments and arms."""
    s: dict[str, int] = defaultdict(int)
    for r in rows:
        metric, key = r.metric, r.key
        n, amount = r.accounts, r.amount_minor
        base, base_amount = r.base_accounts or 0, r.base_amount_minor or 0
        if metric == "bucket":
            s["open"] += n
        elif metric == "delinquent":
            s[key] += n
        elif metric in ("roll", "cure") and (metric == "cure" or key == roll_from):
            s[metric] += n
            s[f"{metric}_base"] += base
        elif metric == "recovery":
            s["recovered"] += amount
            s["overdue"] += base_amount
        elif metric in ("planned", "allowed", "rescheduled", "dropped", "attempted"):
            s[metric] += n
        elif metric == "complaints":
            s["complaints"] += n
            s["complaint_base"] += base
        elif metric == "cost":
            s["cost"] += amount
        elif (metric, key) in (("promises", "kept"), ("plans", "completed")):
            s[f"{metric}_kept"] += n
            s[f"{metric}_decided"] += base
    return s


def kpi_series(report: KpiReport) -> KpiSeries:
    """The chart's series from a ``kpi_report`` (rows of any number of dates)."""
    rows = report.rows
    buckets = report.buckets
    roll_from = buckets[1] if len(buckets) > 1 else None
    by_date: dict[date, list[KpiFigure]] = defaultdict(list)
    for row in rows:
        by_date[row.as_of].append(row)
    values: dict[str, list[Decimal | None]] = defaultdict(list)
    code = rows[0].currency if rows else ""
    unit = Decimal(1).scaleb(-currency(code).minor_digits) if rows else Decimal(1)
    for day in sorted(by_date):
        s = _sums(by_date[day], roll_from)
        values["30+"].append(_ratio(s["30+"], s["open"]))
        values["90+"].append(_ratio(s["90+"], s["open"]))
        values["roll"].append(_ratio(s["roll"], s["roll_base"]))
        values["cure"].append(_ratio(s["cure"], s["cure_base"]))
        values["recovery"].append(_ratio(s["recovered"], s["overdue"]))
        for metric in ("planned", "allowed", "dropped", "attempted"):
            values[metric].append(Decimal(s[metric]))
        values["complaints"].append(_ratio(s["complaints"], s["complaint_base"], THOUSAND))
        values["cost"].append(Decimal(s["cost"]) * unit)
        values["promises_kept"].append(_ratio(s["promises_kept"], s["promises_decided"]))
        values["plans_kept"].append(_ratio(s["plans_kept"], s["plans_decided"]))
    return KpiSeries(
        dates=sorted(by_date),
        values=dict(values),
        currency=code,
        roll_from=roll_from,
    )


def cjk_font() -> str | None:
    """The name of an installed font with Chinese glyphs, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def title(wording: Wording, *, chinese: bool) -> str:
    """A chart's title: English, and Chinese beneath it when a font can draw it."""
    return f"{wording.en}\n{wording.zh}" if chinese else wording.en


def check_chart_path(path: Path) -> Path:
    """A ``.png`` file in an existing folder; anything else is refused before any work."""
    if path.suffix.lower() != ".png":
        raise ValidationError(
            N_("--chart %(path)s: the chart is written as PNG; give a file name ending in .png"),
            path=path,
        )
    if not path.parent.is_dir():
        raise ValidationError(
            N_("--chart %(path)s: folder %(parent)s does not exist; create it first"),
            path=path,
            parent=path.parent,
        )
    if path.is_dir():
        raise ValidationError(
            N_("--chart %(path)s is a folder; give a file name ending in .png"),
            path=path,
        )
    return path


def write_kpi_chart(report: KpiReport, path: Path) -> KpiChart:
    """Draw the main series of ``report`` into ``path``; nothing is written on refusal.

    The PNG is written to a temporary file beside ``path`` and renamed over it,
    so a failure never leaves a half-written chart.
    """
    target = check_chart_path(path)
    if not report.rows:
        platform, first, last = report.platform, report.first, report.last
        raise NotFound(
            N_(
                "no KPI snapshot of platform %(platform)s from %(first)s to %(last)s: "
                "nothing to chart; run `tideover cycle run` for those dates first"
            ),
            platform=repr(platform),
            first=first,
            last=last,
        )
    series = kpi_series(report)
    figure = _figure(series, f"{report.platform}: KPIs {report.first} – {report.last}")
    handle, temporary = tempfile.mkstemp(suffix=".png", dir=target.parent)
    os.close(handle)
    try:
        figure.savefig(temporary, format="png", dpi=DPI)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return KpiChart(
        chart=str(target), dates=len(series.dates), width=WIDTH_IN * DPI, height=HEIGHT_IN * DPI
    )


# (series keys and their legend labels, title, y-axis label)
Panel = tuple[tuple[tuple[str, str], ...], Wording, str]


def _panels(series: KpiSeries) -> list[Panel]:
    bucket = series.roll_from or "M1"
    return [
        ((("30+", "30+"), ("90+", "90+")), Wording(N_("Delinquency rate")), "% of open accounts"),
        ((("roll", bucket),), Wording(N_("Roll rate %(bucket)s → worse"), bucket=bucket),
         f"% of {bucket} accounts"),
        ((("cure", "cure"),), Wording(N_("Cure rate")), "% of delinquent accounts"),
        ((("recovery", "recovery"),), Wording(N_("Recovery rate")),
         "% of overdue at start of day"),
        ((("planned", "planned"), ("allowed", "allowed"), ("dropped", "dropped"),
          ("attempted", "attempted (ledger)")), Wording(N_("Contacts and denials")), "actions"),
        ((("complaints", "complaints"),), Wording(N_("Complaints per 1,000 contacts")),
         "per 1,000 attempts"),
        ((("cost", "cost"),), Wording(N_("Cost to collect")), series.currency),
        ((("promises_kept", "promises kept"), ("plans_kept", "plans completed")),
         Wording(N_("Promises kept, plans completed")), "% of those decided"),
    ]  # fmt: skip


def _figure(series: KpiSeries, heading: str) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = cjk_font()
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # the Agg canvas: no display, safe on servers
    axes_grid = figure.subplots(2, 4)
    first, last = series.dates[0], series.dates[-1]
    step = -(-len(series.dates) // MAX_TICKS)  # at most MAX_TICKS dates labelled
    ticks = series.dates[::step]
    for axes, (lines, heading_of, unit) in zip(axes_grid.flat, _panels(series), strict=True):
        given = [v for key, _ in lines for v in series.values[key] if v is not None]
        for key, label in lines:
            points = [float(v) if v is not None else float("nan") for v in series.values[key]]
            axes.plot(series.dates, points, marker="o", label=label)
        if all(v >= 0 for v in given):
            axes.set_ylim(bottom=0)  # rates, counts and costs read from zero
        style = {"fontfamily": font} if font else {}
        axes.set_title(title(heading_of, chinese=font is not None), fontsize=10, **style)
        axes.set_ylabel(unit, fontsize=8)
        axes.set_xlim(first - timedelta(days=1), last + timedelta(days=1))
        axes.set_xticks(ticks, labels=[d.isoformat() for d in ticks], rotation=30, ha="right")
        axes.tick_params(labelsize=8)
        axes.grid(alpha=0.3)
        if len(lines) > 1:
            axes.legend(fontsize=7)
        if not given:
            axes.text(0.5, 0.5, "no data", ha="center", va="center", transform=axes.transAxes)
    figure.suptitle(heading, fontsize=12)
    return figure
