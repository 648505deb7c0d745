"""The strategy manager's experiment results: every experiment of the active policy.

Per experiment: the arms and their figures, each challenger's difference from
the champion with its always-valid interval day by day (charted), the
sample-ratio check, the guardrails, and the verdict with its reasons — the same
handler as ``tideover experiment report``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from tideover.domain.permissions import Permission
from tideover.services.simulate.experiments import (
    DEFAULT_PLANNED_DAYS,
    MAX_PLANNED_DAYS,
    experiment_reports,
)
from tideover.services.simulate.results import ExperimentReport
from tideover.web.api.experiments import data_dir
from tideover.web.deps import Authorized, Caller, UowFactoryDep
from tideover.web.ui.pages import render
from tideover.web.ui.words import N_

router = APIRouter(prefix="/experiments")

Reader = Annotated[Caller, Authorized(Permission.KPI_READ)]
# Verdicts, review states and metric names the pages show as words.
EXPERIMENT_WORDS = (
    N_("keep_running"),
    N_("promote"),
    N_("stop"),
    N_("champion"),
    N_("challenger"),
    N_("holdout"),
    N_("not_started"),
    N_("not_requested"),
    N_("Experiments"),
    N_("cure_rate"),
    N_("vulnerable_cure_rate"),
    N_("complaints_per_1000_contacts"),
    N_("plans_broken_rate"),
    N_("contacts_per_account_day"),
)


def difference_chart(report: ExperimentReport, arm: str) -> dict[str, Any]:
    """The primary metric's difference (challenger − champion) by day, with its always-valid
    interval as a band; an interval not yet bounded is left out of the band."""
    days = report.daily.get(arm, [])
    low = [None if d.lower is None else float(d.lower) for d in days]
    high = [None if d.upper is None else float(d.upper) for d in days]
    width = [None if a is None or b is None else b - a for a, b in zip(low, high, strict=True)]
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 56, "right": 16, "top": 24, "bottom": 30},
        "xAxis": {"type": "category", "data": [d.as_of.isoformat() for d in days]},
        "yAxis": {"type": "value", "scale": True},
        "series": [
            {"type": "line", "data": low, "stack": "band", "stackStrategy": "all", "symbol": "none",
             "lineStyle": {"opacity": 0}, "tooltip": {"show": False}},
            {"type": "line", "data": width, "stack": "band", "stackStrategy": "all",
             "symbol": "none", "lineStyle": {"opacity": 0}, "areaStyle": {"opacity": 0.2},
             "tooltip": {"show": False}},
            {"type": "line", "name": report.primary,
             "data": [None if d.difference is None else float(d.difference) for d in days],
             "markLine": {"silent": True, "symbol": "none", "data": [{"yAxis": 0}]}},
        ],
    }  # fmt: skip


@router.get("", response_class=HTMLResponse)
def experiments(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    planned_days: Annotated[int, Query(ge=1, le=MAX_PLANNED_DAYS)] = DEFAULT_PLANNED_DAYS,
) -> HTMLResponse:
    found = experiment_reports(
        uow=uow(), platform=caller.platform, data_dir=data_dir(request), planned_days=planned_days
    )
    charts = {
        f"{e.experiment}-{c.arm}": difference_chart(e, c.arm)
        for e in found.experiments
        for c in e.challengers
    }
    return render(
        request,
        "experiments/list.html",
        {"found": found, "charts": charts, "planned_days": planned_days},
        caller=caller,
    )
