"""The strategy manager's KPI dashboard, and the daily cycle started from the console.

Charts are ECharts options built here from the dashboard's series (floats only
to draw; the tables beside them show the exact figures in the reader's locale).
A cycle started here runs as a background job; its page follows it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import format_currency, format_percent
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tideover.domain.permissions import Permission
from tideover.services.cycle.dashboard import KpiDashboard, Series, kpi_dashboard
from tideover.services.cycle.run import check_run_date
from tideover.services.jobs import job_info, start_job
from tideover.services.platforms import business_date_of
from tideover.web.api.kpi import CYCLE, Code, JobId
from tideover.web.deps import Authorized, Caller, ClockDep, NowDep, UowFactoryDep
from tideover.web.i18n import Texts
from tideover.web.ui.pages import render, texts_of
from tideover.web.ui.words import N_

router = APIRouter(prefix="/kpi")

Reader = Annotated[Caller, Authorized(Permission.KPI_READ)]
Runner = Annotated[Caller, Authorized(Permission.CYCLE_RUN)]

# Where an account of a bucket went: the matrix's last two columns (domain.kpis).
COLUMN_WORDS = {"closed": N_("closed"), "missing": N_("missing")}
STAGE_WORDS = {
    "ingest": N_("Importing the inbox"),
    "delinquency": N_("Delinquency"),
    "features": N_("Features"),
    "score": N_("Scores"),
    "assign": N_("Segments and treatments"),
    "gate": N_("Compliance gate"),
    "dispatch": N_("Outbox and queues"),
    "kpis": N_("KPIs"),
    "partitions": N_("Partitions"),
    "write": N_("Writing the results"),
}
# What the job's page shows of a completed run's counts (services/cycle CycleSummary).
COUNT_WORDS = {
    "accounts": N_("Accounts"),
    "actions": N_("Actions planned"),
    "allowed": N_("Allowed by the gate"),
    "rescheduled": N_("Rescheduled by the gate"),
    "dropped": N_("Dropped by the gate"),
    "outbox": N_("Messages to send"),
    "queue_items": N_("Queue items"),
}


def percent(texts: Texts, value: Decimal | None) -> str:
    return "—" if value is None else format_percent(value, "#,##0.0%", locale=texts.locale)


def money(texts: Texts, value: Decimal, currency: str) -> str:
    return format_currency(value, currency, locale=texts.locale)


def _points(values: list[Decimal | None], scale: int = 100) -> list[float | None]:
    """Rates as percentages to draw (the only floats: the tables keep the exact figures)."""
    return [None if v is None else round(float(v) * scale, 2) for v in values]


def _lines(days: list[str], series: list[tuple[str, Series]], unit: str) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 48, "right": 16, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": days},
        "yAxis": {"type": "value", "name": unit},
        "series": [
            {"name": name, "type": "line", "connectNulls": False, "data": _points(s.values)}
            for name, s in series
        ],
    }


def charts(board: KpiDashboard, texts: Texts) -> dict[str, dict[str, Any]]:
    """The dashboard's ECharts options, by the id of the block that carries each."""
    _ = texts.gettext
    days = [d.isoformat() for d in board.dates]
    mix = {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 48, "right": 16, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": days},
        "yAxis": {"type": "value", "name": _("accounts"), "minInterval": 1},
        "series": [
            {"name": s.key, "type": "bar", "stack": "book", "data": [int(v or 0) for v in s.values]}
            for s in board.bucket_accounts
        ],
    }
    delinquency = _lines(days, [(s.key, s) for s in board.delinquency], "%")
    roll = _lines(days, [(_("%(bucket)s → worse", bucket=s.key), s) for s in board.roll], "%")
    cure = _lines(days, [(_("%(bucket)s cured", bucket=s.key), s) for s in board.cure], "%")
    recovery = _lines(days, [(_("Recovery rate"), board.recovery)], "%")
    m = board.matrix
    columns = [_(COLUMN_WORDS.get(c, c)) for c in m.columns]
    cells = [
        [col, row, None if rate is None else round(float(rate) * 100, 1)]
        for row, rates in enumerate(m.rates)
        for col, rate in enumerate(rates)
    ]
    heatmap = {
        "tooltip": {"position": "top"},
        "grid": {"left": 60, "right": 16, "top": 16, "bottom": 70},
        "xAxis": {"type": "category", "data": columns, "splitArea": {"show": True}},
        "yAxis": {"type": "category", "data": m.rows, "inverse": True, "splitArea": {"show": True}},
        "visualMap": {"min": 0, "max": 100, "calculable": True, "orient": "horizontal",
                      "left": "center", "bottom": 0},
        "series": [{"name": _("Roll-rate matrix"), "type": "heatmap", "data": cells,
                    "label": {"show": True}}],
    }  # fmt: skip
    cost = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 60, "right": 60, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": days},
        "yAxis": [
            {"type": "value", "name": board.currency},
            {"type": "value", "name": _("per 1,000 contacts")},
        ],
        "series": [
            {"name": _("Cost to collect"), "type": "bar",
             "data": [float(v or 0) for v in board.cost.values]},
            {"name": _("Complaints per 1,000 contacts"), "type": "line", "yAxisIndex": 1,
             "data": _points(board.complaints_per_1000.values, scale=1)},
        ],
    }  # fmt: skip
    return {
        "kpi-mix-data": mix,
        "kpi-delinquency-data": delinquency,
        "kpi-roll-data": roll,
        "kpi-cure-data": cure,
        "kpi-recovery-data": recovery,
        "kpi-matrix-data": heatmap,
        "kpi-cost-data": cost,
    }


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    clock: ClockDep,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    segment: Code = None,
    arm: Code = None,
) -> HTMLResponse:
    board = kpi_dashboard(
        uow=uow(), platform=caller.platform, first=first, last=last, segment=segment or None,
        arm=arm or None, clock=clock,
    )  # fmt: skip
    texts = texts_of(request)
    return render(
        request,
        "kpi/dashboard.html",
        {
            "board": board,
            "charts": charts(board, texts),
            "percent": lambda v: percent(texts, v),
            "money": lambda v: money(texts, v, board.currency),
            "column_words": COLUMN_WORDS,
            "today": business_date_of(uow=uow(), platform=caller.platform, clock=clock),
        },
        caller=caller,
    )


@router.post("/cycle")
def start_cycle(
    request: Request,
    caller: Runner,
    uow: UowFactoryDep,
    clock: ClockDep,
    now: NowDep,
    as_of: Annotated[date | None, Form()] = None,
) -> Response:
    day = as_of or business_date_of(uow=uow(), platform=caller.platform, clock=clock)
    check_run_date(day)
    job = start_job(
        uow=uow(),
        platform=caller.platform,
        kind=CYCLE,
        params={"as_of": day.isoformat()},
        created_by=caller.actor.user_id,
        at=now,
    )
    target = f"/kpi/jobs/{job.job_id}"
    if "HX-Request" in request.headers:
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job(request: Request, job_id: JobId, caller: Reader, uow: UowFactoryDep) -> HTMLResponse:
    """A daily-cycle job; while it runs, htmx asks for this fragment again every 2 s."""
    found = job_info(uow=uow(), platform=caller.platform, job_id=job_id, kind=CYCLE)
    template = "kpi/job_status.html" if "HX-Request" in request.headers else "kpi/job.html"
    return render(
        request,
        template,
        {"job": found, "stages": STAGE_WORDS, "count_words": COUNT_WORDS},
        caller=caller,
    )
