"""Simulate before approve and the experiment results, through the app (API and console)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.web.conftest import CLOCK, sign_in
from tideover.bootstrap import App
from tideover.services.jobs import run_next_job
from tideover.services.policy.versions import (
    activate_policy_version,
    approve_policy_version,
    submit_policy,
)
from tideover.services.simulate.results import (
    KPI_LABELS,
    BehaviourSummary,
    BookSummary,
    ComparisonReport,
    KpiDifference,
    KpiInterval,
    PolicyDifference,
    PolicyRun,
    PolicySource,
    SimulationSettings,
)

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
SUPPORTIVE = (EXAMPLES / "supportive.yaml").read_text(encoding="utf-8")
AGGRESSIVE = (EXAMPLES / "aggressive.yaml").read_text(encoding="utf-8")
HTML = {"Accept": "text/html"}


def _submit(core: App, text: str = SUPPORTIVE) -> int:
    return submit_policy(
        uow=core.uow(), platform="acme", text=text, by="manager", clock=CLOCK
    ).version


def _active(core: App) -> int:
    number = _submit(core)
    approve_policy_version(uow=core.uow(), platform="acme", version=number, by="cco", clock=CLOCK)
    activate_policy_version(
        uow=core.uow(), platform="acme", version=number, by="manager", effective=date(2026, 5, 1),
        clock=CLOCK,
    )  # fmt: skip
    return number


def _rows(kind: type[KpiInterval], months: int, value: str, **extra: Any) -> list[Any]:
    number = Decimal(value)
    return [
        kind(month=m, kpi=k, mean=number, low=number - 1, median=number, high=number + 1, **extra)
        for m in range(1, months + 1)
        for k in KPI_LABELS
    ]


def _report(against: int, candidate: int) -> ComparisonReport:
    base = PolicySource(label=f"supportive v{against} (active)", policy="supportive",
                        version=against, sha256="a" * 64)  # fmt: skip
    mine = PolicySource(label=f"aggressive v{candidate}", policy="aggressive", version=candidate,
                        sha256="b" * 64)  # fmt: skip
    return ComparisonReport(
        platform="acme",
        book=BookSummary(platform="acme", as_of=date(2026, 5, 31), accounts=1234,
                         balance_minor=10**9, currency="CNY", behind=40, dq30=12, with_score=0),
        behaviour=BehaviourSummary(scenario="normal", source="reference", month_pairs=None,
                                   account_months=100, segments=1),
        settings=SimulationSettings(months=2, runs=50, seed=1, priors="shipped",
                                    prior_uncertainty=True, pack="CN"),
        policies=[PolicyRun(source=base, kpis=_rows(KpiInterval, 2, "3")),
                  PolicyRun(source=mine, kpis=_rows(KpiInterval, 2, "5"))],
        differences=[PolicyDifference(
            baseline=base.label, policy=mine.label, sensitivity=[],
            kpis=_rows(KpiDifference, 2, "2", favours=base.label),
        )],
        seconds=1.0,
    )  # fmt: skip


def test_a_submitted_versions_simulation_is_queued_and_the_page_polls_it(core: App) -> None:
    manager = sign_in(core, "acme", "manager")
    sent = manager.post("/api/v1/policy/versions", json={"text": SUPPORTIVE})
    assert sent.status_code == 201, sent.text
    number = sent.json()["version"]
    detail = manager.client.get(f"/api/v1/policy/versions/{number}").json()
    assert detail["simulation"]["state"] == "queued"
    assert detail["simulation"]["against_version"] is None  # nothing active yet
    page = manager.client.get(f"/policy/{number}?lang=en", headers=HTML)
    assert page.status_code == 200
    assert f'hx-get="/policy/{number}/simulation"' in page.text
    assert "waiting for a worker" in page.text
    fragment = manager.client.get(f"/policy/{number}/simulation", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="simulation"')


def test_a_finished_simulation_shows_its_table_and_chart_to_the_approver(core: App) -> None:
    active = _active(core)
    candidate = _submit(core, AGGRESSIVE)
    with core.uow() as uow:
        uow.simulations("acme").finish(
            candidate, result=_report(active, candidate).to_json(), at=CLOCK.now()
        )
        uow.commit()
    approver = sign_in(core, "acme", "cco")
    page = approver.client.get(f"/policy/{candidate}?lang=en", headers=HTML)
    assert page.status_code == 200
    assert "hx-get" not in page.text.split('id="simulation"')[1].split(">")[0]  # no polling
    assert 'id="simulation-table"' in page.text
    assert "cost to collect (per unit recovered)" in page.text
    chart = re.search(r'<script type="application/json" id="simulation-chart-data">(.*?)</script>',
                      page.text, re.S)  # fmt: skip
    assert chart is not None
    option = json.loads(chart.group(1))
    assert len(option["grid"]) == 4
    assert 'id="approve"' in page.text  # approval does not wait, and the page says what it shows
    zh = approver.client.get(f"/policy/{candidate}?lang=zh_CN", headers=HTML)
    assert "催收成本（每回收一元）" in zh.text
    api = approver.client.get(f"/api/v1/policy/versions/{candidate}/simulation").json()
    assert api["state"] == "done"
    assert api["report"]["differences"][0]["policy"] == f"aggressive v{candidate}"


def test_a_failed_simulation_says_why_and_may_be_asked_again(core: App, tmp_path: Path) -> None:
    number = _submit(core)
    # acme has no loans: the worker's job fails, and says so.
    ran = run_next_job(uow_factory=core.uow, clock=CLOCK, data_dir=tmp_path)
    assert ran is not None
    assert ran.state == "failed"
    manager = sign_in(core, "acme", "manager")
    page = manager.client.get(f"/policy/{number}?lang=en", headers=HTML)
    assert "The simulation failed:" in page.text
    again = manager.post(
        f"/policy/{number}/simulation", data={"csrf_token": manager.csrf}, follow_redirects=False
    )
    assert again.status_code == 303
    assert again.headers["location"] == f"/policy/{number}?done=simulating"
    state = manager.client.get(f"/api/v1/policy/versions/{number}/simulation").json()["state"]
    assert state == "queued"
    answer = manager.post(f"/api/v1/policy/versions/{number}/simulation")
    assert answer.status_code == 202
    agent = sign_in(core, "acme", "agent")
    assert agent.post(f"/api/v1/policy/versions/{number}/simulation").status_code == 403


def test_experiments_are_listed_with_their_verdict(core: App) -> None:
    manager = sign_in(core, "acme", "manager")
    empty = manager.client.get("/experiments", headers=HTML)
    assert empty.status_code == 200
    assert 'id="no-active"' in empty.text
    assert manager.client.get("/api/v1/experiments/early-tone").status_code == 404
    _active(core)
    page = manager.client.get("/experiments", headers=HTML)
    assert page.status_code == 200
    assert 'id="experiment-early-tone"' in page.text
    assert 'href="/experiments"' in page.text  # in the menu
    listed = manager.client.get("/api/v1/experiments").json()
    assert listed["total"] == 1
    (early,) = listed["items"]
    assert (early["experiment"], early["call"], early["days"]) == ("early-tone", "keep_running", 0)
    assert early["not_measured"][0]["code"] == "no_data"
    one = manager.client.get("/api/v1/experiments/early-tone")
    assert one.status_code == 200
    assert one.json()["segment"] == "early"
    assert manager.client.get("/api/v1/experiments/no-such").status_code == 404
    agent = sign_in(core, "acme", "agent")
    assert agent.client.get("/api/v1/experiments").status_code == 403
    assert 'href="/experiments"' not in agent.client.get("/queue", headers=HTML).text
