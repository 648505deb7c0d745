"""The audit trail through the API: searched by kind, day and text, paged, re-verified."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from tests.web.conftest import CLOCK, sign_in
from tideover.bootstrap import App
from tideover.compliance.contacts import HoldKind
from tideover.domain.clock import FixedClock
from tideover.services.compliance.holds import add_hold

PHONE = "13800138000"


def _hold(core: App, platform: str, borrower: str, reason: str, at: datetime) -> None:
    add_hold(
        uow=core.uow(),
        platform=platform,
        borrower_id=borrower,
        kind=HoldKind.CEASE_CONTACT,
        reason=reason,
        by="cco",
        clock=FixedClock(at),
    )


def test_records_come_newest_first_filtered_by_kind_and_the_platforms_day(core: App) -> None:
    # 30 May 17:00 UTC is 31 May 01:00 in Shanghai: a day of the platform, not of UTC.
    _hold(core, "acme", "B0001", "letter received", datetime(2026, 5, 30, 17, 0, tzinfo=UTC))
    _hold(core, "acme", "B0002", "letter received", datetime(2026, 5, 31, 3, 0, tzinfo=UTC))
    auditor = sign_in(core, "acme", "auditor")
    page = auditor.client.get("/api/v1/audit/records?kind=hold_added&per_page=1")
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["total"] == 2
    assert body["links"]["next"] is not None
    assert body["items"][0]["payload"]["borrower_id"] == "B0002"  # newest first
    one_day = auditor.client.get(
        "/api/v1/audit/records?kind=hold_added&from=2026-05-31&to=2026-05-31"
    )
    assert one_day.json()["total"] == 2
    day_before = auditor.client.get("/api/v1/audit/records?from=2026-05-30&to=2026-05-30")
    assert day_before.json()["total"] == 0
    everything = auditor.client.get("/api/v1/audit/records?per_page=200").json()
    kinds = {r["kind"] for r in everything["items"]}
    assert {"user_added", "hold_added"} <= kinds
    assert all(r["hash"] and r["prev_hash"] for r in everything["items"])


def test_a_text_search_goes_in_the_body_and_finds_only_what_the_reader_sees(core: App) -> None:
    _hold(core, "acme", "B0001", f"called from {PHONE}, asked to stop", CLOCK.now())
    _hold(core, "acme", "B0002", "letter received", CLOCK.now())
    cco = sign_in(core, "acme", "cco")
    found = cco.post("/api/v1/audit/search", json={"text": "ASKED TO STOP"})
    assert found.status_code == 200, found.text
    assert [r["payload"]["borrower_id"] for r in found.json()["items"]] == ["B0001"]
    assert PHONE in found.json()["items"][0]["payload"]["reason"]
    auditor = sign_in(core, "acme", "auditor")
    masked = auditor.post("/api/v1/audit/search", json={"text": "asked to stop"}).json()
    assert PHONE not in str(masked["items"][0]["payload"])
    # the number itself cannot be confirmed by someone who is not shown it
    assert auditor.post("/api/v1/audit/search", json={"text": PHONE}).json()["total"] == 0
    assert cco.post("/api/v1/audit/search", json={"text": PHONE}).json()["total"] == 1
    by_kind = cco.post("/api/v1/audit/search", json={"kind": "user_added", "text": "manager2"})
    assert by_kind.json()["total"] == 1


def test_a_search_without_its_csrf_token_or_with_bad_input_is_refused(core: App) -> None:
    auditor = sign_in(core, "acme", "auditor")
    no_token = auditor.client.post("/api/v1/audit/search", json={"text": "x"})
    assert no_token.status_code == 403
    too_long = auditor.post("/api/v1/audit/search", json={"text": "x" * 201, "size": 1})
    assert too_long.status_code == 422
    assert {d["field"] for d in too_long.json()["error"]["details"]} == {"text", "size"}
    reversed_days = auditor.post(
        "/api/v1/audit/search",
        json={"from": "2026-05-31", "to": "2026-05-01"},
        headers={"Accept-Language": "zh"},
    )
    assert reversed_days.status_code == 400
    assert "早于" in reversed_days.json()["error"]["message"]


def test_the_chain_verifies_and_an_edit_is_named(core: App) -> None:
    _hold(core, "acme", "B0001", "letter received", CLOCK.now())
    auditor = sign_in(core, "acme", "auditor")
    intact = auditor.client.get("/api/v1/audit/verification").json()
    assert intact["ok"] is True
    assert intact["records"] >= 9
    assert intact["head"]["seq"] == intact["records"]
    with core.engine.begin() as connection:  # someone with the database in hand, triggers off
        if core.engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER tr_audit_records_no_update"))
        connection.execute(
            text(
                "UPDATE audit_records SET payload = replace(payload, 'letter', 'email') "
                "WHERE kind = 'hold_added'"
            )
        )
    broken = auditor.client.get("/api/v1/audit/verification").json()
    assert broken["ok"] is False
    assert broken["issues"][0]["problem"] == "edited"
    assert broken["issues"][0]["en"]
    assert broken["issues"][0]["zh"]
