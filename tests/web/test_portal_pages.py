"""The portal's pages in Chinese and English through the real app: sign in, apply for
hardship, choose and accept a plan; how to pay, rights, requests, settings; and markup
that works on a 360-px-wide phone (labels, folding tables, no inline style or script)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import CLOCK
from tests.web.portal_support import csrf_of, page_sign_in, seed
from tideover.bootstrap import App
from tideover.services.plans.relief import approve_plan

TEMPLATES = Path(__file__).parents[2] / "src" / "tideover" / "web" / "templates" / "portal"
CSS = Path(__file__).parents[2] / "src" / "tideover" / "web" / "static" / "css" / "app.css"
PDF = b"%PDF-1.4 a scanned letter"
WORDS = {
    "zh_CN": {
        "applied": "已收到您的申请",
        "accepted": "您已接受该方案",
        "active": "执行中",
        "options": "您可负担的方案",
        "waiting": "等待平台组长审批",
        "warning": "平台绝不会要求您向个人账户还款",
        "interim": "这并非您权利的完整说明",
        "stopped": "我们已停止就您的借款与您联系",
    },
    "en": {
        "applied": "Your application was received",
        "accepted": "You accepted the plan",
        "active": "In effect",
        "options": "Plans you can afford",
        "waiting": "Waiting for approval by a team lead of the platform",
        "warning": "The platform never asks you to pay into a personal account",
        "interim": "It is not the full statement of your rights",
        "stopped": "We stopped contact about your loans.",
    },
}
LANGUAGES = pytest.mark.parametrize("language", ["zh_CN", "en"])


def _apply(browser: TestClient) -> str:
    form = browser.get("/borrower/hardship/new?loan=L1")
    assert form.status_code == 200
    assert 'value="L1" selected' in form.text
    sent = browser.post(
        "/borrower/hardship",
        data={
            "csrf_token": csrf_of(form.text),
            "loan_id": "L1",
            "reason": "illness_injury",
            "description": "In hospital since April.",
            "expected_duration_months": "4",
            "adults": "1",
            "dependants": "1",
            "income_benefits": "6500",
            "expense_home_and_contents": "1200",
            "expense_food_and_housekeeping": "1400",
            "evidence_type_1": "medical_certificate",
            "vulnerable": "true",
        },
        files={
            "evidence_1": ("certificate.pdf", PDF, "application/pdf"),
            "evidence_2": ("", b"", "application/octet-stream"),  # a slot left empty
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    location: str = sent.headers["location"]
    assert location.endswith("?done=applied")
    return location.split("?")[0].rsplit("/", 1)[-1]


def _options(html: str) -> list[str]:
    return re.findall(r'<button type="submit" id="choose-([^"]+)"', html)


@LANGUAGES
def test_sign_in_apply_choose_and_accept_a_plan(core: App, tmp_path: Path, language: str) -> None:
    words = WORDS[language]
    browser = page_sign_in(core, tmp_path, "B1", language)
    application_id = _apply(browser)
    page = browser.get(f"/borrower/hardship/{application_id}?done=applied")
    assert words["applied"] in page.text
    assert words["options"] in page.text
    assert "certificate.pdf" in page.text
    options = _options(page.text)
    assert options
    automatic = next(o for o in options if _approved_at_once(page.text, o))
    chosen = browser.post(
        f"/borrower/hardship/{application_id}/choose",
        data={"csrf_token": csrf_of(page.text), "option_id": automatic},
        follow_redirects=False,
    )
    assert chosen.status_code == 303
    page = browser.get(chosen.headers["location"])
    plan_id = re.search(r'<button type="submit" id="accept-([^"]+)"', page.text)
    assert plan_id is not None, page.text
    etag = re.search(r'name="etag" value="([^"]+)"', page.text)
    assert etag is not None
    accepted = browser.post(
        f"/borrower/plans/{plan_id.group(1)}/accept",
        data={"csrf_token": csrf_of(page.text), "etag": etag.group(1).replace("&#34;", '"')},
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    done = browser.get(accepted.headers["location"])
    assert words["accepted"] in done.text
    assert words["active"] in done.text
    assert 'id="options"' not in done.text  # decided: nothing left to choose
    loan = browser.get("/borrower/loans/L1")
    assert loan.status_code == 200
    assert 'id="schedule"' in loan.text


def _card(html: str, option_id: str) -> str:
    return html.split(f'id="option-{option_id}"', 1)[1].split("</article>", 1)[0]


def _approved_at_once(html: str, option_id: str) -> bool:
    card = _card(html, option_id)
    return "approval by" not in card and "审批" not in card


@LANGUAGES
def test_the_page_says_who_still_has_to_approve(core: App, tmp_path: Path, language: str) -> None:
    browser = page_sign_in(core, tmp_path, "B1", language)
    application_id = _apply(browser)
    page = browser.get(f"/borrower/hardship/{application_id}")
    lead = {"zh_CN": "平台组长", "en": "a team lead of the platform"}[language]
    needing = next(o for o in _options(page.text) if lead in _card(page.text, o))
    browser.post(
        f"/borrower/hardship/{application_id}/choose",
        data={"csrf_token": csrf_of(page.text), "option_id": needing},
    )
    page = browser.get(f"/borrower/hardship/{application_id}")
    plan_id = re.search(r'id="awaiting-([^"]+)"', page.text)
    assert plan_id is not None
    assert 'type="submit" id="accept-' not in page.text  # no accepting an unapproved offer
    assert WORDS[language]["waiting"] in page.text
    approve_plan(
        uow=core.uow(),
        platform="acme",
        plan_id=plan_id.group(1),
        by="lead",
        role="team_lead",
        clock=CLOCK,
    )
    page = browser.get(f"/borrower/hardship/{application_id}")
    assert f'id="accept-{plan_id.group(1)}"' in page.text


def test_forms_sent_with_htmx_are_answered_in_place(core: App, tmp_path: Path) -> None:
    browser = page_sign_in(core, tmp_path, "B1", "zh_CN")
    page = browser.get("/borrower/requests")
    token = csrf_of(page.text)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    refused = browser.post("/borrower/requests", data={"request": "dispute"}, headers=headers)
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert "请选择您有争议的借据" in refused.text
    assert "<html" not in refused.text  # a fragment for the result region
    done = browser.post("/borrower/requests", data={"request": "stop_contact"}, headers=headers)
    assert done.status_code == 204
    assert done.headers["HX-Redirect"] == "/borrower/requests?done=stop_contact"
    shown = browser.get(done.headers["HX-Redirect"])
    assert WORDS["zh_CN"]["stopped"] in shown.text
    assert "已按您的要求停止联系" in shown.text  # the hold in force, in words


@LANGUAGES
def test_how_to_pay_and_my_rights(core: App, tmp_path: Path, language: str) -> None:
    seed(core)
    with core.uow() as uow:
        record = uow.platforms.get("acme")
        assert record is not None
        settings = {
            **record.settings,
            "repayment_accounts": [
                {"payee": "Acme <b>Finance</b>", "bank": "ICBC", "account": "6222 0000", "note": ""}
            ],
        }
        uow.platforms.ensure("acme", name="Acme", currency="CNY", settings=settings)
        uow.commit()
    browser = page_sign_in(core, tmp_path, "B1", language)
    pay = browser.get("/borrower/pay")
    assert WORDS[language]["warning"] in pay.text
    assert "Acme &lt;b&gt;Finance&lt;/b&gt;" in pay.text  # verbatim, never as markup
    assert "6222 0000" in pay.text
    rights = browser.get("/borrower/rights")
    assert WORDS[language]["interim"] in rights.text
    assert "Art. 19" in rights.text
    assert 'href="/borrower/requests#dispute"' in rights.text


def test_the_chosen_language_is_kept(core: App, tmp_path: Path) -> None:
    browser = page_sign_in(core, tmp_path, "B1", "zh_CN")
    page = browser.get("/borrower/settings")
    assert 'value="zh-CN" checked' in page.text
    saved = browser.post(
        "/borrower/settings",
        data={"csrf_token": csrf_of(page.text), "language": "en", "channel": "letter"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "tideover_lang=en" in saved.headers["set-cookie"]
    home = browser.get("/borrower")
    assert "What I owe" in home.text
    page = browser.get("/borrower/settings")
    assert 'value="letter" selected' in page.text


def test_a_form_without_its_token_changes_nothing(core: App, tmp_path: Path) -> None:
    browser = page_sign_in(core, tmp_path, "B1", "en")
    refused = browser.post(
        "/borrower/requests", data={"request": "complaint"}, headers={"Accept": "text/html"}
    )
    assert refused.status_code == 403
    assert "csrf_refused" in refused.text
    assert 'id="in-force"' not in browser.get("/borrower/requests").text


# --- markup for a 360-px-wide phone -------------------------------------------------------


class _Controls(HTMLParser):
    """The form controls of a page and the ids its labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "style" in found:
            self.inline.append(f"{tag} style")
        if tag == "script" and "src" not in found and found.get("type") != "application/json":
            self.inline.append("script")
        if tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))
        if tag in ("input", "select", "textarea") and found.get("type") not in ("hidden", "submit"):
            self.controls.append(found)


def test_every_page_has_labelled_controls_and_no_inline_style(core: App, tmp_path: Path) -> None:
    browser = page_sign_in(core, tmp_path, "B1", "en")
    application_id = _apply(browser)
    pages = [
        "/borrower",
        "/borrower/loans/L1",
        "/borrower/pay",
        "/borrower/rights",
        "/borrower/hardship",
        "/borrower/hardship/new",
        f"/borrower/hardship/{application_id}",
        "/borrower/requests",
        "/borrower/settings",
    ]
    signed_out = TestClient(browser.app)
    for path in pages:
        html = browser.get(path).text
        parsed = _Controls()
        parsed.feed(html)
        assert parsed.inline == [], path
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        for control in parsed.controls:
            assert control.get("id") in parsed.labelled, (path, control)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S):
            for cell in re.findall(r"<td[^>]*>", row):
                assert "data-label=" in cell, (path, cell)  # folded tables keep their headings
    login = _Controls()
    login.feed(signed_out.get("/borrower/login").text)
    assert login.controls
    assert all(c.get("id") in login.labelled for c in login.controls)


def test_the_stylesheet_folds_the_portal_for_a_narrow_screen() -> None:
    css = CSS.read_text(encoding="utf-8")
    section = css.split("Borrower portal", 1)[1]
    assert "@media (max-width: 40rem)" in section
    assert "attr(data-label)" in section
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "style=" not in text, template.name
        assert "<script" not in text, template.name
