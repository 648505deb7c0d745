"""Hardship applications: validation (bad input is a clear error) and the review state machine."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from test_plans_helpers import SHA, application, application_data

from tideover.plans import (
    ApplicationRejected,
    EvidenceRejected,
    InvalidTransition,
    Region,
    cases,
    parse_application,
)
from tideover.plans.application import MAX_EVIDENCE_BYTES

AT = datetime(2025, 6, 20, 9, 0, tzinfo=UTC)


def test_a_good_application_parses_with_exact_amounts() -> None:
    app = application()
    assert app.income["benefits"] == Decimal("5200")  # type: ignore[index]
    assert app.resolved_region is Region.CN
    assert app.household_size == 2


def test_negative_income_is_refused_in_both_languages() -> None:
    with pytest.raises(ApplicationRejected) as caught:
        application(income={"earnings": "-100"})
    assert "income.earnings" in caught.value.en
    assert "不能小于 0" in caught.value.zh


def test_missing_fields_are_all_named() -> None:
    data = application_data()
    del data["reason"], data["income"]
    with pytest.raises(ApplicationRejected) as caught:
        parse_application(data)
    assert "reason" in caught.value.en
    assert "income" in caught.value.en
    assert "缺少必填字段" in caught.value.zh


def test_floats_are_refused() -> None:
    with pytest.raises(ApplicationRejected, match="floats"):
        application(income={"earnings": 5200.5})


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"media_type": "application/x-msdownload"}, "not allowed"),
        ({"document_type": "selfie"}, "evidence.0.document_type"),
        ({"size_bytes": MAX_EVIDENCE_BYTES + 1}, "byte limit"),
    ],
)
def test_forbidden_or_oversize_evidence_is_refused(change: dict[str, object], words: str) -> None:
    document = {"document_type": "payslip", "file_name": "p.pdf",
                "media_type": "application/pdf", "size_bytes": 10, "sha256": SHA}  # fmt: skip
    with pytest.raises(EvidenceRejected) as caught:
        application(evidence=[{**document, **change}])
    assert words in caught.value.en
    assert caught.value.code == "evidence_rejected"


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ApplicationRejected, match="salary"):
        application(salary="1")


def test_review_goes_submitted_review_decided_closed() -> None:
    case = cases.submit(application(), at=AT, by="borrower")
    case = cases.start_review(case, at=AT, by="agent-1")
    case = cases.approve(case, plan_option_id="term-12", at=AT, by="system")
    case = cases.close(case, at=AT, by="system")
    assert [c.status for c in case.history] == list(cases.ApplicationStatus)
    assert case.outcome is cases.Outcome.APPROVED
    assert case.plan_option_id == "term-12"


def test_a_case_cannot_skip_review() -> None:
    case = cases.submit(application(), at=AT, by="borrower")
    with pytest.raises(InvalidTransition) as caught:
        cases.approve(case, plan_option_id="x", at=AT, by="agent")
    assert case.status is cases.ApplicationStatus.SUBMITTED  # nothing changed
    assert "submitted" in caught.value.en
    assert caught.value.zh


def test_declines_need_reasons_and_a_person_for_the_vulnerable() -> None:
    reason = cases.Reason("no_income", "no income at all", "没有任何收入")
    review = cases.start_review(cases.submit(application(), at=AT, by="b"), at=AT, by="a")
    with pytest.raises(ApplicationRejected):
        cases.decline(review, reasons=(), at=AT, by="agent")
    declined = cases.decline(review, reasons=(reason,), at=AT, by=cases.AUTOMATIC)
    assert declined.decline_reasons == (reason,)
    vulnerable = cases.start_review(
        cases.submit(application(vulnerable=True), at=AT, by="b"), at=AT, by="a"
    )
    with pytest.raises(InvalidTransition, match="vulnerable"):
        cases.decline(vulnerable, reasons=(reason,), at=AT, by=cases.AUTOMATIC)
    assert cases.decline(vulnerable, reasons=(reason,), at=AT, by="lead-7").outcome
