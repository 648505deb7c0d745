"""The compliance officer's pages in both languages: packs, rules and sources, denials,
holds put on and lifted through the forms."""

from __future__ import annotations

import json
import re
from datetime import date

from tests.web.conftest import Session, sign_in
from tests.web.test_compliance_api import _denials
from tideover.bootstrap import App

HTML = {"Accept": "text/html"}


def browser(core: App, username: str, language: str = "en") -> Session:
    session = sign_in(core, "acme", username)
    session.client.cookies.set("tideover_lang", language)
    return session


def test_the_packs_page_in_chinese_marks_the_platforms_own(core: App) -> None:
    cco = browser(core, "cco", "zh_CN")
    page = cco.client.get("/compliance", headers=HTML)
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "合规规则包" in page.text
    row = re.search(r'<tr id="pack-CN">.*?</tr>', page.text, re.S)
    assert row is not None
    assert "本平台适用" in row.group(0)


def test_every_rule_is_shown_with_its_legal_source(core: App) -> None:
    auditor = browser(core, "auditor")
    page = auditor.client.get("/compliance/rules?pack=UK", headers=HTML)
    assert page.status_code == 200
    rows = re.findall(r'<tr id="rule-([A-Z0-9-]+)">(.*?)</tr>', page.text, re.S)
    assert len(rows) > 5
    for rule_id, row in rows:
        assert rule_id.startswith("UK-")
        sources = re.search(r'<ul class="sources">(.*?)</ul>', row, re.S)
        assert sources is not None
        assert "<li>" in sources.group(1), rule_id
    missing = auditor.client.get("/compliance/rules?pack=ZZ", headers=HTML)
    assert missing.status_code == 404
    assert "ZZ" in missing.text


def test_denials_are_charted_from_a_data_block_without_inline_script(core: App) -> None:
    _denials(core, "acme", date(2026, 5, 30), {("early", "CN-HOURS"): 3})
    cco = browser(core, "cco")
    page = cco.client.get("/compliance/denials?from=2026-05-01&to=2026-05-31", headers=HTML)
    assert page.status_code == 200
    assert 'data-chart="denials-chart-data"' in page.text
    block = re.search(
        r'<script type="application/json" id="denials-chart-data">(.*?)</script>', page.text
    )
    assert block is not None
    option = json.loads(block.group(1))
    assert option["xAxis"]["data"] == ["2026-05-30"]
    assert option["series"] == [{"name": "CN-HOURS", "type": "bar", "stack": "denied", "data": [3]}]
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page.text)
    assert all('type="application/json"' in attributes for attributes in scripts)
    empty = cco.client.get("/compliance/denials?from=2026-04-01&to=2026-04-30", headers=HTML)
    assert "No action was denied" in empty.text


def test_a_hold_is_put_on_and_lifted_through_the_forms(core: App) -> None:
    cco = browser(core, "cco")
    form = cco.client.get("/compliance/holds", headers=HTML)
    assert 'id="hold-new-form"' in form.text
    added = cco.client.post(
        "/compliance/holds",
        data={
            "csrf_token": cco.csrf,
            "borrower_id": "B0001",
            "kind": "dispute",
            "debt_id": "",
            "reason": "disputes the fee",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert added.headers["location"] == "/compliance/holds?done=added"
    listed = cco.client.get(added.headers["location"], headers=HTML)
    assert "The hold is in force." in listed.text
    hold_id = re.search(r'<tr id="hold-([0-9a-f]+)">', listed.text)
    assert hold_id is not None
    disputes = cco.client.get("/compliance/holds?kind=dispute", headers=HTML)
    assert 'id="tab-disputes" href="/compliance/holds?kind=dispute" aria-current="page"' in (
        disputes.text
    )
    assert hold_id.group(1) in disputes.text
    lifted = cco.client.post(
        f"/compliance/holds/{hold_id.group(1)}/lift",
        data={"csrf_token": cco.csrf, "reason": "resolved"},
        headers={"HX-Request": "true"},
    )
    assert lifted.status_code == 204
    assert lifted.headers["HX-Redirect"] == "/compliance/holds?done=lifted"
    after = cco.client.get("/compliance/holds", headers=HTML)
    assert "No hold." in after.text
    ended = cco.client.get("/compliance/holds?ended=true", headers=HTML)
    assert "lifted by cco: resolved" in ended.text


def test_a_wrong_form_is_answered_in_place_in_the_readers_language(core: App) -> None:
    cco = browser(core, "cco", "zh_CN")
    answer = cco.client.post(
        "/compliance/holds",
        data={"csrf_token": cco.csrf, "borrower_id": "B1", "kind": "holiday", "reason": "x"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 422
    assert answer.headers["HX-Reswap"] == "innerHTML"
    assert 'class="flash error"' in answer.text
    assert "请求内容无效" in answer.text
    assert "<html" not in answer.text  # a fragment for the form's result area
    bad_filter = cco.client.get("/compliance/holds?kind=holiday", headers=HTML)
    assert bad_filter.status_code == 400
    assert "未知的冻结类型" in bad_filter.text


def test_the_auditor_reads_holds_without_a_form_and_may_not_post_one(core: App) -> None:
    auditor = browser(core, "auditor", "zh_CN")
    page = auditor.client.get("/compliance/holds", headers=HTML)
    assert page.status_code == 200
    assert 'id="hold-new-form"' not in page.text
    refused = auditor.client.post(
        "/compliance/holds",
        data={"csrf_token": auditor.csrf, "borrower_id": "B1", "kind": "dispute", "reason": "x"},
        headers=HTML,
    )
    assert refused.status_code == 403
    assert "您的角色无权执行此操作" in refused.text
