"""The cycle's outcome KPIs from stored payments, promises, plans and contacts (both databases).

Platform ``acme`` (Asia/Shanghai) on 2025-06-20 with three identical 12,000 CNY
loans started 2025-01-15 (installments of 1,066.19 from 15 February):

- L1 (B1): a plan offered, accepted and active today (nothing of it due yet), 200.00
  paid today towards it; a promise due today;
- L2 (B2): never paid before; pays 500.00 today and 100.00 that is reversed today;
  a promise made today;
- L3 (B3): paid February on time; a promise kept and one broken, both decided today.

Contacts in the ledger around the day, in Shanghai time, and a complaint from each of
B2 (on a call) and B3 (inbound, which is not an attempt).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.support import cycle_under

from tideover.adapters.repositories import ContactEvent, ContactResult
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.compliance.contacts import ActorRole, Attempt, Channel, Outcome
from tideover.domain.borrowers import Borrower
from tideover.domain.clock import FixedClock
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.payments import Payment
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans.lifecycle import Outcome as PromiseOutcome
from tideover.plans.lifecycle import PromiseToPay
from tideover.services.cycle.outcomes import outcome_figures
from tideover.services.cycle.run import kpi_report
from tideover.services.plans import hardship as hardship_service
from tideover.services.plans import promises as promise_service
from tideover.services.plans import relief as relief_service

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
POLICY = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
DAY = date(2025, 6, 20)
NEXT = DAY + timedelta(days=1)
CLOCK = FixedClock(datetime(2025, 6, 20, 3, 0, tzinfo=UTC))  # 11:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def _contact(
    eid: str,
    borrower: str,
    debt: str,
    channel: Channel,
    at: datetime,
    outcome: Outcome = Outcome.DELIVERED,
    *,
    inbound: bool = False,
    complaint: bool = False,
) -> ContactEvent:
    attempt = Attempt(borrower, debt, channel, ActorRole.CREDITOR, at)
    result = ContactResult.COMPLAINT if complaint else None
    return ContactEvent(eid, attempt, outcome, at, inbound, result)


def _promise(
    uow: SqlAlchemyUnitOfWork,
    pid: str,
    loan: str,
    amount: str,
    made: date,
    due: date,
    decided: PromiseOutcome | None = None,
    on: date = DAY,
) -> None:
    repo = uow.promises("acme")
    repo.add_promise(
        PromiseToPay(pid, Money.of(amount), due, made), loan_id=loan, plan_id=None, by="collector1"
    )
    if decided is not None:
        repo.decide_promise(pid, decided, on)


def _plan_on_l1(uow: UowFactory, tmp_path: Path) -> dict[str, Any]:
    """Application A1 and plan A1-1 (term-22) for L1, offered and accepted on DAY."""
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(b"%PDF-1.4 medical certificate")
    application = {
        "application_id": "A1",
        "loan_id": "L1",
        "submitted_on": DAY.isoformat(),
        "reason": "illness_injury",
        "description": "In hospital for two months.",
        "expected_duration_months": 4,
        "income": {"benefits": "5200"},
        "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
        "dependants": 1,
    }
    hardship_service.apply_for_hardship(
        uow=uow(),
        platform="acme",
        data=application,
        evidence=[f"medical_certificate:{pdf}"],
        clock=CLOCK,
    )
    hardship_service.review_application(
        uow=uow(), platform="acme", application_id="A1", by="reviewer", clock=CLOCK
    )
    offered = relief_service.offer_plan(
        uow=uow(),
        platform="acme",
        application_id="A1",
        loan_id="L1",
        option_id="term-22",
        by="collector1",
        clock=CLOCK,
    ).to_json()
    if offered["approval"]["approved_by"] is None:
        relief_service.approve_plan(
            uow=uow(), platform="acme", plan_id="A1-1", by="lead", role="manager", clock=CLOCK
        )
    return relief_service.accept_plan(
        uow=uow(), platform="acme", plan_id="A1-1", clock=CLOCK
    ).to_json()


@pytest.fixture
def acme(uow_factory: UowFactory, tmp_path: Path) -> UowFactory:
    terms = terms_for(
        principal=Money.of("12000"),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 1, 15),
    )
    yesterday, tomorrow = DAY - timedelta(days=1), DAY + timedelta(days=1)
    with uow_factory() as unit:
        unit.platforms.ensure("acme", name="acme", currency=CNY, settings={})
        unit.borrowers("acme").add_many(
            [Borrower(platform="acme", borrower_id=f"B{i}", name="王") for i in (1, 2, 3)]
        )
        unit.loans("acme").add_many(
            [Loan("acme", f"L{i}", f"B{i}", terms, build_schedule(terms)) for i in (1, 2, 3)]
        )
        unit.payments("acme").add_many(
            [
                Payment("acme", "P1", "L3", Money.of("1066.19"), date(2025, 2, 15)),
                Payment("acme", "P2", "L2", Money.of("500.00"), DAY),
                Payment("acme", "P3", "L2", Money.of("100.00"), DAY),
                Payment("acme", "R3", "L2", Money.of("100.00"), DAY, reverses="P3"),
            ]
        )
        _promise(
            unit, "PTP-A", "L3", "150.00", date(2025, 6, 1), date(2025, 6, 5), PromiseOutcome.KEPT
        )
        _promise(
            unit,
            "PTP-B",
            "L3",
            "200.00",
            date(2025, 6, 10),
            date(2025, 6, 15),
            PromiseOutcome.BROKEN,
        )
        _promise(unit, "PTP-C", "L1", "400.00", date(2025, 6, 13), DAY)  # due today, pending
        # Decided on another day: not counted.
        _promise(
            unit,
            "PTP-D",
            "L1",
            "90.00",
            date(2025, 5, 1),
            date(2025, 5, 5),
            PromiseOutcome.BROKEN,
            on=date(2025, 5, 6),
        )
        unit.contacts("acme").add_many(
            [
                _contact(
                    "E1",
                    "B2",
                    "L2",
                    Channel.CALL,
                    _local(DAY, 10),
                    Outcome.CONVERSATION,
                    complaint=True,
                ),
                _contact("E2", "B2", "L2", Channel.SMS, _local(DAY, 9)),
                _contact("E3", "B1", "L1", Channel.CALL, _local(DAY, 14), Outcome.NO_ANSWER),
                _contact(
                    "E4",
                    "B3",
                    "L3",
                    Channel.CALL,
                    _local(DAY, 15),
                    Outcome.CONVERSATION,
                    inbound=True,
                    complaint=True,
                ),
                _contact("E5", "B1", "L1", Channel.SMS, _local(yesterday, 23, 30)),  # not today
                _contact("E6", "B1", "L1", Channel.SMS, _local(DAY, 23, 30)),  # a UTC day apart
                _contact("E7", "B1", "L1", Channel.SMS, _local(tomorrow, 0, 30)),  # tomorrow
                _contact("E8", "B3", "CARD-9", Channel.SMS, _local(DAY, 11)),  # another debt
            ]
        )
        unit.commit()
    promise_service.record_promise(
        uow=uow_factory(),
        platform="acme",
        loan_id="L2",
        amount="300.00",
        due=DAY + timedelta(days=7),
        by="collector1",
        clock=CLOCK,
    )
    _plan_on_l1(uow_factory, tmp_path)
    with uow_factory() as unit:  # towards the plan, once it is in force
        unit.payments("acme").add_many([Payment("acme", "P4", "L1", Money.of("200.00"), DAY)])
        unit.commit()
    return uow_factory


def _totals(rows: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[int, int, Any, Any]]:
    """Rows summed over segments and arms by (metric, key)."""
    out: dict[tuple[str, str], list[Any]] = {}
    for r in rows:
        t = out.setdefault((r["metric"], r["key"]), [0, 0, None, None])
        t[0] += r["accounts"]
        t[1] += r["amount_minor"]
        for i, name in ((2, "base_accounts"), (3, "base_amount_minor")):
            if r[name] is not None:
                t[i] = (t[i] or 0) + r[name]
    return {k: (v[0], v[1], v[2], v[3]) for k, v in out.items()}


def _cycle(uow: UowFactory) -> list[dict[str, Any]]:
    cycle_under(uow=uow(), platform="acme", as_of=DAY, clock=CLOCK, policy_file=POLICY)
    rows: list[dict[str, Any]] = kpi_report(
        uow=uow(), platform="acme", first=DAY, last=DAY
    ).to_json()["rows"]
    return rows


def test_promises_plans_contacts_and_complaints_of_the_day(acme: UowFactory) -> None:
    rows = _cycle(acme)
    t = _totals(rows)
    assert ("promises", "made") not in t  # made today: reported by the next run
    assert t[("promises", "due")] == (1, 40_000, None, None)
    assert t[("promises", "kept")] == (1, 15_000, 2, 35_000)
    assert t[("promises", "broken")] == (1, 20_000, 2, 35_000)
    with acme() as uow:
        (plan,) = uow.plans("acme").plan_timelines(DAY)
        total = uow.plans("acme").plan_totals([plan.plan_id])[plan.plan_id]
    assert total > 1_200_000  # 22 installments of 640.44: principal and interest
    for status in ("offered", "accepted", "active"):
        assert t[("plans", status)] == (1, total, None, None)
    assert ("plans", "completed") not in t
    in_force = t[("plans", "in_force")]
    assert in_force[0] == 1  # L1 ...
    assert in_force[2] == 3  # ... of the three open accounts
    # The run of DAY plans the day's contacts: it reports those of the day before, and the
    # next run (its window starts on DAY, the previous run's date) reports the day's.
    assert t[("attempted", "sms")][0] == 1  # the SMS of the day before
    assert ("complaints", "all") not in t or t[("complaints", "all")][0] == 0
    next_day = FixedClock(CLOCK.instant + timedelta(days=1))  # the next date runs on its day
    cycle_under(uow=acme(), platform="acme", as_of=NEXT, clock=next_day, policy_file=POLICY)
    rows = kpi_report(uow=acme(), platform="acme", first=NEXT, last=NEXT).to_json()["rows"]
    t = _totals(rows)
    assert t[("promises", "made")] == (1, 30_000, None, None)
    assert t[("attempted", "call")][0] == 2  # E1, E3 (E4 is inbound)
    assert t[("attempted", "sms")][0] == 3  # E2, E6 and E8 (on B3's account); not E5, E7
    complaints = t[("complaints", "all")]
    assert complaints[:3] == (2, 0, 5)  # E1 and E4, over the day's five attempts
    for row in rows:  # per 1,000 from the stored counts, rounded once
        exact = Decimal(row["accounts"] * 1000) / (row["base_accounts"] or 1)
        expected = str(exact.quantize(Decimal("0.01"), ROUND_HALF_UP))
        wanted = expected if row["metric"] == "complaints" and row["base_accounts"] else None
        assert row["per_1000"] == wanted


def test_recovery_is_todays_net_money_over_the_overdue_amount_this_morning(
    acme: UowFactory,
) -> None:
    t = _totals(_cycle(acme))
    with acme() as uow:
        tonight = uow.delinquency("acme").for_date(DAY)
    # L2 owed far more than 500.00 this morning: the day's net 500.00 all went to
    # overdue amounts, so this morning's overdue is tonight's plus 500.00.  It had
    # never paid, so it started the day 125 days past due (M5) as it ends it.
    assert tonight["L2"].bucket == "M5"
    expected: dict[str, list[int]] = {
        "M5": [1, 50_000, 1, tonight["L2"].overdue_total.minor + 50_000]
    }
    # L3 received nothing today: this morning as tonight, 97 days past due (February paid).
    assert tonight["L3"].bucket == "M4"
    expected["M4"] = [0, 0, 1, tonight["L3"].overdue_total.minor]
    # L1 is on a plan in force from today with nothing due yet: neither this morning
    # nor tonight overdue, so its 200.00 is no recovery.
    assert tonight["L1"].overdue_total.minor == 0
    got = {k[1]: list(v) for k, v in t.items() if k[0] == "recovery"}
    assert got == expected
    assert sum(v[2] for v in got.values()) >= 2


def test_figures_are_keyed_by_account_for_the_kpi_stage(acme: UowFactory) -> None:
    figures = outcome_figures(acme(), "acme", DAY).to_pylist()
    keyed = {(f["account_id"], f["metric"], f["key"]): f for f in figures}
    contacts = outcome_figures(acme(), "acme", NEXT, since=DAY).to_pylist()
    keyed |= {(f["account_id"], f["metric"], f["key"]): f for f in contacts}
    assert keyed[("L2", "received", "M5")]["amount_minor"] == 50_000
    assert keyed[("L2", "start_overdue", "M5")]["amount_minor"] > 3 * 106_619
    assert keyed[("CARD-9", "attempted", "sms")]["borrower_id"] == "B3"
    assert keyed[("L1", "plans", "in_force")]["items"] == 1
    assert keyed[("L3", "promises", "kept")]["amount_minor"] == 15_000
    # L1 started the day on its plan (in force from today): nothing overdue.
    assert keyed[("L1", "received", "M0")]["amount_minor"] == 20_000
    assert keyed[("L1", "start_overdue", "M0")]["amount_minor"] == 0
    assert not [f for f in figures if f["account_id"] == "L3" and f["metric"] == "received"]
    # The run of DAY: yesterday's SMS is its only contact figure; nothing of the day's.
    assert [
        (f["account_id"], f["metric"], f["key"], f["items"])
        for f in figures
        if f["metric"] in ("attempted", "complaints")
    ] == [("L1", "attempted", "sms", 1)]
    # A window of several days (a weekend between two runs) counts each day once.
    wide = outcome_figures(acme(), "acme", NEXT, since=DAY - timedelta(days=1)).to_pylist()
    sms = [f for f in wide if (f["metric"], f["key"]) == ("attempted", "sms")]
    assert sum(f["items"] for f in sms) == 3 + 1


def test_a_rerun_after_a_review_counts_the_new_decision(acme: UowFactory) -> None:
    first = _totals(_cycle(acme))
    assert first[("promises", "kept")][2] == 2
    with acme() as uow:
        uow.promises("acme").decide_promise("PTP-C", PromiseOutcome.KEPT, DAY)
        uow.commit()
    again = _totals(_cycle(acme))
    assert again[("promises", "kept")] == (2, 55_000, 3, 75_000)
