"""The strategy manager's and the approver's pages: policy versions, the editor, four eyes.

A version is written in the editor (checked in place as it is typed), submitted
for review, approved by someone other than its author (the compliance linter
runs first), activated and, if need be, rolled back: the same handlers as
``tideover policy submit|approve|activate|rollback``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tideover.domain.errors import TideoverError
from tideover.domain.identity import same_person
from tideover.domain.permissions import Permission
from tideover.policy.problems import PolicyRejected
from tideover.services.policy.documents import validate_text
from tideover.services.policy.lint import lint_stored_version
from tideover.services.policy.results import PolicyProblem
from tideover.services.policy.versions import (
    activate_policy_version,
    approve_policy_version,
    diff_version_with_active,
    list_policy_versions,
    reject_policy_version,
    rollback_policy,
    show_policy_version,
    submit_policy,
)
from tideover.services.simulate.results import ReviewSimulation
from tideover.services.simulate.review import request_review_again, review_simulation
from tideover.web.api.policy import MAX_DOCUMENT, etag
from tideover.web.deps import Authorized, Caller, ClockDep, UowFactoryDep
from tideover.web.ui.pages import render, texts_of
from tideover.web.ui.refusals import policy_version_changed
from tideover.web.ui.simulation import difference_rows, driver_rows, simulation_chart
from tideover.web.ui.words import N_

router = APIRouter(prefix="/policy")

Reader = Annotated[Caller, Authorized(Permission.POLICY_READ)]
Writer = Annotated[Caller, Authorized(Permission.POLICY_WRITE)]
Approver = Annotated[Caller, Authorized(Permission.POLICY_APPROVE)]
Activator = Annotated[Caller, Authorized(Permission.POLICY_ACTIVATE)]
Document = Annotated[str, Form(max_length=MAX_DOCUMENT)]
Etag = Annotated[str, Form(max_length=200)]


# What a finished step says on the page it returns to (``?done=<key>``: never free text).
DONE = {
    "submitted": N_("Submitted; another person must approve it."),
    "approved": N_("Approved."),
    "rejected": N_("Sent back to its author."),
    "activated": N_("Active."),
    "rolled_back": N_("Rolled back to this version."),
    "simulating": N_("The simulation is queued; this page shows it when it is done."),
}


def _done(version: int, key: str) -> Response:
    return RedirectResponse(f"/policy/{version}?done={key}", status_code=303)


@router.get("", response_class=HTMLResponse)
def versions(request: Request, caller: Reader, uow: UowFactoryDep) -> HTMLResponse:
    listed = list_policy_versions(uow=uow(), platform=caller.platform)
    return render(
        request, "policy/list.html", {"versions": list(reversed(listed.versions))}, caller=caller
    )


@router.get("/new", response_class=HTMLResponse)
def editor(request: Request, caller: Writer, uow: UowFactoryDep) -> HTMLResponse:
    listed = list_policy_versions(uow=uow(), platform=caller.platform)
    start = ""
    if listed.active is not None:
        start = show_policy_version(
            uow=uow(), platform=caller.platform, version=listed.active
        ).document
    return render(
        request, "policy/new.html", {"document": start, "active": listed.active}, caller=caller
    )


@router.post("/check", response_class=HTMLResponse)
def check(request: Request, caller: Reader, document: Document) -> HTMLResponse:
    """The editor's live check: every problem with its line and column, in place."""
    report = validate_text(text=document) if document.strip() else None
    return render(request, "policy/check.html", {"report": report}, caller=caller)


@router.post("", response_class=HTMLResponse)
def submit(
    request: Request, caller: Writer, uow: UowFactoryDep, clock: ClockDep, document: Document
) -> Response:
    try:
        submitted = submit_policy(
            uow=uow(), platform=caller.platform, text=document, by=caller.name, clock=clock
        )
    except PolicyRejected as exc:
        problems = [PolicyProblem.of(p) for p in exc.problems]
        return render(
            request,
            "policy/new.html",
            {"document": document, "problems": problems, "active": None},
            caller=caller,
            status_code=422,
        )
    return _done(submitted.version, "submitted")


@router.get("/{number}", response_class=HTMLResponse)
def detail(request: Request, number: int, caller: Reader, uow: UowFactoryDep) -> HTMLResponse:
    version = show_policy_version(uow=uow(), platform=caller.platform, version=number)
    diff = diff_version_with_active(uow=uow(), platform=caller.platform, version=number)
    lint = None
    if version.status in ("in_review", "draft"):
        try:
            lint = lint_stored_version(uow=uow(), platform=caller.platform, version=number)
        except TideoverError:
            lint = None
    own = same_person(version.author, caller.name)
    done = request.query_params.get("done")
    flash = texts_of(request).gettext(DONE[done]) if done in DONE else None
    simulation = review_simulation(uow=uow(), platform=caller.platform, version=number)
    return render(
        request,
        "policy/detail.html",
        {
            **simulation_context(request, simulation, caller),
            "version": version,
            "diff": diff,
            "lint": lint,
            "etag": etag(version),
            "own": own,
            "flash": flash,
            "may_approve": caller.may(Permission.POLICY_APPROVE)
            and version.status == "in_review"
            and not own,
            "may_activate": caller.may(Permission.POLICY_ACTIVATE) and version.status == "approved",
            "may_rollback": caller.may(Permission.POLICY_ACTIVATE) and version.status == "active",
        },
        caller=caller,
    )


def simulation_context(
    request: Request, simulation: ReviewSimulation, caller: Caller
) -> dict[str, object]:
    """The review's simulation as the version page (and its polled fragment) shows it."""
    language = texts_of(request).language
    report = simulation.report
    return {
        "simulation": simulation,
        "simulation_rows": [] if report is None else difference_rows(report, language),
        "simulation_chart": None if report is None else simulation_chart(report, language),
        "simulation_drivers": [] if report is None else driver_rows(report, language),
        "may_simulate": caller.may(Permission.POLICY_WRITE)
        and simulation.state not in ("queued", "running"),
    }


@router.get("/{number}/simulation", response_class=HTMLResponse)
def simulation_fragment(
    request: Request, number: int, caller: Reader, uow: UowFactoryDep
) -> HTMLResponse:
    """The simulation section alone: what the version page polls while the job runs."""
    simulation = review_simulation(uow=uow(), platform=caller.platform, version=number)
    return render(
        request,
        "policy/_simulation.html",
        simulation_context(request, simulation, caller),
        caller=caller,
    )


@router.post("/{number}/simulation")
def simulate_again(
    request: Request, number: int, caller: Writer, uow: UowFactoryDep, clock: ClockDep
) -> Response:
    request_review_again(
        uow=uow(), platform=caller.platform, version=number, by=caller.name, clock=clock
    )
    return _done(number, "simulating")


def _same_version(uow: UowFactoryDep, caller: Caller, number: int, sent: str) -> None:
    current = show_policy_version(uow=uow(), platform=caller.platform, version=number)
    if sent != etag(current):
        raise policy_version_changed(number)


@router.post("/{number}/approve")
def approve(
    request: Request,
    number: int,
    caller: Approver,
    uow: UowFactoryDep,
    clock: ClockDep,
    etag_sent: Annotated[str, Form(alias="etag", max_length=200)],
) -> Response:
    _same_version(uow, caller, number, etag_sent)
    approve_policy_version(
        uow=uow(), platform=caller.platform, version=number, by=caller.name, clock=clock
    )
    return _done(number, "approved")


@router.post("/{number}/reject")
def reject(
    request: Request,
    number: int,
    caller: Approver,
    uow: UowFactoryDep,
    clock: ClockDep,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
    etag_sent: Annotated[str, Form(alias="etag", max_length=200)],
) -> Response:
    _same_version(uow, caller, number, etag_sent)
    reject_policy_version(
        uow=uow(),
        platform=caller.platform,
        version=number,
        by=caller.name,
        reason=reason,
        clock=clock,
    )
    return _done(number, "rejected")


@router.post("/{number}/activate")
def activate(
    request: Request,
    number: int,
    caller: Activator,
    uow: UowFactoryDep,
    clock: ClockDep,
    etag_sent: Annotated[str, Form(alias="etag", max_length=200)],
    effective: Annotated[date | None, Form()] = None,
) -> Response:
    _same_version(uow, caller, number, etag_sent)
    activate_policy_version(
        uow=uow(),
        platform=caller.platform,
        version=number,
        by=caller.name,
        effective=effective,
        clock=clock,
    )
    return _done(number, "activated")


@router.post("/rollback")
def rollback(request: Request, caller: Activator, uow: UowFactoryDep, clock: ClockDep) -> Response:
    back = rollback_policy(uow=uow(), platform=caller.platform, by=caller.name, clock=clock)
    return _done(back.version, "rolled_back")
