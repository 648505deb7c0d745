"""``tideover kpi``: the stored KPI snapshots of a platform over a date range."""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.output import JsonOption, _, console, print_json, texts
from tideover.cli.portfolio import parse_date
from tideover.cli.tables import Column, CsvOption, Listing
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
    csv_out: CsvOption = False,
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
        console.print(_("no KPI snapshot in that range"))
    if drawn is not None:
        size = f"{drawn.width}×{drawn.height}"
        console.print(
            _(
                "chart of %(dates)s date(s) written to %(chart)s (%(size)s px)",
                dates=drawn.dates,
                chart=drawn.chart,
                size=size,
            )
        )


def amount(minor: int, code: str) -> Decimal:
    """Minor units as the exact amount in major units."""
    return Money(minor, currency(code)).amount


def share_text(part: int, whole: int) -> str:
    return texts().percent(Decimal(part) / Decimal(whole), 1) if whole else "—"


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
    return texts().number(Decimal(part * 1000) / Decimal(whole), 2) if whole else "—"


def _render_outcomes(platform: str, by_date: dict[date, list[KpiFigure]], code: str) -> None:
    """Recovery, promises, plans and complaints by date (a second table: narrow terminals)."""
    if not any(r.metric == "recovery" for group in by_date.values() for r in group):
        return  # snapshots taken before these figures were kept
    listing = Listing(
        _("%(platform)s: outcomes by date", platform=platform),
        [
            Column("as_of", _("date")),
            Column("recovered", _("recovered"), "right", places=2),
            Column("recovery_rate", _("recovery"), "right"),
            Column("promises_kept", _("PTP kept"), "right"),
            Column("plans_in_force", _("on a plan"), "right"),
            Column("complaints_per_1000", _("complaints/1k"), "right"),
        ],
    )
    for day, group in sorted(by_date.items()):
        t = kpi_totals(group)
        listing.add(
            day,
            amount(t["recovered"], code),
            share_text(t["recovered"], t["overdue_start"]),
            f"{texts().number(t['promises_kept'])}/{texts().number(t['promises_decided'])}",
            t["plans_in_force"],
            per_1000_text(t["complaints"], t["attempts"]),
        )
    listing.print()


def _render(platform: str, rows: Sequence[KpiFigure]) -> None:
    """Two readable views of the rows: the platform by date, then the last date by segment/arm."""
    if not rows:
        return
    code = rows[0].currency
    by_date: dict[date, list[KpiFigure]] = defaultdict(list)
    for row in rows:
        by_date[row.as_of].append(row)
    listing = Listing(
        _("%(platform)s: KPIs by date", platform=platform),
        [
            Column("as_of", _("date")),
            Column("accounts", _("accounts"), "right"),
            Column("balance", _("balance"), "right", places=2),
            Column("dpd30", "30+", "right"),
            Column("dpd90", "90+", "right"),
            Column("actions", _("actions"), "right"),
            Column("denied", _("denied"), "right"),
            Column("cost", _("cost"), "right", places=2),
        ],
    )
    for day, group in sorted(by_date.items()):
        t = kpi_totals(group)
        listing.add(
            day,
            t["accounts"],
            amount(t["balance"], code),
            share_text(t["30+"], t["accounts"]),
            share_text(t["90+"], t["accounts"]),
            t["planned"],
            t["planned"] - t["allowed"],
            amount(t["cost"], code),
        )
    listing.print()
    _render_outcomes(platform, by_date, code)
    last = max(by_date)
    by_arm: dict[tuple[str, str], list[KpiFigure]] = defaultdict(list)
    for row in by_date[last]:
        by_arm[(row.segment, row.arm)].append(row)
    detail = Listing(
        _("%(last)s by segment and arm", last=last),
        [
            Column("segment", _("segment")),
            Column("arm", _("arm")),
            Column("accounts", _("accounts"), "right"),
            Column("balance", _("balance"), "right", places=2),
            Column("actions", _("actions"), "right"),
            Column("cost", _("cost"), "right", places=2),
        ],
        note=_("all rows: --json or --csv"),
    )
    for (segment, arm), group in sorted(by_arm.items()):
        t = kpi_totals(group)
        detail.add(
            segment,
            arm or "—",
            t["accounts"],
            amount(t["balance"], code),
            t["planned"],
            amount(t["cost"], code),
        )
    detail.print()
