"""Commands on the portfolio: init, schedule, delinquency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.output import JsonOption, _, console, print_json, progress_bars, texts
from tideover.cli.tables import Column, CsvOption, Listing
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
            _("%(value)s is not a date (YYYY-MM-DD)", value=repr(value)),
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
        console.print(_("database already up to date (%(after)s)", after=after))
    else:
        console.print(_("database ready at revision %(after)s", after=after))


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
    csv_out: CsvOption = False,
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
    listing = Listing(
        _("Repayment schedule") + f" ({summary.currency})",
        [
            Column("number", _("#"), "right"),
            Column("due_date", _("due date"), "right"),
            Column("principal", _("principal"), "right", places=2),
            Column("interest", _("interest"), "right", places=2),
            Column("fees", _("fees"), "right", places=2),
            Column("total", _("total"), "right", places=2),
            Column("remaining_principal", _("remaining"), "right", places=2),
        ],
    )
    for line in preview.installments:
        listing.add(
            line.number, line.due_date, line.principal, line.interest, line.fees, line.total,
            line.remaining_principal,
        )  # fmt: skip
    listing.print(csv_out=csv_out)
    if csv_out:
        return
    console.print(
        _(
            "total interest: %(interest)s · total due: %(due)s",
            interest=texts().number(summary.total_interest, 2),
            due=texts().number(summary.total_due, 2),
        ),
        markup=False,
    )


def render_delinquency(report: DelinquencyReport, *, csv_out: bool = False) -> None:
    columns = [
        Column("bucket", _("bucket")),
        Column("accounts", _("accounts"), "right"),
        Column("share", _("share"), "right"),
        Column("outstanding_principal", _("outstanding principal"), "right", places=2),
        Column("overdue", _("overdue"), "right", places=2),
    ]
    previous = report.previous_as_of
    if previous is not None:
        # Read by row: of the accounts in this bucket on the previous date,
        # the share now in a worse one (迁徙率).
        columns.append(
            Column("rolled_worse", _("rolled worse since %(date)s", date=previous), "right")
        )
    listing = Listing(
        _(
            "%(platform)s: delinquency as of %(as_of)s",
            platform=report.platform,
            as_of=report.as_of,
        ),
        columns,
    )
    open_accounts = report.open_accounts or 1
    for line in report.buckets:
        share = Decimal(line.accounts) / Decimal(open_accounts)
        cells: list[object] = [
            line.bucket,
            line.accounts,
            format(share, "f") if csv_out else texts().percent(share, 1),
            line.outstanding_principal,
            line.overdue,
        ]
        if previous is not None:
            roll = report.roll_rates.get(line.bucket)
            rate = roll.account_rate if roll is not None else None
            if roll is None or rate is None:
                cells.append(None)
            elif csv_out:
                cells.append(format(rate, "f"))
            else:
                cells.append(
                    _(
                        "%(rate)s of %(accounts)s",
                        rate=texts().percent(rate, 1),
                        accounts=texts().number(roll.accounts),
                    )
                )
        listing.add(*cells)
    listing.print(csv_out=csv_out)
    if csv_out:
        return
    outstanding = Money.of(report.outstanding_principal, currency(report.currency))
    console.print(
        _(
            "open %(open_accounts)s · delinquent %(delinquent_accounts)s · closed "
            "%(closed_accounts)s · outstanding %(outstanding)s",
            open_accounts=format(report.open_accounts, ","),
            delinquent_accounts=format(report.delinquent_accounts, ","),
            closed_accounts=format(report.closed_accounts, ","),
            outstanding=outstanding,
        )
    )
    if previous is None:
        console.print(_("no earlier date on record yet: roll rates appear from the next date on"))


def delinquency(
    as_of: Annotated[str, typer.Option("--as-of", help="Business date (YYYY-MM-DD).")],
    platform: Annotated[str, typer.Option(help="Platform code.")],
    store: Annotated[
        bool, typer.Option(help="Record the result as that date's bucket history.")
    ] = True,
    json_out: JsonOption = False,
    csv_out: CsvOption = False,
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
        render_delinquency(report, csv_out=csv_out)
