"""``/api/v1/kpi``: the strategy manager's KPI dashboard, the stored figures, cycle runs.

Everyone holding ``kpi:read`` reads the dashboard and the figures; starting the
day's cycle needs ``cycle:run`` and runs as a background job (a day's cycle takes
seconds to minutes: ``bench/RESULTS.md``) whose progress is read from
``/kpi/cycle-runs/{job_id}``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from tideover.domain.permissions import Permission
from tideover.services.cycle.dashboard import KpiDashboard, kpi_dashboard
from tideover.services.cycle.results import KpiFigure
from tideover.services.cycle.run import check_run_date, kpi_report
from tideover.services.inputs import NO_CONTROL
from tideover.services.jobs import JobInfo, job_info, start_job
from tideover.services.platforms import business_date_of
from tideover.web.deps import Authorized, Caller, ClockDep, NowDep, PageDep, UowFactoryDep
from tideover.web.pagination import Page, paginate

router = APIRouter(prefix="/kpi", tags=["kpi"])

Reader = Annotated[Caller, Authorized(Permission.KPI_READ)]
Runner = Annotated[Caller, Authorized(Permission.CYCLE_RUN)]
First = Annotated[date | None, Query(alias="from", description="First business date.")]
Last = Annotated[date | None, Query(alias="to", description="Last business date.")]
Code = Annotated[str | None, Query(min_length=1, max_length=64, pattern=NO_CONTROL)]
JobId = Annotated[str, PathParam(min_length=1, max_length=64, pattern=NO_CONTROL)]
CYCLE = "cycle"  # the job kind (services/jobs.py)


class CycleRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(default=None, description="Default: the business date.")


@router.get("/dashboard", response_model=KpiDashboard, summary="The KPI dashboard")
def dashboard(
    caller: Reader,
    uow: UowFactoryDep,
    clock: ClockDep,
    first: First = None,
    last: Last = None,
    segment: Code = None,
    arm: Code = None,
) -> KpiDashboard:
    """Series per date for one segment and arm (all when none is given) and the roll-rate
    matrix; the default range is the 30 days up to the last completed run."""
    return kpi_dashboard(
        uow=uow(), platform=caller.platform, first=first, last=last, segment=segment, arm=arm,
        clock=clock,
    )  # fmt: skip


@router.get("/figures", response_model=Page[KpiFigure], summary="The stored KPI figures")
def figures(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    page: PageDep,
    first: Annotated[date, Query(alias="from", description="First business date.")],
    last: Annotated[date, Query(alias="to", description="Last business date.")],
) -> Page[KpiFigure]:
    """Every stored figure of the range, by date, segment, arm, metric and key, with its
    rates (as ``tideover kpi --json``)."""
    report = kpi_report(uow=uow(), platform=caller.platform, first=first, last=last)
    return paginate(request, report.rows, page)


@router.post(
    "/cycle-runs", response_model=JobInfo, status_code=202, summary="Start the daily cycle"
)
def start_cycle(
    body: CycleRunRequest, caller: Runner, uow: UowFactoryDep, clock: ClockDep, now: NowDep
) -> JobInfo:
    """The platform's active policy over its portfolio for the date, as a background job."""
    day = body.as_of or business_date_of(uow=uow(), platform=caller.platform, clock=clock)
    check_run_date(day)  # an impossible date is refused now, not by the worker later
    return start_job(
        uow=uow(),
        platform=caller.platform,
        kind=CYCLE,
        params={"as_of": day.isoformat()},
        created_by=caller.actor.user_id,
        at=now,
    )


@router.get("/cycle-runs/{job_id}", response_model=JobInfo, summary="A daily-cycle job")
def cycle_run(job_id: JobId, caller: Reader, uow: UowFactoryDep) -> JobInfo:
    return job_info(uow=uow(), platform=caller.platform, job_id=job_id, kind=CYCLE)
