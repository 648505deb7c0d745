"""The audit trail's page: records, a search whose text never reaches the address, pages,
and the "verify chain" button."""

from __future__ import annotations

import re

from sqlalchemy import text

from tests.web.conftest import CLOCK
from tests.web.test_audit_api import PHONE, _hold
from tests.web.test_compliance_pages import HTML, browser
from tideover.bootstrap import App


def test_the_trail_lists_records_and_a_search_keeps_its_text_in_the_body(core: App) -> None:
    _hold(core, "acme", "B0001", f"called from {PHONE}, asked to stop", CLOCK.now())
    auditor = browser(core, "auditor")
    page = auditor.client.get("/audit", headers=HTML)
    assert page.status_code == 200
    assert 'id="record-9"' in page.text  # newest first: the hold after eight users
    assert PHONE not in page.text  # the auditor may not read personal data
    found = auditor.client.post(
        "/audit",
        data={"csrf_token": auditor.csrf, "text": "asked to stop", "kind": "", "from": ""},
        headers=HTML,
    )
    assert found.status_code == 200
    assert str(found.url).endswith("/audit")  # no text in the address
    assert re.findall(r'<tr id="record-(\d+)">', found.text) == ["9"]
    assert "Records found: 1" in found.text
    assert 'value="asked to stop"' in found.text  # the form keeps what was asked


def test_pages_are_asked_with_the_same_search(core: App) -> None:
    for n in range(60):
        _hold(core, "acme", f"B{n:04d}", "letter received", CLOCK.now())
    cco = browser(core, "cco", "zh_CN")
    first = cco.client.post(
        "/audit", data={"csrf_token": cco.csrf, "kind": "hold_added", "page": "1"}, headers=HTML
    )
    assert "第 1 页，共 2 页" in first.text
    assert 'id="audit-next"' in first.text
    assert 'id="audit-prev"' not in first.text
    second = cco.client.post(
        "/audit", data={"csrf_token": cco.csrf, "kind": "hold_added", "page": "2"}, headers=HTML
    )
    assert len(re.findall(r'<tr id="record-', second.text)) == 10
    assert 'id="audit-prev"' in second.text
    by_address = cco.client.get("/audit?kind=hold_added&page=2", headers=HTML)
    assert re.findall(r'<tr id="record-(\d+)">', by_address.text) == re.findall(
        r'<tr id="record-(\d+)">', second.text
    )


def test_the_verify_button_says_intact_then_names_an_edit(core: App) -> None:
    auditor = browser(core, "auditor", "zh_CN")
    fragment = auditor.client.get("/audit/verify", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "记录链完好" in fragment.text
    with core.engine.begin() as connection:
        if core.engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER tr_audit_records_no_update"))
        connection.execute(text("UPDATE audit_records SET kind = 'user_removed' WHERE seq = 2"))
    page = auditor.client.get("/audit/verify", headers=HTML)  # without script: a whole page
    assert page.status_code == 200
    assert "<html" in page.text
    assert "记录链已被破坏" in page.text
    assert "<code>edited</code> #2" in page.text
