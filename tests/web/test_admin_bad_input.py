"""Hostile input to the compliance, audit, team and administration routes: every answer is
a coded refusal, never a 500 (a NUL cannot even be stored by PostgreSQL; days at the ends
of the calendar overflow date arithmetic; ids beyond a database integer)."""

from __future__ import annotations

import itertools

from httpx2 import Response

from tests.web.conftest import sign_in
from tideover.bootstrap import App

IDS = ["a%00b", "%F0%9F%92%A9" * 20, "x" * 70, "..%2F..%2Fetc", "0", "-1", "9" * 20]
DAYS = ["0001-01-01", "9999-12-31", "2026-02-30", "", "1900-01-01"]
ID_ROUTES = [
    "/api/v1/team/collectors/{}",
    "/api/v1/team/assignments/{}",
    "/api/v1/admin/users/{}",
    "/api/v1/admin/imports/{}",
    "/team/collectors/{}",
    "/team/jobs/{}",
    "/admin/users/{}",
    "/admin/jobs/{}",
]
INSTANTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-06-01T00:00:00Z"]


def test_no_hostile_input_gets_a_500(core: App) -> None:
    s = sign_in(core, "acme", "everyone")
    answers: list[tuple[object, Response]] = []
    for value in IDS:
        answers += [(route, s.client.get(route.format(value))) for route in ID_ROUTES]
        answers.append(
            ("lift", s.post(f"/api/v1/compliance/holds/{value}/lift", json={"reason": "x"}))
        )
        answers.append(
            (
                "revoke",
                s.client.delete(
                    f"/api/v1/admin/api-keys/{value}", headers={"X-CSRF-Token": s.csrf}
                ),
            )
        )
        answers.append(("rules", s.client.get(f"/api/v1/compliance/rules?pack={value}")))
        answers.append(("kind", s.client.get(f"/api/v1/audit/records?kind={value}")))
    for first, last in itertools.product(DAYS, DAYS):
        days = f"from={first}&to={last}"
        answers.append((days, s.client.get(f"/api/v1/compliance/denials?{days}")))
        answers.append((days, s.client.get(f"/compliance/denials?{days}")))
        answers.append((days, s.client.get(f"/api/v1/audit/records?{days}")))
        body = {"from": first or None, "to": last or None, "text": "\x00"}
        answers.append((days, s.post("/api/v1/audit/search", json=body)))
        answers.append((first, s.client.get(f"/api/v1/team/workload?as_of={first}")))
        answers.append((first, s.client.get(f"/team?as_of={first}")))
    for at in INSTANTS:
        hold = {"borrower_id": "B\x001", "kind": "dispute", "reason": "r\x00", "start": at}
        answers.append((at, s.post("/api/v1/compliance/holds", json=hold)))
        hold = {"borrower_id": "B1", "kind": "dispute", "reason": "r", "start": at, "end": at}
        answers.append((at, s.post("/api/v1/compliance/holds", json=hold)))
    collector = {"collector_id": "c\x00", "name": "\x00", "team": "t", "jurisdictions": ["CN"]}
    answers.append(
        (
            "collector",
            s.post(
                "/api/v1/team/collectors", json={**collector, "queues": ["*"], "daily_capacity": 1}
            ),
        )
    )
    user = {"username": "u\x00", "roles": ["auditor"], "password": "p" * 20}
    answers.append(("user", s.post("/api/v1/admin/users", json=user)))
    answers.append(
        ("key", s.post("/api/v1/admin/api-keys", json={"name": "\x00", "scopes": ["kpi:read"]}))
    )
    settings = {
        "sms": {"provider": "twilio", "sender_id": "\x00"},
        "email": {"sender_name": "\x00"},
    }
    answers.append(
        (
            "channels",
            s.client.put("/api/v1/admin/channels", json=settings, headers={"X-CSRF-Token": s.csrf}),
        )
    )
    for name, content in (
        ("x.csv", b"\x00\xff\xfe"),
        ("x.parquet", b"PAR1garbage"),
        ("x.jsonl", b""),
    ):
        answers.append(
            (
                name,
                s.client.post(
                    "/api/v1/admin/imports",
                    data={"kind": "borrowers"},
                    files={"file": (name, content, "application/octet-stream")},
                    headers={"X-CSRF-Token": s.csrf},
                ),
            )
        )
    failed = [(what, a.status_code, a.text[:200]) for what, a in answers if a.status_code >= 500]
    assert not failed, failed
    refused = [a for _, a in answers if a.status_code >= 400]
    assert all(
        "code" in a.json()["error"]
        for a in refused
        if a.headers["content-type"].startswith("application/json")
    )
