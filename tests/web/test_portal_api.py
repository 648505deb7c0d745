"""``/api/v1/borrower`` on both databases: what I owe, how to pay, rights, requests, settings.

The hardship path (apply, options, choose, accept) is in ``test_portal_plans.py``.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from tests.web.conftest import CLOCK, Session
from tests.web.portal_support import SECRET_PRODUCT, api_sign_in
from tideover.bootstrap import App
from tideover.compliance.loader import load_pack
from tideover.domain.allocation import Component
from tideover.domain.errors import ValidationError
from tideover.domain.platforms import PlatformSettings, RepaymentAccount
from tideover.services.platforms import settings_of
from tideover.services.portal.rights import pack_for, routes_of
from tideover.services.portfolio.positions import portfolio_delinquency


@pytest.fixture
def b1(core: App, tmp_path: Path) -> Session:
    return api_sign_in(core, tmp_path, "B1")


def _settings(core: App, **changes: object) -> None:
    with core.uow() as uow:
        settings = replace(settings_of(uow, "acme"), **changes)  # type: ignore[arg-type]
        uow.platforms.ensure("acme", name="Acme", currency="CNY", settings=settings.to_dict())
        uow.commit()


def test_what_i_owe_is_what_the_daily_cycle_computes(core: App, b1: Session) -> None:
    answer = b1.client.get("/api/v1/borrower/loans")
    assert answer.status_code == 200
    [owed] = answer.json()["items"]
    with core.uow() as uow:
        settings = settings_of(uow, "acme")
        cycle = portfolio_delinquency(uow, "acme", CLOCK.now().date(), settings)
    status = cycle.statuses[cycle.loan_ids.index("L1")]
    assert owed["loan_id"] == "L1"
    assert owed["dpd"] == status.dpd == 92  # 2026-03-01, the oldest unpaid due, to 2026-06-01
    assert owed["oldest_unpaid_due"] == "2026-03-01"
    for component in Component:
        assert Decimal(owed["overdue"][component.value]) == status.overdue[component].amount
    assert Decimal(owed["outstanding"]["principal"]) == status.outstanding_principal.amount
    assert Decimal(owed["overdue"]["penalty"]) > 0  # late interest since March
    assert owed["installments_overdue"] == 3
    assert owed["next_due"] == {"due_date": "2026-06-01", "amount": "1066.19"}
    assert owed["schedule"] == "contract"
    assert owed["holds"] == []


def test_my_schedule_adds_up_to_the_loan(b1: Session) -> None:
    answer = b1.client.get("/api/v1/borrower/loans/L1")
    assert answer.status_code == 200
    loan = answer.json()
    rows = loan["installments"]
    assert len(rows) == 12
    assert sum(Decimal(r["due"]["principal"]) for r in rows) == Decimal("12000.00")
    assert [r["state"] for r in rows[:7]] == ["paid"] * 2 + ["overdue"] * 3 + [
        "due_today",
        "upcoming",
    ]
    assert [r["days_overdue"] for r in rows[2:5]] == [92, 61, 31]
    assert sum(Decimal(r["outstanding"]) for r in rows) == Decimal(loan["outstanding"]["total"])
    assert sum(Decimal(r["paid"]) for r in rows) == Decimal("2132.38")  # two installments
    assert loan["product"] == SECRET_PRODUCT


def test_a_borrower_sees_only_their_own_loans(core: App, tmp_path: Path) -> None:
    b2 = api_sign_in(core, tmp_path, "B2")
    listed = b2.client.get("/api/v1/borrower/loans").json()
    assert [loan["loan_id"] for loan in listed["items"]] == ["L2"]
    assert SECRET_PRODUCT not in b2.client.get("/api/v1/borrower/loans").text
    b3 = api_sign_in(core, tmp_path, "B3")
    assert b3.client.get("/api/v1/borrower/loans").json()["total"] == 0


def test_lists_are_pages(b1: Session) -> None:
    for kind in ("stop_contact", "complaint"):
        made = b1.post("/api/v1/borrower/requests", json={"request": kind})
        assert made.status_code == 201
    page = b1.client.get("/api/v1/borrower/requests?per_page=1").json()
    assert page["total"] == 2
    assert len(page["items"]) == 1
    assert page["links"]["next"] is not None
    assert page["links"]["prev"] is None
    second = b1.client.get(page["links"]["next"]).json()
    assert second["items"][0]["hold_id"] != page["items"][0]["hold_id"]


def test_me_is_masked(b1: Session) -> None:
    me = b1.client.get("/api/v1/borrower/me").json()
    assert me == {
        "borrower_id": "B1",
        "name": "王**",
        "phones": ["+86 138****8001"],
        "language": "zh-CN",
        "channel": None,
    }


def test_how_to_pay_shows_the_platforms_accounts_verbatim(core: App, b1: Session) -> None:
    empty = b1.client.get("/api/v1/borrower/payment").json()
    assert empty == {"accounts": [], "published": False}
    account = RepaymentAccount(
        payee="Acme Consumer Finance Co., Ltd. 艾克米消费金融有限公司",
        bank="中国工商银行 上海分行",
        account="1001 2345 6789 0000 123",
        note="Write your loan number as the reference / 附言请填写借据号",
    )
    _settings(core, repayment_accounts=(account,))
    shown = b1.client.get("/api/v1/borrower/payment").json()
    assert shown == {"accounts": [account.to_dict()], "published": True}


def test_repayment_accounts_are_checked_and_kept_with_the_settings() -> None:
    account = RepaymentAccount(payee="Acme", bank="ICBC", account="123")
    settings = PlatformSettings(repayment_accounts=(account,))
    again = PlatformSettings.from_dict(settings.to_dict())
    assert again.repayment_accounts == (account,)
    assert "repayment_accounts" not in PlatformSettings().to_dict()  # stored settings unchanged
    for bad in (
        {"payee": "", "bank": "ICBC", "account": "1"},
        {"payee": "A", "bank": "ICBC"},
        {"payee": "A", "bank": "ICBC", "account": "1", "iban_of_my_cousin": "x"},
        "ICBC 123",
    ):
        with pytest.raises(ValidationError):
            PlatformSettings.from_dict({"repayment_accounts": [bad]})
    with pytest.raises(ValidationError):
        PlatformSettings(repayment_accounts=(account,) * 11)


def test_my_rights_are_the_jurisdictions_routes_with_sources(core: App, b1: Session) -> None:
    rights = b1.client.get("/api/v1/borrower/rights").json()
    assert rights["jurisdiction"] == "CN"
    assert rights["pack"] == "CN"
    assert rights["interim"] is True
    topics = {r["topic"]: [rule["rule_id"] for rule in r["rules"]] for r in rights["routes"]}
    assert topics == {
        "dispute": ["CN-BASE-HOLD"],
        "stop_contact": ["CN-BASE-HOLD", "CN-BASE-OPTOUT"],
        "complaint": ["CN-BASE-HOLD"],
        "hardship": ["CN-RESTRUCTURE"],
        "payment": ["CN-PAY-CHANNEL"],
    }
    payment = rights["routes"][-1]["rules"][0]
    assert payment["sources"] == [
        {"document": "NIFA 互联网金融逾期债务催收自律公约(试行) (2018)", "article": "Art. 19"}
    ]
    _settings(core, jurisdiction="JP")  # a country Tideover has no pack for
    unknown = b1.client.get("/api/v1/borrower/rights").json()
    assert unknown["pack"] is None
    assert unknown["routes"] == []


def test_the_uk_routes_cite_the_fca_rules() -> None:
    routes = {r.topic: r for r in routes_of(load_pack("UK"))}
    dispute = [rule.rule_id for rule in routes["dispute"].rules]
    assert dispute == ["UK-DISP"]
    assert routes["dispute"].rules[0].sources[0].article == "7.14.1R"
    assert [rule.rule_id for rule in routes["hardship"].rules] == ["UK-FORB"]
    assert "UK-HOW" in [rule.rule_id for rule in routes["stop_contact"].rules]
    assert pack_for("US-CA") == "US"
    assert pack_for("US-MA") == "US-MA"
    assert pack_for("JP") is None


def test_asking_to_stop_contact_puts_a_hold_on_every_loan(core: App, b1: Session) -> None:
    made = b1.post(
        "/api/v1/borrower/requests", json={"request": "stop_contact", "note": "请别打了"}
    )
    assert made.status_code == 201
    recorded = made.json()
    assert recorded["already_in_force"] is False
    assert recorded["hold"]["kind"] == "cease_contact"
    assert recorded["hold"]["loan_id"] is None
    assert recorded["hold"]["asked_by_you"] is True
    again = b1.post("/api/v1/borrower/requests", json={"request": "stop_contact"}).json()
    assert again["already_in_force"] is True
    assert again["hold"]["hold_id"] == recorded["hold"]["hold_id"]
    loans = b1.client.get("/api/v1/borrower/loans").json()["items"]
    assert loans[0]["holds"] == ["cease_contact"]
    with core.uow() as uow:
        records = [r for r in uow.audit("acme").records() if r.kind == "hold_added"]
        holds = uow.holds("acme").for_borrower("B1")
    assert len(records) == 1
    assert records[0].payload["raised_by"] == "borrower:B1 (portal)"
    assert holds[0].reason.endswith("请别打了")


def test_a_dispute_stops_collection_of_one_of_my_loans(b1: Session) -> None:
    for language, words in (("zh_CN", "请选择您有争议的借据"), ("en", "choose the loan")):
        b1.client.cookies.set("tideover_lang", language)
        missing = b1.post("/api/v1/borrower/requests", json={"request": "dispute"})
        assert missing.status_code == 400
        assert missing.json()["error"]["code"] == "validation_error"
        assert words in missing.json()["error"]["message"]
    others = b1.post("/api/v1/borrower/requests", json={"request": "dispute", "loan_id": "L2"})
    assert others.status_code == 404
    made = b1.post(
        "/api/v1/borrower/requests",
        json={"request": "dispute", "loan_id": "L1", "note": "I repaid this in cash"},
    )
    assert made.status_code == 201
    assert made.json()["hold"] == {
        **made.json()["hold"],
        "kind": "dispute",
        "loan_id": "L1",
    }
    complaint = b1.post("/api/v1/borrower/requests", json={"request": "complaint"}).json()
    assert complaint["hold"]["kind"] == "complaint_under_investigation"
    kinds = {h["kind"] for h in b1.client.get("/api/v1/borrower/requests").json()["items"]}
    assert kinds == {"dispute", "complaint_under_investigation"}


def test_bad_input_is_answered_with_a_code_in_the_readers_language(b1: Session) -> None:
    for language, words in (("zh_CN", "请求内容无效"), ("en", "the request is not valid")):
        b1.client.cookies.set("tideover_lang", language)
        answer = b1.post("/api/v1/borrower/requests", json={"request": "sue_them"})
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "request_invalid"
        assert words in answer.json()["error"]["message"]
        long = b1.post(
            "/api/v1/borrower/requests", json={"request": "complaint", "note": "x" * 401}
        )
        assert long.status_code == 422


def test_changes_need_the_csrf_token(b1: Session) -> None:
    answer = b1.client.post("/api/v1/borrower/requests", json={"request": "complaint"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf_refused"


def test_language_and_channel_are_kept_with_the_borrower(core: App, b1: Session) -> None:
    saved = b1.client.put(
        "/api/v1/borrower/preferences",
        json={"language": "en", "channel": "email"},
        headers={"X-CSRF-Token": b1.csrf},
    )
    assert saved.status_code == 200
    assert b1.client.get("/api/v1/borrower/preferences").json() == {
        "language": "en",
        "channel": "email",
    }
    assert b1.client.get("/api/v1/borrower/me").json()["channel"] == "email"
    with core.uow() as uow:
        borrower = uow.borrowers("acme").get("B1")
        kinds = [r.kind for r in uow.audit("acme").records()]
    assert borrower is not None
    assert borrower.locale == "en"
    assert borrower.attributes == {"preferred_channel": "email"}
    assert "borrower_preferences_set" in kinds
    bad = b1.client.put(
        "/api/v1/borrower/preferences",
        json={"language": "fr", "channel": "pigeon"},
        headers={"X-CSRF-Token": b1.csrf},
    )
    assert bad.status_code == 422


def test_the_api_is_typed_in_the_openapi(b1: Session) -> None:
    schema = b1.client.get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/borrower/")]
    assert len(paths) == 15
    for path in paths:
        for operation in schema["paths"][path].values():
            for status, answer in operation["responses"].items():
                if status.startswith("2") and status != "204":
                    assert "$ref" in answer["content"]["application/json"]["schema"], path
