"""``tideover kpi``: the stored KPI snapshots of a platform over a date range."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer
from rich.table import Table

from tideover.cli.output import JsonOption, console, print_json, say
from tideover.cli.portfolio import parse_date

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
    "currency",
)


def kpi(
    platform: Annotated[str, typer.Option(help="Platform code.")],
    first: Annotated[str, typer.Option("--from", help="First business date (YYYY-MM-DD).")],
    last: Annotated[str, typer.Option("--to", help="Last business date (YYYY-MM-DD).")],
    csv_out: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
    json_out: JsonOption = False,
) -> None:
    """KPIs per date, segment and arm: buckets, 30+/90+, roll, cure, contacts, cost."""
    from tideover.bootstrap import open_app
    from tideover.services.cycle import kpi_report

    start, end = parse_date(first, "--from"), parse_date(last, "--to")
    with open_app() as app_:
        report = kpi_report(uow=app_.uow(), platform=platform, first=start, last=end)
    if json_out:
        print_json(report)
        return
    if csv_out:
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(report["rows"])
        return
    table = Table(title=say(f"KPIs of {platform}", f"{platform} 的指标"))
    for column in COLUMNS[:-1]:
        table.add_column(column, justify="right" if column[0] in "abr" else "left")
    for row in report["rows"]:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in COLUMNS[:-1]))
    console.print(table)
    if not report["rows"]:
        console.print(say("no KPI snapshot in that range", "该日期范围内没有指标快照"))
