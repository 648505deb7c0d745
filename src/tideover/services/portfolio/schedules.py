"""Use case: preview a repayment schedule from loan terms."""

from __future__ import annotations

from datetime import date

from tideover.domain.loans import Frequency, RepaymentMethod, Schedule
from tideover.domain.money import Money, currency, to_decimal
from tideover.domain.rates import parse_rate
from tideover.domain.schedules import schedule_for
from tideover.services.portfolio.results import ScheduleLine, SchedulePreview, ScheduleSummary


def preview_schedule(
    *,
    principal: str,
    annual_rate: str,
    term: int,
    method: RepaymentMethod,
    start_date: date,
    currency_code: str = "CNY",
    frequency: Frequency = Frequency.MONTHLY,
) -> SchedulePreview:
    """The schedule for these terms; bad terms raise ``ValidationError``."""
    cur = currency(currency_code)
    schedule = schedule_for(
        principal=Money.of(to_decimal(principal), cur),
        annual_rate=parse_rate(annual_rate),
        term=term,
        method=method,
        start_date=start_date,
        frequency=frequency,
    )
    return SchedulePreview(
        summary=ScheduleSummary.of(schedule), installments=schedule_lines(schedule)
    )


def schedule_lines(schedule: Schedule) -> list[ScheduleLine]:
    """The installments with the principal still owed after each one."""
    remaining = schedule.total_principal
    lines: list[ScheduleLine] = []
    for item in schedule.installments:
        remaining = remaining - item.principal
        lines.append(
            ScheduleLine(
                number=item.number,
                due_date=item.due_date,
                principal=item.principal.amount,
                interest=item.interest.amount,
                fees=item.fees.amount,
                total=item.total.amount,
                remaining_principal=remaining.amount,
            )
        )
    return lines
