"""Isolation cases of the KPI area (see ``tests/web/isolation.py``)."""

from __future__ import annotations

from tests.web.conftest import CLOCK
from tests.web.isolation import Case
from tideover.bootstrap import App
from tideover.services.jobs import start_job

DAY = "2031-12-30"


def _cycle_job(core: App) -> tuple[dict[str, str], str]:
    job = start_job(
        uow=core.uow(),
        platform="acme",
        kind="cycle",
        params={"as_of": DAY},
        created_by=1,
        at=CLOCK.now(),
    )
    return {"job_id": job.job_id}, DAY


CASES: dict[str, Case] = {
    "/api/v1/kpi/cycle-runs/{job_id}": Case(_cycle_job),
    "/kpi/jobs/{job_id}": Case(_cycle_job),
}
