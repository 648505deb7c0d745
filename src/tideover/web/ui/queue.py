"""The collector's workbench: my queue in priority order, and for each item the borrower 360,
"may I call now?", the call and its outcome, the plan options within my limit and a message
box checked as it is typed.

The same handlers as ``/api/v1/queue`` (``web.api.queue``); a collector sees their own
items, a team lead every item.  Every change is a form (CSRF token) that also works
without script; htmx only saves the reload.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BeforeValidator

from tideover.compliance.contacts import Channel
from tideover.domain.permissions import Permission
from tideover.services.portfolio.borrower_results import BorrowerView
from tideover.services.portfolio.borrower_view import borrower_view
from tideover.services.queues.calls import CallOutcome, log_outcome, parse_promise, start_call
from tideover.services.queues.workbench import (
    MAX_DRAFT,
    check_draft,
    item_plan_options,
    offer_item_plan,
    queue_page,
    work_item,
)
from tideover.web.api.borrowers import Viewer
from tideover.web.api.queue import Gate, ScoresDir, WorkScope
from tideover.web.deps import ClockDep, NowDep, ReadUowDep, UowFactoryDep
from tideover.web.ui.pages import render, texts_of
from tideover.web.ui.words import N_

router = APIRouter(prefix="/queue")

PER_PAGE = 25
STATES = ("assigned", "open", "done", "dropped")
OUTCOMES = tuple(CallOutcome)

# What a finished step says on the page it returns to (``?done=<key>``: never free text).
DONE = {
    "logged": N_("Outcome logged; the item is done."),
    "offered": N_("Plan offered."),
}


def _blank_is_none(value: object) -> object:
    """The filter form sends ``as_of=`` when no date is chosen: that is no date, not a bad one."""
    return None if value == "" else value


def _flash(request: Request) -> str | None:
    done = request.query_params.get("done")
    return texts_of(request).gettext(DONE[done]) if done in DONE else None


def _back(request: Request, target: str) -> Response:
    """To ``target``: a redirect, or for htmx an instruction to go there."""
    if "HX-Request" in request.headers:
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def dpd_chart(view: BorrowerView) -> dict[str, Any]:
    """The ECharts option of the borrower's DPD history (data only; ``app.js`` draws it)."""
    days = sorted({d.as_of.isoformat() for loan in view.loans for d in loan.history})
    series = []
    for loan in view.loans:
        by_day = {d.as_of.isoformat(): d.dpd for d in loan.history}
        series.append(
            {
                "name": loan.loan_id,
                "type": "line",
                "step": "end",
                "data": [by_day.get(day) for day in days],
            }
        )
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 16, "top": 32, "bottom": 28},
        "xAxis": {"type": "category", "data": days},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request,
    scope: WorkScope,
    uow: ReadUowDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    as_of: Annotated[date | None, BeforeValidator(_blank_is_none)] = None,
    state: Annotated[str, Query(max_length=16)] = "assigned",
) -> HTMLResponse:
    states = (state,) if state in STATES else ()
    found = queue_page(
        uow=uow(),
        platform=scope.caller.platform,
        collector=scope.collector,
        as_of=as_of,
        states=states,
        offset=(page - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    last = max(1, -(-found.total // PER_PAGE))
    return render(
        request,
        "queue/list.html",
        {
            "found": found,
            "page": page,
            "last": last,
            "state": state if states else "",
            "states": STATES,
            "as_of": as_of,
            "lead": scope.lead,
            "flash": _flash(request),
        },
        caller=scope.caller,
    )


@router.get("/items/{item_id}", response_class=HTMLResponse)
def workbench(
    request: Request,
    item_id: int,
    scope: WorkScope,
    uow: ReadUowDep,
    clock: ClockDep,
    scores: ScoresDir,
) -> HTMLResponse:
    item = work_item(
        uow=uow(), platform=scope.caller.platform, item_id=item_id, collector=scope.collector
    )
    view = borrower_view(
        uow=uow(),
        platform=scope.caller.platform,
        borrower_id=item.borrower_id,
        reveal_pii=scope.caller.may(Permission.PII_READ),
        scores_dir=scores,
        clock=clock,
    )
    return render(
        request,
        "queue/item.html",
        {
            "item": item,
            "view": view,
            "chart": dpd_chart(view),
            "outcomes": OUTCOMES,
            "attempt_id": None,
            "channels": (Channel.SMS, Channel.EMAIL, Channel.CALL),
            "max_draft": MAX_DRAFT,
            "flash": _flash(request),
        },
        caller=scope.caller,
    )


@router.get("/items/{item_id}/call-check", response_class=HTMLResponse)
def call_check(
    request: Request, item_id: int, scope: WorkScope, uow: UowFactoryDep, gate: Gate, now: NowDep
) -> HTMLResponse:
    verdict = gate.verdict(
        uow=uow(),
        platform=scope.caller.platform,
        item_id=item_id,
        collector=scope.collector,
        at=now,
    )
    return render(request, "queue/verdict.html", {"verdict": verdict}, caller=scope.caller)


@router.post("/items/{item_id}/calls", response_class=HTMLResponse)
def call(
    request: Request,
    item_id: int,
    scope: WorkScope,
    uow: UowFactoryDep,
    clock: ClockDep,
    gate: Gate,
) -> HTMLResponse:
    started = start_call(
        uow=uow(),
        platform=scope.caller.platform,
        item_id=item_id,
        collector=scope.collector,
        by=scope.caller.name,
        clock=clock,
        gate=gate,
    )
    return render(
        request,
        "queue/started.html",
        {
            "item_id": item_id,
            "attempt_id": started.attempt_id,
            "started_at": started.at,
            "outcomes": OUTCOMES,
        },
        caller=scope.caller,
    )


@router.post("/items/{item_id}/outcome")
def outcome(
    request: Request,
    item_id: int,
    scope: WorkScope,
    uow: UowFactoryDep,
    clock: ClockDep,
    gate: Gate,
    outcome: Annotated[CallOutcome, Form()],
    attempt_id: Annotated[str, Form(max_length=64)] = "",
    promise_amount: Annotated[str, Form(max_length=32)] = "",
    promise_date: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    amount, due = parse_promise(promise_amount, promise_date)
    log_outcome(
        uow=uow(),
        platform=scope.caller.platform,
        item_id=item_id,
        collector=scope.collector,
        by=scope.caller.name,
        outcome=outcome,
        attempt_id=attempt_id or None,
        promise_amount=amount,
        promise_due=due,
        clock=clock,
        gate=gate,
    )
    return _back(request, "/queue?done=logged")


@router.get("/items/{item_id}/plan-options", response_class=HTMLResponse)
def plan_options(
    request: Request, item_id: int, scope: WorkScope, uow: UowFactoryDep, clock: ClockDep
) -> HTMLResponse:
    found = item_plan_options(
        uow=uow(),
        platform=scope.caller.platform,
        item_id=item_id,
        collector=scope.collector,
        clock=clock,
    )
    return render(request, "queue/options.html", {"found": found}, caller=scope.caller)


@router.post("/items/{item_id}/plan-offers")
def offer(
    request: Request,
    item_id: int,
    scope: WorkScope,
    uow: UowFactoryDep,
    clock: ClockDep,
    option_id: Annotated[str, Form(min_length=1, max_length=64)],
) -> Response:
    offer_item_plan(
        uow=uow(),
        platform=scope.caller.platform,
        item_id=item_id,
        collector=scope.collector,
        option_id=option_id,
        by=scope.caller.name,
        clock=clock,
    )
    return _back(request, f"/queue/items/{item_id}?done=offered")


@router.post("/message-check", response_class=HTMLResponse)
def message_check(
    request: Request,
    scope: WorkScope,
    uow: UowFactoryDep,
    text: Annotated[str, Form(max_length=MAX_DRAFT)] = "",
    channel: Annotated[Channel, Form()] = Channel.SMS,
) -> HTMLResponse:
    verdict = (
        check_draft(uow=uow(), platform=scope.caller.platform, text=text, channel=channel)
        if text.strip()
        else None
    )
    return render(request, "queue/draft.html", {"verdict": verdict}, caller=scope.caller)


@router.get("/borrowers/{borrower_id}", response_class=HTMLResponse)
def borrower(
    request: Request,
    borrower_id: Annotated[str, Path(min_length=1, max_length=64)],
    scope: Viewer,
    uow: ReadUowDep,
    clock: ClockDep,
    scores: ScoresDir,
) -> HTMLResponse:
    view = borrower_view(
        uow=uow(),
        platform=scope.caller.platform,
        borrower_id=borrower_id,
        reveal_pii=scope.caller.may(Permission.PII_READ),
        collector=scope.collector,
        scores_dir=scores,
        clock=clock,
    )
    return render(
        request,
        "queue/borrower.html",
        {"view": view, "chart": dpd_chart(view)},
        caller=scope.caller,
    )
