"""The cycle's fast replay of stored loans against the domain code, loan by loan.

Differential tests: random portfolios (schedules, partial and late payments,
prepayments, reversals, pauses, every waterfall, penalty interest and late fees,
relief-plan and re-aged schedule versions) go through
``batch.stored_positions`` and, one loan at a time, through the domain's
reference ``domain.schedule_in_force.status_in_force``; every figure must be
equal for every loan, and a loan the domain refuses must be left to it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch import stored_positions
from tideover.batch.portfolio_rows import (
    InstallmentRows,
    PauseRows,
    PaymentRows,
    PortfolioRows,
    Positions,
    ScheduleInForce,
)
from tideover.batch.replay import ReplayRules
from tideover.batch.stored_positions import age_portfolio, replay_portfolio
from tideover.domain.allocation import Component, Waterfall
from tideover.domain.days import NO_DATE, day_number
from tideover.domain.delinquency import DEFAULT_BUCKETS, PausePeriod
from tideover.domain.errors import TideoverError
from tideover.domain.loans import Frequency, Installment, Loan, RepaymentMethod, Schedule
from tideover.domain.money import CNY, USD, Money
from tideover.domain.payments import Payment
from tideover.domain.penalty import DayCount, PenaltyPolicy
from tideover.domain.schedule_in_force import (
    CONTRACT,
    REAGED,
    status_in_force,
    version_in_force,
)
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans.lifecycle import ScheduleVersion

AS_OF = date(2026, 11, 30)


@dataclass
class Case:
    """One random loan with everything the replay reads."""

    loan: Loan
    payments: list[Payment]
    pauses: list[PausePeriod]
    versions: list[ScheduleVersion]


# -- random portfolios -------------------------------------------------------------------------


def random_rules(rng: random.Random, exotic_share: float = 0.3) -> tuple[Waterfall, PenaltyPolicy]:
    components = list(Component)
    if rng.random() < 0.5:
        rng.shuffle(components)
    exotic = rng.random() < exotic_share
    waterfall = Waterfall(
        components=tuple(components),
        installment_order=rng.choice(("oldest-first", "newest-first"))
        if exotic
        else "oldest-first",
        mode=rng.choice(("installment-first", "component-first"))
        if exotic
        else "installment-first",
    )
    fee = rng.choice((None, None, Money(0, CNY), Money(rng.randrange(1, 5000), CNY)))
    penalty = PenaltyPolicy(
        annual_rate=rng.choice((Decimal(0), Decimal("0.18"), Decimal("0.365"), Decimal("0.2433"))),
        day_count=rng.choice(list(DayCount)),
        grace_days=rng.choice((0, 0, 3, 10)),
        late_fee=fee,
        late_fee_after_days=rng.choice((0, 0, 5, 15)),
        includes_overdue_interest=rng.random() < 0.3,
    )
    return waterfall, penalty


def random_schedule(rng: random.Random, start: date, as_of: date = AS_OF) -> Schedule:
    if rng.random() < 0.8:
        terms = terms_for(
            principal=Money(rng.randrange(1_000, 2_000_000), CNY),
            annual_rate=Decimal(rng.randrange(0, 3600)) / 10000,
            term=rng.randint(1, 24),
            method=rng.choice(list(RepaymentMethod)),
            start_date=start,
            frequency=rng.choice((Frequency.MONTHLY,) * 4 + tuple(Frequency)),
        )
        return build_schedule(terms)
    # Hand-made: zero installments (a payment holiday), fees, due dates out of order or equal.
    items = []
    day = start
    for number in range(1, rng.randint(1, 10)):
        day += timedelta(days=rng.choice((0, 7, 30, 31, 45)))
        if rng.random() < 0.1:
            day = as_of  # due on the business date itself: not yet past due
        zero = rng.random() < 0.2
        items.append(
            Installment(
                number,
                day if rng.random() < 0.9 else day - timedelta(days=rng.randint(1, 60)),
                Money(0 if zero else rng.randrange(0, 100_000), CNY),
                Money(0 if zero else rng.randrange(0, 10_000), CNY),
                Money(0 if zero or rng.random() < 0.7 else rng.randrange(0, 3_000), CNY),
            )
        )
    return Schedule(tuple(items), CNY)


def punctual_payments(
    rng: random.Random, loan_id: str, schedule: Schedule, grace: int
) -> list[Payment]:
    """The common case: each installment paid by its due date (or within ``grace`` days),
    sometimes short, sometimes with extra, until the borrower may stop paying."""
    payments: list[Payment] = []
    stop = rng.choice((len(schedule.installments), rng.randint(0, len(schedule.installments))))
    for k, installment in enumerate(schedule.installments[:stop]):
        late = grace + 1 if rng.random() < 0.03 else rng.randint(-10, grace)
        on = installment.due_date + timedelta(days=late)
        amount = installment.total.minor + rng.choice((0,) * 16 + (700, 1, -1, -500))
        payments.append(Payment("p", f"{loan_id}-{k:02d}", loan_id, Money(max(amount, 0), CNY), on))
        if rng.random() < 0.05:  # two payments on one day
            payments.append(Payment("p", f"{loan_id}-{k:02d}b", loan_id, Money(10, CNY), on))
        if rng.random() < 0.1:  # bounced, reversed and paid again the same day
            back = on + timedelta(days=rng.randint(0, 3))
            bounced = payments[-1]
            payments.append(Payment("p", f"{loan_id}-{k:02d}r", loan_id, bounced.amount, back,
                                    bounced.payment_id))  # fmt: skip
            payments.append(Payment("p", f"{loan_id}-{k:02d}p", loan_id, bounced.amount, back))
    return payments


def random_payments(
    rng: random.Random, loan_id: str, schedule: Schedule, start: date, bad: bool
) -> list[Payment]:
    payments: list[Payment] = []
    totals = [i.total.minor for i in schedule.installments] or [10_000]
    last = max((i.due_date for i in schedule.installments), default=start)
    dues = [i.due_date for i in schedule.installments] or [start]
    for k in range(rng.randint(0, 25)):
        on = start + timedelta(days=rng.randint(-5, max((last - start).days, 0) + 60))
        if rng.random() < 0.2:
            on = rng.choice(dues) + timedelta(days=rng.choice((-1, 0, 1)))
        amount = rng.choice(
            (rng.choice(totals), rng.randrange(0, max(totals) + 1), rng.choice(totals) * 3, 0)
        )
        payments.append(Payment("p", f"{loan_id}-{k:02d}", loan_id, Money(amount, CNY), on))
    for k, original in enumerate(list(payments)):
        if rng.random() < 0.15:
            on = original.paid_on + timedelta(days=rng.randint(0, 40))
            payments.append(
                Payment(
                    "p", f"{loan_id}-r{k:02d}", loan_id, original.amount, on, original.payment_id
                )
            )
    if bad and payments:
        victim = rng.randrange(len(payments))
        p = payments[victim]
        payments[victim] = rng.choice(
            (
                Payment("p", p.payment_id, loan_id, Money(-p.amount.minor - 1, CNY), p.paid_on),
                Payment("p", p.payment_id, loan_id, Money(p.amount.minor, USD), p.paid_on),
                Payment("p", p.payment_id, loan_id, p.amount, p.paid_on, f"{loan_id}-none"),
                Payment("p", p.payment_id, loan_id, p.amount, p.paid_on, payments[0].payment_id),
                # A payment of another loan (the first loan's first, when it has one).
                Payment("p", p.payment_id, loan_id, p.amount, p.paid_on, "L00000-00"),
            )
        )
    return payments


def random_versions(
    rng: random.Random, loan: Loan, as_of: date, share: float = 0.4
) -> list[ScheduleVersion]:
    """No history, or the contract then plans and re-agings, as accepting and reviewing write."""
    if rng.random() >= share:
        return []
    versions = [ScheduleVersion(1, loan.schedule, CONTRACT, loan.terms.start_date)]
    day = loan.terms.start_date
    for number in range(2, rng.randint(2, 5)):
        day += timedelta(days=rng.randint(0, 300))
        if versions[-1].reason != CONTRACT and rng.random() < 0.4:
            schedule = versions[-1].schedule
            if schedule.installments and rng.random() < 0.5:  # re-aged on a due date
                day = max(day, rng.choice(schedule.installments).due_date)
            versions.append(ScheduleVersion(number, schedule, REAGED, day))
        else:
            schedule = random_schedule(rng, day, as_of)
            versions.append(ScheduleVersion(number, schedule, "plan extension-12", day))
    return versions


@dataclass(frozen=True)
class Mix:
    """Shares of the portfolio: punctual payers, loans with schedule versions, bad data."""

    punctual: float = 0.5
    versions: float = 0.4
    bad: float = 0.0
    exotic_waterfall: float = 0.3


def random_case(rng: random.Random, index: int, mix: Mix, as_of: date, grace: int = 0) -> Case:
    start = as_of - timedelta(days=rng.randint(0, 900))
    schedule = random_schedule(rng, start, as_of)
    terms = terms_for(
        principal=Money(100_000, CNY),
        annual_rate=Decimal(0),
        term=1,
        method=RepaymentMethod.BULLET,
        start_date=start,
    )
    loan = Loan("p", f"L{index:05d}", "B1", terms, schedule)
    bad = rng.random() < mix.bad
    if rng.random() < mix.punctual and not bad:
        payments = punctual_payments(rng, loan.loan_id, schedule, grace)
    else:
        payments = random_payments(rng, loan.loan_id, schedule, start, bad)
    pauses = []
    for _ in range(rng.choice((0, 0, 0, 1, 2, 3))):
        first = start + timedelta(days=rng.randint(-30, 900))
        pauses.append(PausePeriod(first, first + timedelta(days=rng.randint(0, 120))))
    versions = random_versions(rng, loan, as_of, mix.versions)
    for v in versions[1:]:  # money on the very day a plan takes effect
        if rng.random() < 0.5:
            amount = Money(rng.randrange(1, 50_000), CNY)
            payments.append(Payment("p", f"{loan.loan_id}-v{v.version}", loan.loan_id, amount,
                                    v.effective_from))  # fmt: skip
    return Case(loan, payments, pauses, versions)


# -- the two paths -----------------------------------------------------------------------------


def portfolio_rows(cases: Sequence[Case], as_of: date) -> PortfolioRows:
    """The rows the repositories would read for ``cases`` (loan key = position + 1)."""
    inst: list[tuple[int, int, int, int, int]] = []
    pays: list[tuple[int, str, int, str, int, str | None]] = []
    pauses: list[tuple[int, int, int]] = []
    versions = {}
    for key, case in enumerate(cases, start=1):
        for i in case.loan.schedule.installments:
            row = (key, day_number(i.due_date), i.principal.minor, i.interest.minor, i.fees.minor)
            inst.append(row)
        for p in sorted(case.payments, key=lambda p: (p.paid_on, p.payment_id)):
            pays.append(
                (key, p.payment_id, p.amount.minor, p.amount.currency.code,
                 day_number(p.paid_on), p.reverses)
            )  # fmt: skip
        pauses += [(key, day_number(p.start), day_number(p.end)) for p in case.pauses]
        chosen = version_in_force(case.versions, as_of)
        if chosen is not None:
            schedule = next(v.schedule for v in case.versions if v.version == chosen.version)
            versions[key] = ScheduleInForce(
                schedule.currency.code,
                [
                    (day_number(i.due_date), i.principal.minor, i.interest.minor, i.fees.minor)
                    for i in schedule.installments
                ],
                None if chosen.payments_from is None else day_number(chosen.payments_from),
                None if chosen.ages_from is None else day_number(chosen.ages_from),
            )
    return PortfolioRows(
        loan_keys=list(range(1, len(cases) + 1)),
        currencies=["CNY"] * len(cases),
        installments=InstallmentRows(*_columns(inst, 5)),
        payments=PaymentRows(*_columns(pays, 6)),
        pauses=PauseRows(*_columns(pauses, 3)),
        versions=versions,
    )


def _columns(rows: Sequence[tuple[object, ...]], width: int) -> list[list[object]]:
    return [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def expected(case: Case, as_of: date, waterfall: Waterfall, penalty: PenaltyPolicy) -> dict:
    position, status = status_in_force(
        case.loan,
        case.payments,
        as_of,
        versions=case.versions,
        waterfall=waterfall,
        penalty=penalty,
        pauses=case.pauses,
        scheme=DEFAULT_BUCKETS,
    )
    chosen = version_in_force(case.versions, as_of)
    floor = date.min if chosen is None or chosen.ages_from is None else chosen.ages_from
    reversed_ids = {p.reverses for p in case.payments if p.reverses}
    paid_days = [
        p.paid_on
        for p in case.payments
        if not p.reverses and p.payment_id not in reversed_ids and p.paid_on <= as_of
    ]
    return {
        "principal": status.outstanding_principal.minor,
        "overdue": [status.overdue[c].minor for c in
                    (Component.PRINCIPAL, Component.INTEREST, Component.FEES, Component.PENALTY)],
        "oldest": NO_DATE if status.oldest_unpaid_due is None
        else day_number(status.oldest_unpaid_due),
        "dpd": status.dpd,
        "bucket": status.bucket,
        "installments_overdue": sum(
            1 for i in position.installments
            if floor <= i.due_date < as_of and (i.settled_on is None or i.settled_on > as_of)
        ),
        "last_payment": day_number(max(paid_days)) if paid_days else NO_DATE,
    }  # fmt: skip


def actual(positions: Positions, dpd: object, codes: object, index: int) -> dict:
    return {
        "principal": int(positions.outstanding_principal[index]),
        "overdue": [int(v) for v in positions.overdue[index]],
        "oldest": int(positions.oldest_unpaid_due[index]),
        "dpd": int(dpd[index]),  # type: ignore[index]
        "bucket": DEFAULT_BUCKETS.labels[int(codes[index])],  # type: ignore[index]
        "installments_overdue": int(positions.installments_overdue[index]),
        "last_payment": int(positions.last_payment[index]),
    }


def check_portfolio(
    seed: int, n: int, as_of: date = AS_OF, mix: Mix = Mix(), *, vectorise: bool = True
) -> int:
    """Both paths over a random portfolio; the number of loans compared."""
    rng = random.Random(seed)
    waterfall, penalty = random_rules(rng, mix.exotic_waterfall)
    cases = [random_case(rng, i, mix, as_of, penalty.grace_days) for i in range(n)]
    rows = portfolio_rows(cases, as_of)
    fee = penalty.late_fee
    positions = replay_portfolio(
        rows,
        as_of,
        rules=ReplayRules.of(waterfall, penalty),
        late_fee_currency=None if fee is None else fee.currency.code,
        vectorise=vectorise,
    )
    dpd, codes = age_portfolio(
        positions.oldest_unpaid_due, rows.loan_keys, rows.pauses, as_of, DEFAULT_BUCKETS
    )
    if mix.bad == 0:
        assert positions.needs_domain == ()
    compared = 0
    for index, case in enumerate(cases):
        try:
            want = expected(case, as_of, waterfall, penalty)
        except TideoverError:
            assert index in positions.needs_domain, case
            continue
        if index in positions.needs_domain:
            continue  # the caller computes it with the domain code
        assert actual(positions, dpd, codes, index) == want, (seed, index, case)
        compared += 1
    return compared


# -- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_random_portfolios_match_the_domain_loan_by_loan(seed: int) -> None:
    assert check_portfolio(seed, 60) > 0


@pytest.mark.parametrize("seed", range(20))
def test_the_per_loan_replay_alone_matches_too(seed: int) -> None:
    """Every loan through ``batch.replay``, none through the vectorised path."""
    assert check_portfolio(seed, 60, vectorise=False) > 0


@pytest.mark.parametrize("seed", range(10))
def test_earlier_business_dates_match_too(seed: int) -> None:
    """Positions on dates inside the loans' lives: payments and versions after it ignored."""
    check_portfolio(1000 + seed, 60, as_of=AS_OF - timedelta(days=200 + 37 * seed))


@pytest.mark.parametrize("seed", range(10))
def test_data_the_domain_refuses_is_left_to_it(seed: int) -> None:
    check_portfolio(2000 + seed, 40, mix=Mix(bad=0.4))


@pytest.mark.parametrize("seed", range(20))
def test_punctual_portfolios_go_mostly_through_the_vectorised_path(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The common case (default waterfall, on-time payers) is computed without the per-loan
    replay, and still matches the domain loan by loan."""
    calls = []
    per_loan = stored_positions.replay
    monkeypatch.setattr(
        stored_positions, "replay", lambda *a, **k: calls.append(1) or per_loan(*a, **k)
    )
    mix = Mix(punctual=0.9, versions=0.05, exotic_waterfall=0.0)
    assert check_portfolio(3000 + seed, 100, mix=mix) == 100
    assert len(calls) < 50


@pytest.mark.parametrize("seed", range(20))
def test_late_payers_go_through_the_vectorised_penalty_replay(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Late and partial payers with penalty before the date (pauses, reversals, the default
    waterfall in any component order) are replayed many at once (``batch.late_replay``),
    and still match the domain loan by loan; few loans are left to the per-loan replay."""
    calls: list[int] = []
    late: list[int] = []
    per_loan, many = stored_positions.replay, stored_positions.replay_late
    monkeypatch.setattr(
        stored_positions, "replay", lambda *a, **k: calls.append(1) or per_loan(*a, **k)
    )

    def counted(inputs: object, chosen: object, *a: object, **k: object) -> object:
        late.append(int(chosen.sum()))  # type: ignore[attr-defined]
        return many(inputs, chosen, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(stored_positions, "replay_late", counted)
    mix = Mix(punctual=0.3, versions=0.0, exotic_waterfall=0.0)
    assert check_portfolio(4000 + seed, 100, mix=mix) == 100
    assert len(calls) < 30
    rules = ReplayRules.of(*random_rules(random.Random(4000 + seed), mix.exotic_waterfall))
    assert (sum(late) > 0) == rules.accrues  # the rules check_portfolio drew, drawn again


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_any_seed_matches(seed: int) -> None:
    check_portfolio(seed, 8)


@given(
    st.lists(st.integers(0, 40), max_size=60),
    st.lists(st.integers(0, 40), max_size=15, unique=True),
)
def test_each_rows_loan_comes_from_the_row_ranges_as_a_search_would_find_it(
    rows: list[int], loans: list[int]
) -> None:
    """``_loan_index`` (the loans' row ranges repeated) gives what a search per row gives:
    the position of the row's loan among ``keys``, -1 for a row of a loan not computed,
    loans without rows included."""
    values, keys = sorted(rows), sorted(loans)
    low, high = stored_positions._ranges(values, np.asarray(keys, np.int64))
    expected = [keys.index(v) if v in keys else -1 for v in values]
    assert stored_positions._loan_index(low, high, len(values)).tolist() == expected
