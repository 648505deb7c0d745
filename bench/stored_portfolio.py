"""A synthetic stored portfolio (fixed seed): borrowers, loans, payments, pauses, plans.

Written through the repositories into a real database, for the benchmarks of the
stored daily cycle.  The mix, per loan (drawn with ``random.Random(seed:index)``, so a
loan comes out the same whatever the portfolio size):

- 3 to 36 monthly installments (等额本息 mostly, some 等额本金 and 先息后本), started
  up to three years before ``as_of``; one loan in a hundred not yet disbursed;
- 70 % punctual payers (on the due date or a few days early), 15 % sometimes late
  (one installment in four paid 1 to 15 days late, the penalty left owing),
  10 % falling into arrears (stop paying at a random installment, one in three then
  pays a part), 5 % paid off early;
- one payment in a hundred reversed a few days later and paid again;
- 3 % of loans with one or two pause periods;
- 2 % of loans on a relief plan: the contract and a plan schedule (the outstanding
  principal re-amortised over 6 to 24 months from the plan's start) in the schedule
  history, and for a quarter of those a ``re-aged`` version some months later.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.domain.delinquency import PausePeriod
from tideover.domain.loans import Loan, RepaymentMethod, Schedule
from tideover.domain.money import CNY, Money
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.schedules import build_schedule, terms_for
from tideover.services.unit_of_work import UnitOfWork

PLATFORM = "bench"
DEFAULT_AS_OF = date(2026, 11, 30)
DEFAULT_SEED = 20261130
BATCH = 5000


@dataclass
class _Plan:
    loan_id: str
    contract: Schedule
    contract_from: date
    start: date
    schedule: Schedule
    reaged_on: date | None


@dataclass
class _Batch:
    borrowers: list[Borrower]
    loans: list[Loan]
    payments: list[Payment]
    pauses: list[tuple[str, PausePeriod]]
    plans: list[_Plan]


def _months_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, min(day.day, 28))


def _loan(i: int, rng: random.Random, as_of: date) -> Loan:
    term = rng.choice((3, 6, 6, 12, 12, 12, 24, 24, 36))
    method = rng.choices(
        (
            RepaymentMethod.EQUAL_INSTALLMENT,
            RepaymentMethod.EQUAL_PRINCIPAL,
            RepaymentMethod.INTEREST_ONLY,
        ),
        (8, 1, 1),
    )[0]
    if rng.random() < 0.01:
        start = as_of + timedelta(days=rng.randint(1, 20))  # not yet disbursed
    else:
        start = as_of - timedelta(days=rng.randint(1, 3 * 365))
    start = start.replace(day=min(start.day, 28))
    terms = terms_for(
        principal=Money(rng.randrange(100_000, 5_000_000, 100), CNY),
        annual_rate=Decimal(rng.randrange(600, 2400, 25)) / 10000,
        term=term,
        method=method,
        start_date=start,
    )
    return Loan(
        platform=PLATFORM,
        loan_id=f"L{i:07d}",
        borrower_id=f"B{i:07d}",
        terms=terms,
        schedule=build_schedule(terms),
        product=rng.choice(("cash", "cash", "card", "auto")),
    )


def _borrower(i: int, rng: random.Random) -> Borrower:
    draw = rng.random()
    phones: tuple[PhoneNumber, ...] = ()
    zone = None
    if draw < 0.5:
        zone = "Asia/Shanghai"
    elif draw < 0.6:
        phones = (PhoneNumber(f"+8613{i:09d}", "CN", ("Asia/Shanghai",)),)
    return Borrower(
        platform=PLATFORM,
        borrower_id=f"B{i:07d}",
        name=f"借款人{i}",
        phones=phones,
        time_zone=zone,
        attributes={"region_code": rng.choice(("310000", "110000", "440300", "510100"))},
    )


def _payments(loan: Loan, rng: random.Random, as_of: date) -> list[Payment]:
    kind = rng.choices(("punctual", "late", "arrears", "payoff"), (70, 15, 10, 5))[0]
    items = loan.schedule.installments
    stop = len(items) + 1
    if kind in ("arrears", "payoff"):
        stop = rng.randint(1, len(items))
    out: list[Payment] = []

    def add(amount: int, on: date) -> None:
        if on > as_of or amount <= 0:
            return
        pid = f"{loan.loan_id}-{len(out) + 1:03d}"
        out.append(Payment(PLATFORM, pid, loan.loan_id, Money(amount, CNY), on, None, "app"))
        if rng.random() < 0.01:  # bounced: reversed a few days later, then paid again
            back = on + timedelta(days=rng.randint(1, 5))
            if back <= as_of:
                out.append(
                    Payment(PLATFORM, f"{pid}-R", loan.loan_id, Money(amount, CNY), back, pid)
                )
                out.append(
                    Payment(PLATFORM, f"{pid}-P", loan.loan_id, Money(amount, CNY), back, None)
                )

    for installment in items:
        number = installment.number
        if number == stop and kind == "payoff":
            rest = sum(i.total.minor for i in items[number - 1 :])
            add(rest, installment.due_date - timedelta(days=rng.randint(0, 20)))
            break
        if number >= stop:
            if kind == "arrears" and rng.random() < 0.33:
                add(installment.total.minor // 3, installment.due_date + timedelta(days=10))
            break
        late = kind == "late" and rng.random() < 0.25
        shift = rng.randint(1, 15) if late else -rng.randint(0, 3)
        add(installment.total.minor, installment.due_date + timedelta(days=shift))
    return out


def _plan(loan: Loan, rng: random.Random, as_of: date) -> _Plan | None:
    """A plan from a due date in the past: the outstanding principal re-amortised."""
    past = [i for i in loan.schedule.installments if i.due_date < as_of]
    if len(past) < 2:
        return None
    cut = rng.randrange(1, len(past))
    start = past[cut].due_date - timedelta(days=rng.randint(1, 20))
    principal = sum(i.principal.minor for i in loan.schedule.installments[cut:])
    if principal <= 0:
        return None
    terms = terms_for(
        principal=Money(principal, CNY),
        annual_rate=loan.terms.annual_rate,
        term=rng.randint(6, 24),
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=start,
    )
    reaged = None
    if rng.random() < 0.25:
        reaged = start + timedelta(days=rng.randint(90, 200))
    return _Plan(
        loan.loan_id, loan.schedule, loan.terms.start_date, start, build_schedule(terms), reaged
    )


def _build(first: int, stop: int, seed: int, as_of: date) -> _Batch:
    batch = _Batch([], [], [], [], [])
    for i in range(first, stop):
        rng = random.Random(f"{seed}:{i}")
        loan = _loan(i, rng, as_of)
        batch.borrowers.append(_borrower(i, rng))
        batch.loans.append(loan)
        if loan.terms.start_date > as_of:
            continue
        batch.payments.extend(_payments(loan, rng, as_of))
        if rng.random() < 0.03:
            for _ in range(rng.randint(1, 2)):
                begin = loan.terms.start_date + timedelta(days=rng.randint(0, 900))
                pause = PausePeriod(begin, begin + timedelta(days=rng.randint(7, 90)))
                batch.pauses.append((loan.loan_id, pause))
        if rng.random() < 0.02:
            plan = _plan(loan, rng, as_of)
            if plan is not None:
                batch.plans.append(plan)
    return batch


def build_stored_portfolio(
    uow_factory: Callable[[], UnitOfWork],
    n_loans: int,
    *,
    seed: int = DEFAULT_SEED,
    as_of: date = DEFAULT_AS_OF,
    settings: PlatformSettings | None = None,
) -> dict[str, int]:
    """Writes the portfolio of platform ``bench``; counts of what was written."""
    chosen = settings or PlatformSettings()
    counts = dict.fromkeys(("loans", "payments", "pauses", "plans", "reaged"), 0)
    with uow_factory() as uow:
        uow.platforms.ensure(PLATFORM, name="Bench", currency="CNY", settings=chosen.to_dict())
        uow.commit()
    for first in range(0, n_loans, BATCH):
        batch = _build(first, min(first + BATCH, n_loans), seed, as_of)
        with uow_factory() as uow:
            uow.borrowers(PLATFORM).add_many(batch.borrowers)
            uow.loans(PLATFORM).add_many(batch.loans)
            uow.payments(PLATFORM).add_many(batch.payments)
            loans = uow.loans(PLATFORM)
            for loan_id, pause in batch.pauses:
                loans.add_pause(loan_id, pause, "bench")
            schedules = uow.schedules(PLATFORM)
            for plan in batch.plans:
                schedules.append_schedule(
                    plan.loan_id,
                    plan.contract,
                    reason="contract",
                    effective_from=plan.contract_from,
                )
                schedules.append_schedule(
                    plan.loan_id, plan.schedule, reason="plan bench", effective_from=plan.start
                )
                if plan.reaged_on is not None:
                    schedules.append_schedule(
                        plan.loan_id, plan.schedule, reason="re-aged", effective_from=plan.reaged_on
                    )
                    counts["reaged"] += 1
            uow.commit()
        counts["loans"] += len(batch.loans)
        counts["payments"] += len(batch.payments)
        counts["pauses"] += len(batch.pauses)
        counts["plans"] += len(batch.plans)
    return counts
