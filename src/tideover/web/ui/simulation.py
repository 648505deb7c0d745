"""What the console shows of a simulation: the difference table's rows and its ECharts option.

Rows are text already (the CLI's formatting, ``services.simulate.display``);
the chart's option is data only (``static/js/app.js`` draws it).  Floats appear
only in the chart, as ECharts needs numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tideover.domain.money import currency
from tideover.services.simulate.display import favours_text, interval_text, label, value_text
from tideover.services.simulate.results import (
    HEADLINE,
    RATE_KPIS,
    ComparisonReport,
    KpiInterval,
)

CHARTED = ("dq30_rate", "recovery_rate", "cost_to_collect", "complaints_per_1000_contacts")


def _language(language: str) -> str:
    return "zh" if language.startswith("zh") else "en"


def difference_rows(report: ComparisonReport, language: str) -> list[dict[str, str]]:
    """The headline KPIs in the last month: baseline, candidate, difference, which it favours."""
    lang = _language(language)
    digits = currency(report.book.currency).minor_digits
    last = report.settings.months
    base = report.policies[0]
    if not report.differences:
        return [
            {
                "kpi": kpi,
                "label": label(kpi, lang),
                "value": interval_text(base.at(kpi, last), minor_digits=digits),
            }
            for kpi in HEADLINE
        ]
    difference = report.differences[0]
    mine = next(p for p in report.policies if p.source.label == difference.policy)
    rows = []
    for kpi in HEADLINE:
        row = difference.at(kpi, last)
        rows.append(
            {
                "kpi": kpi,
                "label": label(kpi, lang),
                "baseline": value_text(kpi, base.at(kpi, last).median, minor_digits=digits),
                "policy": value_text(kpi, mine.at(kpi, last).median, minor_digits=digits),
                "difference": interval_text(row, minor_digits=digits, signed=True),
                "favours": favours_text(row, lang),
            }
        )
    return rows


def driver_rows(report: ComparisonReport, language: str) -> list[dict[str, str]]:
    """The prior that drives each headline difference most, as the page lists them."""
    lang = _language(language)
    if not report.differences:
        return []
    return [
        {
            "kpi": label(block.kpi, lang),
            "prior": block.drivers[0].prior,
            "rho": f"{block.drivers[0].rank_correlation:+.2f}",
            "text": block.drivers[0].zh if lang == "zh" else block.drivers[0].en,
        }
        for block in report.differences[0].sensitivity
        if block.drivers
    ]


def _number(value: Decimal | None, kpi: str) -> float | None:
    if value is None:
        return None
    return float(value * 100) if kpi in RATE_KPIS else float(value)


def _band(rows: Sequence[KpiInterval], kpi: str) -> tuple[list[Any], list[Any], list[Any]]:
    mine = sorted((r for r in rows if r.kpi == kpi), key=lambda r: r.month)
    low = [_number(r.low, kpi) for r in mine]
    high = [_number(r.high, kpi) for r in mine]
    width = [None if a is None or b is None else b - a for a, b in zip(low, high, strict=True)]
    return low, width, [_number(r.median, kpi) for r in mine]


def simulation_chart(report: ComparisonReport, language: str) -> dict[str, Any]:
    """Four small charts, month by month: the difference (or, alone, the level) with its
    90 % band; rates in percent."""
    lang = _language(language)
    rows: Sequence[KpiInterval] = report.policies[0].kpis
    zero = bool(report.differences)
    if report.differences:
        rows = report.differences[0].kpis
    months = [str(m) for m in range(1, report.settings.months + 1)]
    option: dict[str, Any] = {
        "tooltip": {"trigger": "axis"},
        "title": [],
        "grid": [],
        "xAxis": [],
        "yAxis": [],
        "series": [],
    }
    for index, kpi in enumerate(CHARTED):
        left = ("6%", "56%")[index % 2]
        title_top, top = (("2%", "12%"), ("52%", "62%"))[index // 2]
        option["title"].append(
            {
                "text": label(kpi, lang),
                "left": left,
                "top": title_top,
                "textStyle": {"fontSize": 12},
            }
        )
        option["grid"].append({"left": left, "top": top, "width": "38%", "height": "28%"})
        option["xAxis"].append({"type": "category", "data": months, "gridIndex": index})
        option["yAxis"].append({"type": "value", "gridIndex": index, "scale": True})
        low, width, median = _band(rows, kpi)
        axes = {"xAxisIndex": index, "yAxisIndex": index}
        option["series"] += [
            {"type": "line", "data": low, "stack": kpi, "stackStrategy": "all", "symbol": "none",
             "lineStyle": {"opacity": 0}, "tooltip": {"show": False}, **axes},
            {"type": "line", "data": width, "stack": kpi, "stackStrategy": "all", "symbol": "none",
             "lineStyle": {"opacity": 0}, "areaStyle": {"opacity": 0.2}, "name": "90 %",
             "tooltip": {"show": False}, **axes},
            {"type": "line", "data": median, "name": label(kpi, lang), **axes,
             **({"markLine": {"silent": True, "symbol": "none", "data": [{"yAxis": 0}]}}
                if zero else {})},
        ]  # fmt: skip
    return option
