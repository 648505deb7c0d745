"""The policy workflow through the real app and database: four eyes as in the CLI."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.conftest import sign_in
from tideover.bootstrap import App

SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
).read_text(encoding="utf-8")


def test_nobody_signed_in_gets_401_with_a_code_in_both_languages(web: TestClient) -> None:
    answer = web.get("/api/v1/policy/versions")
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == "not_signed_in"
    assert error["en"]
    assert error["zh"]


def test_a_version_goes_through_four_eyes_to_active(core: App) -> None:
    manager = sign_in(core, "acme", "manager")
    submitted = manager.post("/api/v1/policy/versions", json={"text": SUPPORTIVE})
    assert submitted.status_code == 201, submitted.text
    number = submitted.json()["version"]
    own = manager.post(f"/api/v1/policy/versions/{number}/approve")
    assert own.status_code == 409  # the author may not approve
    cco = sign_in(core, "acme", "cco")
    detail = cco.client.get(f"/api/v1/policy/versions/{number}")
    approved = cco.post(
        f"/api/v1/policy/versions/{number}/approve", headers={"If-Match": detail.headers["ETag"]}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["approver"] == "cco"
    stale = cco.post(
        f"/api/v1/policy/versions/{number}/approve", headers={"If-Match": detail.headers["ETag"]}
    )
    assert stale.status_code == 412
    active = manager.post(f"/api/v1/policy/versions/{number}/activate", json={})
    assert active.json()["status"] == "active"
    page = manager.client.get("/api/v1/policy/versions?per_page=1")
    assert page.json()["total"] == 1
    assert page.json()["items"][0]["status"] == "active"


def test_a_change_without_the_csrf_token_is_refused(core: App) -> None:
    manager = sign_in(core, "acme", "manager")
    answer = manager.client.post("/api/v1/policy/versions", json={"text": SUPPORTIVE})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf_refused"


def test_another_platforms_version_does_not_exist(core: App) -> None:
    manager = sign_in(core, "acme", "manager")
    number = manager.post("/api/v1/policy/versions", json={"text": SUPPORTIVE}).json()["version"]
    other = sign_in(core, "beta", "manager")
    answer = other.client.get(f"/api/v1/policy/versions/{number}")
    assert answer.status_code == 404
    assert "acme" not in answer.text


def test_a_collector_may_not_read_the_policy(core: App) -> None:
    agent = sign_in(core, "acme", "agent")
    assert agent.client.get("/api/v1/policy/versions").status_code == 403
