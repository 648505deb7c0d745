"""``/api/v1/experiments``: the active policy's champion/challenger experiments and verdicts.

Each report is read from the platform's stored snapshots when asked (the same
handler as ``tideover experiment report``): per-arm figures, each challenger's
difference with its always-valid interval, the sample-ratio check, guardrails
and the verdict with its reasons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam

from tideover.domain.permissions import Permission
from tideover.services.simulate.experiments import (
    DEFAULT_PLANNED_DAYS,
    MAX_PLANNED_DAYS,
    experiment_reports,
)
from tideover.services.simulate.results import ExperimentReport
from tideover.web.deps import Authorized, Caller, PageDep, UowFactoryDep
from tideover.web.pagination import Page, paginate

router = APIRouter(prefix="/experiments", tags=["experiments"])

Reader = Annotated[Caller, Authorized(Permission.KPI_READ)]
PlannedDays = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_PLANNED_DAYS,
        description="The planned length in cycle days: past it, nothing settled means stop.",
    ),
]


def data_dir(request: Request) -> Path:
    found: Path = request.app.state.core.settings.data_dir
    return found


@router.get("", response_model=Page[ExperimentReport], summary="Every experiment and its verdict")
def experiments(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    page: PageDep,
    planned_days: PlannedDays = DEFAULT_PLANNED_DAYS,
) -> Page[ExperimentReport]:
    found = experiment_reports(
        uow=uow(), platform=caller.platform, data_dir=data_dir(request), planned_days=planned_days
    )
    return paginate(request, found.experiments, page)


@router.get("/{experiment_id}", response_model=ExperimentReport, summary="One experiment")
def experiment(
    request: Request,
    experiment_id: Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_-]{0,63}$")],
    caller: Reader,
    uow: UowFactoryDep,
    planned_days: PlannedDays = DEFAULT_PLANNED_DAYS,
) -> ExperimentReport:
    found = experiment_reports(
        uow=uow(),
        platform=caller.platform,
        data_dir=data_dir(request),
        experiment=experiment_id,
        planned_days=planned_days,
    )
    return found.experiments[0]
