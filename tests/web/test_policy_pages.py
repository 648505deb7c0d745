"""The policy pages in both languages through the real app: sign in, write, four eyes."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.conftest import CLOCK, PASSWORD
from tideover.bootstrap import App
from tideover.web.app import create_app

SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
).read_text(encoding="utf-8")


def _browser(core: App, username: str, language: str = "en") -> TestClient:
    client = TestClient(create_app(core, clock=CLOCK, secure_cookies=False))
    client.cookies.set("tideover_lang", language)
    page = client.post(
        "/login",
        data={"platform": "acme", "username": username, "password": PASSWORD, "next": "/policy"},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert page.status_code == 303, page.text
    assert page.headers["location"] == "/policy"
    return client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_page_needs_a_session_and_sends_you_to_sign_in(web: TestClient) -> None:
    answer = web.get("/policy", headers={"Accept": "text/html"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/policy"


def test_a_wrong_password_says_so_in_chinese_without_saying_which(web: TestClient) -> None:
    web.cookies.set("tideover_lang", "zh_CN")
    page = web.post("/login", data={"platform": "acme", "username": "manager", "password": "x"})
    assert page.status_code == 401
    assert "用户名或密码错误" in page.text


def test_the_next_page_after_sign_in_stays_on_this_site(core: App) -> None:
    client = TestClient(create_app(core, clock=CLOCK, secure_cookies=False))
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        page = client.post(
            "/login",
            data={"platform": "acme", "username": "manager", "password": PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert page.headers["location"] == "/"


def test_write_submit_and_approve_through_the_pages(core: App) -> None:
    manager = _browser(core, "manager")
    editor = manager.get("/policy/new")
    assert editor.status_code == 200
    token = _csrf(editor.text)
    checked = manager.post(
        "/policy/check",
        data={"document": "policy: [", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert "line" in checked.text  # the problem is shown with its place
    sent = manager.post(
        "/policy", data={"document": SUPPORTIVE, "csrf_token": token}, follow_redirects=False
    )
    assert sent.status_code == 303
    path = sent.headers["location"].split("?")[0]
    detail = manager.get(sent.headers["location"])
    assert "another person must approve it" in detail.text
    assert "You wrote this version: another person must approve it." in detail.text
    assert 'id="approve"' not in detail.text

    cco = _browser(core, "cco", "zh_CN")
    page = cco.get(path)
    assert "批准" in page.text
    etag = re.search(r'name="etag" value="([^"]+)"', page.text)
    assert etag is not None
    approved = cco.post(
        f"{path}/approve",
        data={"csrf_token": _csrf(page.text), "etag": etag.group(1).replace("&#34;", '"')},
        follow_redirects=True,
    )
    assert approved.status_code == 200
    assert "已批准" in approved.text


def test_pages_carry_the_security_headers(core: App) -> None:
    manager = _browser(core, "manager")
    page = manager.get("/policy")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert "<script>" not in page.text  # no inline script
    assert page.headers["cache-control"] == "no-store"
