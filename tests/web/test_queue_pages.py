"""The collector's workbench pages through the real app, on both databases."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import sign_in
from tests.web.isolation_queue import NAME, NATIONAL_ID, PHONE, Seeded, seed
from tideover.bootstrap import App

HTML = {"Accept": "text/html"}
HTMX = {"Accept": "text/html", "HX-Request": "true"}


@pytest.fixture
def seeded(core: App) -> Seeded:
    return seed(core)


def _ok(answer: Any) -> str:
    assert answer.status_code == 200, (answer.status_code, answer.text[:500])
    text: str = answer.text
    return text


def _no_inline_script(page: str) -> None:
    """Only script files and JSON data blocks: the CSP forbids inline code."""
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in page


@pytest.mark.parametrize(("language", "title"), [("en", "My queue"), ("zh_CN", "我的队列")])
def test_my_queue_lists_my_item_in_my_language(
    core: App, seeded: Seeded, language: str, title: str
) -> None:
    agent = sign_in(core, "acme", "agent")
    page = _ok(agent.client.get(f"/queue?lang={language}", headers=HTML))
    assert title in page
    assert f'href="/queue/items/{seeded.item}"' in page
    assert f'href="/queue/items/{seeded.other_item}"' not in page
    _no_inline_script(page)


def test_a_team_lead_sees_every_item_with_its_collector(core: App, seeded: Seeded) -> None:
    page = _ok(sign_in(core, "acme", "lead").client.get("/queue?lang=en", headers=HTML))
    assert "Every collector&#39;s queue" in page or "Every collector's queue" in page
    assert f'href="/queue/items/{seeded.other_item}"' in page
    assert "agent2" in page


def test_the_workbench_shows_the_360_masked_with_its_chart(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    page = _ok(agent.client.get(f"/queue/items/{seeded.item}?lang=en", headers=HTML))
    for needle in ("May I call now?", "Loan L1", "Plan options", 'id="message-text"', "M2"):
        assert needle in page, needle
    assert NAME not in page
    assert NATIONAL_ID not in page
    assert PHONE not in page
    assert 'data-chart="dpd-history"' in page
    assert '<script type="application/json" id="dpd-history">' in page
    assert 'name="csrf_token"' in page
    _no_inline_script(page)


def test_the_call_check_fragment_says_yes_in_chinese(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    fragment = _ok(
        agent.client.get(f"/queue/items/{seeded.item}/call-check?lang=zh_CN", headers=HTMX)
    )
    assert "是：现在可以致电。" in fragment
    assert "<html" not in fragment


def test_a_call_started_then_its_outcome_logged_by_form(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    form = _ok(
        agent.client.post(
            f"/queue/items/{seeded.item}/calls",
            data={"csrf_token": agent.csrf},
            headers=HTMX,
        )
    )
    attempt = re.search(r'name="attempt_id" value="([0-9a-f]{32})"', form)
    assert attempt, form
    answer = agent.client.post(
        f"/queue/items/{seeded.item}/outcome",
        data={
            "csrf_token": agent.csrf,
            "attempt_id": attempt.group(1),
            "outcome": "promise",
            "promise_amount": "1,066.19",
            "promise_date": "2026-06-05",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/queue?done=logged"
    page = _ok(agent.client.get("/queue?done=logged&state=done&lang=en", headers=HTML))
    assert "Outcome logged" in page
    view = _ok(agent.client.get("/queue/borrowers/B1?lang=en", headers=HTML))
    assert "1,066.19" in view  # the promise, in the 360


def test_an_htmx_outcome_goes_back_to_the_queue(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    answer = agent.client.post(
        f"/queue/items/{seeded.item}/outcome",
        data={"csrf_token": agent.csrf, "outcome": "no_answer"},
        headers=HTMX,
    )
    assert answer.status_code == 200
    assert answer.headers["HX-Redirect"] == "/queue?done=logged"


@pytest.mark.parametrize(
    ("fields", "language", "words"),
    [
        ({"outcome": "promise"}, "en", "needs its amount and date"),
        ({"outcome": "promise"}, "zh_CN", "需要填写金额和日期"),
        (
            {"outcome": "promise", "promise_amount": "abc", "promise_date": "2026-06-05"},
            "en",
            "is not a number",
        ),
        (
            {"outcome": "promise", "promise_amount": "5", "promise_date": "June"},
            "zh_CN",
            "不是有效日期",
        ),
        ({"outcome": "shouted"}, "en", "outcome"),
    ],
)
def test_a_bad_outcome_form_is_answered_in_place_in_the_readers_language(
    core: App, seeded: Seeded, fields: dict[str, str], language: str, words: str
) -> None:
    agent = sign_in(core, "acme", "agent")
    answer = agent.client.post(
        f"/queue/items/{seeded.item}/outcome?lang={language}",
        data={"csrf_token": agent.csrf, **fields},
        headers=HTMX,
    )
    assert answer.status_code in (400, 422)
    assert words in answer.text
    assert 'role="alert"' in answer.text
    assert "Traceback" not in answer.text


def test_a_form_without_the_csrf_token_is_refused(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    answer = agent.client.post(
        f"/queue/items/{seeded.item}/outcome", data={"outcome": "reached"}, headers=HTML
    )
    assert answer.status_code == 403


def test_plan_options_name_the_approver_above_the_collectors_limit(
    core: App, seeded: Seeded
) -> None:
    agent = sign_in(core, "acme", "agent")
    fragment = _ok(
        agent.client.get(f"/queue/items/{seeded.item}/plan-options?lang=en", headers=HTMX)
    )
    assert "within your limit" in fragment
    assert 'id="offer-' in fragment
    option = re.search(r'name="option_id" value="([^"]+)"', fragment)
    assert option
    answer = agent.client.post(
        f"/queue/items/{seeded.item}/plan-offers",
        data={"csrf_token": agent.csrf, "option_id": option.group(1)},
        headers=HTML,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/queue/items/{seeded.item}?done=offered"


def test_the_message_box_marks_a_threat(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    fragment = _ok(
        agent.client.post(
            "/queue/message-check?lang=en",
            data={
                "csrf_token": agent.csrf,
                "text": "再不还钱就去你单位闹，通知你家人",
                "channel": "sms",
            },
            headers=HTMX,
        )
    )
    assert "Do not send" in fragment
    clean = _ok(
        agent.client.post(
            "/queue/message-check?lang=en",
            data={
                "csrf_token": agent.csrf,
                "text": "您好，本期应还 1066.19 元。",
                "channel": "sms",
            },
            headers=HTMX,
        )
    )
    assert "may be sent" in clean


def test_the_borrower_page_unmasked_for_the_compliance_officer(core: App, seeded: Seeded) -> None:
    page = _ok(sign_in(core, "acme", "cco").client.get("/queue/borrowers/B2", headers=HTML))
    assert NAME in page
    assert NATIONAL_ID in page
    assert PHONE in page
    _no_inline_script(page)


def test_a_collector_cannot_open_another_collectors_borrower(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    assert agent.client.get("/queue/borrowers/B2", headers=HTML).status_code == 404
    assert agent.client.get(f"/queue/items/{seeded.other_item}", headers=HTML).status_code == 404


def test_the_strategy_manager_has_no_queue_page(core: App) -> None:
    answer = sign_in(core, "acme", "manager").client.get("/queue", headers=HTML)
    assert answer.status_code == 403


def test_a_call_the_gate_denies_is_answered_in_place(core: App, seeded: Seeded) -> None:
    from datetime import UTC, datetime

    from tideover.compliance.contacts import HoldKind
    from tideover.services.compliance.holds import add_hold

    add_hold(
        uow=core.uow(),
        platform="acme",
        borrower_id="B1",
        kind=HoldKind.CEASE_CONTACT,
        reason="asked in writing",
        by="cco",
        start=datetime(2026, 5, 1, tzinfo=UTC),
    )
    agent = sign_in(core, "acme", "agent")
    answer = agent.client.post(
        f"/queue/items/{seeded.item}/calls?lang=en",
        data={"csrf_token": agent.csrf},
        headers=HTMX,
    )
    assert answer.status_code == 409
    assert 'role="alert"' in answer.text
    assert "contact_denied" in answer.text
    assert "attempt_id" not in answer.text


def test_the_filter_form_without_a_date_shows_every_date(core: App, seeded: Seeded) -> None:
    """The form sends ``as_of=`` when no date is chosen: no date, not a bad one."""
    agent = sign_in(core, "acme", "agent")
    page = _ok(agent.client.get("/queue?state=assigned&as_of=&lang=en", headers=HTML))
    assert f'href="/queue/items/{seeded.item}"' in page
    dated = _ok(agent.client.get("/queue?state=assigned&as_of=2026-06-01", headers=HTML))
    assert f'href="/queue/items/{seeded.item}"' in dated
    other_day = _ok(agent.client.get("/queue?state=assigned&as_of=2026-06-02", headers=HTML))
    assert f'href="/queue/items/{seeded.item}"' not in other_day
    assert agent.client.get("/queue?as_of=June", headers=HTML).status_code in (400, 422)
