"""Templates, the outbox, notices and statements through the real app and database."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import sign_in
from tests.web.isolation_comms import TEMPLATE, _message
from tideover.bootstrap import App


def test_a_template_goes_through_four_eyes_to_active(core: App) -> None:
    manager = sign_in(core, "acme", "manager")
    drafted = manager.post("/api/v1/comms/templates", json=TEMPLATE)
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["findings"] == []
    url = "/api/v1/comms/templates/secret_reminder/versions/1"
    own = manager.post(f"{url}/approve")
    assert own.status_code == 409  # the author may not approve
    cco = sign_in(core, "acme", "cco")
    detail = cco.client.get(url)
    approved = cco.post(f"{url}/approve", headers={"If-Match": detail.headers["ETag"]})
    assert approved.status_code == 200, approved.text
    stale = cco.post(f"{url}/approve", headers={"If-Match": detail.headers["ETag"]})
    assert stale.status_code == 412
    assert cco.post(f"{url}/activate").status_code == 403  # a compliance officer may not
    active = manager.post(f"{url}/activate")
    assert active.json()["status"] == "active"
    listed = manager.client.get("/api/v1/comms/templates?per_page=10").json()
    assert listed["total"] == 1
    shown = manager.client.get(f"{url}/preview?language=en").json()
    assert shown["body"].startswith("Acme only")


def test_a_flagged_template_is_refused_with_the_finding_in_both_languages(core: App) -> None:
    manager = sign_in(core, "acme", "manager")
    bad = {**TEMPLATE, "body": {"zh-CN": "再不还钱就通知你单位和家人", "en": "{{ salary }}"}}
    assert manager.post("/api/v1/comms/templates", json=bad).status_code == 201
    cco = sign_in(core, "acme", "cco")
    refused = cco.post("/api/v1/comms/templates/secret_reminder/versions/1/approve")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "template_refused"
    assert "CN-LANG" in error["en"]
    assert "CN-LANG" in error["zh"]


def test_bad_input_is_a_coded_refusal(core: App) -> None:
    manager = sign_in(core, "acme", "manager")
    for bad in (
        {**TEMPLATE, "name": "Bad Name"},
        {**TEMPLATE, "purpose": "threat"},
        {**TEMPLATE, "body": {"fr": "x"}},
        {**TEMPLATE, "extra": 1},
    ):
        answer = manager.post("/api/v1/comms/templates", json=bad)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["zh"]


def test_who_may_read_and_write(core: App) -> None:
    agent = sign_in(core, "acme", "agent")
    assert agent.client.get("/api/v1/comms/templates").status_code == 403
    assert agent.client.get("/api/v1/comms/outbox").status_code == 403
    assert agent.post("/api/v1/comms/templates", json=TEMPLATE).status_code == 403
    auditor = sign_in(core, "acme", "auditor")
    assert auditor.client.get("/api/v1/comms/templates").status_code == 200
    assert auditor.client.get("/api/v1/comms/outbox").status_code == 200
    assert auditor.post("/api/v1/comms/templates", json=TEMPLATE).status_code == 403
    assert auditor.post("/api/v1/comms/outbox/run").status_code == 403


def test_the_outbox_list_and_one_message(core: App) -> None:
    params, account = _message(core)
    cco = sign_in(core, "acme", "cco")
    page = cco.client.get("/api/v1/comms/outbox?state=pending&channel=sms").json()
    assert page["total"] == 1
    assert page["items"][0]["account_id"] == account
    one = cco.client.get(f"/api/v1/comms/outbox/{params['message_id']}")
    assert one.json()["state"] == "pending"
    assert cco.client.get("/api/v1/comms/outbox?state=lost").status_code == 422
    admin = sign_in(core, "acme", "admin")
    early = admin.post(
        f"/api/v1/comms/outbox/{params['message_id']}/receipt", json={"status": "delivered"}
    )
    assert early.status_code == 409  # not sent yet
    job = admin.post("/api/v1/comms/outbox/run")
    assert job.status_code == 202
    assert job.json()["kind"] == "outbox"


def test_the_rights_statement_with_sources(web: TestClient, core: App) -> None:
    auditor = sign_in(core, "acme", "auditor")
    shown = auditor.client.get("/api/v1/comms/rights?language=en").json()
    assert shown["pack"] == "CN"
    assert all(s["sources"] for s in shown["sections"])
