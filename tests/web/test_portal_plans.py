"""The borrower's hardship path through ``/api/v1/borrower``: apply with evidence (bounded),
see the affordable options, choose one, accept it once it is approved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.web.conftest import CLOCK, Session
from tests.web.portal_support import api_sign_in
from tideover.bootstrap import App
from tideover.services.plans.hardship import Upload
from tideover.services.plans.relief import approve_plan
from tideover.services.portal.relief import MAX_FILE_NAME, MAX_UPLOADS, named

PDF = b"%PDF-1.4 payslip for May"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FORM = {
    "loan_id": "L1",
    "reason": "income_reduction",
    "description": "My shop lost half its customers.",
    "expected_duration_months": "6",
    "income_earnings": "6000",
    "expense_home_and_contents": "1500",
    "expense_food_and_housekeeping": "1500",
    "expense_utilities": "",
}


@pytest.fixture
def b1(core: App, tmp_path: Path) -> Session:
    return api_sign_in(core, tmp_path, "B1")


def _apply(b1: Session, **changes: Any) -> Any:
    files = changes.pop("files", [("evidence", ("slip.pdf", PDF, "application/pdf"))])
    types = changes.pop("types", ["payslip"])
    return b1.post(
        "/api/v1/borrower/applications",
        data={**FORM, **changes, "evidence_type": types},
        files=files,
    )


def _options(b1: Session, application_id: str) -> list[dict[str, Any]]:
    answer = b1.client.get(f"/api/v1/borrower/applications/{application_id}/options?per_page=50")
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_apply_see_the_affordable_options_choose_and_accept(core: App, b1: Session) -> None:
    applied = _apply(b1)
    assert applied.status_code == 201, applied.text
    application = applied.json()
    assert application["status"] == "submitted"
    assert application["may_choose"] is True
    assert application["evidence"] == [
        {
            "document_type": "payslip",
            "file_name": "slip.pdf",
            "media_type": "application/pdf",
            "size_bytes": len(PDF),
        }
    ]
    options = _options(b1, application["application_id"])
    assert options
    assert [o["rank"] for o in options] == sorted(o["rank"] for o in options)
    assert all("npv" not in o for o in options)  # the lender's valuation is not shown
    automatic = next(o for o in options if o["needs_approval_by"] is None)
    chosen = b1.post(
        f"/api/v1/borrower/applications/{application['application_id']}/choice",
        json={"option_id": automatic["option_id"]},
    )
    assert chosen.status_code == 201, chosen.text
    plan = chosen.json()
    assert plan["status"] == "offered"
    assert plan["approved"] is True
    assert plan["awaiting_approval_by"] is None
    assert plan["may_accept"] is True
    assert plan["monthly_payment"] == automatic["monthly_payment"]
    etag = chosen.headers["ETag"]
    assert b1.client.get(f"/api/v1/borrower/plans/{plan['plan_id']}").headers["ETag"] == etag
    stale = b1.post(
        f"/api/v1/borrower/plans/{plan['plan_id']}/accept", headers={"If-Match": '"stale"'}
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    accepted = b1.post(
        f"/api/v1/borrower/plans/{plan['plan_id']}/accept", headers={"If-Match": etag}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "active"
    assert accepted.headers["ETag"] != etag
    loan = b1.client.get("/api/v1/borrower/loans/L1").json()
    assert loan["schedule"] == f"plan {automatic['option_id']}"
    assert loan["plan_id"] == plan["plan_id"]
    assert loan["plan_status"] == "active"
    assert loan["dpd"] == 0  # the plan starts today: nothing of it is overdue
    decided = b1.client.get(f"/api/v1/borrower/applications/{application['application_id']}")
    assert decided.json()["status"] == "decided"
    assert decided.json()["outcome"] == "approved"
    assert decided.json()["may_choose"] is False
    again = b1.client.get(f"/api/v1/borrower/applications/{application['application_id']}/options")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"
    with core.uow() as uow:
        records = [r for r in uow.audit("acme").records() if r.kind.startswith(("plan_", "hard"))]
    assert [r.kind for r in records] == [
        "hardship_submitted",
        "hardship_review",
        "plan_offered",
        "plan_approved",
        "hardship_approved",
        "plan_accepted",
    ]
    assert records[-1].payload["by"] == "borrower:B1 (portal)"


def test_a_plan_that_needs_approval_says_who_must_approve_it(core: App, b1: Session) -> None:
    application_id = _apply(b1).json()["application_id"]
    needs = next(o for o in _options(b1, application_id) if o["needs_approval_by"] == "team_lead")
    plan = b1.post(
        f"/api/v1/borrower/applications/{application_id}/choice",
        json={"option_id": needs["option_id"]},
    ).json()
    assert plan["approved"] is False
    assert plan["awaiting_approval_by"] == "team_lead"
    assert plan["may_accept"] is False
    for language, words in (("zh_CN", "尚待"), ("en", "awaits approval")):
        b1.client.cookies.set("tideover_lang", language)
        refused = b1.post(f"/api/v1/borrower/plans/{plan['plan_id']}/accept")
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "invalid_transition"
        assert words in refused.json()["error"]["message"]
    approve_plan(
        uow=core.uow(),
        platform="acme",
        plan_id=plan["plan_id"],
        by="lead",
        role="team_lead",
        clock=CLOCK,
    )
    approved = b1.client.get(f"/api/v1/borrower/plans/{plan['plan_id']}")
    assert approved.json()["may_accept"] is True
    accepted = b1.post(
        f"/api/v1/borrower/plans/{plan['plan_id']}/accept",
        headers={"If-Match": approved.headers["ETag"]},
    )
    assert accepted.json()["status"] == "active"


def test_an_option_that_is_not_offered_cannot_be_chosen(b1: Session) -> None:
    application_id = _apply(b1).json()["application_id"]
    unknown = b1.post(
        f"/api/v1/borrower/applications/{application_id}/choice",
        json={"option_id": "settlement-1pct"},
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


def test_evidence_is_checked_by_its_signature_not_its_name(b1: Session) -> None:
    for language, words in (
        ("zh_CN", "不是 PDF、JPEG 或 PNG 文件"),
        ("en", "not a PDF, JPEG or PNG"),
    ):
        b1.client.cookies.set("tideover_lang", language)
        fake = _apply(
            b1, files=[("evidence", ("slip.pdf", b"MZ\x90\x00 an executable", "application/pdf"))]
        )
        assert fake.status_code == 400
        assert fake.json()["error"]["code"] == "evidence_rejected"
        assert words in fake.json()["error"]["message"]
    photo = _apply(
        b1, files=[("evidence", ("photo.pdf", PNG, "application/pdf"))], types=["bank_statement"]
    )
    assert photo.status_code == 201
    assert photo.json()["evidence"][0]["media_type"] == "image/png"  # what it is, not its name
    assert b1.client.get("/api/v1/borrower/applications").json()["total"] == 1


def test_evidence_is_bounded_in_number_and_size(b1: Session) -> None:
    six = [("evidence", (f"s{n}.pdf", PDF, "application/pdf")) for n in range(6)]
    too_many = _apply(b1, files=six, types=["payslip"] * 6)
    assert too_many.status_code == 400
    assert "at most 5 evidence files" in too_many.json()["error"]["message"]
    eleven = [("evidence", (f"s{n}.pdf", PDF, "application/pdf")) for n in range(11)]
    assert _apply(b1, files=eleven, types=["payslip"] * 11).status_code == 400  # not even read
    big = PDF + b"0" * (10 * 1024 * 1024)
    too_big = _apply(b1, files=[("evidence", ("big.pdf", big, "application/pdf"))])
    assert too_big.status_code == 400
    assert too_big.json()["error"]["code"] == "validation_error"
    huge = [
        ("evidence", (f"h{n}.pdf", big[: 9 * 1024 * 1024], "application/pdf")) for n in range(3)
    ]
    for language, words in (("zh_CN", "上传内容过大"), ("en", "the upload is too large")):
        b1.client.cookies.set("tideover_lang", language)
        too_much = _apply(b1, files=huge, types=["payslip"] * 3)
        assert too_much.status_code == 413
        assert too_much.json()["error"]["code"] == "too_large"
        assert words in too_much.json()["error"]["message"]
    untyped = _apply(b1, types=[])
    assert untyped.status_code == 400
    assert b1.client.get("/api/v1/borrower/applications").json()["total"] == 0


def test_an_upload_without_its_length_is_refused(b1: Session) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--x\r\nContent-Disposition: form-data; name="loan_id"\r\n\r\nL1\r\n--x--\r\n'

    answer = b1.client.post(
        "/api/v1/borrower/applications",
        content=chunks(),
        headers={"X-CSRF-Token": b1.csrf, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert answer.status_code == 411
    assert answer.json()["error"]["code"] == "length_required"


def test_a_form_with_bad_figures_is_refused_with_the_fields_named(b1: Session) -> None:
    for language, words in (("zh_CN", "请求内容无效"), ("en", "the request is not valid")):
        b1.client.cookies.set("tideover_lang", language)
        bad = _apply(b1, income_earnings="-5", reason="bored", preferred_payment_day="31")
        assert bad.status_code == 422
        error = bad.json()["error"]
        assert error["code"] == "request_invalid"
        assert words in error["message"]
        fields = {d["field"] for d in error["details"]}
        assert {"income_earnings", "reason", "preferred_payment_day"} <= fields


def test_an_application_for_someone_elses_loan_is_not_found(b1: Session) -> None:
    answer = _apply(b1, loan_id="L2")
    assert answer.status_code == 404
    assert "L2" not in answer.text


def test_the_owner_reaches_what_other_borrowers_cannot(b1: Session) -> None:
    application_id = _apply(b1).json()["application_id"]
    option = _options(b1, application_id)[0]["option_id"]
    plan_id = b1.post(
        f"/api/v1/borrower/applications/{application_id}/choice", json={"option_id": option}
    ).json()["plan_id"]
    for url in (
        "/api/v1/borrower/loans/L1",
        f"/api/v1/borrower/applications/{application_id}",
        f"/api/v1/borrower/plans/{plan_id}",
        "/borrower/loans/L1",
        f"/borrower/hardship/{application_id}",
    ):
        assert b1.client.get(url).status_code == 200, url


def test_evidence_file_names_are_reduced_to_safe_base_names(b1: Session) -> None:
    files = [
        ("evidence", ("../../etc/passwd.pdf", PDF, "application/pdf")),
        ("evidence", ("C:\\Users\\me\\slip.pdf", PDF, "application/pdf")),
        ("evidence", ("slip.pdf", PDF, "application/pdf")),
        ("evidence", ("<script>.png", PNG, "image/png")),
    ]
    answer = _apply(b1, files=files, types=["payslip"] * 4)
    assert answer.status_code == 201, answer.text
    names = {e["file_name"] for e in answer.json()["evidence"]}
    assert names == {"passwd.pdf", "slip.pdf", "3-slip.pdf", "_script_.png"}


@given(st.lists(st.text(max_size=300), max_size=MAX_UPLOADS))
def test_stored_file_names_are_short_plain_and_unique(names: list[str]) -> None:
    stored = [u.file_name for u in named([Upload("payslip", n, b"") for n in names])]
    assert len({n.lower() for n in stored}) == len(stored)
    for name in stored:
        assert 1 <= len(name) <= MAX_FILE_NAME
        assert re.fullmatch(r"[\w.\- ]+", name)
        assert not name.startswith(".")
