"""``tideover plans options``: relief plans for a loan, given a hardship application."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.output import JsonOption, console, print_json, say

if TYPE_CHECKING:
    from tideover.plans import HardshipApplication, OfferLimits, OptionsResult

app = typer.Typer(
    help="Relief plans for borrowers in hardship: options, their cost and their value.",
    no_args_is_help=True,
)


def _date(text: str | None) -> date | None:
    from tideover.domain.errors import UsageError

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--as-of {text!r} is not a date (YYYY-MM-DD)",
            f"--as-of {text!r} 不是日期（YYYY-MM-DD）",
        ) from None


def _score(text: str | None) -> Decimal | None:
    from tideover.domain.errors import UsageError
    from tideover.domain.money import to_decimal

    if text is None:
        return None
    value = to_decimal(text)
    if not Decimal(0) <= value <= 1:
        raise UsageError(
            f"--score {text} must be a probability between 0 and 1",
            f"--score {text} 必须是 0 到 1 之间的概率",
        )
    return value


@app.command("options")
def options(
    application: Annotated[
        Path, typer.Option("--application", help="Hardship application JSON/YAML.")
    ],
    loan_file: Annotated[
        Path | None, typer.Option("--loan-file", help="Loan terms and payments (JSON).")
    ] = None,
    loan: Annotated[str | None, typer.Option("--loan", help="Stored loan id.")] = None,
    platform: Annotated[
        str | None, typer.Option("--platform", help="Platform of the stored loan.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Business date (default: application date).")
    ] = None,
    limits: Annotated[
        Path | None, typer.Option("--limits", help="Offer limits (policy `offers` shape).")
    ] = None,
    score: Annotated[
        str | None, typer.Option("--score", help="12-month default probability, 0–1.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """List the plan options for one loan, ranked by the lender's expected NPV."""
    from tideover.domain.errors import UsageError
    from tideover.services import plans as service

    if (loan_file is None) == (loan is None):
        raise UsageError(
            "give exactly one of --loan-file FILE or --loan ID --platform P",
            "请只指定 --loan-file FILE 或 --loan ID --platform P 其中之一",
        )
    app_doc = service.load_application(application)
    offer_limits = service.load_limits(limits)
    when, risk = _date(as_of), _score(score)
    if loan_file is not None:
        loan_obj, payments, settings = service.parse_loan_file(service.read_document(loan_file))
        result = service.plan_options(
            loan=loan_obj,
            payments=payments,
            settings=settings,
            application=app_doc,
            as_of=when,
            limits=offer_limits,
            score=risk,
        )
    else:
        result = _stored(loan or "", platform, when, app_doc, offer_limits, risk)
    if json_out:
        print_json(service.options_json(result))
        return
    _show(result)


def _stored(
    loan: str,
    platform: str | None,
    when: date | None,
    application: HardshipApplication,
    limits: OfferLimits,
    score: Decimal | None,
) -> OptionsResult:
    from tideover.bootstrap import open_app
    from tideover.domain.errors import UsageError
    from tideover.services import plans as service

    if platform is None or when is None:
        raise UsageError(
            "--loan needs --platform and --as-of", "--loan 需要同时指定 --platform 与 --as-of"
        )
    with open_app() as app_:
        return service.plan_options_for_stored_loan(
            uow=app_.uow(),
            platform=platform,
            loan_id=loan,
            application=application,
            as_of=when,
            limits=limits,
            score=score,
        )


def _show(result: OptionsResult) -> None:
    snap, aff = result.snapshot, result.affordability
    console.print(
        say(
            f"loan {snap.loan_id} on {snap.as_of}: balance {snap.balance}, DPD {snap.dpd}, "
            f"pays {snap.regular_payment} a month",
            f"借据 {snap.loan_id}（{snap.as_of}）：余额 {snap.balance}，逾期 {snap.dpd} 天，"
            f"月供 {snap.regular_payment}",
        )
    )
    console.print(
        say(
            f"disposable income {aff.disposable}; a plan may ask up to {aff.affordable_payment}"
            f" a month; without a plan the expected recovery is {result.status_quo_npv}",
            f"可支配收入 {aff.disposable}；方案每月最多 {aff.affordable_payment}；"
            f"不做方案的预期回收 {result.status_quo_npv}",
        )
    )
    for flag in aff.flags:
        console.print("  ! " + say(flag.en, flag.zh), markup=False)
    for e in result.evaluations:
        o = e.option
        head = f"{e.rank}." if e.rank else "-"
        console.print(
            f"{head} {o.option_id}: "
            + say(
                f"monthly {o.monthly_payment.amount}, total {o.total_cost.amount}, "
                f"waived {o.waived.amount}, NPV {e.npv.amount}, approval {e.approval or '-'}",
                f"月供 {o.monthly_payment.amount}，总额 {o.total_cost.amount}，"
                f"减免 {o.waived.amount}，NPV {e.npv.amount}，审批 {e.approval or '-'}",
            ),
            markup=False,
        )
        if not e.offered:
            for reason in e.reasons:
                console.print("     " + say(reason.en, reason.zh), markup=False)
