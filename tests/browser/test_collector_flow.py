"""A collector works a queue item to a logged promise to pay, in a real browser.

The workbench's records are those of ``tests/web/isolation_queue.seed`` (stored through
the services): borrower B1 in Shanghai, loan L1 47 days late, and today's call item
assigned to ``agent``.  The live server runs on a clock the test moves: at 07:50 in
Shanghai the gate refuses the call (China's 08:00-22:00 window) and names the rule and
the next allowed time; at 08:05 it allows it, and the call is started and its outcome
logged.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.browser.conftest import sign_in
from tests.web.isolation_queue import NAME, seed

from tideover.bootstrap import App

# Within the session's 30 idle minutes of each other.
EARLY = datetime(2026, 5, 31, 23, 50, tzinfo=UTC)  # 07:50 on 1 June in Shanghai
LATER = datetime(2026, 6, 1, 0, 5, tzinfo=UTC)  # 08:05

WORDS = {
    "zh_CN": {
        "queue": "我的队列",
        "no": "否：现在请勿致电。",
        "next": "最早可联系时间：",
        "yes": "是：现在可以致电。",
        "started": "通话已开始并已记录",
        "logged": "结果已登记；该工单已完成。",
        "nothing": "这里没有待处理的工单。",
        "done": "已完成",
        "promise": "于 2026年6月5日 前",
        "promised": "承诺还款",
    },
    "en": {
        "queue": "My queue",
        "no": "No: do not call now.",
        "next": "Next allowed:",
        "yes": "Yes: you may call now.",
        "started": "Call started and recorded",
        "logged": "Outcome logged; the item is done.",
        "nothing": "Nothing to work here.",
        "done": "done",
        "promise": "by Jun 5, 2026",
        "promised": "Promises to pay",
    },
}


class MovableClock:
    """A clock the test sets while the server thread reads it."""

    def __init__(self, instant: datetime) -> None:
        self._instant = instant
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._instant

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._instant = instant


@pytest.fixture
def live_clock() -> MovableClock:
    return MovableClock(EARLY)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_collector_works_an_item_to_a_logged_promise(
    page: Any, core: App, live_url: str, live_clock: MovableClock, language: str
) -> None:
    words = WORDS[language]
    seeded = seed(core)
    sign_in(page, live_url, "agent", language)

    page.click(f"header nav.main a[href='/queue']:has-text('{words['queue']}')")
    page.wait_for_selector("table.queue")
    assert page.locator("table.queue tbody tr").count() == 1  # only the agent's own item
    page.click("table.queue tbody tr:first-child a[id^='item-']")
    page.wait_for_url(f"**/queue/items/{seeded.item}")
    b360 = page.locator("#borrower-360")
    assert b360.locator("#loan-L1").is_visible()
    assert NAME not in b360.inner_text()  # a collector sees the 360 masked

    # 07:50 in Shanghai: the gate's answer names the rule and the next time a call may be made.
    denied = page.wait_for_selector("#verdict-result.denied")
    assert words["no"] in denied.inner_text()
    rules = [r.inner_text() for r in page.query_selector_all("#verdict-result code")]
    assert rules
    assert all(r.startswith("CN-") for r in rules), rules
    assert words["next"] in denied.inner_text()
    allowed_at = page.get_attribute("#verdict-result time", "datetime")
    assert allowed_at == "2026-06-01T08:00:00+08:00"

    live_clock.set(LATER)
    page.click("#ask-gate")
    allowed = page.wait_for_selector("#verdict-result.allowed")
    assert words["yes"] in allowed.inner_text()

    page.click("#start-call")
    page.wait_for_selector(f"#call-result:has-text('{words['started']}')")
    attempt = page.get_attribute("#outcome-form input[name=attempt_id]", "value")
    assert attempt is not None
    assert len(attempt) == 32  # the outcome form now logs this call

    page.check("#outcome-promise")
    page.fill("#promise-amount", "500.00")
    page.fill("#promise-date", "2026-06-05")
    page.click("#log-outcome")
    page.wait_for_url("**/queue?done=logged")
    assert words["logged"] in page.locator(".flash.ok").inner_text()
    assert words["nothing"] in page.content()  # nothing assigned is left: the item is done

    page.select_option("#queue-state", "done")
    page.click("#queue-filter-apply")
    row = page.wait_for_selector(f"table.queue tr:has(#item-{seeded.item})")
    assert words["done"] in row.inner_text()

    page.goto(f"{live_url}/queue/borrowers/B1")
    promises = page.locator("#loan-L1").inner_text()
    assert words["promised"] in promises
    assert "500" in promises
    assert words["promise"] in promises
