"""The bulk read of stored loans equals the domain code on the same data, on both databases.

The demo portfolio (real Lending Club loans, their payments and borrowers) with
pauses, reversals, a loan not yet disbursed and relief-plan and re-aged schedule
versions added: every account of the cycle's delinquency stage is compared with
what the domain computes from the repositories' objects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from sqlalchemy import text

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.allocation import Component
from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.domain.delinquency import PausePeriod
from tideover.domain.errors import Conflict, ValidationError
from tideover.domain.loans import Loan
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.domain.schedule_in_force import status_in_force, version_in_force
from tideover.domain.schedules import build_schedule, terms_for
from tideover.services.cycle.inputs import load_cycle_inputs
from tideover.services.cycle.outcomes import outcome_figures
from tideover.services.demo.story import load_demo_platform
from tideover.services.platforms import settings_of
from tideover.services.portfolio.positions import portfolio_delinquency

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
DATA = Path(__file__).parents[1] / "data"
AS_OF = date(2026, 11, 30)
PLATFORM = "demo-cn"


@pytest.fixture
def portfolio(uow_factory: UowFactory) -> UowFactory:
    frame = pd.read_csv(DATA / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS[PLATFORM], load_source=lambda: frame, as_of=AS_OF
    )
    with uow_factory() as uow:
        loans = uow.loans(PLATFORM).list_all()
        payments = uow.payments(PLATFORM).by_loan()
        plans = uow.schedules(PLATFORM)
        for n, loan in enumerate(loans[:60]):
            if n % 3 == 0:  # a payment reversed, and a pause
                paid = payments.get(loan.loan_id, [])
                if paid:
                    p = paid[-1]
                    back = Payment(PLATFORM, f"{p.payment_id}-R", p.loan_id, p.amount,
                                   p.paid_on + timedelta(days=3), p.payment_id)  # fmt: skip
                    uow.payments(PLATFORM).add_many([back])
                start = loan.terms.start_date + timedelta(days=40 * (n % 7))
                uow.loans(PLATFORM).add_pause(
                    loan.loan_id, PausePeriod(start, start + timedelta(30))
                )
            if n % 4 == 1:  # a plan from three months ago, re-aged for one loan in two
                plans.append_schedule(loan.loan_id, loan.schedule, reason="contract",
                                      effective_from=loan.terms.start_date)  # fmt: skip
                start = AS_OF - timedelta(days=90)
                terms = terms_for(principal=Money.of("5000", loan.schedule.currency),
                                  annual_rate=loan.terms.annual_rate, term=12,
                                  method=loan.terms.method, start_date=start)  # fmt: skip
                plans.append_schedule(loan.loan_id, build_schedule(terms),
                                      reason="plan extension-12", effective_from=start)  # fmt: skip
                if n % 8 == 1:
                    plans.append_schedule(loan.loan_id, build_schedule(terms), reason="re-aged",
                                          effective_from=AS_OF - timedelta(days=20))  # fmt: skip
        later = loans[0]
        future_terms = terms_for(principal=Money.of("1000", later.schedule.currency),
                                 annual_rate=later.terms.annual_rate, term=6,
                                 method=later.terms.method,
                                 start_date=AS_OF + timedelta(days=3))  # fmt: skip
        uow.loans(PLATFORM).add_many(
            [Loan(PLATFORM, "NOT-YET", later.borrower_id, future_terms,
                  build_schedule(future_terms))]
        )  # fmt: skip
        # Borrowers known only by their phones (two zones), or not at all (the platform's
        # zone), with the region in ``state`` only; loans started on the 30th.
        phones = (
            PhoneNumber("+8613800000001", "CN", ("Asia/Shanghai",)),
            PhoneNumber("+8613800000002", "CN", ("Asia/Urumqi", "Asia/Shanghai")),
        )
        uow.borrowers(PLATFORM).add_many([
            Borrower(PLATFORM, "PHONES", "甲", phones=phones, attributes={"state": "XJ"}),
            Borrower(PLATFORM, "NOWHERE", "乙", attributes={"region_code": "", "state": "BJ"}),
        ])  # fmt: skip
        for borrower_id, start in (("PHONES", date(2026, 5, 30)), ("NOWHERE", date(2025, 12, 30))):
            terms = terms_for(principal=Money.of("3000", later.schedule.currency),
                              annual_rate=later.terms.annual_rate, term=6,
                              method=later.terms.method, start_date=start)  # fmt: skip
            uow.loans(PLATFORM).add_many(
                [Loan(PLATFORM, f"L-{borrower_id}", borrower_id, terms, build_schedule(terms))]
            )
        uow.commit()
    return uow_factory


def expected_rows(uow: UowFactory, as_of: date) -> dict[str, dict[str, Any]]:
    """What the domain computes from the repositories' objects, per account."""
    with uow() as unit:
        settings = settings_of(unit, PLATFORM)
        loans = unit.loans(PLATFORM).list_all()
        payments = unit.payments(PLATFORM).by_loan()
        pauses = unit.loans(PLATFORM).pauses_by_loan()
        borrowers = {b.borrower_id: b for b in unit.borrowers(PLATFORM).list_all()}
        histories = {loan.loan_id: unit.schedules(PLATFORM).schedule_history(loan.loan_id)
                     for loan in loans}  # fmt: skip
    rows = {}
    for loan in loans:
        if loan.terms.start_date > as_of:
            continue
        paid = payments.get(loan.loan_id, [])
        position, status = status_in_force(
            loan, paid, as_of, versions=histories[loan.loan_id],
            waterfall=settings.waterfall, penalty=settings.penalty,
            pauses=pauses.get(loan.loan_id, []), scheme=settings.buckets,
        )  # fmt: skip
        chosen = version_in_force(histories[loan.loan_id], as_of)
        floor = chosen.ages_from if chosen is not None and chosen.ages_from else date.min
        reversed_ids = {p.reverses for p in paid if p.reverses}
        days = [
            p.paid_on
            for p in paid
            if not p.reverses and p.payment_id not in reversed_ids and p.paid_on <= as_of
        ]
        borrower = borrowers[loan.borrower_id]
        start = loan.terms.start_date
        months = (as_of.year - start.year) * 12 + as_of.month - start.month
        overdue = status.overdue_total.minor
        rows[loan.loan_id] = {
            "account_id": loan.loan_id,
            "borrower_id": loan.borrower_id,
            "is_open": bool(status.outstanding_principal.minor or overdue),
            "time_zones": ",".join(borrower.candidate_time_zones or (settings.time_zone,)),
            "dpd": status.dpd,
            "bucket": status.bucket,
            "overdue_minor": overdue,
            "balance_minor": status.outstanding_principal.minor + overdue
            - status.overdue[Component.PRINCIPAL].minor,
            "product": loan.product or "",
            "region": borrower.attributes.get("region_code") or borrower.attributes.get("state"),
            "months_on_book": months - (1 if as_of.day < start.day else 0),
            "installments_overdue": sum(
                1 for i in position.installments
                if floor <= i.due_date < as_of and (i.settled_on is None or i.settled_on > as_of)
            ),
            "days_since_last_payment": (as_of - max(days)).days if days else None,
            "status": status,
        }  # fmt: skip
    return rows


@pytest.mark.parametrize("as_of", [AS_OF, AS_OF - timedelta(days=45), date(2026, 1, 31)])
def test_every_account_equals_the_domain(portfolio: UowFactory, as_of: date) -> None:
    with portfolio() as unit:
        settings = settings_of(unit, PLATFORM)
    loaded = load_cycle_inputs(portfolio(), PLATFORM, as_of, settings, packs_horizon=timedelta(0))
    want = expected_rows(portfolio, as_of)
    got = loaded.inputs.accounts.to_pylist()
    assert [r["account_id"] for r in got] == list(want)
    assert "NOT-YET" not in want
    for row, status in zip(got, loaded.statuses, strict=True):
        expected = want[row["account_id"]]
        assert status == expected.pop("status")
        assert row == expected
    if as_of == AS_OF:  # a portfolio with every kind of loan, not all current
        assert len({r["dpd"] for r in got}) > 5
        by_id = {r["account_id"]: r for r in got}
        assert by_id["L-PHONES"]["time_zones"] == "Asia/Shanghai,Asia/Urumqi"
        assert by_id["L-NOWHERE"]["time_zones"] == "Asia/Shanghai"
        assert (by_id["L-PHONES"]["region"], by_id["L-NOWHERE"]["region"]) == ("XJ", "BJ")
        assert (by_id["L-PHONES"]["months_on_book"], by_id["L-NOWHERE"]["months_on_book"]) == (
            6,
            11,
        )


def test_a_stored_reversal_the_domain_refuses_fails_the_stage_as_before(
    portfolio: UowFactory,
) -> None:
    with portfolio() as unit:
        settings = settings_of(unit, PLATFORM)
        loan = unit.loans(PLATFORM).list_all()[5]
        wrong = Payment(PLATFORM, "BAD-R", loan.loan_id, Money.of("1.00", loan.schedule.currency),
                        AS_OF - timedelta(days=1), "NO-SUCH-PAYMENT")  # fmt: skip
        unit.payments(PLATFORM).add_many([wrong])
        unit.commit()
    with pytest.raises(ValidationError, match="BAD-R"):
        load_cycle_inputs(portfolio(), PLATFORM, AS_OF, settings, packs_horizon=timedelta(0))


def _busy_days(uow: UowFactory) -> list[date]:
    """A day with a reversal, the two days with the most payments, and a day a loan on a
    relief plan paid: the days whose recovery the test compares."""
    with uow() as unit:
        payments = [p for paid in unit.payments(PLATFORM).by_loan().values() for p in paid]
    counts: dict[date, int] = {}
    for p in payments:
        counts[p.paid_on] = counts.get(p.paid_on, 0) + 1
    busiest = sorted(counts, key=lambda d: (-counts[d], d))[:2]
    reversal = max(p.paid_on for p in payments if p.reverses)
    planned = _planned_ids(uow)
    on_plan = max(p.paid_on for p in payments if p.loan_id in planned)
    return sorted({reversal, on_plan, *busiest})


def _planned_ids(uow: UowFactory) -> set[str]:
    with uow() as unit:
        return {
            loan.loan_id
            for loan in unit.loans(PLATFORM).list_all()
            if len(unit.schedules(PLATFORM).schedule_history(loan.loan_id)) > 1
        }


def test_the_start_of_each_day_equals_the_domain(portfolio: UowFactory) -> None:
    """The recovery figures from the delinquency stage's own rows (``start_of_day``) are
    those the domain computes loan by loan from the repositories (``recovery_figures``)."""
    with portfolio() as unit:
        settings = settings_of(unit, PLATFORM)
    compared = 0
    for day in _busy_days(portfolio):
        with portfolio() as unit:
            book = portfolio_delinquency(unit, PLATFORM, day, settings, start_of_day=True)
        assert book.start_of_day is not None
        fast = outcome_figures(portfolio(), PLATFORM, day, start_of_day=book.start_of_day)
        slow = outcome_figures(portfolio(), PLATFORM, day)
        assert fast.to_pylist() == slow.to_pylist(), day
        compared += len(book.start_of_day.loan_ids)
    assert compared > 20


def test_money_on_a_loan_not_yet_disbursed_takes_the_domain_way(portfolio: UowFactory) -> None:
    with portfolio() as unit:
        settings = settings_of(unit, PLATFORM)
        early = Payment(PLATFORM, "EARLY", "NOT-YET", Money.of("10.00", settings.currency),
                        AS_OF)  # fmt: skip
        unit.payments(PLATFORM).add_many([early])
        unit.commit()
    with portfolio() as unit:
        book = portfolio_delinquency(unit, PLATFORM, AS_OF, settings, start_of_day=True)
    assert book.start_of_day is None
    figures = outcome_figures(portfolio(), PLATFORM, AS_OF, start_of_day=None).to_pylist()
    assert {"NOT-YET"} <= {f["account_id"] for f in figures if f["metric"] == "received"}


def test_the_snapshot_written_as_columns_is_the_snapshot_of_the_statuses(
    portfolio: UowFactory,
) -> None:
    """The cycle's bulk write of the bucket history (``replace_columns``: COPY on
    PostgreSQL) stores what ``replace`` stores of the same statuses, and replaces it."""
    with portfolio() as unit:
        settings = settings_of(unit, PLATFORM)
        book = portfolio_delinquency(unit, PLATFORM, AS_OF, settings)
    with portfolio() as unit:
        unit.delinquency(PLATFORM).replace(AS_OF, book.statuses)
        unit.commit()
    with portfolio() as unit:
        by_objects = unit.delinquency(PLATFORM).for_date(AS_OF)
    with portfolio() as unit:
        assert unit.delinquency(PLATFORM).replace_columns(AS_OF, book.snapshot()) == len(
            book.loan_ids
        )
        unit.commit()
    with portfolio() as unit:
        by_columns = unit.delinquency(PLATFORM).for_date(AS_OF)
    assert by_columns == by_objects
    assert len(by_columns) == len(book.loan_ids) > 100
    assert any(s.oldest_unpaid_due is None for s in by_columns.values())
    assert any(s.overdue[Component.PENALTY].minor for s in by_columns.values())


@pytest.mark.parametrize("wrong", ["no such loan", "a loan twice"])
def test_a_snapshot_naming_a_wrong_loan_is_refused_whole(portfolio: UowFactory, wrong: str) -> None:
    with portfolio() as unit:
        settings = settings_of(unit, PLATFORM)
        book = portfolio_delinquency(unit, PLATFORM, AS_OF, settings)
    table = book.snapshot()
    keys = table["loan_pk"].to_pylist()
    keys[-1] = max(keys) + 1000 if wrong == "no such loan" else keys[0]
    table = table.set_column(0, "loan_pk", pa.array(keys, pa.int64()))
    with portfolio() as unit, pytest.raises(Conflict) as refused:
        unit.delinquency(PLATFORM).replace_columns(AS_OF, table)
    if wrong == "no such loan":
        assert f"loan key {keys[-1]}" in str(refused.value)
    with portfolio() as unit:
        assert unit.delinquency(PLATFORM).for_date(AS_OF) == {}


def test_the_check_of_a_dates_loans_leaves_the_planner_as_it_was(portfolio: UowFactory) -> None:
    """On PostgreSQL the join that checks a date's loans turns nested-loop and hash joins
    off for itself; the rest of the write's transaction plans as before."""
    with portfolio() as unit:
        settings = settings_of(unit, PLATFORM)
        book = portfolio_delinquency(unit, PLATFORM, AS_OF, settings)
    with portfolio() as unit:
        session = unit.session
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("planner settings are PostgreSQL's")
        session.execute(text("SET LOCAL enable_hashjoin = off"))
        unit.delinquency(PLATFORM).replace_columns(AS_OF, book.snapshot())
        found = session.execute(
            text("SELECT current_setting('enable_nestloop'), current_setting('enable_hashjoin')")
        ).one()
        assert tuple(found) == ("on", "off")
