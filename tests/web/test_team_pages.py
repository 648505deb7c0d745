"""The team lead's pages: collectors added and changed through the forms, a stale form
refused, the assignment run followed on its job page, the workload after it."""

from __future__ import annotations

import html
import re

from tests.web.conftest import Session
from tests.web.test_compliance_pages import HTML, browser
from tests.web.test_team_api import _item, queue, run_jobs
from tideover.bootstrap import App


def _add(lead: Session, cid: str, capacity: str = "2", **extra: str) -> object:
    return lead.client.post(
        "/team/collectors",
        data={
            "csrf_token": lead.csrf,
            "collector_id": cid,
            "name": f"Collector {cid}",
            "team": "north",
            "role": "collector",
            "jurisdictions": "cn, us-ma",
            "queues": "early",
            "daily_capacity": capacity,
            **extra,
        },
        headers=HTML,
        follow_redirects=False,
    )


def _form(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return html.unescape(found.group(1))


def test_a_collector_is_added_then_changed_and_a_stale_form_is_refused(core: App) -> None:
    lead = browser(core, "lead")
    added = _add(lead, "c1")
    assert added.status_code == 303  # type: ignore[attr-defined]
    page = lead.client.get(added.headers["location"], headers=HTML)  # type: ignore[attr-defined]
    assert "The collector is added." in page.text
    assert 'value="CN US-MA"' in page.text
    etag = _form(page.text, "etag")
    fields = {
        "csrf_token": lead.csrf,
        "etag": etag,
        "name": "Collector c1",
        "team": "south",
        "role": "collector",
        "jurisdictions": "CN",
        "queues": "early",
        "daily_capacity": "9",
        "active": "true",
    }
    changed = lead.client.post("/team/collectors/c1", data=fields, headers={"HX-Request": "1"})
    assert changed.status_code == 204
    assert changed.headers["HX-Redirect"] == "/team/collectors/c1?done=changed"
    now = lead.client.get("/team/collectors/c1", headers=HTML).text
    assert 'value="south"' in now
    assert 'value="9"' in now
    stale = lead.client.post("/team/collectors/c1", data=fields, headers=HTML)
    assert stale.status_code == 412
    assert "changed since you opened it" in stale.text


def test_a_bad_licence_is_answered_in_place_in_chinese(core: App) -> None:
    lead = browser(core, "lead", "zh_CN")
    answer = lead.client.post(
        "/team/collectors",
        data={
            "csrf_token": lead.csrf,
            "collector_id": "c1",
            "name": "甲",
            "team": "north",
            "jurisdictions": "Mars",
            "queues": "*",
            "daily_capacity": "3",
        },
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 400
    assert "未知的辖区" in answer.text
    assert "validation_error" in answer.text


def test_the_assignment_run_is_followed_on_its_page_until_it_ends(core: App) -> None:
    queue(core, "acme", [_item(n) for n in range(3)])
    lead = browser(core, "lead")
    _add(lead, "c1")
    before = lead.client.get("/team", headers=HTML).text
    assert re.search(r'<tr id="collector-c1">.*?<meter min="0" max="2" value="0">', before, re.S)
    assert "placeable" not in before  # shown in words
    started = lead.client.post(
        "/team/assign",
        data={"csrf_token": lead.csrf, "as_of": "2026-06-01"},
        headers=HTML,
        follow_redirects=False,
    )
    assert started.status_code == 303
    job_page = started.headers["location"]
    waiting = lead.client.get(job_page, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in waiting.text  # asks again while it waits
    assert "<html" not in waiting.text
    run_jobs(core)
    done = lead.client.get(job_page, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' not in done.text
    assert re.search(r"<dt>Assigned</dt><dd>2</dd>", done.text)
    assert re.search(r"<dt>Every collector who may take it is full</dt><dd>1</dd>", done.text)
    after = lead.client.get("/team?as_of=2026-06-01", headers=HTML).text
    row = re.search(r'<tr id="collector-c1">(.*?)</tr>', after, re.S)
    assert row is not None
    assert 'value="2"' in row.group(1)
    assert row.group(1).rstrip().endswith("<td>0</td>")  # no room left


def test_a_collector_may_not_open_the_team_pages(core: App) -> None:
    agent = browser(core, "agent", "zh_CN")
    answer = agent.client.get("/team", headers=HTML)
    assert answer.status_code == 403
    assert "queue:assign" in answer.text
