"""Commands on the portfolio: init, schedule, delinquency."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tideover.cli.output import JsonOption, console, print_json, progress_bars, say
from tideover.domain.clock import SystemClock, business_date
from tideover.domain.loans import Frequency, RepaymentMethod
from tideover.domain.money import Money, currency
from tideover.services.portfolio.schedules import preview_schedule

if TYPE_CHECKING:
    from tideover.services.portfolio.results import DelinquencyReport

# Commands import the database layers lazily so that `--help` and `schedule` start fast.
DEFAULT_TIME_ZONE = "Asia/Shanghai"


def parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            say(f"{value!r} is not a date (YYYY-MM-DD)", f"{value!r} 不是日期（YYYY-MM-DD）"),
            param_hint=option,
        ) from exc


def init(json_out: JsonOption = False) -> None:
    """Create the database, or upgrade it to the latest schema."""
    from tideover.bootstrap import initialise

    before, after = initialise()
    if json_out:
        print_json({"revision_before": before, "revision": after})
        return
    if before == after:
        console.print(say(f"database already up to date ({after})", f"数据库已是最新（{after}）"))
    else:
        console.print(say(f"database ready at revision {after}", f"数据库已就绪，版本 {after}"))


def schedule(
    principal: Annotated[str, typer.Option(help="Amount lent, in major units (e.g. 100000).")],
    annual_rate: Annotated[str, typer.Option(help="Yearly rate: 0.12 or 12%.")],
    months: Annotated[int, typer.Option(help="Number of installments.")],
    method: Annotated[RepaymentMethod, typer.Option(help="How repayment is spread.")] = (
        RepaymentMethod.EQUAL_INSTALLMENT
    ),
    start_date: Annotated[
        str | None,
        typer.Option(help="Disbursement date (YYYY-MM-DD); default today in Asia/Shanghai."),
    ] = None,
    currency: Annotated[str, typer.Option(help="ISO currency code.")] = "CNY",
    frequency: Annotated[Frequency, typer.Option(help="Installment frequency.")] = (
        Frequency.MONTHLY
    ),
    json_out: JsonOption = False,
) -> None:
    """Print a repayment schedule (等额本息, 等额本金, 先息后本 or bullet)."""
    start = (
        parse_date(start_date, "--start-date")
        if start_date
        else business_date(SystemClock(), DEFAULT_TIME_ZONE)
    )
    preview = preview_schedule(
        principal=principal,
        annual_rate=annual_rate,
        term=months,
        method=method,
        start_date=start,
        currency_code=currency,
        frequency=frequency,
    )
    if json_out:
        print_json(preview)
        return
    summary = preview.summary
    table = Table(title=say("Repayment schedule", "还款计划") + f" ({summary.currency})")
    headings = [
        ("#", "期数"),
        ("due date", "应还日"),
        ("principal", "本金"),
        ("interest", "利息"),
        ("fees", "费用"),
        ("total", "合计"),
        ("remaining", "剩余本金"),
    ]
    for en, zh in headings:
        table.add_column(say(en, zh), justify="right")
    for line in preview.installments:
        table.add_row(*(str(v) for v in line.to_json().values()))
    console.print(table)
    console.print(
        say("total interest", "利息合计")
        + f": {summary.total_interest}  "
        + say("total due", "应还合计")
        + f": {summary.total_due}"
    )


def render_delinquency(report: DelinquencyReport) -> None:
    table = Table(
        title=say(
            f"{report.platform}: delinquency as of {report.as_of}",
            f"{report.platform}：截至 {report.as_of} 的逾期情况",
        )
    )
    headings = [
        ("bucket", "账龄"),
        ("accounts", "户数"),
        ("share", "占比"),
        ("outstanding principal", "剩余本金"),
        ("overdue", "逾期金额"),
    ]
    previous = report.previous_as_of
    if previous is not None:
        # Read by row: of the accounts in this bucket on the previous date,
        # the share now in a worse one (迁徙率).
        headings.append((f"rolled worse since {previous}", f"自 {previous} 起迁徙率"))
    for en, zh in headings:
        table.add_column(say(en, zh), justify="right")
    open_accounts = report.open_accounts or 1
    for line in report.buckets:
        cells = [
            line.bucket,
            f"{line.accounts:,}",
            f"{line.accounts / open_accounts:.1%}",
            f"{line.outstanding_principal:,}",
            f"{line.overdue:,}",
        ]
        if previous is not None:
            roll = report.roll_rates.get(line.bucket)
            rate = roll.account_rate if roll is not None else None
            if roll is None or rate is None:
                cells.append("—")
            else:
                cells.append(
                    say(f"{rate:.1%} of {roll.accounts:,}", f"{roll.accounts:,} 户中 {rate:.1%}")
                )
        table.add_row(*cells)
    console.print(table)
    outstanding = Money.of(report.outstanding_principal, currency(report.currency))
    console.print(
        say(
            f"open {report.open_accounts:,} · delinquent {report.delinquent_accounts:,} · "
            f"closed {report.closed_accounts:,} · outstanding {outstanding}",
            f"在贷 {report.open_accounts:,} · 逾期 {report.delinquent_accounts:,} · "
            f"已结清 {report.closed_accounts:,} · 剩余本金 {outstanding}",
        )
    )
    if previous is None:
        console.print(
            say(
                "no earlier date on record yet: roll rates appear from the next date on",
                "暂无更早日期的记录：迁徙率从下一个日期开始计算",
            )
        )


def delinquency(
    as_of: Annotated[str, typer.Option("--as-of", help="Business date (YYYY-MM-DD).")],
    platform: Annotated[str, typer.Option(help="Platform code.")],
    store: Annotated[
        bool, typer.Option(help="Record the result as that date's bucket history.")
    ] = True,
    json_out: JsonOption = False,
) -> None:
    """Per-bucket counts and balances as of a business date (and roll rates)."""
    from tideover.bootstrap import open_app
    from tideover.services.portfolio.delinquency import compute_delinquency

    day = parse_date(as_of, "--as-of")
    with open_app() as app, progress_bars(disable=json_out) as progress:
        report = compute_delinquency(
            uow=app.uow(), platform=platform, as_of=day, store=store, progress=progress
        )
    if json_out:
        print_json(report)
    else:
        render_delinquency(report)
