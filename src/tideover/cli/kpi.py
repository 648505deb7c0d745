"""``tideover kpi``: the stored KPI snapshots of a platform over a date range."""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tideover.cli.output import JsonOption, console, print_json, say
from tideover.cli.portfolio import parse_date
from tideover.domain.money import Money, currency

if TYPE_CHECKING:
    from tideover.services.cycle.results import KpiFigure

COLUMNS = (
    "as_of",
    "segment",
    "arm",
    "metric",
    "key",
    "accounts",
    "base_accounts",
    "account_rate",
    "amount_minor",
    "base_amount_minor",
    "amount_rate",
    "per_1000",
    "currency",
)


def kpi(
    platform: Annotated[str, typer.Option(help="Platform code.")],
    first: Annotated[str, typer.Option("--from", help="First business date (YYYY-MM-DD).")],
    last: Annotated[str, typer.Option("--to", help="Last business date (YYYY-MM-DD).")],
    csv_out: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    json_out: JsonOption = False,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Also draw the main series over the range into this PNG."),
    ] = None,
) -> None:
    """KPIs per date, segment and arm: buckets, 30+/90+, roll, cure, recovery, promises,
    plans, contacts, complaints, cost."""
    from tideover.bootstrap import open_app
    from tideover.services.cycle.kpi_chart import check_chart_path, write_kpi_chart
    from tideover.services.cycle.results import ChartedKpiReport
    from tideover.services.cycle.run import kpi_report

    start, end = parse_date(first, "--from"), parse_date(last, "--to")
    if chart is not None:
        check_chart_path(chart)  # refused before the database is opened
    with open_app() as app_:
        report = kpi_report(uow=app_.uow(), platform=platform, first=start, last=end)
    drawn = None if chart is None else write_kpi_chart(report, chart)
    if json_out:
        print_json(report if drawn is None else ChartedKpiReport.of(report, drawn))
        return
    if csv_out:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(row.to_json() for row in report.rows)
        return
    _render(platform, report.rows)
    if not report.rows:
        console.print(say("no KPI snapshot in that range", "该日期范围内没有指标快照"))
    if drawn is not None:
        size = f"{drawn.width}×{drawn.height}"
        console.print(
            say(
                f"chart of {drawn.dates} date(s) written to {drawn.chart} ({size} px)",
                f"已将 {drawn.dates} 个日期的图表写入 {drawn.chart}（{size} 像素）",
            )
        )


def amount_text(minor: int, code: str) -> str:
    return f"{Money(minor, currency(code)).amount:,}"


def share_text(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def kpi_totals(rows: Sequence[KpiFigure]) -> dict[str, int]:
    """Sums over segments and arms of one group of rows, by metric (and 30+/90+)."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        metric, key = row.metric, row.key
        if metric == "bucket":
            totals["accounts"] += row.accounts
            totals["balance"] += row.amount_minor
        elif metric == "delinquent":
            totals[key] += row.accounts
        elif metric in ("planned", "allowed"):
            totals[metric] += row.accounts
        elif metric == "cost":
            totals["cost"] += row.amount_minor
        elif metric == "recovery":
            totals["recovered"] += row.amount_minor
            totals["overdue_start"] += row.base_amount_minor or 0
        elif metric == "complaints":
            totals["complaints"] += row.accounts
            totals["attempts"] += row.base_accounts or 0
        elif (metric, key) == ("promises", "kept"):
            totals["promises_kept"] += row.accounts
            totals["promises_decided"] += row.base_accounts or 0
        elif (metric, key) == ("plans", "in_force"):
            totals["plans_in_force"] += row.accounts
    return totals


def per_1000_text(part: int, whole: int) -> str:
    return f"{part * 1000 / whole:.2f}" if whole else "—"


def _render_outcomes(platform: str, by_date: dict[date, list[KpiFigure]], code: str) -> None:
    """Recovery, promises, plans and complaints by date (a second table: narrow terminals)."""
    if not any(r.metric == "recovery" for group in by_date.values() for r in group):
        return  # snapshots taken before these figures were kept
    table = Table(title=say(f"{platform}: outcomes by date", f"{platform}：每日结果"))
    for en, zh in [("date", "日期"), ("recovered", "回收金额"), ("recovery", "回收率"),
                   ("PTP kept", "承诺兑现"), ("on a plan", "方案中"),
                   ("complaints/1k", "千次投诉")]:  # fmt: skip
        table.add_column(say(en, zh), justify="right")
    for day, group in sorted(by_date.items()):
        t = kpi_totals(group)
        table.add_row(
            day.isoformat(),
            amount_text(t["recovered"], code),
            share_text(t["recovered"], t["overdue_start"]),
            f"{t['promises_kept']:,}/{t['promises_decided']:,}",
            f"{t['plans_in_force']:,}",
            per_1000_text(t["complaints"], t["attempts"]),
        )
    console.print(table)


def _render(platform: str, rows: Sequence[KpiFigure]) -> None:
    """Two readable views of the rows: the platform by date, then the last date by segment/arm."""
    if not rows:
        return
    code = rows[0].currency
    by_date: dict[date, list[KpiFigure]] = defaultdict(list)
    for row in rows:
        by_date[row.as_of].append(row)
    headings = [
        ("date", "日期"),
        ("accounts", "户数"),
        ("balance", "余额"),
        ("30+", "30+"),
        ("90+", "90+"),
        ("actions", "动作"),
        ("denied", "被拒"),
        ("cost", "成本"),
    ]
    table = Table(title=say(f"{platform}: KPIs by date", f"{platform}：每日指标"))
    for en, zh in headings:
        table.add_column(say(en, zh), justify="right")
    for day, group in sorted(by_date.items()):
        t = kpi_totals(group)
        table.add_row(
            day.isoformat(),
            f"{t['accounts']:,}",
            amount_text(t["balance"], code),
            share_text(t["30+"], t["accounts"]),
            share_text(t["90+"], t["accounts"]),
            f"{t['planned']:,}",
            f"{t['planned'] - t['allowed']:,}",
            amount_text(t["cost"], code),
        )
    console.print(table)
    _render_outcomes(platform, by_date, code)
    last = max(by_date)
    by_arm: dict[tuple[str, str], list[KpiFigure]] = defaultdict(list)
    for row in by_date[last]:
        by_arm[(row.segment, row.arm)].append(row)
    detail = Table(title=say(f"{last} by segment and arm", f"{last} 按分群与实验组"))
    for en, zh in [("segment", "分群"), ("arm", "实验组"), ("accounts", "户数"),
                   ("balance", "余额"), ("actions", "动作"), ("cost", "成本")]:  # fmt: skip
        detail.add_column(say(en, zh), justify="left" if en in ("segment", "arm") else "right")
    for (segment, arm), group in sorted(by_arm.items()):
        t = kpi_totals(group)
        detail.add_row(
            segment,
            arm or "—",
            f"{t['accounts']:,}",
            amount_text(t["balance"], code),
            f"{t['planned']:,}",
            amount_text(t["cost"], code),
        )
    console.print(detail)
    console.print(say("all rows: --json or --csv", "全部明细：--json 或 --csv"))
