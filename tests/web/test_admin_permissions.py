"""The permission cells that matter (docs/roles.md), through the real app: each role against
every route of the compliance, audit, team and administration areas, and the cells named
in the issue one by one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.web.conftest import CLOCK, ROLES, Session, sign_in
from tests.web.test_admin_roles_doc import ROUTES
from tideover.bootstrap import App
from tideover.domain.identity import Role
from tideover.domain.permissions import Permission, permissions_of
from tideover.web.app import create_app

SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
).read_text(encoding="utf-8")
ONE_ROLE = [name for name, roles in ROLES.items() if len(roles) == 1 and name != "manager2"]
QUERIES = {"/api/v1/compliance/rules": "?pack=CN", "/compliance/rules": "?pack=CN"}
READS_BY_POST = {("POST", "/api/v1/audit/search"), ("POST", "/audit")}
POLICY_CHANGES = [
    ("POST", "/api/v1/policy/versions"),
    ("POST", "/api/v1/policy/versions/{number}/approve"),
    ("POST", "/api/v1/policy/versions/{number}/reject"),
    ("POST", "/api/v1/policy/versions/{number}/activate"),
    ("POST", "/api/v1/policy/rollback"),
    ("POST", "/policy"),
    ("POST", "/policy/{number}/approve"),
    ("POST", "/policy/{number}/reject"),
    ("POST", "/policy/{number}/activate"),
    ("POST", "/policy/rollback"),
]


def ask(session: Session, method: str, path: str) -> Response:
    """``method path`` with placeholder ids and an empty body, as a browser or a client."""
    url = re.sub(r"{user_id}|{number}", "999999", path)
    url = re.sub(r"{\w+}", "no-such-id", url) + QUERIES.get(path, "")
    if path.startswith("/api/"):
        return session.client.request(method, url, headers={"X-CSRF-Token": session.csrf}, json={})
    return session.client.request(
        method,
        url,
        headers={"Accept": "text/html"},
        data={"csrf_token": session.csrf} if method != "GET" else None,
    )


@pytest.mark.parametrize("username", ONE_ROLE)
def test_each_role_reaches_exactly_what_the_matrix_allows(core: App, username: str) -> None:
    session = sign_in(core, "acme", username)
    held = permissions_of([Role(r) for r in ROLES[username]])
    for (method, path), needed in ROUTES.items():
        answer = ask(session, method, path)
        if needed in held:
            assert answer.status_code not in (401, 403), (username, method, path)
            if method == "GET" and "{" not in path:
                assert answer.status_code == 200, (username, path, answer.text[:300])
        else:
            assert answer.status_code == 403, (username, method, path, answer.status_code)


def test_the_auditor_reads_everything_compliance_and_audit(core: App) -> None:
    cco = sign_in(core, "acme", "cco")
    hold = cco.post(
        "/api/v1/compliance/holds",
        json={"borrower_id": "B1", "kind": "dispute", "reason": "the fee is wrong"},
    )
    assert hold.status_code == 201
    auditor = sign_in(core, "acme", "auditor")
    reads = [(m, p) for (m, p), needed in ROUTES.items() if needed in _auditor_reads()]
    assert len(reads) >= 14
    for method, path in reads:
        answer = ask(auditor, method, path)
        assert answer.status_code == 200, (method, path, answer.text[:300])
    holds = auditor.client.get("/api/v1/compliance/holds").json()
    assert holds["items"][0]["reason"] == "the fee is wrong"


def _auditor_reads() -> frozenset[Permission]:
    return frozenset({Permission.COMPLIANCE_READ, Permission.AUDIT_READ})


def test_every_change_answers_the_auditor_403(core: App) -> None:
    auditor = sign_in(core, "acme", "auditor")
    changes = [
        (m, p) for (m, p) in ROUTES if m != "GET" and (m, p) not in READS_BY_POST
    ] + POLICY_CHANGES
    assert len(changes) >= 30
    for method, path in changes:
        answer = ask(auditor, method, path)
        assert answer.status_code == 403, (method, path, answer.status_code, answer.text[:200])


def test_a_collector_reaches_none_of_these_pages(core: App) -> None:
    agent = sign_in(core, "acme", "agent")
    for method, path in ROUTES:
        assert ask(agent, method, path).status_code == 403, (method, path)
    menu = agent.client.get("/queue", headers={"Accept": "text/html"}).text
    for area in ("/compliance", "/audit", "/team", "/admin"):
        assert f'href="{area}"' not in menu


def test_a_team_lead_cannot_manage_users(core: App) -> None:
    lead = sign_in(core, "acme", "lead")
    admin = sign_in(core, "acme", "admin")
    users = admin.client.get("/api/v1/admin/users?per_page=100").json()["items"]
    agent_id = next(u["user_id"] for u in users if u["username"] == "agent")
    attempts = [
        lead.client.get("/api/v1/admin/users"),
        lead.post("/api/v1/admin/users", json={"username": "x", "roles": ["collector"]}),
        lead.client.patch(
            f"/api/v1/admin/users/{agent_id}",
            json={"roles": ["team_lead"]},
            headers={"X-CSRF-Token": lead.csrf},
        ),
        lead.client.get("/admin", headers={"Accept": "text/html"}),
        lead.client.post(
            f"/admin/users/{agent_id}",
            data={"csrf_token": lead.csrf, "etag": "x", "roles": "team_lead", "active": "true"},
        ),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    after = admin.client.get(f"/api/v1/admin/users/{agent_id}").json()
    assert after["roles"] == ["collector"]


def test_an_administrator_cannot_approve_a_policy(core: App) -> None:
    manager = sign_in(core, "acme", "manager")
    number = manager.post("/api/v1/policy/versions", json={"text": SUPPORTIVE}).json()["version"]
    admin = sign_in(core, "acme", "admin")
    by_api = admin.post(f"/api/v1/policy/versions/{number}/approve")
    assert by_api.status_code == 403
    assert by_api.json()["error"]["code"] == "forbidden"
    by_page = admin.client.post(
        f"/policy/{number}/approve", data={"csrf_token": admin.csrf, "etag": "x"}
    )
    assert by_page.status_code == 403
    detail = admin.client.get(f"/policy/{number}", headers={"Accept": "text/html"})
    assert 'id="approve"' not in detail.text
    cco = sign_in(core, "acme", "cco")  # one who may
    assert cco.post(f"/api/v1/policy/versions/{number}/approve").status_code == 200


def test_nobody_creates_a_key_with_scopes_they_lack(core: App) -> None:
    admin = sign_in(core, "acme", "admin")
    beyond = admin.post(
        "/api/v1/admin/api-keys", json={"name": "x", "scopes": ["audit:read", "policy:approve"]}
    )
    assert beyond.status_code == 400
    assert "policy:approve" in beyond.json()["error"]["en"]
    narrow = admin.post(
        "/api/v1/admin/api-keys", json={"name": "keys", "scopes": ["api_keys:admin"]}
    )
    assert narrow.status_code == 201
    machine = TestClient(create_app(core, clock=CLOCK, secure_cookies=False))
    bearer = {"Authorization": f"Bearer {narrow.json()['key']}"}
    wider = machine.post(
        "/api/v1/admin/api-keys", json={"name": "y", "scopes": ["users:admin"]}, headers=bearer
    )
    assert wider.status_code == 400  # a key never mints a wider one
    same = machine.post(
        "/api/v1/admin/api-keys", json={"name": "z", "scopes": ["api_keys:admin"]}, headers=bearer
    )
    assert same.status_code == 201
    lead = sign_in(core, "acme", "lead")
    refused = lead.post("/api/v1/admin/api-keys", json={"name": "x", "scopes": ["kpi:read"]})
    assert refused.status_code == 403
    listed = admin.client.get("/api/v1/admin/api-keys").json()["items"]
    assert sorted(k["name"] for k in listed) == ["keys", "z"]


def test_a_revoked_key_stops_working_at_once(core: App) -> None:
    admin = sign_in(core, "acme", "admin")
    created = admin.post(
        "/api/v1/admin/api-keys", json={"name": "r", "scopes": ["kpi:read", "audit:read"]}
    )
    key, key_id = created.json()["key"], created.json()["key_id"]
    machine = TestClient(create_app(core, clock=CLOCK, secure_cookies=False))
    bearer = {"Authorization": f"Bearer {key}"}
    assert machine.get("/api/v1/audit/verification", headers=bearer).status_code == 200
    revoke = admin.client.delete(
        f"/api/v1/admin/api-keys/{key_id}", headers={"X-CSRF-Token": admin.csrf}
    )
    assert revoke.status_code == 204
    answer = machine.get("/api/v1/audit/verification", headers=bearer)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_signed_in"
