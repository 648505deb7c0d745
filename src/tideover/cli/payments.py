"""``tideover payments repair``: reverse or correct a stored payment (audited)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from tideover.cli.output import JsonOption, _, console, print_json
from tideover.cli.portfolio import parse_date
from tideover.domain.errors import UsageError
from tideover.i18n import N_

app = typer.Typer(help="Stored payments: reverse or correct one.", no_args_is_help=True)


@app.command("repair")
def repair(
    platform: Annotated[str, typer.Option(help="Platform code.")],
    payment: Annotated[str, typer.Option("--payment", help="The payment's id.")],
    by: Annotated[str, typer.Option(help="Who repairs it (a user who may import payments).")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")],
    amount: Annotated[
        str | None, typer.Option(help="The right amount: records a corrected payment.")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="The right value date (YYYY-MM-DD).")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Reverse a payment recorded wrongly; with --amount or --date, record it right."""
    from tideover.bootstrap import open_app
    from tideover.services.portfolio.corrections import repair_payment

    right_amount = None
    if amount is not None:
        try:
            right_amount = Decimal(amount.replace(",", ""))
        except InvalidOperation:
            raise UsageError(
                N_("--amount %(amount)s is not a number"), amount=repr(amount)
            ) from None
    with open_app() as app_:
        result = repair_payment(
            uow=app_.uow(),
            platform=platform,
            payment_id=payment,
            by=by,
            reason=reason,
            amount=right_amount,
            paid_on=None if date is None else parse_date(date, "--date"),
        )
    if json_out:
        print_json(result)
        return
    console.print(
        _(
            "%(platform)s: payment %(payment)s reversed (%(reversal)s)",
            platform=platform,
            payment=result.reversed_payment,
            reversal=result.reversal,
        )
        + (
            _("; corrected as %(payment)s", payment=result.corrected_payment)
            if result.corrected_payment
            else ""
        ),
        markup=False,
    )
