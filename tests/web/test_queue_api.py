"""``/api/v1/queue`` and ``/api/v1/borrowers`` through the real app, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event

from tests.web.conftest import CLOCK, PASSWORD_HASH, Session, sign_in
from tests.web.isolation_queue import NAME, NATIONAL_ID, PHONE, Seeded, seed
from tideover.bootstrap import App
from tideover.compliance.contacts import HoldKind
from tideover.domain.clock import FixedClock
from tideover.services.compliance.holds import add_hold, list_holds
from tideover.services.identity.users import add_user
from tideover.services.queues.collectors import add_collectors, build_collector
from tideover.services.queues.items import reassign_item
from tideover.web.app import create_app


@pytest.fixture
def seeded(core: App) -> Seeded:
    return seed(core)


def _json(answer: Any) -> Any:
    assert answer.status_code < 300, (answer.status_code, answer.text[:500])
    return answer.json()


# --- the queue ------------------------------------------------------------------------------


def test_a_collector_sees_only_their_own_items(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    page = _json(agent.client.get("/api/v1/queue"))
    assert [i["item_id"] for i in page["items"]] == [seeded.item]
    assert page["total"] == 1
    first = page["items"][0]
    assert first["dpd"] == 47
    assert first["overdue"] == "2132.38"
    assert first["band"] == "C"
    assert first["reason"] == {
        "code": "R-MAX_DPD_6M",
        "en": "Worst days past due in six months",
        "zh": "近六个月最长逾期天数",
    }
    assert agent.client.get(f"/api/v1/queue/items/{seeded.other_item}").status_code == 404


def test_a_team_lead_sees_every_item_in_rank_order(core: App, seeded: Seeded) -> None:
    lead = sign_in(core, "acme", "lead")
    page = _json(lead.client.get("/api/v1/queue", params={"per_page": 1}))
    assert page["total"] == 2
    assert [i["item_id"] for i in page["items"]] == [seeded.item]  # priority 900 first
    assert page["links"]["next"] is not None
    second = _json(lead.client.get(page["links"]["next"]))
    assert [i["item_id"] for i in second["items"]] == [seeded.other_item]
    assert _json(lead.client.get(f"/api/v1/queue/items/{seeded.other_item}"))["account_id"] == "L2"


def test_a_user_who_is_no_collector_has_an_empty_queue(core: App, seeded: Seeded) -> None:
    everyone = sign_in(core, "beta", "agent")  # no collector record on beta
    assert _json(everyone.client.get("/api/v1/queue"))["total"] == 0


def test_a_collector_record_added_for_a_user_counts_at_once(core: App, seeded: Seeded) -> None:
    at = CLOCK.now()
    add_user(
        uow=core.uow(), platform="acme", username="newcomer", roles=["collector"], by="admin", at=at
    )
    with core.uow() as uow:
        users = uow.users("acme")
        found = users.by_name("newcomer")
        assert found is not None
        users.set_password_hash(found.user_id, PASSWORD_HASH)
        uow.commit()
    newcomer = sign_in(core, "acme", "newcomer")  # a collector with no collector record yet
    assert _json(newcomer.client.get("/api/v1/queue"))["total"] == 0
    added = build_collector(
        collector_id="newcomer",
        name="Newcomer",
        team="east",
        jurisdictions=["CN"],
        queues=["*"],
        daily_capacity=50,
    )
    add_collectors(uow=core.uow(), platform="acme", collectors=[added], by="admin", clock=CLOCK)
    reassign_item(
        uow=core.uow(), platform="acme", item_id=seeded.item, to="newcomer", by="lead", clock=CLOCK
    )
    # Their scope is read again (a missing record is not kept): no wait before they work.
    assert newcomer.client.get(f"/api/v1/queue/items/{seeded.item}").status_code == 200
    assert _json(newcomer.client.get("/api/v1/queue"))["total"] == 1


@pytest.mark.parametrize("user", ["manager", "cco", "auditor", "admin"])
def test_roles_without_queue_work_may_not_use_the_queue(core: App, user: str) -> None:
    answer = sign_in(core, "acme", user).client.get("/api/v1/queue")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_a_bad_state_filter_is_answered_in_both_languages(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    for language, words in (("en", "unknown item state"), ("zh", "未知的工单状态")):
        answer = agent.client.get(
            "/api/v1/queue", params={"state": "lost"}, headers={"Accept-Language": language}
        )
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "validation_error"
        assert words in answer.json()["error"]["message"]


# --- may I call now? -------------------------------------------------------------------------


def test_the_call_check_allows_a_call_at_eleven_in_shanghai(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    verdict = _json(agent.client.get(f"/api/v1/queue/items/{seeded.item}/call-check"))
    assert verdict["allowed"] is True
    assert verdict["packs"] == ["CN"]
    assert verdict["rule_ids"] == []
    assert verdict["earliest_allowed"] is None


def test_the_call_check_at_night_names_the_rule_and_the_next_time(
    core: App, seeded: Seeded
) -> None:
    night = FixedClock(datetime(2026, 6, 1, 14, 30, tzinfo=UTC))  # 22:30 in Shanghai
    client = TestClient(create_app(core, clock=night, secure_cookies=False))
    session = _signed(client, "agent")
    verdict = _json(session.client.get(f"/api/v1/queue/items/{seeded.item}/call-check"))
    assert verdict["allowed"] is False
    assert verdict["rule_ids"]
    assert all(r.startswith("CN-") for r in verdict["rule_ids"])
    assert verdict["reasons"][0]["zh"]
    assert verdict["reasons"][0]["en"]
    local = verdict["earliest_allowed_local"][0]
    assert local["zone"] == "Asia/Shanghai"
    assert local["at"].startswith("2026-06-02T08:00")


def test_a_hold_denies_the_call_with_no_next_time(core: App, seeded: Seeded) -> None:
    add_hold(
        uow=core.uow(),
        platform="acme",
        borrower_id="B1",
        kind=HoldKind.DISPUTE,
        reason="disputed in writing",
        by="cco",
        start=datetime(2026, 5, 1, tzinfo=UTC),
    )
    agent = sign_in(core, "acme", "agent")
    verdict = _json(agent.client.get(f"/api/v1/queue/items/{seeded.item}/call-check"))
    assert verdict["allowed"] is False
    assert verdict["earliest_allowed"] is None
    answer = agent.post(f"/api/v1/queue/items/{seeded.item}/calls")
    assert answer.status_code == 409  # type: ignore[attr-defined]
    assert answer.json()["error"]["code"] == "contact_denied"  # type: ignore[attr-defined]


def _signed(client: TestClient, username: str) -> Session:
    from tests.web.conftest import PASSWORD

    answer = client.post(
        "/api/v1/session", json={"platform": "acme", "username": username, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return Session(client, answer.json()["csrf_token"])


# --- a call and its outcome ------------------------------------------------------------------


def test_a_call_started_then_a_promise_logged(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    started = _json(agent.post(f"/api/v1/queue/items/{seeded.item}/calls"))
    assert started["verdict"]["allowed"] is True
    logged = _json(
        agent.post(
            f"/api/v1/queue/items/{seeded.item}/outcome",
            json={
                "outcome": "promise",
                "attempt_id": started["attempt_id"],
                "promise_amount": "1066.19",
                "promise_date": "2026-06-05",
            },
        )
    )
    assert logged["ledger_outcome"] == "conversation"
    assert logged["ledger_result"] == "promise_to_pay"
    assert logged["promise"]["amount"] == "1066.19"
    assert logged["promise"]["due"] == "2026-06-05"
    assert logged["holds_raised"] == []
    item = _json(agent.client.get(f"/api/v1/queue/items/{seeded.item}"))
    assert item["state"] == "done"
    again = agent.post(f"/api/v1/queue/items/{seeded.item}/outcome", json={"outcome": "reached"})
    assert again.status_code == 409  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("outcome", "kind", "debt"),
    [
        ("dispute", "dispute", "L1"),
        ("complaint", "complaint_under_investigation", None),
        ("cease_contact", "cease_contact", None),
    ],
)
def test_an_outcome_that_calls_for_a_hold_raises_it(
    core: App, seeded: Seeded, outcome: str, kind: str, debt: str | None
) -> None:
    agent = sign_in(core, "acme", "agent")
    logged = _json(
        agent.post(f"/api/v1/queue/items/{seeded.item}/outcome", json={"outcome": outcome})
    )
    [hold] = logged["holds_raised"]
    assert hold["kind"] == kind
    assert hold["debt_id"] == debt
    stored = list_holds(uow=core.uow(), platform="acme", borrower_id="B1")
    assert [h.kind for h in stored.holds] == [kind]
    verdict = _json(agent.client.get("/api/v1/queue", params={"state": "done"}))
    assert verdict["total"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "promise"},
        {"outcome": "reached", "promise_amount": "10.00", "promise_date": "2026-06-05"},
        {"outcome": "promise", "promise_amount": "10.00", "promise_date": "2026-05-01"},
        {"outcome": "promise", "promise_amount": "10.001", "promise_date": "2026-06-05"},
        {"outcome": "sang a song"},
    ],
)
def test_a_bad_outcome_changes_nothing_and_says_why(
    core: App, seeded: Seeded, body: dict[str, str]
) -> None:
    agent = sign_in(core, "acme", "agent")
    for language in ("en", "zh"):
        answer = agent.post(
            f"/api/v1/queue/items/{seeded.item}/outcome",
            json=body,
            headers={"Accept-Language": language},
        )
        error = answer.json()["error"]  # type: ignore[attr-defined]
        assert answer.status_code in (400, 422), error  # type: ignore[attr-defined]
        assert error["code"] in ("validation_error", "request_invalid")
        assert error["message"] == (error["zh"] if language == "zh" else error["en"])
    assert _json(agent.client.get(f"/api/v1/queue/items/{seeded.item}"))["state"] == "assigned"


def test_another_collectors_item_cannot_be_worked(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    for path in ("calls", "outcome", "plan-offers"):
        answer = agent.post(
            f"/api/v1/queue/items/{seeded.other_item}/{path}",
            json={"outcome": "reached"} if path == "outcome" else {"option_id": "x"},
        )
        assert answer.status_code == 404, path  # type: ignore[attr-defined]


# --- plan options ----------------------------------------------------------------------------


def test_plan_options_are_marked_within_the_collectors_limit_or_not(
    core: App, seeded: Seeded
) -> None:
    agent = sign_in(core, "acme", "agent")
    found = _json(agent.client.get(f"/api/v1/queue/items/{seeded.item}/plan-options"))
    assert found["application_id"] == "A1"
    assert found["options"]
    for option in found["options"]:
        role = option["option"]["approval"]
        assert option["within_limit"] is (role == "system")
        assert option["needs_approval_by"] == (None if role == "system" else role)
    mine = next(o for o in found["options"] if o["within_limit"])
    plan = _json(
        agent.post(
            f"/api/v1/queue/items/{seeded.item}/plan-offers",
            json={"option_id": mine["option"]["option_id"]},
        )
    )
    assert plan["approval"]["required_role"] == "system"
    assert plan["approval"]["approved_by"] == "system"


def test_an_option_above_the_limit_waits_for_the_team_lead(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    found = _json(agent.client.get(f"/api/v1/queue/items/{seeded.item}/plan-options"))
    above = [o for o in found["options"] if not o["within_limit"]]
    if not above:
        pytest.skip("the engine offered nothing above the automatic limit here")
    plan = _json(
        agent.post(
            f"/api/v1/queue/items/{seeded.item}/plan-offers",
            json={"option_id": above[0]["option"]["option_id"]},
        )
    )
    assert plan["status"] == "offered"
    assert plan["approval"]["approved_by"] is None
    assert plan["approval"]["required_role"] == above[0]["needs_approval_by"]


# --- the message checker ---------------------------------------------------------------------


def test_the_message_checker_blocks_a_threat_and_passes_a_plain_reminder(core: App) -> None:
    agent = sign_in(core, "acme", "agent")
    bad = _json(
        agent.post("/api/v1/queue/message-check", json={"text": "再不还钱就去你单位闹，通知你家人"})
    )
    assert bad["blocking"] is True
    assert bad["findings"]
    good = _json(
        agent.post(
            "/api/v1/queue/message-check",
            json={"text": "您好，您的借款本期应还 1066.19 元，如有困难可申请还款方案。"},
        )
    )
    assert good["blocking"] is False
    assert good["findings"] == []


def test_the_message_checker_needs_the_csrf_token_from_a_browser(core: App) -> None:
    agent = sign_in(core, "acme", "agent")
    answer = agent.client.post("/api/v1/queue/message-check", json={"text": "hello"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf_refused"


# --- the borrower 360 ------------------------------------------------------------------------


def test_the_360_shows_loans_history_promises_and_masks_pii(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    view = _json(agent.client.get("/api/v1/borrowers/B1"))
    assert view["masked"] is True
    assert NAME not in str(view)
    assert NATIONAL_ID not in str(view)
    assert PHONE not in str(view)
    [loan] = view["loans"]
    assert loan["loan_id"] == "L1"
    assert loan["schedule"]["reason"] == "contract"
    assert loan["standing"]["dpd"] > 0
    assert loan["standing"]["bucket"] != "M0"
    assert [d["as_of"] for d in loan["history"]] == ["2026-05-30", "2026-05-31"]
    assert loan["score"]["source"] == "queue_item"
    assert loan["score"]["band"] == "C"
    assert loan["applications"][0]["status"] == "under_review"
    assert [p["payment_id"] for p in loan["payments"]] == ["P1"]
    assert view["time_zones"] == ["Asia/Shanghai"]


def test_a_compliance_officer_sees_the_360_unmasked(core: App, seeded: Seeded) -> None:
    view = _json(sign_in(core, "acme", "cco").client.get("/api/v1/borrowers/B2"))
    assert view["masked"] is False
    assert view["name"] == NAME
    assert view["national_id"] == NATIONAL_ID
    assert view["phones"] == [PHONE]


def test_the_360_and_the_queue_are_read_without_a_transaction_around_them(
    core: App, seeded: Seeded
) -> None:
    """Read routes use the autocommit unit of work: no BEGIN and ROLLBACK round trips."""
    lead = sign_in(core, "acme", "lead")
    levels: list[str | None] = []

    def seen(conn: Connection, *_args: object) -> None:
        levels.append(conn.get_execution_options().get("isolation_level"))

    event.listen(core.engine, "before_cursor_execute", seen)
    try:
        _json(lead.client.get("/api/v1/borrowers/B2"))
        _json(lead.client.get("/api/v1/queue"))
    finally:
        event.remove(core.engine, "before_cursor_execute", seen)
    assert len(levels) >= 12  # the session check, the 360's reads, the queue's
    assert set(levels) == {"AUTOCOMMIT"}


def test_a_collector_sees_only_the_borrowers_of_their_queue(core: App, seeded: Seeded) -> None:
    agent = sign_in(core, "acme", "agent")
    assert agent.client.get("/api/v1/borrowers/B2").status_code == 404
    assert agent.client.get("/api/v1/borrowers/NOPE").status_code == 404
    assert sign_in(core, "acme", "lead").client.get("/api/v1/borrowers/B2").status_code == 200


def test_the_admin_may_not_read_a_borrower(core: App, seeded: Seeded) -> None:
    answer = sign_in(core, "acme", "admin").client.get("/api/v1/borrowers/B1")
    assert answer.status_code == 403
