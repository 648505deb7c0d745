"""A strategy manager's policy change through four eyes to active, in a real browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.browser.conftest import sign_in

SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
).read_text(encoding="utf-8")

WORDS = {
    "zh_CN": {"submitted": "已提交", "own": "须由另一位同事审批", "approved": "已批准",
              "active": "已启用", "valid": "有效"},
    "en": {"submitted": "Submitted", "own": "another person must approve it",
           "approved": "Approved.", "active": "Active.", "valid": "Valid."},
}  # fmt: skip


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_policy_change_goes_through_four_eyes_to_active(
    page: Any, browser: Any, live_url: str, language: str
) -> None:
    words = WORDS[language]
    sign_in(page, live_url, "manager", language)
    page.goto(f"{live_url}/policy/new")
    editor = page.locator("textarea#document")
    editor.fill("policy: [")
    editor.press("End")  # a keystroke: the editor checks as one types
    page.wait_for_selector("#check .problems li")
    editor.fill(SUPPORTIVE)
    editor.press("End")
    page.wait_for_selector(f"#check .ok:has-text('{words['valid']}')")
    page.click("form.editor button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert words["submitted"] in page.content()
    assert words["own"] in page.content()
    assert page.locator("#approve").count() == 0  # the author has no approve button
    version_url = page.url.split("?")[0]

    reviewer = browser.new_context(locale="en-US").new_page()
    sign_in(reviewer, live_url, "cco", language)
    reviewer.goto(version_url)
    reviewer.click("#approve")
    reviewer.wait_for_load_state("networkidle")
    assert words["approved"] in reviewer.content()

    page.goto(version_url)
    page.click("#activate")
    page.wait_for_load_state("networkidle")
    assert words["active"] in page.content()
    assert page.locator(".status-active").count() == 1
