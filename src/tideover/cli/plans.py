"""``tideover plans ...``: options for a loan given a hardship application; stored plans
(offer, approve, accept, cancel, reoffer, show); promises to pay and the review of plans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.labels import label
from tideover.cli.output import JsonOption, _, console, either, print_json
from tideover.cli.tables import Column, CsvOption, Listing
from tideover.i18n import N_

if TYPE_CHECKING:
    from tideover.plans import HardshipApplication, OfferLimits, OptionsResult
    from tideover.services.plans.results import PlanInfo, PromiseInfo

OffersOption = Annotated[
    str | None,
    typer.Option("--offers", help="The active policy's offers entry (default: hardship's)."),
]
PlatformOption = Annotated[str, typer.Option("--platform", help="Platform code.")]
ByOption = Annotated[str, typer.Option("--by", help="Who does this (user id).")]
ScoreOption = Annotated[
    str | None, typer.Option("--score", help="12-month default probability, 0–1.")
]

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
            N_("--as-of %(text)s is not a date (YYYY-MM-DD)"),
            text=repr(text),
        ) from None


def _score(text: str | None) -> Decimal | None:
    from tideover.domain.errors import UsageError
    from tideover.domain.money import to_decimal

    if text is None:
        return None
    value = to_decimal(text)
    if not Decimal(0) <= value <= 1:
        raise UsageError(
            N_("--score %(text)s must be a probability between 0 and 1"),
            text=text,
        )
    return value


@app.command("options")
def options(
    application: Annotated[
        str,
        typer.Option(
            "--application", help="Hardship application JSON/YAML, or a stored application id."
        ),
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
    score: ScoreOption = None,
    offers: OffersOption = None,
    json_out: JsonOption = False,
) -> None:
    """List the plan options for one loan, ranked by the lender's expected NPV."""
    from tideover.domain.errors import UsageError
    from tideover.services.plans import options as plan_service

    if (loan_file is None) == (loan is None):
        raise UsageError(
            N_("give exactly one of --loan-file FILE or --loan ID --platform P"),
        )
    if loan is not None and not Path(application).is_file():
        result = _stored_application(application, loan, platform, as_of, limits, offers, score)
        _print(result, json_out)
        return
    app_doc = plan_service.load_application(Path(application))
    offer_limits = plan_service.load_limits(limits)
    when, risk = _date(as_of), _score(score)
    if loan_file is not None:
        loan_obj, payments, settings = plan_service.parse_loan_file(
            plan_service.read_document(loan_file)
        )
        result = plan_service.plan_options(
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
    _print(result, json_out)


def _print(result: OptionsResult, json_out: bool) -> None:
    from tideover.services.plans.results import PlanOptions

    if json_out:
        print_json(PlanOptions.of(result))
        return
    _show(result)


def _stored_application(
    application_id: str,
    loan: str,
    platform: str | None,
    as_of: str | None,
    limits: Path | None,
    offers: str | None,
    score: str | None,
) -> OptionsResult:
    """Options for a stored application: the active policy's limits unless --limits is given."""
    from tideover.bootstrap import open_app
    from tideover.domain.errors import UsageError
    from tideover.services.plans import options as plan_service
    from tideover.services.plans import relief as relief_service

    if platform is None:
        raise UsageError(N_("--loan needs --platform"))
    chosen = None if limits is None else plan_service.load_limits(limits)
    with open_app() as app_:
        return relief_service.options_for_application(
            uow=app_.uow(),
            platform=platform,
            application_id=application_id,
            loan_id=loan,
            as_of=_date(as_of),
            limits=chosen,
            offers=offers,
            score=_score(score),
        )


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
    from tideover.services.plans import options as plan_service

    if platform is None or when is None:
        raise UsageError(N_("--loan needs --platform and --as-of"))
    with open_app() as app_:
        return plan_service.plan_options_for_stored_loan(
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
        _(
            "loan %(loan_id)s on %(as_of)s: balance %(balance)s, DPD %(dpd)s, pays "
            "%(regular_payment)s a month",
            loan_id=snap.loan_id,
            as_of=snap.as_of,
            balance=snap.balance,
            dpd=snap.dpd,
            regular_payment=snap.regular_payment,
        )
    )
    console.print(
        _(
            "disposable income %(disposable)s; a plan may ask up to %(affordable_payment)s a "
            "month; without a plan the expected recovery is %(status_quo_npv)s",
            disposable=aff.disposable,
            affordable_payment=aff.affordable_payment,
            status_quo_npv=result.status_quo_npv,
        )
    )
    for flag in aff.flags:
        console.print("  ! " + either(flag.en, flag.zh), markup=False)
    for e in result.evaluations:
        o = e.option
        head = f"{e.rank}." if e.rank else "-"
        console.print(
            f"{head} {o.option_id}: "
            + _(
                "monthly %(monthly)s, total %(total)s, waived %(waived)s, NPV %(npv)s, "
                "approval %(approval)s",
                monthly=o.monthly_payment.amount,
                total=o.total_cost.amount,
                waived=o.waived.amount,
                npv=e.npv.amount,
                approval=label("role", e.approval) or "-",
            ),
            markup=False,
        )
        if not e.offered:
            for reason in e.reasons:
                console.print("     " + either(reason.en, reason.zh), markup=False)


# --- stored plans: offer, approve, accept, cancel, reoffer, show ---------------------------


@app.command("offer")
def offer(
    option: Annotated[str, typer.Argument(help="Option id, as listed by `plans options`.")],
    application: Annotated[str, typer.Option("--application", help="Stored application id.")],
    loan: Annotated[str, typer.Option("--loan", help="Stored loan id.")],
    platform: PlatformOption,
    by: ByOption,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Business date (default: today there).")
    ] = None,
    offers: OffersOption = None,
    score: ScoreOption = None,
    json_out: JsonOption = False,
) -> None:
    """Offer one option to the borrower; it expires after the policy's offer_valid_days."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import relief as relief_service

    with open_app() as app_:
        report = relief_service.offer_plan(
            uow=app_.uow(),
            platform=platform,
            application_id=application,
            loan_id=loan,
            option_id=option,
            by=by,
            as_of=_date(as_of),
            offers=offers,
            score=_score(score),
        )
    _plan_out(report, json_out)


@app.command("approve")
def approve(
    plan: Annotated[str, typer.Argument(help="Plan id.")],
    platform: PlatformOption,
    by: ByOption,
    role: Annotated[str, typer.Option("--role", help="The approver's role, e.g. team_lead.")],
    json_out: JsonOption = False,
) -> None:
    """Approve an offer above the automatic limits (never your own request)."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import relief as relief_service

    with open_app() as app_:
        report = relief_service.approve_plan(
            uow=app_.uow(), platform=platform, plan_id=plan, by=by, role=role
        )
    _plan_out(report, json_out)


@app.command("accept")
def accept(
    plan: Annotated[str, typer.Argument(help="Plan id.")],
    platform: PlatformOption,
    by: Annotated[str, typer.Option("--by", help="Who records the acceptance.")] = "borrower",
    json_out: JsonOption = False,
) -> None:
    """Record the borrower's acceptance; an expired or unapproved offer is refused."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import relief as relief_service

    with open_app() as app_:
        report = relief_service.accept_plan(uow=app_.uow(), platform=platform, plan_id=plan, by=by)
    _plan_out(report, json_out)


@app.command("cancel")
def cancel(
    plan: Annotated[str, typer.Argument(help="Plan id.")],
    platform: PlatformOption,
    by: ByOption,
    reason: Annotated[str, typer.Option("--reason", help="Why the plan is cancelled.")],
    json_out: JsonOption = False,
) -> None:
    """Cancel a plan (offered, accepted, active or broken)."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import relief as relief_service

    with open_app() as app_:
        report = relief_service.cancel_plan(
            uow=app_.uow(), platform=platform, plan_id=plan, by=by, reason=reason
        )
    _plan_out(report, json_out)


@app.command("reoffer")
def reoffer(
    plan: Annotated[str, typer.Option("--plan", help="The broken plan's id.")],
    platform: PlatformOption,
    by: ByOption,
    option: Annotated[
        str | None, typer.Option("--option", help="Option id (default: the best ranked offered).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Account position date (default: today there).")
    ] = None,
    offers: OffersOption = None,
    score: ScoreOption = None,
    json_out: JsonOption = False,
) -> None:
    """Re-offer a broken plan: its application is reviewed again and a new plan awaits approval."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import reoffer as reoffer_service

    with open_app() as app_:
        report = reoffer_service.reoffer_plan(
            uow=app_.uow(),
            platform=platform,
            plan_id=plan,
            by=by,
            option_id=option,
            as_of=_date(as_of),
            offers=offers,
            score=_score(score),
        )
    _plan_out(report, json_out)


@app.command("show")
def show(
    plan: Annotated[str, typer.Argument(help="Plan id.")],
    platform: PlatformOption,
    json_out: JsonOption = False,
) -> None:
    """A plan: option, status, approval, events, schedule and the loan's schedule history."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import relief as relief_service

    with open_app() as app_:
        report = relief_service.show_plan(uow=app_.uow(), platform=platform, plan_id=plan)
    _plan_out(report, json_out)


def _plan_out(report: PlanInfo, json_out: bool) -> None:
    from tideover.services.plans.results import PlanDetail, ReofferedPlan

    if json_out:
        print_json(report)
        return
    approval, summary = report.approval, report.summary
    console.print(
        _(
            "plan %(plan_id)s (%(option_id)s) for loan %(loan_id)s: %(status)s, offer expires "
            "%(expires_on)s",
            plan_id=report.plan_id,
            option_id=report.option_id,
            loan_id=report.loan_id,
            status=report.status,
            expires_on=report.expires_on,
        ),
        markup=False,
    )
    console.print(
        _(
            "monthly %(monthly_payment)s, total %(total_cost)s, waived %(waived)s",
            monthly_payment=summary.monthly_payment,
            total_cost=summary.total_cost,
            waived=summary.waived,
        ),
        markup=False,
    )
    if report.reoffer_of:
        again = report if isinstance(report, ReofferedPlan) else None
        console.print(
            _("re-offer of %(plan)s", plan=report.reoffer_of)
            + (
                _(" (%(n)s of at most %(most)s)", n=again.reoffer, most=again.max_reoffers)
                if again
                else ""
            ),
            markup=False,
        )
    who = approval.required_role
    console.print(
        _("awaiting approval by %(who)s", who=who)
        if approval.approved_by is None
        else _(
            "approved by %(approved_by)s (%(role)s)",
            approved_by=approval.approved_by,
            role=approval.role,
        ),
        markup=False,
    )
    if isinstance(report, PlanDetail):
        for version in report.schedule_history:
            console.print(
                f"  v{version.version} {version.effective_from} {version.reason}: "
                f"{version.installments} × / {version.total}",
                markup=False,
            )


# --- promises to pay and the review of active plans ----------------------------------------


def _day(text: str, flag: str) -> date:
    from tideover.domain.errors import UsageError

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            N_("%(flag)s %(text)s is not a date (YYYY-MM-DD)"), flag=flag, text=repr(text)
        ) from None


@app.command("promise")
def promise(
    platform: PlatformOption,
    loan: Annotated[str, typer.Option("--loan", help="Stored loan id.")],
    amount: Annotated[str, typer.Option("--amount", help="Promised amount, e.g. 500.00.")],
    due: Annotated[str, typer.Option("--date", help="Promised date (YYYY-MM-DD), not past.")],
    by: ByOption,
    json_out: JsonOption = False,
) -> None:
    """Record a borrower's promise to pay an amount by a date (decided by `plans review`)."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import promises as promise_service

    when = _day(due, "--date")
    with open_app() as app_:
        report = promise_service.record_promise(
            uow=app_.uow(), platform=platform, loan_id=loan, amount=amount, due=when, by=by
        )
    if json_out:
        print_json(report)
        return
    _promise_line(report)


@app.command("promises")
def promises(
    platform: PlatformOption,
    loan: Annotated[str | None, typer.Option("--loan", help="Only this loan.")] = None,
    json_out: JsonOption = False,
    csv_out: CsvOption = False,
) -> None:
    """List promises to pay: amount, date, and whether they were kept."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import promises as promise_service

    with open_app() as app_:
        report = promise_service.list_promises(uow=app_.uow(), platform=platform, loan_id=loan)
    if json_out:
        print_json(report)
        return
    if not report and not csv_out:
        console.print(_("no promises to pay"))
        return
    listing = Listing(
        _("Promises to pay"),
        [
            Column("promise_id", _("promise")),
            Column("loan_id", _("loan")),
            Column("amount", _("amount"), "right", places=2),
            Column("currency", _("currency")),
            Column("due", _("due by")),
            Column("made_on", _("made on")),
            Column("outcome", _("outcome")),
            Column("decided_on", _("decided on")),
        ],
    )
    for item in report:
        outcome = item.outcome if csv_out else label("promise", item.outcome)
        listing.add(
            item.promise_id, item.loan_id, item.amount, item.currency, item.due, item.made_on,
            outcome, item.decided_on,
        )  # fmt: skip
    listing.print(csv_out=csv_out)


def _promise_line(item: PromiseInfo) -> None:
    decided = f" ({item.decided_on})" if item.decided_on else ""
    console.print(
        _(
            "%(promise_id)s loan %(loan_id)s: %(amount)s %(currency)s by %(due)s, made "
            "%(made_on)s: %(outcome)s%(decided)s",
            promise_id=item.promise_id,
            loan_id=item.loan_id,
            amount=item.amount,
            currency=item.currency,
            due=item.due,
            made_on=item.made_on,
            outcome=item.outcome,
            decided=decided,
        ),
        markup=False,
    )


@app.command("review")
def review(
    platform: PlatformOption,
    as_of: Annotated[str, typer.Option("--as-of", help="The business date reviewed.")],
    promise_grace: Annotated[
        int, typer.Option("--promise-grace", help="Days after a promise's date still counted.")
    ] = 0,
    reage_after: Annotated[
        int, typer.Option("--reage-after", help="Consecutive kept payments before re-aging.")
    ] = 3,
    cancel_broken: Annotated[
        bool, typer.Option("--cancel-broken", help="Cancel broken plans at once.")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Complete, break or re-age active plans and decide promises, as of one date."""
    from tideover.bootstrap import open_app
    from tideover.plans.lifecycle import ReagingRule
    from tideover.services.plans import review as plan_review

    when = _day(as_of, "--as-of")
    with open_app() as app_:
        report = plan_review.review_plans(
            uow=app_.uow(),
            platform=platform,
            as_of=when,
            promise_grace_days=promise_grace,
            rule=ReagingRule(consecutive_payments=reage_after),
            cancel_broken=cancel_broken,
        )
    if json_out:
        print_json(report)
        return
    console.print(
        _(
            "platform %(platform)s as of %(as_of)s: %(value)s active plans reviewed, %(plans)s "
            "plan and %(promises)s promise decisions",
            platform=platform,
            as_of=report.as_of,
            value=report.active_plans_reviewed,
            plans=len(report.plans),
            promises=len(report.promises),
        ),
        markup=False,
    )
    for decision in report.plans:
        console.print(
            f"  {decision.plan_id} {decision.loan_id}: {decision.status} {decision.note}".rstrip(),
            markup=False,
        )
    for promise_decision in report.promises:
        _promise_line(promise_decision)
