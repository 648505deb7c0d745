"""Use case: preview a repayment schedule from loan terms."""

from __future__ import annotations

from datetime import date
from typing import Any

from tideover.domain.loans import Frequency, RepaymentMethod, Schedule
from tideover.domain.money import Money, currency, to_decimal
from tideover.domain.rates import parse_rate
from tideover.domain.schedules import schedule_for


def preview_schedule(
    *,
    principal: str,
    annual_rate: str,
    term: int,
    method: RepaymentMethod,
    start_date: date,
    currency_code: str = "CNY",
    frequency: Frequency = Frequency.MONTHLY,
) -> Schedule:
    """The schedule for these terms; bad terms raise ``ValidationError``."""
    cur = currency(currency_code)
    return schedule_for(
        principal=Money.of(to_decimal(principal), cur),
        annual_rate=parse_rate(annual_rate),
        term=term,
        method=method,
        start_date=start_date,
        frequency=frequency,
    )


def schedule_rows(schedule: Schedule) -> list[dict[str, Any]]:
    """The schedule as rows with the principal still owed after each installment."""
    remaining = schedule.total_principal
    rows: list[dict[str, Any]] = []
    for item in schedule.installments:
        remaining = remaining - item.principal
        rows.append(
            {
                "number": item.number,
                "due_date": item.due_date.isoformat(),
                "principal": str(item.principal.amount),
                "interest": str(item.interest.amount),
                "fees": str(item.fees.amount),
                "total": str(item.total.amount),
                "remaining_principal": str(remaining.amount),
            }
        )
    return rows


def schedule_summary(schedule: Schedule) -> dict[str, Any]:
    return {
        "currency": schedule.currency.code,
        "installments": len(schedule.installments),
        "total_principal": str(schedule.total_principal.amount),
        "total_interest": str(schedule.total_interest.amount),
        "total_due": str(schedule.total_due.amount),
        "first_payment": str(schedule.installments[0].total.amount),
    }
