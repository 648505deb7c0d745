"""``tideover hardship``: apply for relief, review, decline, show an application.

An approved application whose plan broke is re-opened by ``tideover plans
reoffer``; ``hardship show`` lists the reason with its history.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.labels import label
from tideover.cli.output import JsonOption, _, console, either, print_json
from tideover.i18n import N_

if TYPE_CHECKING:
    from tideover.services.plans.results import ApplicationInfo

app = typer.Typer(
    help="Hardship applications: submit with evidence, review, decline.",
    no_args_is_help=True,
)

PlatformOption = Annotated[str, typer.Option("--platform", help="Platform code.")]
ByOption = Annotated[str, typer.Option("--by", help="Who does this (user id).")]


@app.command("apply")
def apply(
    file: Annotated[Path, typer.Argument(help="Application JSON/YAML (docs/plans.md).")],
    platform: PlatformOption,
    evidence: Annotated[
        list[str] | None,
        typer.Option(
            "--evidence",
            help="An evidence file listed in the application, or TYPE:FILE to add one.",
        ),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who submits it.")] = "borrower",
    json_out: JsonOption = False,
) -> None:
    """Store an application (submitted) and its evidence documents."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import hardship as hardship_service
    from tideover.services.plans import options as plan_service

    data = plan_service.read_document(file)
    if not isinstance(data, dict):
        from tideover.plans import ApplicationRejected

        raise ApplicationRejected(
            N_("%(file)s: an application is a JSON/YAML object"),
            file=file,
        )
    with open_app() as app_:
        report = hardship_service.apply_for_hardship(
            uow=app_.uow(), platform=platform, data=data, evidence=evidence or [], by=by
        )
    _out(report, json_out)


@app.command("review")
def review(
    application: Annotated[str, typer.Argument(help="Application id.")],
    platform: PlatformOption,
    by: ByOption,
    json_out: JsonOption = False,
) -> None:
    """Start reviewing a submitted application."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import hardship as hardship_service

    with open_app() as app_:
        report = hardship_service.review_application(
            uow=app_.uow(), platform=platform, application_id=application, by=by
        )
    _out(report, json_out)


@app.command("decline")
def decline(
    application: Annotated[str, typer.Argument(help="Application id.")],
    platform: PlatformOption,
    by: ByOption,
    reason: Annotated[list[str], typer.Option("--reason", help="Why (repeat for several).")],
    json_out: JsonOption = False,
) -> None:
    """Decline an application under review, with reasons."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import hardship as hardship_service

    with open_app() as app_:
        report = hardship_service.decline_application(
            uow=app_.uow(), platform=platform, application_id=application, by=by, reasons=reason
        )
    _out(report, json_out)


@app.command("show")
def show(
    application: Annotated[str, typer.Argument(help="Application id.")],
    platform: PlatformOption,
    json_out: JsonOption = False,
) -> None:
    """An application: status, history, evidence and its plans."""
    from tideover.bootstrap import open_app
    from tideover.services.plans import relief as relief_service

    with open_app() as app_:
        report = relief_service.show_application(
            uow=app_.uow(), platform=platform, application_id=application
        )
    _out(report, json_out)


def _out(report: ApplicationInfo, json_out: bool) -> None:
    from tideover.services.plans.results import ApplicationDetail

    if json_out:
        print_json(report)
        return
    outcome = report.outcome
    console.print(
        _(
            "application %(application)s (%(reason)s): %(status)s",
            application=report.application_id,
            reason=label("hardship", report.reason),
            status=label("application", report.status),
        )
        + (_(", %(outcome)s", outcome=label("decision", outcome)) if outcome else ""),
        markup=False,
    )
    for doc in report.evidence:
        console.print(
            f"  {doc.document_type.value}: {doc.file_name} ({doc.size_bytes} B)", markup=False
        )
    for step in report.history:
        if step.note:  # a re-opening says why (e.g. its plan broke)
            console.print(
                f"  {step.at.date()} {step.status} ({step.by}): {step.note}", markup=False
            )
    for why in report.decline_reasons:
        console.print("  - " + either(why.en, why.zh), markup=False)
    if isinstance(report, ApplicationDetail):
        for plan in report.plans:
            console.print(f"  {plan.plan_id} {plan.option_id}: {plan.status}", markup=False)
