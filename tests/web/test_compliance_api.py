"""The compliance officer's API through the real app and database: packs, denials, holds."""

from __future__ import annotations

from datetime import date

from tests.web.conftest import sign_in
from tideover.bootstrap import App

PHONE = "13800138000"


def _denials(core: App, platform: str, as_of: date, rows: dict[tuple[str, str], int]) -> None:
    """Stores the ``denied`` KPI figures of a date, as the daily cycle writes them."""
    with core.uow() as uow:
        uow.cycle(platform).replace_kpis(
            as_of,
            [
                {
                    "segment": segment,
                    "arm": "champion",
                    "metric": "denied",
                    "key": rule,
                    "accounts": n,
                    "amount_minor": 0,
                    "base_accounts": None,
                    "base_amount_minor": None,
                    "currency": "CNY",
                }
                for (segment, rule), n in rows.items()
            ],
        )
        uow.commit()


def test_the_packs_are_listed_with_the_platforms_own_marked(core: App) -> None:
    cco = sign_in(core, "acme", "cco")
    answer = cco.client.get("/api/v1/compliance/packs?per_page=50")
    assert answer.status_code == 200, answer.text
    packs = {p["pack"]: p for p in answer.json()["items"]}
    assert packs["CN"]["home"] is True  # acme keeps its books in CNY: Chinese law
    assert packs["US"]["home"] is False
    assert all(p["version"].startswith("sha256:") and p["rules"] > 0 for p in packs.values())


def test_every_rule_of_a_pack_comes_with_its_legal_source(core: App) -> None:
    auditor = sign_in(core, "acme", "auditor")
    answer = auditor.client.get("/api/v1/compliance/rules?pack=cn&per_page=200")
    assert answer.status_code == 200, answer.text
    rules = answer.json()["items"]
    assert answer.json()["total"] == len(rules) > 5
    for rule in rules:
        assert rule["id"].startswith("CN-")
        assert rule["title_zh"]
        assert rule["title_en"]
        assert rule["sources"]
        assert all(s["document"] and s["article"] for s in rule["sources"])


def test_an_unknown_pack_is_not_found_in_the_readers_language(core: App) -> None:
    cco = sign_in(core, "acme", "cco")
    answer = cco.client.get(
        "/api/v1/compliance/rules?pack=XX", headers={"Accept-Language": "zh-CN"}
    )
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert error["code"] == "not_found"
    assert error["message"] == error["zh"]
    assert "规则包" in error["zh"]


def test_denials_are_summed_by_rule_and_day_over_segments_and_arms(core: App) -> None:
    _denials(core, "acme", date(2026, 5, 30), {("early", "CN-HOURS"): 3, ("late", "CN-HOURS"): 2})
    _denials(core, "acme", date(2026, 5, 31), {("early", "CN-FREQ-ATTEMPTS"): 4})
    _denials(core, "beta", date(2026, 5, 31), {("early", "CN-HOURS"): 99})
    cco = sign_in(core, "acme", "cco")
    answer = cco.client.get("/api/v1/compliance/denials?from=2026-05-01&to=2026-05-31")
    assert answer.status_code == 200, answer.text
    rows = [(r["as_of"], r["rule_id"], r["denied"]) for r in answer.json()["items"]]
    assert rows == [("2026-05-30", "CN-HOURS", 5), ("2026-05-31", "CN-FREQ-ATTEMPTS", 4)]
    default = cco.client.get("/api/v1/compliance/denials")  # the 30 days to the business date
    assert default.json()["total"] == 2


def test_a_reversed_date_range_is_refused_with_a_code_in_both_languages(core: App) -> None:
    lead = sign_in(core, "acme", "lead")
    answer = lead.client.get(
        "/api/v1/compliance/denials?from=2026-05-31&to=2026-05-01",
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == error["en"]
    assert "before" in error["en"]
    assert "早于" in error["zh"]
    not_a_date = lead.client.get("/api/v1/compliance/denials?from=yesterday")
    assert not_a_date.status_code == 422
    assert not_a_date.json()["error"]["code"] == "request_invalid"


def test_a_hold_is_added_listed_masked_and_lifted(core: App) -> None:
    cco = sign_in(core, "acme", "cco")
    added = cco.post(
        "/api/v1/compliance/holds",
        json={
            "borrower_id": "B0001",
            "kind": "dispute",
            "debt_id": "L0001",
            "reason": f"borrower disputes the amount by phone {PHONE}",
        },
    )
    assert added.status_code == 201, added.text
    hold = added.json()
    assert hold["in_force"] is True
    assert hold["audit_seq"] > 0
    mine = cco.client.get("/api/v1/compliance/holds?kind=dispute").json()["items"]
    assert [h["hold_id"] for h in mine] == [hold["hold_id"]]
    assert PHONE in mine[0]["reason"]  # the compliance officer may read personal data
    auditor = sign_in(core, "acme", "auditor")
    seen = auditor.client.get("/api/v1/compliance/holds").json()["items"]
    assert PHONE not in seen[0]["reason"]
    assert "138" in seen[0]["reason"]
    assert (
        cco.client.get("/api/v1/compliance/holds?kind=complaint_under_investigation").json()[
            "total"
        ]
        == 0
    )
    lifted = cco.post(
        f"/api/v1/compliance/holds/{hold['hold_id']}/lift", json={"reason": "resolved"}
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["holds"][0]["lifted_by"] == "cco"
    assert cco.client.get("/api/v1/compliance/holds").json()["total"] == 0
    ended = cco.client.get("/api/v1/compliance/holds?include_ended=true").json()["items"]
    assert ended[0]["lift_reason"] == "resolved"
    assert ended[0]["in_force"] is False
    again = cco.post(f"/api/v1/compliance/holds/{hold['hold_id']}/lift", json={"reason": "x"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


def test_a_bad_hold_is_refused_field_by_field(core: App) -> None:
    cco = sign_in(core, "acme", "cco")
    answer = cco.post(
        "/api/v1/compliance/holds",
        json={"borrower_id": "", "kind": "holiday", "reason": "x"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "request_invalid"
    assert {d["field"] for d in error["details"]} == {"borrower_id", "kind"}
    assert error["message"].startswith("请求内容无效")


def test_a_team_lead_reads_holds_but_may_not_add_one(core: App) -> None:
    lead = sign_in(core, "acme", "lead")
    assert lead.client.get("/api/v1/compliance/holds").status_code == 200
    answer = lead.post(
        "/api/v1/compliance/holds",
        json={"borrower_id": "B0001", "kind": "cease_contact", "reason": "asked in writing"},
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
