"""The team lead's pages: collectors, their capacity and licences, the assignment run and
the day's workload (``queue:assign``).

The same handlers as ``tideover collectors`` and ``tideover queue assign``.  An
assignment run is a background job (a day's queue takes seconds to minutes,
``bench/RESULTS.md``); its page follows it until it ends.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from tideover.domain.collectors import CollectorRole
from tideover.domain.permissions import Permission
from tideover.services.inputs import NO_CONTROL
from tideover.services.jobs import job_info, start_job
from tideover.services.platforms import business_date_of
from tideover.services.queues.collectors import (
    add_collectors,
    build_collector,
    set_collector,
)
from tideover.services.queues.items import reassign_from
from tideover.services.queues.workload import show_collector, workload
from tideover.web.api.team import ASSIGN, CollectorId, JobId, etag
from tideover.web.deps import Authorized, Caller, ClockDep, NowDep, UowFactoryDep
from tideover.web.ui.compliance import finished, flash, show
from tideover.web.ui.refusals import collector_changed
from tideover.web.ui.words import N_

router = APIRouter(prefix="/team")

Lead = Annotated[Caller, Authorized(Permission.QUEUE_ASSIGN)]
Name = Annotated[str, Form(min_length=1, max_length=200, pattern=NO_CONTROL)]
Team = Annotated[str, Form(min_length=1, max_length=64, pattern=NO_CONTROL)]
Words = Annotated[str, Form(min_length=1, max_length=600, pattern=NO_CONTROL)]
Capacity = Annotated[int, Form(ge=0, le=10_000)]

DONE = {
    "added": N_("The collector is added."),
    "changed": N_("The collector is changed."),
    "handed_on": N_("Their items are handed on."),
}
_SPLIT = re.compile(r"[\s,;，；]+")


def words(text: str) -> list[str]:
    """A list typed in one field: separated by spaces, commas or semicolons."""
    return [w for w in _SPLIT.split(text) if w]


@router.get("", response_class=HTMLResponse)
def team(
    request: Request,
    caller: Lead,
    uow: UowFactoryDep,
    clock: ClockDep,
    as_of: Annotated[date | None, Query()] = None,
) -> HTMLResponse:
    day = as_of or business_date_of(uow=uow(), platform=caller.platform, clock=clock)
    return show(
        request,
        "team/team.html",
        {
            "load": workload(uow=uow(), platform=caller.platform, as_of=day),
            "roles": list(CollectorRole),
            "flash": flash(request, DONE),
        },
        caller=caller,
    )


@router.post("/collectors")
def add(
    request: Request,
    caller: Lead,
    uow: UowFactoryDep,
    clock: ClockDep,
    collector_id: Annotated[str, Form(min_length=1, max_length=64, pattern=NO_CONTROL)],
    name: Name,
    team: Team,
    jurisdictions: Words,
    queues: Words,
    daily_capacity: Capacity,
    role: Annotated[CollectorRole, Form()] = CollectorRole.COLLECTOR,
) -> Response:
    collector = build_collector(
        collector_id=collector_id,
        name=name,
        team=team,
        role=role,
        jurisdictions=words(jurisdictions),
        queues=words(queues),
        daily_capacity=daily_capacity,
    )
    add_collectors(
        uow=uow(), platform=caller.platform, collectors=[collector], by=caller.name, clock=clock
    )
    return finished(request, f"/team/collectors/{collector.collector_id}?done=added")


@router.get("/collectors/{collector_id}", response_class=HTMLResponse)
def collector(
    request: Request, collector_id: CollectorId, caller: Lead, uow: UowFactoryDep
) -> HTMLResponse:
    found = show_collector(uow=uow(), platform=caller.platform, collector_id=collector_id)
    return show(
        request,
        "team/collector.html",
        {
            "c": found,
            "etag": etag(found),
            "roles": list(CollectorRole),
            "flash": flash(request, DONE),
        },
        caller=caller,
    )


@router.post("/collectors/{collector_id}")
def change(
    request: Request,
    collector_id: CollectorId,
    caller: Lead,
    uow: UowFactoryDep,
    clock: ClockDep,
    etag_sent: Annotated[str, Form(alias="etag", max_length=200)],
    name: Name,
    team: Team,
    jurisdictions: Words,
    queues: Words,
    daily_capacity: Capacity,
    role: Annotated[CollectorRole, Form()] = CollectorRole.COLLECTOR,
    active: Annotated[bool, Form()] = False,
) -> Response:
    """The whole form is sent: the fields that differ change (an unticked box deactivates)."""
    current = show_collector(uow=uow(), platform=caller.platform, collector_id=collector_id)
    if etag_sent != etag(current):
        raise collector_changed(collector_id)
    wanted = {
        "name": name,
        "team": team,
        "role": role.value,
        "jurisdictions": sorted({w.upper() for w in words(jurisdictions)}),
        "queues": sorted(set(words(queues))),
        "daily_capacity": daily_capacity,
        "active": active,
    }
    was = current.to_json()
    changes = {k: v for k, v in wanted.items() if was[k] != v}
    if changes:
        set_collector(
            uow=uow(),
            platform=caller.platform,
            collector_id=collector_id,
            by=caller.name,
            changes=changes,
            clock=clock,
        )
    return finished(request, f"/team/collectors/{collector_id}?done=changed")


@router.post("/collectors/{collector_id}/hand-on")
def hand_on(
    request: Request,
    collector_id: CollectorId,
    caller: Lead,
    uow: UowFactoryDep,
    clock: ClockDep,
    to: Annotated[str | None, Form(max_length=64, pattern=NO_CONTROL)] = None,
) -> Response:
    reassign_from(
        uow=uow(),
        platform=caller.platform,
        source=collector_id,
        by=caller.name,
        to=(to or "").strip() or None,
        clock=clock,
    )
    return finished(request, f"/team/collectors/{collector_id}?done=handed_on")


@router.post("/assign")
def assign(
    request: Request,
    caller: Lead,
    uow: UowFactoryDep,
    clock: ClockDep,
    now: NowDep,
    as_of: Annotated[date | None, Form()] = None,
) -> Response:
    day = as_of or business_date_of(uow=uow(), platform=caller.platform, clock=clock)
    job = start_job(
        uow=uow(),
        platform=caller.platform,
        kind=ASSIGN,
        params={"as_of": day.isoformat()},
        created_by=caller.actor.user_id,
        at=now,
    )
    return finished(request, f"/team/jobs/{job.job_id}")


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job(request: Request, job_id: JobId, caller: Lead, uow: UowFactoryDep) -> HTMLResponse:
    """An assignment run; while it runs, htmx asks for this fragment again every 2 s."""
    found = job_info(uow=uow(), platform=caller.platform, job_id=job_id, kind=ASSIGN)
    template = "team/job_status.html" if "HX-Request" in request.headers else "team/job.html"
    return show(request, template, {"job": found}, caller=caller)
