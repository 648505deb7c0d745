"""The strategy manager's KPI dashboard and the daily cycle started from the console, through
the real app on both databases: a cycle queued from the page, run by the worker, followed
on its job page, then read on the dashboard and through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from tests.support import activate_policy
from tests.web.conftest import PASSWORD_HASH, ROLES, sign_in
from tideover.bootstrap import App
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.services.demo.story import load_demo_platform
from tideover.services.identity.users import add_user
from tideover.services.jobs import run_next_job

ROOT = Path(__file__).parents[2]
DAY = date(2026, 5, 29)  # a Friday, before the test clock's business date (1 June)
PLATFORM = "demo-cn"


@pytest.fixture
def demo(core: App) -> App:
    """demo-cn from the sample with its supportive policy active, and the web test users."""
    frame = pd.read_csv(ROOT / "tests" / "data" / "lendingclub_sample.csv")
    load_demo_platform(
        uow=core.uow(), preset=DEMO_PLATFORMS[PLATFORM], load_source=lambda: frame, as_of=DAY
    )
    at = datetime(2026, 5, 1, tzinfo=UTC)
    add_user(uow=core.uow(), platform=PLATFORM, username="admin", roles=ROLES["admin"], at=at)
    for name in ("manager", "cco", "agent", "auditor"):
        add_user(uow=core.uow(), platform=PLATFORM, username=name, roles=ROLES[name],
                 by="admin", at=at)  # fmt: skip
    with core.uow() as uow:
        for user in uow.users(PLATFORM).list():
            uow.users(PLATFORM).set_password_hash(user.user_id, PASSWORD_HASH)
        uow.commit()
    activate_policy(core.uow, PLATFORM, ROOT / "src/tideover/policy/examples/supportive.yaml")
    return core


def test_a_cycle_started_on_the_page_runs_and_its_kpis_show(demo: App, tmp_path: Path) -> None:
    s = sign_in(demo, PLATFORM, "manager")
    empty = s.client.get("/kpi?lang=en")
    assert empty.status_code == 200
    assert 'id="kpi-empty"' in empty.text
    assert 'id="kpi-cycle-start"' in empty.text

    started = s.post("/kpi/cycle", data={"as_of": DAY.isoformat()}, follow_redirects=False)
    assert started.status_code == 303
    job_page = started.headers["location"]
    assert job_page.startswith("/kpi/jobs/")
    queued = s.client.get(job_page + "?lang=en")
    assert "Waiting for a worker" in queued.text
    assert 'hx-get="' + job_page + '"' in queued.text  # it follows itself while not done

    clock = FixedClock(datetime(2026, 5, 29, 20, 0, tzinfo=UTC))
    ran = []  # activating the policy queued its simulation too: run the queue out
    while (job := run_next_job(uow_factory=demo.uow, clock=clock, data_dir=tmp_path)) is not None:
        ran.append(job)
    [cycle] = [j for j in ran if j.kind == "cycle"]
    assert cycle.state == "done", cycle.error
    assert job_page.endswith(cycle.job_id)
    done = s.client.get(job_page + "?lang=zh_CN")
    assert 'id="cycle-counts"' in done.text
    assert "账户" in done.text or "帐户" in done.text
    assert "hx-get" not in done.text  # finished: no more polling

    board = s.client.get(f"/api/v1/kpi/dashboard?to={DAY.isoformat()}").json()
    assert board["dates"] == [DAY.isoformat()]
    assert board["from"] == "2026-04-30"
    thirty = board["delinquency"][0]["values"][0]
    assert thirty is not None
    page = s.client.get(f"/kpi?to={DAY.isoformat()}&lang=en")
    assert page.status_code == 200
    assert f"{float(thirty) * 100:.1f}%" in page.text.split('id="kpi-30">')[1][:40]
    for chart in ("kpi-mix", "kpi-delinquency", "kpi-roll", "kpi-cure", "kpi-cost"):
        assert f'data-chart="{chart}-data"' in page.text
        assert f'<script type="application/json" id="{chart}-data">' in page.text
    assert "<script>" not in page.text  # data only, no inline code (CSP)

    figures = s.client.get(f"/api/v1/kpi/figures?from={DAY}&to={DAY}&per_page=5").json()
    assert len(figures["items"]) == 5
    assert figures["total"] > 5
    segment = board["segments"][0]
    one = s.client.get(f"/api/v1/kpi/dashboard?to={DAY}&segment={segment}").json()
    assert one["segment"] == segment
    assert Decimal(one["cost_total"]) <= Decimal(board["cost_total"])


def test_who_may_read_and_who_may_run(demo: App) -> None:
    assert sign_in(demo, PLATFORM, "agent").client.get("/kpi").status_code == 403
    auditor = sign_in(demo, PLATFORM, "auditor")
    read = auditor.client.get("/kpi?lang=en")
    assert read.status_code == 200
    assert 'id="kpi-cycle-start"' not in read.text  # reads, never runs
    assert auditor.post("/kpi/cycle", data={"as_of": DAY.isoformat()}).status_code == 403
    cco = sign_in(demo, PLATFORM, "cco")
    refused = cco.post("/api/v1/kpi/cycle-runs", json={"as_of": DAY.isoformat()})
    assert refused.status_code == 403
    manager = sign_in(demo, PLATFORM, "manager")
    accepted = manager.post("/api/v1/kpi/cycle-runs", json={"as_of": DAY.isoformat()})
    assert accepted.status_code == 202
    job = accepted.json()
    assert (job["kind"], job["state"]) == ("cycle", "queued")
    got = manager.client.get(f"/api/v1/kpi/cycle-runs/{job['job_id']}").json()
    assert got["job_id"] == job["job_id"]


@pytest.mark.parametrize(
    ("language", "words"), [("en", "before it starts"), ("zh-CN", "早于开始日")]
)
def test_bad_ranges_and_dates_are_coded_in_the_readers_language(
    demo: App, language: str, words: str
) -> None:
    s = sign_in(demo, PLATFORM, "manager")
    headers = {"Accept-Language": language}
    backwards = s.client.get("/api/v1/kpi/dashboard?from=2026-06-01&to=2026-01-01", headers=headers)
    assert backwards.status_code == 400
    assert words in backwards.text
    page = s.client.get("/kpi?from=2026-06-01&to=2026-01-01", headers=headers)
    assert page.status_code == 400
    assert words in page.text
    absurd = s.post("/api/v1/kpi/cycle-runs", json={"as_of": "9999-12-31"}, headers=headers)
    assert absurd.status_code == 400
    nul = s.client.get("/api/v1/kpi/dashboard?segment=a%00b", headers=headers)
    assert nul.status_code == 422
