"""A borrower on a phone signs in with a one-time code, applies for hardship and accepts a
plan, in a real browser at 360 px wide.

The borrowers are those of ``tests/web/portal_support.seed``: B1's loan L1 has three
installments overdue on 2026-06-01 (the live server's clock).  The sign-in code really
goes through the SMS channel to the sink, ``<data dir>/sink/sms.jsonl``, where the test
reads it.  An option within the automatic limits is approved as soon as it is chosen,
so the borrower accepts it at once and it becomes the loan's schedule.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import CLOCK
from tests.web.portal_support import PHONES, last_code, seed, with_data_dir

from tideover.bootstrap import App
from tideover.domain.clock import FixedClock

PHONE_WIDTH = 360

WORDS = {
    "zh_CN": {
        "sign_in": "登录您的借款账户",
        "home": "我的欠款",
        "applied": "已收到您的申请。",
        "at_once": "选择后立即获批。",
        "chosen": "已记录您的选择。",
        "accepted": "您已接受该方案，它现在是您的还款计划。",
        "in_effect": "执行中",
        "approved": "已批准还款方案",
        "nothing_overdue": "目前没有逾期款项。",
    },
    "en": {
        "sign_in": "Sign in to your loan account",
        "home": "What I owe",
        "applied": "Your application was received.",
        "at_once": "Approved at once when you choose it.",
        "chosen": "Your choice was recorded.",
        "accepted": "You accepted the plan. It is now your repayment schedule.",
        "in_effect": "In effect",
        "approved": "Approved with a plan",
        "nothing_overdue": "Nothing is overdue.",
    },
}


@pytest.fixture
def core(core: App, tmp_path: Path) -> App:
    """The same app with its data directory, and so its SMS sink, in this test's folder."""
    return with_data_dir(core, tmp_path)


@pytest.fixture
def live_clock() -> FixedClock:
    return CLOCK  # 11:00 on 2026-06-01 in Shanghai: L1 is three installments late


@pytest.fixture
def viewport() -> dict[str, int]:
    return {"width": PHONE_WIDTH, "height": 780}


def _fits_the_phone(page: Any) -> None:
    """Nothing wider than the screen: the page never scrolls sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width} px wide"


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_borrower_signs_in_applies_for_hardship_and_accepts_a_plan(
    page: Any, core: App, live_url: str, tmp_path: Path, language: str
) -> None:
    words = WORDS[language]
    seed(core)

    page.goto(f"{live_url}/borrower/login?platform=acme&lang={language}")
    assert words["sign_in"] in page.locator("h1").inner_text()
    _fits_the_phone(page)
    page.fill("#phone", PHONES["B1"].removeprefix("+86"))  # typed as on the contract
    page.click("#send-code")
    page.wait_for_selector("#code-form")
    page.fill("#code", last_code(tmp_path, PHONES["B1"]))
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/borrower$"))
    assert words["home"] in page.locator("h1").inner_text()
    owed = page.locator("#loan-L1 .owed")
    assert owed.is_visible()
    assert "CNY" in owed.inner_text()
    _fits_the_phone(page)

    page.click("#apply-L1")
    page.wait_for_selector("#apply-form")
    assert page.input_value("#loan_id") == "L1"
    page.select_option("#reason", "income_reduction")
    page.fill("#description", "My shop lost half its customers.")
    page.fill("#expected_duration_months", "6")
    page.fill("#income_earnings", "6000")
    page.fill("#expense_home_and_contents", "1500")
    page.fill("#expense_food_and_housekeeping", "1500")
    _fits_the_phone(page)
    page.click("#submit-application")
    page.wait_for_url(re.compile(r"/borrower/hardship/[^/?]+\?done=applied$"))
    assert words["applied"] in page.locator("#flash").inner_text()
    application_url = page.url.split("?")[0]

    automatic = page.locator("#options article.option", has_text=words["at_once"]).first
    option_id = (automatic.get_attribute("id") or "").removeprefix("option-")
    assert option_id
    _fits_the_phone(page)
    automatic.locator(f"#choose-{option_id}").click()
    page.wait_for_url(f"{application_url}?done=chosen")
    assert words["chosen"] in page.locator("#flash").inner_text()

    accept = page.locator("#plans button[id^='accept-']")
    assert accept.count() == 1  # approved at once: the borrower may accept it now
    plan_id = (accept.get_attribute("id") or "").removeprefix("accept-")
    accept.click()
    page.wait_for_url(f"{application_url}?done=accepted")
    assert words["accepted"] in page.locator("#flash").inner_text()
    assert words["in_effect"] in page.locator(f"#plan-status-{plan_id}").inner_text()
    assert words["approved"] in page.locator("#application-status").inner_text()
    assert page.locator("#options").count() == 0  # decided: nothing more to choose

    page.click("#nav-home")
    page.wait_for_url(re.compile(r"/borrower$"))
    loan = page.locator("#loan-L1").inner_text()
    assert words["nothing_overdue"] in loan  # the plan starts today
    assert words["in_effect"] in loan
