"""Isolation cases of the team lead's area (see ``tests/web/isolation.py``)."""

from __future__ import annotations

from tests.web.conftest import CLOCK
from tests.web.isolation import Case
from tideover.bootstrap import App
from tideover.services.jobs import start_job
from tideover.services.queues.collectors import add_collectors, build_collector

NAME = "Isolation Collector"
DAY = "2031-12-31"
# the collector page's whole form, valid but for the collector it names
FORM = {
    "etag": '"x"',
    "name": "Someone",
    "team": "north",
    "jurisdictions": "CN",
    "queues": "*",
    "daily_capacity": "1",
}


def _collector(core: App) -> tuple[dict[str, str], str]:
    collector = build_collector(
        collector_id="iso-c1",
        name=NAME,
        team="north",
        jurisdictions=["CN"],
        queues=["early"],
        daily_capacity=5,
    )
    add_collectors(uow=core.uow(), platform="acme", collectors=[collector], by="lead", clock=CLOCK)
    return {"collector_id": "iso-c1"}, NAME


def _assignment(core: App) -> tuple[dict[str, str], str]:
    job = start_job(
        uow=core.uow(),
        platform="acme",
        kind="assign",
        params={"as_of": DAY},
        created_by=1,
        at=CLOCK.now(),
    )
    return {"job_id": job.job_id}, DAY


CASES: dict[str, Case] = {
    "/api/v1/team/collectors/{collector_id}": Case(_collector, body={"daily_capacity": "1"}),
    "/api/v1/team/collectors/{collector_id}/hand-on": Case(_collector),
    "/api/v1/team/assignments/{job_id}": Case(_assignment),
    "/team/collectors/{collector_id}": Case(_collector, body=FORM),
    "/team/collectors/{collector_id}/hand-on": Case(_collector),
    "/team/jobs/{job_id}": Case(_assignment),
}
