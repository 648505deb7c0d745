"""Shared builders for the plans tests (plain functions, no fixtures magic)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans import AccountSnapshot, HardshipApplication, parse_application, snapshot_for

SHA = "ab" * 32


def loan(
    principal: str = "12000", rate: str = "0.12", term: int = 12,
    method: RepaymentMethod = RepaymentMethod.EQUAL_INSTALLMENT,
) -> Loan:  # fmt: skip
    terms = terms_for(
        principal=Money.of(principal), annual_rate=Decimal(rate), term=term,
        method=method, start_date=date(2025, 1, 15),
    )  # fmt: skip
    return Loan("acme", "L1", "B1", terms, build_schedule(terms))


def paid(loan_: Loan, count: int) -> list[Payment]:
    """The first ``count`` installments paid on their due dates."""
    items = loan_.schedule.installments[:count]
    return [Payment("acme", f"P{i.number}", loan_.loan_id, i.total, i.due_date) for i in items]


def snapshot(loan_: Loan | None = None, paid_count: int = 3, as_of: date = date(2025, 6, 20)
             ) -> AccountSnapshot:  # fmt: skip
    loan_ = loan_ or loan()
    return snapshot_for(loan_, paid(loan_, paid_count), as_of, PlatformSettings())


def application_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "application_id": "A1",
        "submitted_on": "2025-06-20",
        "reason": "unemployment",
        "description": "Lost my job in May.",
        "expected_duration_months": 4,
        "income": {"benefits": "5200"},
        "expenses": {
            "home_and_contents": "1200",
            "food_and_housekeeping": "1400",
            "utilities": "300",
            "communications_and_leisure": "200",
            "personal_costs": "300",
            "transport_and_travel": "300",
        },
        "dependants": 1,
        "evidence": [
            {"document_type": "termination_letter", "file_name": "letter.pdf",
             "media_type": "application/pdf", "size_bytes": 120_000, "sha256": SHA}
        ],
    }  # fmt: skip
    data.update(changes)
    return data


def application(**changes: Any) -> HardshipApplication:
    return parse_application(application_data(**changes))
