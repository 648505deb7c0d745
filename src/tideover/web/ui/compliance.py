"""The compliance officer's pages: rule packs with every rule's legal source, the gate's
denials by rule and day, holds (disputes and complaints among them).

The auditor and the team lead read them too (``compliance:read``); adding or
lifting a hold needs ``holds:write``: the same handlers as ``tideover holds``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tideover.compliance.contacts import HoldKind
from tideover.compliance.holds import MAX_REASON
from tideover.domain.permissions import Permission
from tideover.services.compliance.holds import add_hold, lift_stored_hold, platform_holds
from tideover.services.compliance.reports import denials_by_rule, list_packs, platform_rules
from tideover.services.compliance.results import DenialReport
from tideover.services.inputs import FREE_TEXT, NO_CONTROL
from tideover.web.api.compliance import HoldId
from tideover.web.deps import Authorized, Caller, ClockDep, UowFactoryDep
from tideover.web.ui.pages import render, texts_of
from tideover.web.ui.refusals import unknown_hold_kind
from tideover.web.ui.words import ADMIN_LABELS, N_

router = APIRouter(prefix="/compliance")

Reader = Annotated[Caller, Authorized(Permission.COMPLIANCE_READ)]
HoldWriter = Annotated[Caller, Authorized(Permission.HOLDS_WRITE)]
Reason = Annotated[str, Form(min_length=1, max_length=MAX_REASON, pattern=FREE_TEXT)]

# Disputes and complaints are holds too: a contact that records one raises it.
DISPUTES = (HoldKind.DISPUTE, HoldKind.COMPLAINT)
DONE = {"added": N_("The hold is in force."), "lifted": N_("The hold is lifted.")}


def hold_kind(value: str) -> HoldKind | None:
    if not value:
        return None
    try:
        return HoldKind(value)
    except ValueError:
        raise unknown_hold_kind(value) from None


def show(
    request: Request, template: str, context: dict[str, Any], *, caller: Caller
) -> HTMLResponse:
    """``render``, with the names these pages show for keys (roles, hold kinds...)."""
    return render(request, template, {"labels": ADMIN_LABELS, **context}, caller=caller)


def finished(request: Request, target: str) -> Response:
    """Where a change ends: the page ``target`` (htmx is told to go there itself)."""
    if "HX-Request" in request.headers:
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def flash(request: Request, messages: dict[str, str]) -> str | None:
    done = request.query_params.get("done")
    return texts_of(request).gettext(messages[done]) if done in messages else None


@router.get("", response_class=HTMLResponse)
def packs(request: Request, caller: Reader, uow: UowFactoryDep) -> HTMLResponse:
    listed = list_packs(uow=uow(), platform=caller.platform)
    return show(request, "compliance/packs.html", {"listed": listed}, caller=caller)


@router.get("/rules", response_class=HTMLResponse)
def rules(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    pack: Annotated[str, Query(min_length=1, max_length=16)],
) -> HTMLResponse:
    found = platform_rules(uow=uow(), platform=caller.platform, pack=pack)
    return show(request, "compliance/rules.html", {"pack": found}, caller=caller)


def denial_chart(report: DenialReport) -> dict[str, Any]:
    """The ECharts option of a denial report: one stacked bar per day, one series per rule."""
    days = [d.isoformat() for d in report.days]
    counts = {(row.as_of.isoformat(), row.rule_id): row.denied for row in report.rows}
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 40, "right": 16, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": days},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": rule.rule_id,
                "type": "bar",
                "stack": "denied",
                "data": [counts.get((day, rule.rule_id), 0) for day in days],
            }
            for rule in report.rules
        ],
    }


@router.get("/denials", response_class=HTMLResponse)
def denials(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    clock: ClockDep,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
) -> HTMLResponse:
    report = denials_by_rule(
        uow=uow(), platform=caller.platform, first=first, last=last, clock=clock
    )
    return show(
        request,
        "compliance/denials.html",
        {"report": report, "chart": denial_chart(report)},
        caller=caller,
    )


@router.get("/holds", response_class=HTMLResponse)
def holds(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    clock: ClockDep,
    kind: Annotated[str, Query(max_length=40)] = "",
    ended: bool = False,
) -> HTMLResponse:
    """``kind`` empty: every kind (the filter's first choice)."""
    found = platform_holds(
        uow=uow(),
        platform=caller.platform,
        kind=hold_kind(kind),
        include_ended=ended,
        masked=not caller.may(Permission.PII_READ),
        clock=clock,
    )
    return show(
        request,
        "compliance/holds.html",
        {
            "found": found,
            "kinds": list(HoldKind),
            "disputes": [k.value for k in DISPUTES],
            "ended": ended,
            "flash": flash(request, DONE),
            "may_write": caller.may(Permission.HOLDS_WRITE),
        },
        caller=caller,
    )


@router.post("/holds")
def add(
    request: Request,
    caller: HoldWriter,
    uow: UowFactoryDep,
    clock: ClockDep,
    borrower_id: Annotated[str, Form(min_length=1, max_length=64, pattern=NO_CONTROL)],
    kind: Annotated[HoldKind, Form()],
    reason: Reason,
    debt_id: Annotated[str | None, Form(max_length=64, pattern=NO_CONTROL)] = None,
) -> Response:
    add_hold(
        uow=uow(),
        platform=caller.platform,
        borrower_id=borrower_id.strip(),
        kind=kind,
        reason=reason,
        by=caller.name,
        debt_id=(debt_id or "").strip() or None,
        clock=clock,
    )
    return finished(request, "/compliance/holds?done=added")


@router.post("/holds/{hold_id}/lift")
def lift(
    request: Request,
    hold_id: HoldId,
    caller: HoldWriter,
    uow: UowFactoryDep,
    clock: ClockDep,
    reason: Reason,
) -> Response:
    lift_stored_hold(
        uow=uow(),
        platform=caller.platform,
        hold_id=hold_id,
        by=caller.name,
        reason=reason,
        clock=clock,
    )
    return finished(request, "/compliance/holds?done=lifted")
