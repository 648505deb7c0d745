"""The demo portfolio: real Lending Club loans, synthetic borrowers, consistent payments.

Each loan keeps its real amount, rate, term and status.  Its dates are placed
so that the data's snapshot falls on ``as_of``, and its payments are made up
so that replaying them on ``as_of`` gives a DPD inside the range its status
implies (``LoanStatus.dpd_range``).  Everything random comes from generators
seeded with ``seed``, the platform's book and the loan, so a build is reproducible
and a loan comes out the same whatever else is in ``source``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from tideover.demo.lending_club import LcLoan, LoanStatus, records_from, records_from_frame
from tideover.demo.people import chinese_borrower, english_borrower
from tideover.domain.borrowers import Borrower
from tideover.domain.delinquency import PausePeriod
from tideover.domain.errors import ValidationError
from tideover.domain.loans import Installment, Loan, RepaymentMethod, Schedule
from tideover.domain.money import CNY, USD, Currency, Money
from tideover.domain.payments import Payment
from tideover.domain.penalty import NO_PENALTY, PenaltyPolicy, penalty_interest_exact
from tideover.domain.schedules import build_schedule, terms_for
from tideover.i18n import N_

Locale = Literal["zh", "en"]
# Charged-off loans stopped paying between six months and a year before as_of.
CHARGED_OFF_MAX_DPD = 365


@dataclass(frozen=True, slots=True)
class DemoPlatform:
    """A demo lender: which data it books, in which currency and language."""

    code: str
    name_en: str
    name_zh: str
    currency: Currency
    locale: Locale
    source: Literal["2018q1", "2016q1"]
    time_zone: str
    # Two presets with the same book get the same borrowers, loans and payments (their
    # random draws are seeded by the book, not the platform): a clean policy comparison.
    book: str | None = None


DEMO_PLATFORMS: dict[str, DemoPlatform] = {
    # LC 2018 Q1 amounts are booked at face value in CNY (12,000 USD becomes
    # 12,000 CNY): the loans keep their real shape, not a converted value.
    "demo-cn": DemoPlatform(
        "demo-cn", "Demo lender (China)", "示例平台（中国）", CNY, "zh", "2018q1", "Asia/Shanghai"
    ),
    # The same book as demo-cn, collected under the aggressive example policy.
    "demo-cn-aggressive": DemoPlatform(
        "demo-cn-aggressive",
        "Demo lender (China, aggressive collections)",
        "示例平台（中国，强力催收）",
        CNY,
        "zh",
        "2018q1",
        "Asia/Shanghai",
        book="demo-cn",
    ),
    "demo-us": DemoPlatform(
        "demo-us",
        "Demo lender (United States)",
        "示例平台（美国）",
        USD,
        "en",
        "2016q1",
        "America/New_York",
    ),
}


@dataclass(frozen=True, slots=True)
class DemoPortfolio:
    """Borrowers, loans and payments of one demo platform on ``as_of``."""

    platform: str
    as_of: date
    currency: Currency
    borrowers: tuple[Borrower, ...]
    loans: tuple[Loan, ...]
    payments: tuple[Payment, ...]
    pauses: Mapping[str, tuple[PausePeriod, ...]] = field(default_factory=dict)

    def payments_by_loan(self) -> dict[str, list[Payment]]:
        grouped: dict[str, list[Payment]] = {loan.loan_id: [] for loan in self.loans}
        for payment in self.payments:
            grouped[payment.loan_id].append(payment)
        return grouped


def _months_back(day: date, months: int) -> date:
    """``day`` moved back ``months`` months; only called with ``day.day <= 28``."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, day.day)


def _fit_day(due: date, as_of: date, highest_dpd: int) -> date:
    """``due`` moved to a day 1-28, so the monthly schedule keeps its day of month."""
    if due.day <= 28:
        return due
    earlier = due.replace(day=28)
    if (as_of - earlier).days <= highest_dpd:
        return earlier
    return (earlier + timedelta(days=4)).replace(day=1)


@dataclass(frozen=True, slots=True)
class _Placement:
    anchor: int  # installment whose due date was chosen
    anchor_due: date
    paid: int  # installments paid in full, oldest first
    dpd: int  # target DPD on as_of


def _place(rec: LcLoan, rng: random.Random, as_of: date) -> _Placement:
    """Where the loan stands on ``as_of``: due dates and installments paid."""
    on_book = max(1, min(rec.months_on_book, rec.term))
    if not rec.status.is_delinquent:
        known = rec.paid_installments
        if rec.status is LoanStatus.CURRENT and known is not None and 1 <= known < on_book:
            on_book = known  # its first installment fell due later than most
        due = _fit_day(as_of - timedelta(days=rng.randrange(0, 25)), as_of, 27)
        return _Placement(on_book, due, on_book, 0)
    lowest, highest = rec.status.dpd_range
    top = CHARGED_OFF_MAX_DPD if highest is None else highest
    known = rec.paid_installments
    if known is not None:
        paid = max(0, min(known, on_book - 1, rec.term - 1))
        missed = on_book - paid
        # Keep the data's count of missed installments when the status allows it.
        low, high = max(lowest, 30 * (missed - 1) + 1), min(top, 30 * missed)
        dpd = rng.randint(low, high) if low <= high else rng.randint(lowest, top)
    else:
        dpd = rng.randint(lowest, top)
        paid = max(0, min(on_book - (dpd // 30 + 1), rec.term - 1))
    due = _fit_day(as_of - timedelta(days=dpd), as_of, top)
    return _Placement(paid + 1, due, paid, (as_of - due).days)


def _penalty(installment: Installment, days_late: int, policy: PenaltyPolicy) -> int:
    """Penalty (minor units, rounded up) a payment ``days_late`` days late must cover."""
    if days_late <= 0:
        return 0
    base = installment.principal
    if policy.includes_overdue_interest:
        base = base + installment.interest
    exact = penalty_interest_exact(base, policy.penalised_days(days_late), policy)
    fee = policy.late_fee
    charged = fee is not None and days_late > policy.late_fee_threshold
    return math.ceil(exact) + (fee.minor if charged and fee is not None else 0)


def _lateness(rng: random.Random) -> int:
    """Days after the due date a paying borrower pays: mostly early, some a few days late."""
    draw = rng.random()
    if draw < 0.7:
        return -rng.randrange(0, 4)
    return rng.randint(1, 3) if draw < 0.9 else rng.randint(4, 12)


class _Payments:
    """Collects one loan's payments with deterministic ids."""

    def __init__(self, loan: Loan, as_of: date) -> None:
        self.loan = loan
        self.as_of = as_of
        self.items: list[Payment] = []

    def add(self, suffix: str, amount: Money, paid_on: date, channel: str) -> None:
        payment_id = f"{self.loan.loan_id}-{suffix}"
        self.items.append(
            Payment(
                self.loan.platform, payment_id, self.loan.loan_id, amount, paid_on, None, channel
            )
        )

    def installments(self, count: int, rng: random.Random, policy: PenaltyPolicy) -> date:
        """Pay installments 1..count in full; returns the last value date."""
        last = self.loan.terms.start_date
        for installment in self.loan.schedule.installments[:count]:
            paid_on = min(installment.due_date + timedelta(days=_lateness(rng)), self.as_of)
            paid_on = max(paid_on, last)
            late = (paid_on - installment.due_date).days
            extra = _penalty(installment, late, policy)
            amount = installment.total + Money(extra, installment.total.currency)
            self.add(
                f"{installment.number:03d}", amount, paid_on, "app" if late > 0 else "auto-debit"
            )
            last = paid_on
        return last


def _remaining(schedule: Schedule, after: int) -> Money:
    """What is scheduled from installment ``after + 1`` on (summed in minor units, for speed)."""
    rest = schedule.installments[after:]
    minor = sum(i.principal.minor + i.interest.minor + i.fees.minor for i in rest)
    return Money(minor, schedule.currency)


def _payments(
    rec: LcLoan, loan: Loan, place: _Placement, rng: random.Random, as_of: date,
    policy: PenaltyPolicy,
) -> list[Payment]:  # fmt: skip
    book = _Payments(loan, as_of)
    schedule, currency = loan.schedule, loan.schedule.currency
    if rec.status is LoanStatus.FULLY_PAID:
        # Paid off early.  The schedule has no early-settlement rule, so the
        # payoff pays the rest of it; LC's own amount is in the attributes.
        regular = rng.randrange(0, place.paid)
        last = book.installments(regular, rng, policy)
        next_due = schedule.installments[regular].due_date
        payoff_on = max(next_due - timedelta(days=rng.randrange(0, 15)), last)
        book.add("PO", _remaining(schedule, regular), payoff_on, "bank-transfer")
        return book.items
    last = book.installments(place.paid, rng, policy)
    rest = _recorded_rest(rec, place.paid)
    # Below a quarter installment the difference is LC's day-count interest, not a payment.
    if rest is None or rec.installment is None or rest < rec.installment / 4:
        return book.items
    if rec.status is LoanStatus.CURRENT:
        # A partial prepayment, as recorded, leaving at least the last installment open.
        room = _remaining(schedule, place.paid) - schedule.installments[-1].total
        amount = Money.of(rest, currency).min(room)
        if amount.is_positive:
            book.add("X", amount, last, "bank-transfer")
    elif place.dpd > 0:
        # A part payment after the first missed due date: too small to cure it.
        missed = schedule.installments[place.paid]
        amount = Money.of(rest, currency).min(missed.total.times(Decimal("0.9")))
        paid_on = place.anchor_due + timedelta(days=rng.randrange(0, place.dpd))
        book.add("A", amount, paid_on, "app")
    return book.items


def _recorded_rest(rec: LcLoan, paid: int) -> Decimal | None:
    """What the data says was paid beyond ``paid`` whole installments."""
    if rec.paid_total is None or rec.installment is None:
        return None
    return rec.paid_total - (rec.paid_late_fees or Decimal(0)) - paid * rec.installment


def _loan(rec: LcLoan, platform: str, place: _Placement, currency: Currency) -> Loan:
    first_due = _months_back(place.anchor_due, place.anchor - 1)
    terms = terms_for(
        principal=Money.of(rec.amount, currency),
        annual_rate=rec.annual_rate,
        term=rec.term,
        method=RepaymentMethod.EQUAL_INSTALLMENT,  # LC loans are fully amortising
        start_date=_months_back(first_due, 1),
        first_due_date=first_due,
    )
    attributes = {
        "source": f"lendingclub-{rec.source}",
        "source_row": str(rec.row),
        "status": rec.status.value,
        "status_derived": "yes" if rec.status_derived else "no",
        "grade": rec.grade,
        "sub_grade": rec.sub_grade,
        "state": rec.state,
        "purpose": rec.purpose,
    }
    if rec.paid_total is not None:
        attributes["source_paid_total"] = str(rec.paid_total)
    return Loan(
        platform=platform,
        loan_id=f"LC{rec.source.upper()}-{rec.row:05d}",
        borrower_id=f"BR{rec.source.upper()}-{rec.row:05d}",
        terms=terms,
        schedule=build_schedule(terms),
        product=f"personal-{rec.term}m",
        attributes=attributes,
    )


def _records(source: Any, seed: int) -> list[LcLoan]:
    if hasattr(source, "to_dict") and hasattr(source, "columns"):
        return records_from_frame(source, seed=seed)
    items = list(source)
    if all(isinstance(item, LcLoan) for item in items):
        return [item for item in items if isinstance(item, LcLoan)]
    return records_from(items, seed=seed)


def _resolve(
    platform: str, locale: Locale | None, currency: Currency | None
) -> tuple[Locale, Currency]:
    preset = DEMO_PLATFORMS.get(platform)
    chosen_locale = locale or (preset.locale if preset else None)
    chosen_currency = currency or (preset.currency if preset else None)
    if chosen_locale not in ("zh", "en") or chosen_currency is None:
        raise ValidationError(
            N_(
                "platform %(platform)s is not a demo preset; give locale ('zh' or 'en') "
                "and currency"
            ),
            platform=repr(platform),
        )
    return chosen_locale, chosen_currency


def build_demo_portfolio(
    *,
    platform: str,
    source: Any,
    as_of: date,
    seed: int,
    locale: Locale | None = None,
    currency: Currency | None = None,
    penalty: PenaltyPolicy = NO_PENALTY,
) -> DemoPortfolio:
    """The demo portfolio of ``platform`` built from Lending Club rows in ``source``.

    ``source`` is a DataFrame of either extract, rows as mappings, or
    ``LcLoan`` records.  Late payments also cover the penalty ``penalty``
    charges, so a loan paid late but in full stays current under that policy.
    """
    chosen_locale, chosen_currency = _resolve(platform, locale, currency)
    preset = DEMO_PLATFORMS.get(platform)
    book = (preset.book if preset else None) or platform
    borrowers: list[Borrower] = []
    loans: list[Loan] = []
    payments: list[Payment] = []
    for rec in _records(source, seed):
        rng = random.Random(f"{seed}:{book}:{rec.key}")
        place = _place(rec, rng, as_of)
        loan = _loan(rec, platform, place, chosen_currency)
        person_rng = random.Random(f"{seed}:{book}:{rec.key}:person")
        if chosen_locale == "zh":
            borrower = chinese_borrower(
                platform=platform, borrower_id=loan.borrower_id, rng=person_rng, as_of=as_of
            )
        else:
            borrower = english_borrower(
                platform=platform, borrower_id=loan.borrower_id, rng=person_rng,
                state=rec.state, as_of=as_of,
            )  # fmt: skip
        borrowers.append(borrower)
        loans.append(loan)
        payments.extend(_payments(rec, loan, place, rng, as_of, penalty))
    return DemoPortfolio(
        platform, as_of, chosen_currency, tuple(borrowers), tuple(loans), tuple(payments)
    )


def for_platform(portfolio: DemoPortfolio, platform: str) -> DemoPortfolio:
    """``portfolio`` booked by ``platform`` instead: what :func:`build_demo_portfolio` builds
    for another preset of the same book (its draws are seeded by the book, the platform
    code is all that differs), without building it again."""
    if platform == portfolio.platform:
        return portfolio
    return replace(
        portfolio,
        platform=platform,
        borrowers=tuple(
            replace(b, platform=platform, attributes=dict(b.attributes))
            for b in portfolio.borrowers
        ),
        loans=tuple(
            replace(loan, platform=platform, attributes=dict(loan.attributes))
            for loan in portfolio.loans
        ),
        payments=tuple(replace(p, platform=platform) for p in portfolio.payments),
        pauses=dict(portfolio.pauses),
    )
