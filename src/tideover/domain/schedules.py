"""Repayment schedules (还款计划): due dates and the split of each installment.

All arithmetic is in integer minor units through ``Decimal`` (precision 40)
and every amount is rounded half-up to the minor unit.  The last installment
absorbs the rounding, so principal always sums exactly to the amount lent.
Interest per period uses the nominal periodic rate (annual / periods a year),
whatever the number of days in the period, as Chinese consumer loans quote it.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, localcontext

from tideover.domain.errors import ValidationError
from tideover.domain.loans import Frequency, Installment, LoanTerms, RepaymentMethod, Schedule
from tideover.domain.money import Money, round_half_up
from tideover.i18n import N_, Clauses, Wording

MAX_TERM = 600
MAX_ANNUAL_RATE = Decimal(10)
_PRECISION = 40

_PERIODS_PER_YEAR = {
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
    Frequency.BIWEEKLY: 26,
    Frequency.WEEKLY: 52,
}
_MONTHS_PER_PERIOD = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}
_DAYS_PER_PERIOD = {Frequency.BIWEEKLY: 14, Frequency.WEEKLY: 7}


def periods_per_year(frequency: Frequency) -> int:
    """Installments a year: monthly 12, quarterly 4, biweekly 26, weekly 52."""
    return _PERIODS_PER_YEAR[Frequency(frequency)]


def periodic_rate(annual_rate: Decimal, frequency: Frequency) -> Decimal:
    """The nominal rate of one period: ``annual_rate / periods_per_year``."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return annual_rate / periods_per_year(frequency)


# -- due dates -----------------------------------------------------------------


def _add_months(anchor: date, months: int, day: int) -> date:
    """``anchor`` moved by ``months``, on ``day`` clamped to the month's last day."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day, last))


def _nth_due(anchor: date, periods: int, frequency: Frequency, day: int | None = None) -> date:
    """The date ``periods`` periods after ``anchor``, on ``day`` (default: the anchor's)."""
    frequency = Frequency(frequency)
    if frequency in _MONTHS_PER_PERIOD:
        months = periods * _MONTHS_PER_PERIOD[frequency]
        return _add_months(anchor, months, day or anchor.day)
    return anchor + timedelta(days=periods * _DAYS_PER_PERIOD[frequency])


def due_dates(
    first_due_date: date, term: int, frequency: Frequency, day_of_month: int | None = None
) -> list[date]:
    """The ``term`` due dates starting at ``first_due_date``.

    Monthly and quarterly dates fall on ``day_of_month`` (default: the first due
    date's day), clamped at month end (Jan 31 → Feb 28/29 → Mar 31); weekly and
    biweekly dates add days.
    """
    return [_nth_due(first_due_date, k, frequency, day_of_month) for k in range(term)]


def _repayment_day(terms: LoanTerms) -> int:
    """The day of month installments fall on.

    When the first due date is the default one (one period after the start),
    the loan's own day is the repayment day, so a loan taken on 31 January is
    due on 28 February and then on 31 March, not on the 28th for ever.
    """
    if terms.first_due_date == _nth_due(terms.start_date, 1, terms.frequency):
        return terms.start_date.day
    return terms.first_due_date.day


# -- validation ---------------------------------------------------------------------


def _check_terms(terms: LoanTerms) -> None:
    problems: list[Wording] = []
    if not terms.principal.is_positive:
        problems.append(
            Wording(N_("principal %(principal)s must be positive"), principal=terms.principal)
        )
    if not Decimal(0) <= terms.annual_rate <= MAX_ANNUAL_RATE:
        problems.append(
            Wording(
                N_("annual rate %(annual_rate)s must be within 0..%(max_annual_rate)s"),
                annual_rate=terms.annual_rate,
                max_annual_rate=MAX_ANNUAL_RATE,
            )
        )
    if not 1 <= terms.term <= MAX_TERM:
        problems.append(
            Wording(
                N_("term %(term)s must be within 1..%(max_term)s"),
                term=terms.term,
                max_term=MAX_TERM,
            )
        )
    if terms.first_due_date <= terms.start_date:
        problems.append(
            Wording(
                N_("first due date %(first_due_date)s must be after start %(start_date)s"),
                first_due_date=terms.first_due_date,
                start_date=terms.start_date,
            )
        )
    if problems:
        raise ValidationError(N_("invalid loan terms: %(problems)s"), problems=Clauses(problems))


# -- the four methods -----------------------------------------------------------
# Each returns (principal, interest) per period in minor units.

_Split = list[tuple[int, int]]


def _round(value: Decimal) -> int:
    return int(round_half_up(value))


def _equal_principal_parts(principal: int, rate: Decimal, term: int) -> _Split:
    """等额本金: the same principal each period, interest on the remaining balance."""
    step = _round(Decimal(principal) / term)
    balance, parts = principal, []
    for k in range(term):
        interest = _round(balance * rate)
        # The clamp keeps tiny loans (fewer minor units than periods) from going negative.
        paid = balance if k == term - 1 else min(step, balance)
        parts.append((paid, interest))
        balance -= paid
    return parts


def _equal_installment_parts(principal: int, rate: Decimal, term: int) -> _Split:
    """等额本息: payment = P·r / (1 − (1 + r)^−n), interest on the remaining balance."""
    if rate == 0:
        return _equal_principal_parts(principal, rate, term)
    payment = _round(principal * rate / (1 - (1 + rate) ** -term))
    balance, parts = principal, []
    for k in range(term):
        interest = _round(balance * rate)
        paid = balance if k == term - 1 else min(payment - interest, balance)
        parts.append((paid, interest))
        balance -= paid
    return parts


def _interest_only_parts(principal: int, rate: Decimal, term: int) -> _Split:
    """先息后本: interest on the full principal each period, all principal at the end."""
    interest = _round(principal * rate)
    return [(principal if k == term - 1 else 0, interest) for k in range(term)]


_SPLITTERS: dict[RepaymentMethod, Callable[[int, Decimal, int], _Split]] = {
    RepaymentMethod.EQUAL_INSTALLMENT: _equal_installment_parts,
    RepaymentMethod.EQUAL_PRINCIPAL: _equal_principal_parts,
    RepaymentMethod.INTEREST_ONLY: _interest_only_parts,
}


def build_schedule(terms: LoanTerms) -> Schedule:
    """The schedule agreed by ``terms``; bad terms raise ``ValidationError``."""
    _check_terms(terms)
    currency = terms.principal.currency
    dates = due_dates(terms.first_due_date, terms.term, terms.frequency, _repayment_day(terms))
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        rate = periodic_rate(terms.annual_rate, terms.frequency)
        if terms.method is RepaymentMethod.BULLET:
            # One installment at maturity with simple interest for the whole term.
            dates = dates[-1:]
            parts = [(terms.principal.minor, _round(terms.principal.minor * rate * terms.term))]
        else:
            parts = _SPLITTERS[RepaymentMethod(terms.method)](
                terms.principal.minor, rate, terms.term
            )
    zero = Money.zero(currency)
    installments = tuple(
        Installment(number, due, Money(paid, currency), Money(interest, currency), zero)
        for number, (due, (paid, interest)) in enumerate(zip(dates, parts, strict=True), start=1)
    )
    return Schedule(installments, currency)


def terms_for(
    *,
    principal: Money,
    annual_rate: Decimal,
    term: int,
    method: RepaymentMethod,
    start_date: date,
    first_due_date: date | None = None,
    frequency: Frequency = Frequency.MONTHLY,
) -> LoanTerms:
    """Validated ``LoanTerms``; the first due date defaults to one period after the start."""
    terms = LoanTerms(
        principal=principal,
        annual_rate=annual_rate,
        term=term,
        method=RepaymentMethod(method),
        start_date=start_date,
        first_due_date=first_due_date or _nth_due(start_date, 1, frequency),
        frequency=Frequency(frequency),
    )
    _check_terms(terms)
    return terms


def schedule_for(
    *,
    principal: Money,
    annual_rate: Decimal,
    term: int,
    method: RepaymentMethod,
    start_date: date,
    first_due_date: date | None = None,
    frequency: Frequency = Frequency.MONTHLY,
) -> Schedule:
    """The schedule for these terms (keyword form of ``build_schedule``)."""
    return build_schedule(
        terms_for(
            principal=principal,
            annual_rate=annual_rate,
            term=term,
            method=method,
            start_date=start_date,
            first_due_date=first_due_date,
            frequency=frequency,
        )
    )
