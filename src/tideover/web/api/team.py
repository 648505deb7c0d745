"""``/api/v1/team``: the team lead's collectors, their capacity and licences, the
assignment run and the day's workload (``queue:assign``).

A collector's ETag is the hash of what the team lead can change: a change sent
with ``If-Match`` is refused (412) when someone changed the collector since.
Assignment runs as a background job (a day's queue takes seconds to minutes:
``bench/RESULTS.md``); its progress is read from ``/team/assignments/{job_id}``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from tideover.domain.collectors import CollectorRole
from tideover.domain.permissions import Permission
from tideover.i18n import N_
from tideover.services.inputs import NO_CONTROL
from tideover.services.jobs import JobInfo, job_info, start_job
from tideover.services.platforms import business_date_of
from tideover.services.queues.collectors import (
    add_collectors,
    build_collector,
    list_collectors,
    set_collector,
)
from tideover.services.queues.items import reassign_from
from tideover.services.queues.results import (
    AddedCollectors,
    AuditedCollectorReassignment,
    ChangedCollector,
    CollectorInfo,
    ListedCollector,
    Workload,
)
from tideover.services.queues.workload import show_collector, workload
from tideover.web.api.policy import PreconditionFailed
from tideover.web.deps import Authorized, Caller, ClockDep, NowDep, PageDep, UowFactoryDep
from tideover.web.pagination import Page, paginate

router = APIRouter(prefix="/team", tags=["team"])

Lead = Annotated[Caller, Authorized(Permission.QUEUE_ASSIGN)]
CollectorId = Annotated[str, PathParam(min_length=1, max_length=64, pattern=NO_CONTROL)]
JobId = Annotated[str, PathParam(min_length=1, max_length=64, pattern=NO_CONTROL)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_CONTROL)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL)]
Licence = Annotated[str, Field(min_length=1, max_length=8, pattern=NO_CONTROL)]
IfMatch = Annotated[str | None, Header(description="The collector's ETag as last read.")]
ASSIGN = "assign"  # the job kind (services/jobs.py)
_LIST = r"^[A-Za-z0-9*_.\-]{1,64}$"


class NewCollector(BaseModel):
    model_config = ConfigDict(extra="forbid")

    collector_id: Code
    name: Name
    team: Code
    role: CollectorRole = CollectorRole.COLLECTOR
    jurisdictions: list[Licence] = Field(min_length=1, max_length=64)
    queues: list[Annotated[str, Field(pattern=_LIST)]] = Field(min_length=1, max_length=64)
    daily_capacity: int = Field(ge=0, le=10_000)


class CollectorChanges(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    team: Code | None = None
    role: CollectorRole | None = None
    jurisdictions: list[Licence] | None = Field(default=None, min_length=1, max_length=64)
    queues: list[Annotated[str, Field(pattern=_LIST)]] | None = Field(
        default=None, min_length=1, max_length=64
    )
    daily_capacity: int | None = Field(default=None, ge=0, le=10_000)
    active: bool | None = None


class HandOn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Code | None = Field(
        default=None,
        description="One collector to take every item; default: by the assignment rules.",
    )
    as_of: date | None = Field(default=None, description="Only that day's items.")


class AssignmentRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(default=None, description="Default: the business date.")


def etag(collector: CollectorInfo) -> str:
    body = json.dumps(collector.to_json(), sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def check_collector(
    uow: UowFactoryDep, caller: Caller, collector_id: str, sent: str | None
) -> None:
    """Refuses (412) a change made on a collector that moved on since ``sent`` was read."""
    if sent is None:
        return
    current = show_collector(uow=uow(), platform=caller.platform, collector_id=collector_id)
    if sent.strip() != etag(current):
        raise PreconditionFailed(
            N_("collector %(collector_id)s changed since it was read"),
            collector_id=collector_id,
        )


@router.get("/collectors", response_model=Page[ListedCollector], summary="The collectors")
def collectors(
    request: Request,
    caller: Lead,
    uow: UowFactoryDep,
    clock: ClockDep,
    page: PageDep,
    active: bool | None = None,
) -> Page[ListedCollector]:
    """With each one's load on the business date."""
    today = business_date_of(uow=uow(), platform=caller.platform, clock=clock)
    listed = list_collectors(uow=uow(), platform=caller.platform, active=active, as_of=today)
    return paginate(request, listed.collectors, page)


@router.post(
    "/collectors", response_model=AddedCollectors, status_code=201, summary="Add a collector"
)
def add(body: NewCollector, caller: Lead, uow: UowFactoryDep, clock: ClockDep) -> AddedCollectors:
    collector = build_collector(
        collector_id=body.collector_id,
        name=body.name,
        team=body.team,
        role=body.role,
        jurisdictions=body.jurisdictions,
        queues=body.queues,
        daily_capacity=body.daily_capacity,
    )
    return add_collectors(
        uow=uow(), platform=caller.platform, collectors=[collector], by=caller.name, clock=clock
    )


@router.get("/collectors/{collector_id}", response_model=CollectorInfo, summary="One collector")
def collector(
    collector_id: CollectorId, caller: Lead, uow: UowFactoryDep, response: Response
) -> CollectorInfo:
    found = show_collector(uow=uow(), platform=caller.platform, collector_id=collector_id)
    response.headers["ETag"] = etag(found)
    return found


@router.patch(
    "/collectors/{collector_id}", response_model=ChangedCollector, summary="Change a collector"
)
def change(
    collector_id: CollectorId,
    body: CollectorChanges,
    caller: Lead,
    uow: UowFactoryDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> ChangedCollector:
    """Items the collector may no longer hold (deactivated, licence gone) are handed on."""
    check_collector(uow, caller, collector_id, if_match)
    return set_collector(
        uow=uow(),
        platform=caller.platform,
        collector_id=collector_id,
        by=caller.name,
        changes=body.model_dump(exclude_unset=True),
        clock=clock,
    )


@router.post(
    "/collectors/{collector_id}/hand-on",
    response_model=AuditedCollectorReassignment,
    summary="Hand on a collector's items",
)
def hand_on(
    collector_id: CollectorId, body: HandOn, caller: Lead, uow: UowFactoryDep, clock: ClockDep
) -> AuditedCollectorReassignment:
    return reassign_from(
        uow=uow(),
        platform=caller.platform,
        source=collector_id,
        by=caller.name,
        to=body.to,
        as_of=body.as_of,
        clock=clock,
    )


@router.get("/workload", response_model=Workload, summary="A day's workload")
def day_workload(
    caller: Lead, uow: UowFactoryDep, clock: ClockDep, as_of: date | None = None
) -> Workload:
    day = as_of or business_date_of(uow=uow(), platform=caller.platform, clock=clock)
    return workload(uow=uow(), platform=caller.platform, as_of=day)


@router.post(
    "/assignments", response_model=JobInfo, status_code=202, summary="Start an assignment run"
)
def assign(
    body: AssignmentRun, caller: Lead, uow: UowFactoryDep, clock: ClockDep, now: NowDep
) -> JobInfo:
    day = body.as_of or business_date_of(uow=uow(), platform=caller.platform, clock=clock)
    return start_job(
        uow=uow(),
        platform=caller.platform,
        kind=ASSIGN,
        params={"as_of": day.isoformat()},
        created_by=caller.actor.user_id,
        at=now,
    )


@router.get("/assignments/{job_id}", response_model=JobInfo, summary="An assignment run")
def assignment(job_id: JobId, caller: Lead, uow: UowFactoryDep) -> JobInfo:
    return job_info(uow=uow(), platform=caller.platform, job_id=job_id, kind=ASSIGN)
