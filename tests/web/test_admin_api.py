"""The platform administrator's API through the real app: users and roles, API keys,
channel settings, imports by upload (in the request or as a job)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import CLOCK, PASSWORD, Session, sign_in
from tideover.bootstrap import App
from tideover.domain.platforms import PlatformSettings
from tideover.services.jobs import run_next_job
from tideover.services.platforms import save_platform
from tideover.web.app import create_app

IMPORTS = Path(__file__).parents[1] / "data" / "import"
NEW_PASSWORD = "a long and new passphrase"


@pytest.fixture
def core(core: App, tmp_path: Path) -> App:
    """The test app with its data directory (where uploads go) in ``tmp_path``."""
    return dataclasses.replace(
        core, settings=core.settings.model_copy(update={"data_dir": tmp_path})
    )


def _upload(admin: Session, kind: str, name: str, content: bytes, **headers: str) -> object:
    return admin.client.post(
        "/api/v1/admin/imports",
        data={"kind": kind},
        files={"file": (name, content, "application/octet-stream")},
        headers={"X-CSRF-Token": admin.csrf, **headers},
    )


def test_a_user_is_added_signs_in_and_has_roles_changed_once(core: App) -> None:
    admin = sign_in(core, "acme", "admin")
    added = admin.post(
        "/api/v1/admin/users",
        json={"username": "newcomer", "roles": ["collector"], "password": NEW_PASSWORD},
    )
    assert added.status_code == 201, added.text
    user_id = added.json()["user_id"]
    client = TestClient(create_app(core, clock=CLOCK, secure_cookies=False))
    signed = client.post(
        "/api/v1/session",
        json={"platform": "acme", "username": "newcomer", "password": NEW_PASSWORD},
    )
    assert signed.status_code == 200
    read = admin.client.get(f"/api/v1/admin/users/{user_id}")
    etag = read.headers["ETag"]
    changed = admin.client.patch(
        f"/api/v1/admin/users/{user_id}",
        json={"roles": ["collector", "team_lead"]},
        headers={"If-Match": etag, "X-CSRF-Token": admin.csrf},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["roles"] == ["collector", "team_lead"]
    stale = admin.client.patch(
        f"/api/v1/admin/users/{user_id}",
        json={"active": False},
        headers={"If-Match": etag, "X-CSRF-Token": admin.csrf},
    )
    assert stale.status_code == 412
    listed = admin.client.get("/api/v1/admin/users?per_page=100").json()
    assert "newcomer" in {u["username"] for u in listed["items"]}
    assert all("password" not in str(u) for u in listed["items"])


def test_an_administrator_does_not_change_their_own_access(core: App) -> None:
    admin = sign_in(core, "acme", "admin")
    me = next(
        u
        for u in admin.client.get("/api/v1/admin/users?per_page=100").json()["items"]
        if u["username"] == "admin"
    )
    answer = admin.client.patch(
        f"/api/v1/admin/users/{me['user_id']}",
        json={"active": False},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert answer.status_code == 409


def test_a_new_password_ends_the_users_sessions_and_a_short_one_is_refused(core: App) -> None:
    admin = sign_in(core, "acme", "admin")
    agent = sign_in(core, "acme", "agent")
    agent_id = agent.client.get("/api/v1/me").json()  # still signed in
    users = admin.client.get("/api/v1/admin/users?per_page=100").json()["items"]
    target = next(u["user_id"] for u in users if u["username"] == "agent")
    short = admin.client.put(
        f"/api/v1/admin/users/{target}/password",
        json={"password": "short"},
        headers={"X-CSRF-Token": admin.csrf, "Accept-Language": "zh"},
    )
    assert short.status_code == 422
    assert short.json()["error"]["message"].startswith("请求内容无效")
    done = admin.client.put(
        f"/api/v1/admin/users/{target}/password",
        json={"password": NEW_PASSWORD},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert done.status_code == 204
    assert agent_id["username"] == "agent"
    assert agent.client.get("/api/v1/me").status_code == 401
    client = TestClient(create_app(core, clock=CLOCK, secure_cookies=False))
    old = client.post(
        "/api/v1/session", json={"platform": "acme", "username": "agent", "password": PASSWORD}
    )
    assert old.status_code == 401


def test_a_key_is_shown_once_works_within_its_scopes_and_stops_when_revoked(core: App) -> None:
    admin = sign_in(core, "acme", "admin")
    created = admin.post(
        "/api/v1/admin/api-keys", json={"name": "reporting", "scopes": ["audit:read"]}
    )
    assert created.status_code == 201, created.text
    key, key_id = created.json()["key"], created.json()["key_id"]
    assert key.startswith("tdo_")
    listed = admin.client.get("/api/v1/admin/api-keys").json()
    assert listed["total"] == 1
    assert "key" not in listed["items"][0]
    machine = TestClient(create_app(core, clock=CLOCK, secure_cookies=False))
    bearer = {"Authorization": f"Bearer {key}"}
    assert machine.get("/api/v1/audit/records", headers=bearer).status_code == 200
    assert machine.get("/api/v1/admin/users", headers=bearer).status_code == 403
    revoked = admin.client.delete(
        f"/api/v1/admin/api-keys/{key_id}", headers={"X-CSRF-Token": admin.csrf}
    )
    assert revoked.status_code == 204
    refused = machine.get("/api/v1/audit/records", headers=bearer)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "not_signed_in"
    again = admin.client.delete(
        f"/api/v1/admin/api-keys/{key_id}", headers={"X-CSRF-Token": admin.csrf}
    )
    assert again.status_code == 404


def test_the_channel_settings_are_validated_versioned_and_kept(core: App) -> None:
    admin = sign_in(core, "acme", "admin")
    read = admin.client.get("/api/v1/admin/channels")
    assert read.status_code == 200
    assert read.json()["sms"]["provider"] == "none"
    settings = {
        "sms": {"provider": "aliyun", "signature": "阿克米金融"},
        "email": {"sender_address": "notices@acme.example", "sender_name": "Acme"},
        "quiet_hours": {"start": "21:00", "end": "08:00"},
    }
    saved = admin.client.put(
        "/api/v1/admin/channels",
        json=settings,
        headers={"If-Match": read.headers["ETag"], "X-CSRF-Token": admin.csrf},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["quiet_hours"] == {"start": "21:00:00", "end": "08:00:00"}
    stale = admin.client.put(
        "/api/v1/admin/channels",
        json=settings,
        headers={"If-Match": read.headers["ETag"], "X-CSRF-Token": admin.csrf},
    )
    assert stale.status_code == 412
    unsigned = admin.client.put(
        "/api/v1/admin/channels",
        json={"sms": {"provider": "tencent"}},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert unsigned.status_code == 422
    assert unsigned.json()["error"]["details"][0]["field"] == "sms"
    # the platform's other settings saved later (tideover platforms set) keep the channels'
    save_platform(uow=core.uow(), code="acme", name="Acme", settings=PlatformSettings())
    kept = admin.client.get("/api/v1/admin/channels").json()
    assert kept["sms"]["signature"] == "阿克米金融"
    assert kept["version"] == saved.json()["version"]


def test_a_small_upload_is_imported_in_the_request_all_or_nothing(core: App) -> None:
    admin = sign_in(core, "acme", "admin")
    good = _upload(admin, "borrowers", "我的借款人.csv", (IMPORTS / "borrowers.csv").read_bytes())
    assert good.status_code == 200, good.text
    result = good.json()["result"]
    assert good.json()["job"] is None
    assert result["accepted"] is True
    assert result["written"] == 3
    assert "借款人" not in result["file"]  # the name a person gave the file is not kept
    broken = _upload(admin, "borrowers", "b.csv", (IMPORTS / "borrowers_broken.csv").read_bytes())
    report = broken.json()["result"]
    assert report["accepted"] is False
    assert report["written"] == 0
    errors = report["report"]["errors"]
    assert {(e["row"], e["field"]) for e in errors} >= {(2, "phone"), (3, "national_id")}
    shown = str(errors)
    assert "110105194912310029" not in shown
    assert "13900004444" not in shown
    assert not list((core.settings.data_dir / "uploads").iterdir())  # nothing left behind


def test_an_upload_of_the_wrong_kind_or_format_is_refused(core: App) -> None:
    admin = sign_in(core, "acme", "admin")
    content = (IMPORTS / "borrowers.csv").read_bytes()
    wrong_format = _upload(admin, "borrowers", "b.xlsx", content, **{"Accept-Language": "zh"})
    assert wrong_format.status_code == 400
    assert ".csv" in wrong_format.json()["error"]["zh"]
    wrong_kind = _upload(admin, "lenders", "b.csv", content)
    assert wrong_kind.status_code == 400
    no_columns = _upload(admin, "loans", "l.csv", content)
    assert no_columns.status_code == 422
    error = no_columns.json()["error"]
    assert error["code"] == "input_rejected"
    assert str(core.settings.data_dir) not in error["en"]


def test_a_big_upload_is_imported_by_a_job_with_its_report(core: App) -> None:
    rows = ["borrower_id,name,phone"]
    rows += [f"B{i:06d},Borrower {i},1380013{i % 10000:04d}" for i in range(8000)]
    rows.append("B999999,Bad Number,12345")
    content = ("\n".join(rows) + "\n").encode()
    assert len(content) > 256 * 1024
    admin = sign_in(core, "acme", "admin")
    started = _upload(admin, "borrowers", "big.csv", content)
    assert started.status_code == 200, started.text
    job = started.json()["job"]
    assert started.json()["result"] is None
    assert job["state"] == "queued"
    assert "big" not in str(job["params"])
    [waiting] = (core.settings.data_dir / "uploads").iterdir()
    assert waiting.stat().st_mode & 0o077 == 0  # the owner's only while it waits
    run_next_job(uow_factory=core.uow, clock=CLOCK, data_dir=core.settings.data_dir)
    done = admin.client.get(f"/api/v1/admin/imports/{job['job_id']}").json()
    assert done["state"] == "done", done["error"]
    assert done["result"]["accepted"] is False
    assert done["result"]["written"] == 0
    assert [(e["row"], e["field"]) for e in done["result"]["report"]["errors"]] == [(8001, "phone")]
    assert not list((core.settings.data_dir / "uploads").iterdir())
