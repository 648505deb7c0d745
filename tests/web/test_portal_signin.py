"""Borrowers sign in with a phone number and a code sent through the SMS channel (the sink).

The code really goes through ``adapters.channels`` to ``<data dir>/sink/sms.jsonl``;
the tests read it from there, as a developer would.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TEST_PII_KEY
from tests.web.conftest import CLOCK, sign_in
from tests.web.portal_support import (
    PHONES,
    api_sign_in,
    client,
    csrf_of,
    last_code,
    page_sign_in,
    seed,
)
from tideover.adapters.channels import SinkSms, SmsNotConfigured, read_sink, sms_channel
from tideover.bootstrap import App
from tideover.config import Settings, load_settings
from tideover.domain.errors import ConfigurationError
from tideover.web.app import create_app


def test_the_code_goes_to_the_sink_in_the_readers_language(core: App, tmp_path: Path) -> None:
    seed(core)
    for language, words in (("zh_CN", "登录验证码"), ("en", "sign-in code")):
        browser = client(core, tmp_path, language)
        answer = browser.post(
            "/api/v1/borrower/code", json={"platform": "acme", "phone": "138 0013 8001"}
        )
        assert answer.status_code == 202
        assert answer.json() == {"sent": True, "expires_in_seconds": 300}
        message = read_sink(tmp_path)[-1]
        assert message["to"] == PHONES["B1"]  # read as a national number, sent in E.164
        assert message["platform"] == "acme"
        assert message["purpose"] == "sign_in_code"
        assert words in message["text"]
    assert (tmp_path / "sink" / "sms.jsonl").stat().st_mode & 0o077 == 0  # the owner's only


def test_an_unknown_number_gets_the_same_answer_and_no_message(core: App, tmp_path: Path) -> None:
    seed(core)
    browser = client(core, tmp_path, "en")
    answer = browser.post(
        "/api/v1/borrower/code", json={"platform": "acme", "phone": "13900000000"}
    )
    assert answer.status_code == 202
    assert answer.json() == {"sent": True, "expires_in_seconds": 300}
    assert read_sink(tmp_path) == []


def test_sign_in_through_the_pages_in_chinese_and_english(core: App, tmp_path: Path) -> None:
    for language, heading in (("zh_CN", "我的欠款"), ("en", "What I owe")):
        browser = page_sign_in(core, tmp_path, "B1", language)
        home = browser.get("/borrower")
        assert home.status_code == 200
        assert heading in home.text
        assert "王**" in home.text
        assert "王小明" not in home.text
        assert "13800138001" not in home.text


def test_a_wrong_code_is_refused_in_the_readers_language(core: App, tmp_path: Path) -> None:
    seed(core)
    for language, words in (
        ("zh_CN", "验证码错误或已过期"),
        ("en", "the code is wrong or has expired"),
    ):
        browser = client(core, tmp_path, language)
        browser.post("/borrower/login/code", data={"platform": "acme", "phone": PHONES["B1"]})
        code = last_code(tmp_path, PHONES["B1"])
        wrong = "000000" if code != "000000" else "111111"
        page = browser.post(
            "/borrower/login", data={"platform": "acme", "phone": PHONES["B1"], "code": wrong}
        )
        assert page.status_code == 401
        assert words in page.text
        api = browser.post(
            "/api/v1/borrower/session",
            json={"platform": "acme", "phone": PHONES["B1"], "code": wrong},
        )
        assert api.status_code == 401
        assert api.json()["error"]["code"] == "sign_in_refused"


def test_codes_are_rate_limited(core: App, tmp_path: Path) -> None:
    seed(core)
    browser = client(core, tmp_path, "en")
    body = {"platform": "acme", "phone": PHONES["B2"]}
    for _ in range(3):
        assert browser.post("/api/v1/borrower/code", json=body).status_code == 202
    refused = browser.post("/api/v1/borrower/code", json=body)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_codes"
    assert len(read_sink(tmp_path)) == 3
    page = browser.post("/borrower/login/code", data=body, headers={"Accept": "text/html"})
    assert page.status_code == 429
    assert "too many codes" in page.text


def test_a_phone_number_that_cannot_be_read_is_not_echoed(core: App, tmp_path: Path) -> None:
    seed(core)
    for language, words in (("zh_CN", "无法识别该手机号码"), ("en", "not a phone number")):
        browser = client(core, tmp_path, language)
        answer = browser.post(
            "/api/v1/borrower/code", json={"platform": "acme", "phone": "12-34-5x"}
        )
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "validation_error"
        assert words in answer.json()["error"]["message"]
        assert "12-34-5x" not in answer.text


def test_signing_out_ends_the_session(core: App, tmp_path: Path) -> None:
    browser = page_sign_in(core, tmp_path, "B1")
    token = csrf_of(browser.get("/borrower").text)
    out = browser.post("/borrower/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/borrower/login?platform=acme"
    again = browser.get("/borrower", headers={"Accept": "text/html"}, follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/borrower/login"


def test_sign_in_starts_a_new_session_each_time(core: App, tmp_path: Path) -> None:
    seed(core)
    browser = client(core, tmp_path, "en")
    browser.cookies.set("tideover_session", "planted-by-an-attacker")
    tokens = []
    for _ in range(2):
        browser.post("/api/v1/borrower/code", json={"platform": "acme", "phone": PHONES["B1"]})
        body = {
            "platform": "acme",
            "phone": PHONES["B1"],
            "code": last_code(tmp_path, PHONES["B1"]),
        }
        answer = browser.post("/api/v1/borrower/session", json=body)
        assert answer.status_code == 200
        tokens.append(answer.cookies.get("tideover_session"))
    assert None not in tokens
    assert "planted-by-an-attacker" not in tokens
    assert tokens[0] != tokens[1]


def test_staff_and_borrowers_each_stay_on_their_side(core: App, tmp_path: Path) -> None:
    staff = sign_in(core, "acme", "everyone")
    answer = staff.client.get("/api/v1/borrower/loans")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_signed_in"
    page = staff.client.get("/borrower", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.headers["location"] == "/borrower/login"
    borrower = api_sign_in(core, tmp_path, "B1")
    assert borrower.client.get("/api/v1/policy/versions").status_code == 401
    assert borrower.client.get("/api/v1/me").status_code == 401


def test_a_signed_out_borrower_is_sent_to_the_portals_sign_in(core: App, tmp_path: Path) -> None:
    browser = client(core, tmp_path, "en")
    page = browser.get(
        "/borrower/hardship", headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert page.status_code == 303
    assert page.headers["location"] == "/borrower/login"
    login = browser.get("/borrower/login?platform=acme")
    assert login.status_code == 200
    assert 'name="platform" value="acme"' in login.text
    assert 'id="phone"' in login.text


def test_the_sink_is_the_default_outside_production_and_refused_in_it(tmp_path: Path) -> None:
    demo = Settings(mode="test", data_dir=tmp_path, pii_key=TEST_PII_KEY)
    assert isinstance(sms_channel(demo), SinkSms)
    production = Settings(mode="production", data_dir=tmp_path, pii_key=TEST_PII_KEY)
    with pytest.raises(SmsNotConfigured) as refused:
        sms_channel(production)
    assert refused.value.http_status == 503
    with pytest.raises(ValueError, match="refused in production"):
        Settings(mode="production", pii_key=TEST_PII_KEY, sms_provider="sink")


def test_the_provider_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TIDEOVER_SMS_PROVIDER", "sink")
    monkeypatch.setenv("TIDEOVER_MODE", "production")
    monkeypatch.setenv("TIDEOVER_PII_KEY", TEST_PII_KEY)
    with pytest.raises(ConfigurationError):
        load_settings()
    monkeypatch.setenv("TIDEOVER_SMS_PROVIDER", "carrier-pigeon")
    monkeypatch.setenv("TIDEOVER_MODE", "demo")
    with pytest.raises(ConfigurationError):
        load_settings()


def test_without_an_sms_provider_sign_in_says_so(core: App, tmp_path: Path) -> None:
    seed(core)
    settings = core.settings.model_copy(update={"mode": "production", "data_dir": tmp_path})
    production = dataclasses.replace(core, settings=settings)
    browser = TestClient(create_app(production, clock=CLOCK, secure_cookies=False))
    browser.cookies.set("tideover_lang", "zh_CN")
    answer = browser.post("/api/v1/borrower/code", json={"platform": "acme", "phone": PHONES["B1"]})
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "sms_not_configured"
    assert "短信" in answer.json()["error"]["message"]
    assert read_sink(tmp_path) == []
    page = browser.post("/borrower/login/code", data={"platform": "acme", "phone": PHONES["B1"]})
    assert page.status_code == 503
    assert "短信" in page.text


def test_the_start_page_takes_a_borrower_to_the_portal(core: App, tmp_path: Path) -> None:
    browser = page_sign_in(core, tmp_path, "B1")
    start = browser.get("/", follow_redirects=False)
    assert start.status_code == 303
    assert start.headers["location"] == "/borrower"
