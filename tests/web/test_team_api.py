"""The team lead's API through the real app: collectors, licences, capacity, assignment as
a background job, workload."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tests.web.conftest import CLOCK, sign_in
from tideover.bootstrap import App
from tideover.services.jobs import run_next_job

TODAY = date(2026, 6, 1)  # CLOCK's business date in Shanghai


def _item(n: int, jurisdiction: str = "CN", queue: str = "early") -> dict[str, Any]:
    return {
        "account_id": f"L{n:04d}",
        "borrower_id": f"B{n:04d}",
        "step": "call#0",
        "channel": "human_call",
        "template": "call_script",
        "tone": "neutral",
        "segment": "early",
        "arm": "",
        "treatment": "call",
        "rescheduled": False,
        "rule_ids": [],
        "queue": queue,
        "priority": 1000 - n,
        "due_at": datetime(2026, 6, 1, 6, 0, tzinfo=UTC),
        "state": "open",
        "assigned_to": None,
        "jurisdiction": jurisdiction,
        "offers": [],
        "summary": {},
        "run_id": 1,
    }


def queue(core: App, platform: str, rows: list[dict[str, Any]], day: date = TODAY) -> None:
    with core.uow() as uow:
        uow.cycle(platform).replace_queue_items(day, rows)
        uow.commit()


def collector(cid: str, capacity: int = 3, **changes: Any) -> dict[str, Any]:
    return {
        "collector_id": cid,
        "name": f"Collector {cid}",
        "team": "north",
        "jurisdictions": ["CN"],
        "queues": ["early"],
        "daily_capacity": capacity,
        **changes,
    }


def run_jobs(core: App) -> None:
    while run_next_job(uow_factory=core.uow, clock=CLOCK, data_dir=Path("var")) is not None:
        pass


def test_a_collector_is_added_read_with_its_etag_and_changed_once(core: App) -> None:
    lead = sign_in(core, "acme", "lead")
    added = lead.post("/api/v1/team/collectors", json=collector("c1", jurisdictions=["cn"]))
    assert added.status_code == 201, added.text
    assert added.json()["collectors"][0]["jurisdictions"] == ["CN"]
    read = lead.client.get("/api/v1/team/collectors/c1")
    etag = read.headers["ETag"]
    changed = lead.client.patch(
        "/api/v1/team/collectors/c1",
        json={"daily_capacity": 40, "jurisdictions": ["CN", "US-MA"]},
        headers={"If-Match": etag, "X-CSRF-Token": lead.csrf},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["changed"] == {"daily_capacity": 40, "jurisdictions": ["CN", "US-MA"]}
    stale = lead.client.patch(
        "/api/v1/team/collectors/c1",
        json={"daily_capacity": 1},
        headers={"If-Match": etag, "X-CSRF-Token": lead.csrf},
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert lead.client.get("/api/v1/team/collectors/c1").json()["daily_capacity"] == 40
    listed = lead.client.get("/api/v1/team/collectors").json()
    assert [(c["collector_id"], c["load"]) for c in listed["items"]] == [("c1", 0)]


def test_a_bad_licence_is_refused_in_both_languages(core: App) -> None:
    lead = sign_in(core, "acme", "lead")
    answer = lead.post(
        "/api/v1/team/collectors",
        json=collector("c1", jurisdictions=["XX"]),
        headers={"Accept-Language": "zh-CN"},
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == error["zh"]
    assert "辖区" in error["zh"]
    assert "jurisdiction" in error["en"]
    negative = lead.post("/api/v1/team/collectors", json=collector("c2", capacity=-1))
    assert negative.status_code == 422
    assert negative.json()["error"]["details"][0]["field"] == "daily_capacity"
    twice = lead.post("/api/v1/team/collectors", json=collector("c3"))
    assert twice.status_code == 201
    assert lead.post("/api/v1/team/collectors", json=collector("c3")).status_code == 409


def test_the_assignment_runs_as_a_job_and_the_workload_shows_it(core: App) -> None:
    queue(core, "acme", [_item(n) for n in range(5)] + [_item(9, jurisdiction="US-MA")])
    lead = sign_in(core, "acme", "lead")
    for cid in ("c1", "c2"):
        assert lead.post("/api/v1/team/collectors", json=collector(cid, 2)).status_code == 201
    before = lead.client.get("/api/v1/team/workload").json()
    assert before["as_of"] == "2026-06-01"
    assert before["items"] == 6
    assert before["unassigned"] == {"no_permitted_collector": 1, "placeable": 5}
    started = lead.post("/api/v1/team/assignments", json={})
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["state"] == "queued"
    assert job["params"] == {"as_of": "2026-06-01"}
    run_jobs(core)
    done = lead.client.get(f"/api/v1/team/assignments/{job['job_id']}").json()
    assert done["state"] == "done", done["error"]
    assert done["result"]["counts"]["assigned"] == 4
    assert done["result"]["by_collector"] == {"c1": 2, "c2": 2}
    after = lead.client.get("/api/v1/team/workload?as_of=2026-06-01").json()
    assert after["by_state"] == {"assigned": 4, "open": 2}
    assert after["unassigned"] == {"capacity_exhausted": 1, "no_permitted_collector": 1}
    assert [(c["collector_id"], c["load"], c["room"]) for c in after["collectors"]] == [
        ("c1", 2, 0),
        ("c2", 2, 0),
    ]


def test_a_deactivated_collectors_items_are_handed_on(core: App) -> None:
    queue(core, "acme", [_item(n) for n in range(2)])
    lead = sign_in(core, "acme", "lead")
    lead.post("/api/v1/team/collectors", json=collector("c1", 5))
    lead.post("/api/v1/team/assignments", json={"as_of": "2026-06-01"})
    run_jobs(core)
    lead.post("/api/v1/team/collectors", json=collector("c2", 5))
    gone = lead.client.patch(
        "/api/v1/team/collectors/c1", json={"active": False}, headers={"X-CSRF-Token": lead.csrf}
    )
    assert gone.status_code == 200, gone.text
    assert sorted((m["from"], m["to"]) for m in gone.json()["moves"]) == [("c1", "c2")] * 2
    back = lead.post("/api/v1/team/collectors/c2/hand-on", json={})
    assert back.status_code == 200, back.text
    assert [m["reason"] for m in back.json()["left"]] == ["no_permitted_collector"] * 2


def test_an_assignment_page_never_shows_another_kind_of_job(core: App) -> None:
    lead = sign_in(core, "acme", "lead")
    job = lead.post("/api/v1/team/assignments", json={}).json()
    assert lead.client.get(f"/api/v1/team/assignments/{job['job_id']}").status_code == 200
    admin = sign_in(core, "acme", "admin")
    assert admin.client.get(f"/api/v1/admin/imports/{job['job_id']}").status_code == 404
