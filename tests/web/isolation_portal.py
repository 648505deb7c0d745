"""Isolation cases of the borrower portal (see ``tests/web/isolation.py``).

Every record belongs to borrower B1 of ``acme``; borrower B2 of the same platform
asks for it and must get a 404 that names neither the record nor the platform.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.web.conftest import CLOCK, Session
from tests.web.isolation import Case
from tests.web.portal_support import SECRET_PRODUCT, api_sign_in, seed
from tideover.bootstrap import App
from tideover.services.plans.hardship import Upload, apply_for_hardship, review_application
from tideover.services.plans.relief import offer_plan, options_for_application

SECRET_WORDS = "the-harvest-failed-in-plot-4417"
APPLICATION = {
    "loan_id": "L1",
    "submitted_on": "2026-06-01",
    "reason": "income_reduction",
    "description": SECRET_WORDS,
    "expected_duration_months": 6,
    "income": {"earnings": "6000"},
    "expenses": {"home_and_contents": "1500", "food_and_housekeeping": "1500"},
}


def _loan(core: App) -> tuple[dict[str, str], str]:
    seed(core)
    return {"loan_id": "L1"}, SECRET_PRODUCT


def _stored_application(core: App) -> str:
    seed(core)
    stored = apply_for_hardship(
        uow=core.uow(),
        platform="acme",
        data={"application_id": "HA-B1-1", **APPLICATION},
        uploads=[Upload("payslip", "slip.pdf", b"%PDF-1.4 " + SECRET_WORDS.encode())],
        by="borrower:B1 (portal)",
        clock=CLOCK,
    )
    return stored.application_id


def _application(core: App) -> tuple[dict[str, str], str]:
    return {"application_id": _stored_application(core)}, SECRET_WORDS


def _plan(core: App) -> tuple[dict[str, str], str]:
    application_id = _stored_application(core)
    review_application(
        uow=core.uow(), platform="acme", application_id=application_id, by="lead", clock=CLOCK
    )
    options = options_for_application(
        uow=core.uow(), platform="acme", application_id=application_id, loan_id="L1", clock=CLOCK
    )
    option = next(e.option.option_id for e in options.evaluations if e.offered)
    plan = offer_plan(
        uow=core.uow(),
        platform="acme",
        application_id=application_id,
        loan_id="L1",
        option_id=option,
        by="lead",
        clock=CLOCK,
    )
    return {"plan_id": plan.plan_id}, SECRET_WORDS


def _other_borrower(core: App) -> Session:
    """B2 of the same platform, signed in through the API (its SMS sink in a temporary folder)."""
    with tempfile.TemporaryDirectory() as folder:
        return api_sign_in(core, Path(folder), "B2")


CASES: dict[str, Case] = {
    "/api/v1/borrower/loans/{loan_id}": Case(_loan, borrower=_other_borrower),
    "/api/v1/borrower/applications/{application_id}": Case(_application, borrower=_other_borrower),
    "/api/v1/borrower/applications/{application_id}/options": Case(
        _application, borrower=_other_borrower
    ),
    "/api/v1/borrower/applications/{application_id}/choice": Case(
        _application, borrower=_other_borrower, body={"option_id": "term-24"}
    ),
    "/api/v1/borrower/plans/{plan_id}": Case(_plan, borrower=_other_borrower),
    "/api/v1/borrower/plans/{plan_id}/accept": Case(_plan, borrower=_other_borrower),
    "/borrower/loans/{loan_id}": Case(_loan, borrower=_other_borrower),
    "/borrower/hardship/{application_id}": Case(_application, borrower=_other_borrower),
    "/borrower/hardship/{application_id}/choose": Case(
        _application, borrower=_other_borrower, body={"option_id": "term-24"}
    ),
    "/borrower/plans/{plan_id}/accept": Case(_plan, borrower=_other_borrower, body={"etag": '"x"'}),
}
