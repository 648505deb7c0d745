"""The platform administrator's pages: users and roles, a key shown once, channel
settings, an upload's per-record report (in the request and from a job)."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path

import pytest

from tests.web.conftest import CLOCK, Session
from tests.web.test_admin_api import IMPORTS
from tests.web.test_compliance_pages import HTML, browser
from tideover.bootstrap import App
from tideover.services.jobs import run_next_job

NEW_PASSWORD = "a long and new passphrase"


@pytest.fixture
def core(core: App, tmp_path: Path) -> App:
    """The test app with its data directory (where uploads go) in ``tmp_path``."""
    return dataclasses.replace(
        core, settings=core.settings.model_copy(update={"data_dir": tmp_path})
    )


def _value(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return html.unescape(found.group(1))


def _upload(admin: Session, name: str, content: bytes, kind: str = "borrowers") -> object:
    return admin.client.post(
        "/admin/imports",
        data={"csrf_token": admin.csrf, "kind": kind},
        files={"file": (name, content, "text/csv")},
        headers=HTML,
        follow_redirects=False,
    )


def test_a_user_is_added_and_their_roles_changed_through_the_forms(core: App) -> None:
    admin = browser(core, "admin")
    added = admin.client.post(
        "/admin/users",
        data={
            "csrf_token": admin.csrf,
            "username": "newcomer",
            "display_name": "New Comer",
            "roles": ["collector"],
            "password": NEW_PASSWORD,
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = admin.client.get(added.headers["location"], headers=HTML)
    assert "The user is added" in page.text
    assert re.search(r'id="role-collector" checked', page.text)
    user_path = added.headers["location"].split("?")[0]
    changed = admin.client.post(
        user_path,
        data={
            "csrf_token": admin.csrf,
            "etag": _value(page.text, "etag"),
            "roles": ["collector", "team_lead"],
            "active": "true",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert changed.status_code == 303
    listed = admin.client.get("/admin", headers=HTML).text
    row = re.search(r'<tr id="user-\d+">\s*<td><a [^>]*>newcomer</a>.*?</tr>', listed, re.S)
    assert row is not None
    assert "Team lead" in row.group(0)
    assert "Collector" in row.group(0)


def test_the_administrators_own_page_has_no_roles_form(core: App) -> None:
    admin = browser(core, "admin", "zh_CN")
    listed = admin.client.get("/admin", headers=HTML).text
    mine = re.search(r'<a href="(/admin/users/\d+)">admin</a>', listed)
    assert mine is not None
    page = admin.client.get(mine.group(1), headers=HTML).text
    assert 'id="user-form"' not in page
    assert "须由另一位管理员修改" in page
    assert 'id="password-form"' in page


def test_a_new_key_is_shown_once_offers_only_held_scopes_and_is_revoked(core: App) -> None:
    admin = browser(core, "admin")
    keys = admin.client.get("/admin/keys", headers=HTML).text
    assert 'value="audit:read"' in keys
    assert 'value="policy:approve"' not in keys  # an administrator does not hold it
    created = admin.client.post(
        "/admin/keys",
        data={"csrf_token": admin.csrf, "name": "nightly export", "scopes": ["audit:read"]},
        headers=HTML,
    )
    assert created.status_code == 200
    key = re.search(r'id="new-key" readonly value="([^"]+)"', created.text)
    assert key is not None
    secret = key.group(1)
    assert secret.startswith("tdo_")
    assert secret not in str(created.url)
    again = admin.client.get("/admin/keys", headers=HTML).text
    assert secret not in again
    key_id = re.search(r'<tr id="key-([^"]+)">', again)
    assert key_id is not None
    revoked = admin.client.post(
        f"/admin/keys/{key_id.group(1)}/revoke",
        data={"csrf_token": admin.csrf},
        headers={"HX-Request": "true"},
    )
    assert revoked.status_code == 204
    assert revoked.headers["HX-Redirect"] == "/admin/keys?done=revoked"
    assert "revoked" in admin.client.get("/admin/keys", headers=HTML).text
    wider = admin.client.post(
        "/admin/keys",
        data={"csrf_token": admin.csrf, "name": "x", "scopes": ["policy:approve"]},
        headers=HTML,
    )
    assert wider.status_code == 400
    assert "policy:approve" in wider.text


def test_the_channel_settings_form_saves_and_says_what_is_wrong(core: App) -> None:
    admin = browser(core, "admin", "zh_CN")
    page = admin.client.get("/admin/channels", headers=HTML).text
    version = _value(page, "version")
    fields = {
        "csrf_token": admin.csrf,
        "version": version,
        "sms_provider": "aliyun",
        "sms_signature": "",
        "email_sender_address": "notices@acme.example",
        "quiet_start": "21:00",
        "quiet_end": "08:00",
    }
    unsigned = admin.client.post("/admin/channels", data=fields, headers={"HX-Request": "true"})
    assert unsigned.status_code == 400
    assert "该服务商须填写已报备的短信签名" in unsigned.text
    saved = admin.client.post(
        "/admin/channels",
        data={**fields, "sms_signature": "阿克米"},
        headers=HTML,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    now = admin.client.get("/admin/channels", headers=HTML).text
    assert 'value="阿克米"' in now
    assert 'id="quiet-start" value="21:00"' in now
    stale = admin.client.post(
        "/admin/channels", data={**fields, "sms_signature": "阿克米"}, headers=HTML
    )
    assert stale.status_code == 412
    assert "渠道设置在读取后已被修改" in stale.text


def test_an_upload_shows_every_bad_field_masked_and_nothing_is_written(core: App) -> None:
    admin = browser(core, "admin", "zh_CN")
    report = _upload(admin, "b.csv", (IMPORTS / "borrowers_broken.csv").read_bytes())
    assert report.status_code == 200  # type: ignore[attr-defined]
    text = report.text  # type: ignore[attr-defined]
    assert 'id="import-refused"' in text
    rows = re.findall(r"<tr><td>(\d+)</td><td><code>(\w+|\*)</code></td>", text)
    assert ("2", "phone") in rows
    assert ("3", "national_id") in rows
    assert "110105194912310029" not in text
    good = _upload(admin, "b.csv", (IMPORTS / "borrowers.csv").read_bytes())
    assert 'id="import-accepted"' in good.text  # type: ignore[attr-defined]


def test_a_big_upload_is_followed_on_its_job_page_to_its_report(core: App) -> None:
    rows = ["borrower_id,name,phone"]
    rows += [f"B{i:06d},Borrower {i},1380013{i % 10000:04d}" for i in range(8000)]
    admin = browser(core, "admin")
    started = _upload(admin, "big.csv", ("\n".join(rows) + "\n").encode())
    assert started.status_code == 303  # type: ignore[attr-defined]
    job_page = started.headers["location"]  # type: ignore[attr-defined]
    assert job_page.startswith("/admin/jobs/")
    waiting = admin.client.get(job_page, headers=HTML).text
    assert "Waiting for a worker" in waiting
    run_next_job(uow_factory=core.uow, clock=CLOCK, data_dir=core.settings.data_dir)
    done = admin.client.get(job_page, headers={"HX-Request": "true"}).text
    assert 'id="import-accepted"' in done
    assert "8,000 new" in done
