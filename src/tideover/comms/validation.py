"""The US validation notice's dates (12 CFR 1006.34).

The validation period ends on a date at least 30 days after the consumer
receives the notice; a collector may assume receipt on any date up to five
days (excluding legal public holidays, Saturdays and Sundays) after sending
it (1006.34(b)(5)).  Tideover counts exactly five such days and then thirty
calendar days, the earliest date the rule allows.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays

ASSUMED_RECEIPT_DAYS = 5
VALIDATION_DAYS = 30


def assumed_receipt(sent: date) -> date:
    """Five days after ``sent``, not counting US federal holidays, Saturdays and Sundays."""
    federal = holidays.country_holidays("US", years=range(sent.year, sent.year + 2))
    day, counted = sent, 0
    while counted < ASSUMED_RECEIPT_DAYS:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in federal:
            counted += 1
    return day


def validation_period_end(sent: date) -> date:
    """The last day of the validation period of a notice sent on ``sent``."""
    return assumed_receipt(sent) + timedelta(days=VALIDATION_DAYS)
