"""The messages pages in both languages through the real app: write, four eyes, outbox."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import CLOCK, PASSWORD
from tests.web.isolation_comms import _message
from tideover.bootstrap import App
from tideover.web.app import create_app

FORM = {
    "name": "kind_reminder",
    "purpose": "reminder",
    "channel": "sms",
    "body_zh": "【{{ platform_name }}】{{ borrower_name }}您好，"
    "应还{{ overdue_amount }}。回复TD退订",
    "body_en": "{{ platform_name }}: {{ overdue_amount }} is due. Reply STOP to opt out.",
}


def _browser(core: App, username: str, language: str = "en") -> TestClient:
    client = TestClient(create_app(core, clock=CLOCK, secure_cookies=False))
    client.cookies.set("tideover_lang", language)
    page = client.post(
        "/login",
        data={"platform": "acme", "username": username, "password": PASSWORD, "next": "/comms"},
        follow_redirects=False,
    )
    assert page.status_code == 303, page.text
    return client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _etag(html: str) -> str:
    found = re.search(r'name="etag" value="([^"]+)"', html)
    assert found is not None
    return found.group(1).replace("&#34;", '"')


def test_write_approve_activate_in_both_languages(core: App) -> None:
    manager = _browser(core, "manager")
    form = manager.get("/comms/new")
    assert form.status_code == 200
    assert 'id="draft"' in form.text
    drafted = manager.post(
        "/comms/templates", data={**FORM, "csrf_token": _csrf(form.text)}, follow_redirects=False
    )
    assert drafted.status_code == 303, drafted.text
    url = drafted.headers["location"].split("?")[0]
    page = manager.get(drafted.headers["location"])
    assert "another person must approve it" in page.text
    assert 'id="approve"' not in page.text  # not for its author
    assert "¥1,234.56" in page.text  # the preview, with Babel's money
    cco = _browser(core, "cco", "zh_CN")
    shown = cco.get(url)
    assert "审批" in shown.text
    approved = cco.post(
        f"{url}/approve",
        data={"csrf_token": _csrf(shown.text), "etag": _etag(shown.text)},
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text
    stale = cco.post(
        f"{url}/approve", data={"csrf_token": _csrf(shown.text), "etag": _etag(shown.text)}
    )
    assert stale.status_code == 412
    again = manager.get(url)
    activated = manager.post(
        f"{url}/activate",
        data={"csrf_token": _csrf(again.text), "etag": _etag(again.text)},
        follow_redirects=False,
    )
    assert activated.status_code == 303
    listed = manager.get("/comms")
    assert "kind_reminder" in listed.text
    assert "status-active" in listed.text


def test_a_flagged_template_shows_the_finding_and_is_refused(core: App) -> None:
    manager = _browser(core, "manager")
    form = manager.get("/comms/new")
    bad = {**FORM, "body_zh": "再不还钱就通知你单位和家人", "csrf_token": _csrf(form.text)}
    drafted = manager.post("/comms/templates", data=bad, follow_redirects=False)
    url = drafted.headers["location"].split("?")[0]
    cco = _browser(core, "cco", "zh_CN")
    shown = cco.get(url)
    assert "CN-LANG" in shown.text
    refused = cco.post(
        f"{url}/approve", data={"csrf_token": _csrf(shown.text), "etag": _etag(shown.text)}
    )
    assert refused.status_code == 422
    assert "template_refused" in refused.text
    assert "不能审批通过" in refused.text


def test_bad_form_input_is_answered_with_a_code(core: App) -> None:
    manager = _browser(core, "manager", "zh_CN")
    form = manager.get("/comms/new")
    answer = manager.post(
        "/comms/templates", data={**FORM, "name": "Bad Name", "csrf_token": _csrf(form.text)}
    )
    assert answer.status_code == 422
    assert "Traceback" not in answer.text


def test_the_outbox_page_and_who_sees_it(core: App) -> None:
    _message(core)
    cco = _browser(core, "cco")
    page = cco.get("/comms/outbox?state=pending&channel=sms")
    assert page.status_code == 200
    assert "ISO-L-0001" in page.text
    assert "Messages found: 1" in page.text
    empty = cco.get("/comms/outbox?state=sent")
    assert "ISO-L-0001" not in empty.text
    assert cco.get("/comms/outbox?state=lost").status_code == 422
    agent = _browser(core, "agent")
    assert agent.get("/comms/outbox").status_code == 403
    assert agent.get("/comms").status_code == 403
    manager = _browser(core, "manager")
    assert manager.get("/comms/outbox").status_code == 403  # the outbox is compliance's
    assert "/comms" in manager.get("/comms").text


def test_the_notices_form(core: App) -> None:
    manager = _browser(core, "manager")
    page = manager.get("/comms/notices")
    assert page.status_code == 200
    assert 'id="preview"' in page.text
    nothing = manager.post(
        "/comms/notices",
        data={
            "version": "99",
            "as_of": "2026-06-01",
            "effective_from": "2026-06-15",
            "reason_zh": "原因",
            "reason_en": "why",
            "csrf_token": _csrf(page.text),
        },
    )
    assert nothing.status_code == 404  # no such version: said, not a stack trace
