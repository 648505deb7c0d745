"""The KPI chart: the main series of a platform over a date range, as one PNG.

Series are summed over segments and arms from the stored counts and bases
(``kpi_report`` rows), so a platform's rate is its accounts (or amounts) over
its base, never an average of segment rates.  Floats appear only to draw.

Every text on it comes from the catalogue, in both languages as
:mod:`tideover.i18n.charts` lays them out (the Chinese only when a font can
draw it).  Matplotlib runs on its Agg canvas (no display), like the training
report's plots.
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
from tideover.i18n.charts import cjk_font, label, title
from tideover.services.cycle.results import KpiChart, KpiFigure, KpiReport

WIDTH_IN, HEIGHT_IN, DPI = 16, 8, 100  # 1600 × 800 pixels
MAX_TICKS = 6
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
    heading = Wording(
        N_("%(platform)s: KPIs %(first)s – %(last)s"),
        platform=report.platform,
        first=report.first,
        last=report.last,
    )
    figure = _figure(series, heading)
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


# (series keys and their legend labels, title, y-axis label); a code (30+, a bucket, a
# currency) is the same in both languages.
Panel = tuple[tuple[tuple[str, Wording | str], ...], Wording, Wording | str]


def _panels(series: KpiSeries) -> list[Panel]:
    bucket = series.roll_from or "M1"
    return [
        ((("30+", "30+"), ("90+", "90+")), Wording(N_("Delinquency rate")),
         Wording(N_("% of open accounts"))),
        ((("roll", bucket),), Wording(N_("Roll rate %(bucket)s → worse"), bucket=bucket),
         Wording(N_("%% of %(bucket)s accounts"), bucket=bucket)),
        ((("cure", Wording(N_("cured"))),), Wording(N_("Cure rate")),
         Wording(N_("% of delinquent accounts"))),
        ((("recovery", Wording(N_("recovered"))),), Wording(N_("Recovery rate")),
         Wording(N_("% of overdue at start of day"))),
        ((("planned", Wording(N_("planned"))), ("allowed", Wording(N_("allowed"))),
          ("dropped", Wording(N_("dropped"))),
          ("attempted", Wording(N_("attempted (ledger)")))),
         Wording(N_("Contacts and denials")), Wording(N_("actions"))),
        ((("complaints", Wording(N_("complaints"))),),
         Wording(N_("Complaints per 1,000 contacts")), Wording(N_("per 1,000 attempts"))),
        ((("cost", Wording(N_("cost"))),), Wording(N_("Cost to collect")), series.currency),
        ((("promises_kept", Wording(N_("promises kept"))),
          ("plans_kept", Wording(N_("plans completed")))),
         Wording(N_("Promises kept, plans completed")), Wording(N_("% of those decided"))),
    ]  # fmt: skip


def _figure(series: KpiSeries, heading: Wording) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = cjk_font()
    chinese = font is not None
    style = {"fontfamily": font} if font else {}
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # the Agg canvas: no display, safe on servers
    axes_grid = figure.subplots(2, 4)
    first, last = series.dates[0], series.dates[-1]
    step = -(-len(series.dates) // MAX_TICKS)  # at most MAX_TICKS dates labelled
    ticks = series.dates[::step]
    for axes, (lines, heading_of, unit) in zip(axes_grid.flat, _panels(series), strict=True):
        given = [v for key, _ in lines for v in series.values[key] if v is not None]
        for key, name in lines:
            points = [float(v) if v is not None else float("nan") for v in series.values[key]]
            axes.plot(series.dates, points, marker="o", label=label(name, chinese=chinese))
        if all(v >= 0 for v in given):
            axes.set_ylim(bottom=0)  # rates, counts and costs read from zero
        axes.set_title(title(heading_of, chinese=chinese), fontsize=10, **style)
        shown = title(unit, chinese=chinese) if isinstance(unit, Wording) else unit
        axes.set_ylabel(shown, fontsize=8, **style)
        axes.set_xlim(first - timedelta(days=1), last + timedelta(days=1))
        axes.set_xticks(ticks, labels=[d.isoformat() for d in ticks], rotation=30, ha="right")
        axes.tick_params(labelsize=8)
        axes.grid(alpha=0.3)
        if len(lines) > 1:
            axes.legend(prop={"size": 7, "family": font} if font else {"size": 7})
        if not given:
            nothing = label(Wording(N_("no data")), chinese=chinese)
            axes.text(
                0.5, 0.5, nothing, ha="center", va="center", transform=axes.transAxes, **style
            )
    figure.suptitle(title(heading, chinese=chinese), fontsize=12, **style)
    return figure
