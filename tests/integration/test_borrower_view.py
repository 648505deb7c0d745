"""The borrower 360 read handler on SQLite and PostgreSQL: scope, masking, schedule in force,
bucket history, score sources."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.batch.cycle.shadow import SCORES_SCHEMA, scores_path
from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.domain.clock import FixedClock
from tideover.domain.delinquency import PausePeriod
from tideover.domain.errors import NotFound
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.payments import Payment
from tideover.domain.schedule_in_force import status_in_force
from tideover.domain.schedules import build_schedule, terms_for
from tideover.services.portfolio.borrower_view import (
    COLLECTOR_SCOPE_DAYS,
    HISTORY_DAYS,
    borrower_view,
    loan_view,
    reason_text,
)
from tideover.services.queues.collectors import add_collectors, build_collector

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
TODAY = date(2026, 6, 1)
CLOCK = FixedClock(datetime(2026, 6, 1, 3, 0, tzinfo=UTC))  # 11:00 in Shanghai
PHONE = "+8613912345678"


def _loan(loan_id: str, borrower: str, start: date) -> Loan:
    terms = terms_for(
        principal=Money.of("6000", CNY),
        annual_rate=Decimal("0.12"),
        term=6,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=start,
    )
    return Loan("p", loan_id, borrower, terms, build_schedule(terms))


def _item(account: str, borrower: str, day: date, collector: str | None) -> dict[str, Any]:
    return {
        "account_id": account,
        "borrower_id": borrower,
        "step": "call#0",
        "channel": "human_call",
        "template": None,
        "tone": "neutral",
        "segment": "early",
        "arm": "",
        "treatment": "call",
        "rescheduled": False,
        "rule_ids": [],
        "queue": "early",
        "priority": 100,
        "due_at": None,
        "state": "assigned" if collector else "open",
        "assigned_to": collector,
        "jurisdiction": "CN",
        "offers": [],
        "summary": {
            "score": "0.250000",
            "band": "B",
            "reason": {"code": "R-X", "en": "x", "zh": "x"},
        },
        "run_id": 1,
    }


@pytest.fixture
def uow(uow_factory: UowFactory) -> UowFactory:
    """Platform ``p``: borrower B1 with loans L1 (overdue, paused a week, bucket history
    over 100 days) and L2 (on a re-aged schedule); B2 with L3; an item of B1 six days ago
    for collector ``amy``, one of B2 nine days ago for ``amy``; platform ``q`` empty."""
    l1, l2 = _loan("L1", "B1", date(2026, 1, 10)), _loan("L2", "B1", date(2025, 12, 1))
    l3 = _loan("L3", "B2", date(2026, 1, 10))
    with uow_factory() as unit:
        for code in ("p", "q"):
            unit.platforms.ensure(
                code, name=code, currency="CNY", settings={"time_zone": "Asia/Shanghai"}
            )
        unit.borrowers("p").add_many(
            [
                Borrower(
                    platform="p",
                    borrower_id=b,
                    name="王小明",
                    phones=(PhoneNumber(PHONE, "CN", ("Asia/Shanghai",)),),
                    national_id="110101199003074578",
                    time_zone="Asia/Shanghai",
                )
                for b in ("B1", "B2")
            ]
        )
        unit.loans("p").add_many([l1, l2, l3])
        first = l1.schedule.installments[0]
        unit.payments("p").add_many([Payment("p", "P1", "L1", first.total, first.due_date)])
        unit.loans("p").add_pause("L1", PausePeriod(date(2026, 4, 1), date(2026, 4, 7)), "illness")
        schedules = unit.schedules("p")
        schedules.append_schedule(
            "L2", l2.schedule, reason="contract", effective_from=date(2025, 12, 1)
        )
        schedules.append_schedule(
            "L2", l2.schedule, reason="re-aged", effective_from=date(2026, 5, 1)
        )
        for back in (100, 30, 1):
            day = TODAY - timedelta(days=back)
            statuses = [status_in_force(loan, [], day)[1] for loan in (l1, l2, l3)]
            unit.delinquency("p").replace(day, statuses)
        unit.commit()
    add_collectors(
        uow=uow_factory(),
        platform="p",
        collectors=[
            build_collector(
                collector_id="amy",
                name="Amy",
                team="t",
                jurisdictions=["CN"],
                queues=["*"],
                daily_capacity=10,
            )
        ],
        by="lead",
    )
    with uow_factory() as unit:
        recent, old = TODAY - timedelta(days=6), TODAY - timedelta(days=9)
        unit.cycle("p").replace_queue_items(recent, [_item("L1", "B1", recent, "amy")])
        unit.cycle("p").replace_queue_items(old, [_item("L3", "B2", old, "amy")])
        unit.commit()
    return uow_factory


def test_the_360_replays_each_loan_on_its_schedule_in_force(uow: UowFactory) -> None:
    view = borrower_view(uow=uow(), platform="p", borrower_id="B1", clock=CLOCK)
    assert view.as_of == TODAY
    assert [loan.loan_id for loan in view.loans] == ["L1", "L2"]
    l1, l2 = view.loans
    assert l1.schedule.reason == "contract"
    assert l1.schedule.version is None
    assert l2.schedule.reason == "re-aged"
    assert l2.schedule.effective_from == date(2026, 5, 1)
    # L1: the first installment paid, the next ones overdue; the week's pause is not counted.
    assert l1.schedule.installments[0].settled_on == date(2026, 2, 10)
    assert l1.standing.oldest_unpaid_due == date(2026, 3, 10)
    assert l1.standing.dpd == (TODAY - date(2026, 3, 10)).days - 7
    assert l1.standing.overdue_total == sum(
        (i.outstanding for i in l1.schedule.installments if i.overdue), Decimal(0)
    )
    assert [p.payment_id for p in l1.payments] == ["P1"]


def test_the_bucket_history_is_the_stored_snapshots_of_the_last_90_days(uow: UowFactory) -> None:
    view = borrower_view(uow=uow(), platform="p", borrower_id="B1", clock=CLOCK)
    days = [d.as_of for d in view.loans[0].history]
    assert days == [TODAY - timedelta(days=30), TODAY - timedelta(days=1)]
    assert all((TODAY - d).days < HISTORY_DAYS for d in days)


def test_pii_is_masked_unless_revealed(uow: UowFactory) -> None:
    masked = borrower_view(uow=uow(), platform="p", borrower_id="B1", clock=CLOCK)
    assert masked.masked
    assert PHONE not in masked.phones
    assert masked.national_id != "110101199003074578"
    assert masked.name != "王小明"
    plain = borrower_view(uow=uow(), platform="p", borrower_id="B1", reveal_pii=True, clock=CLOCK)
    assert plain.phones == [PHONE]
    assert plain.name == "王小明"


def test_a_collector_sees_the_borrowers_of_their_recent_items_only(uow: UowFactory) -> None:
    seen = borrower_view(uow=uow(), platform="p", borrower_id="B1", collector="amy", clock=CLOCK)
    assert seen.borrower_id == "B1"
    assert COLLECTOR_SCOPE_DAYS < 9  # B2's item is older than the scope
    for who, borrower in (("amy", "B2"), ("bob", "B1")):
        with pytest.raises(NotFound) as caught:
            borrower_view(uow=uow(), platform="p", borrower_id=borrower, collector=who, clock=CLOCK)
        assert "B" in caught.value.en
        assert caught.value.zh


def test_another_platform_has_no_such_borrower(uow: UowFactory) -> None:
    with pytest.raises(NotFound):
        borrower_view(uow=uow(), platform="q", borrower_id="B1", clock=CLOCK)


def test_the_score_comes_from_the_newer_of_queue_item_and_scores_file(
    uow: UowFactory, tmp_path: Path
) -> None:
    from_item = borrower_view(uow=uow(), platform="p", borrower_id="B1", clock=CLOCK)
    score = from_item.loans[0].score
    assert score is not None
    assert score.source == "queue_item"
    assert score.as_of == TODAY - timedelta(days=6)
    assert score.probability == Decimal("0.25")
    path = scores_path(tmp_path, "p", TODAY - timedelta(days=1))
    path.parent.mkdir(parents=True)
    table = pa.table(
        {
            "account_id": ["L1", "L1", "L2"],
            "model_version": ["m1", "m2", "m1"],
            "role": ["challenger", "champion", "champion"],
            "probability": [Decimal("0.9"), Decimal("0.31"), Decimal("0.1")],
            "band": ["E", "C", "A"],
            "reason_code": [None, "R-MAX_DPD_6M", None],
        }
    ).cast(SCORES_SCHEMA)
    pq.write_table(table, path)
    later = scores_path(tmp_path, "p", TODAY + timedelta(days=1))  # not yet: ignored
    pq.write_table(table.slice(0, 0), later)
    view = borrower_view(
        uow=uow(), platform="p", borrower_id="B1", scores_dir=tmp_path, clock=CLOCK
    )
    l1, l2 = view.loans
    assert l1.score is not None
    assert l1.score.source == "scores_file"
    assert l1.score.model_version == "m2"
    assert l1.score.band == "C"
    assert l1.score.reasons == [reason_text("R-MAX_DPD_6M")]
    assert l2.score is not None
    assert l2.score.band == "A"


def test_repository_reads_are_scoped_to_the_loans_asked(uow: UowFactory) -> None:
    with uow() as unit:
        assert unit.loans("p").pauses_by_loan(["L2", "L3"]) == {}
        assert list(unit.loans("p").pauses_by_loan(["L1"])) == ["L1"]
        history = unit.delinquency("p").history(["L3"], [TODAY - timedelta(days=1), TODAY])
        assert list(history) == ["L3"]
        assert [s.as_of for s in history["L3"]] == [TODAY - timedelta(days=1)]
        assert unit.delinquency("q").history(["L3"], [TODAY - timedelta(days=1)]) == {}
        items = unit.queues("p").for_accounts(["L1", "L3"], since=TODAY - timedelta(days=7))
        assert [i.account_id for i in items] == ["L1"]


def test_one_loan_as_the_360_shows_it(uow: UowFactory) -> None:
    detail = loan_view(uow=uow(), platform="p", loan_id="L2", clock=CLOCK)
    assert detail.borrower_id == "B1"
    assert detail.loan.schedule.reason == "re-aged"
    whole = borrower_view(uow=uow(), platform="p", borrower_id="B1", clock=CLOCK)
    assert detail.loan == whole.loans[1]
    assert loan_view(uow=uow(), platform="p", loan_id="L1", collector="amy", clock=CLOCK)
    for platform, loan, who in (("p", "L3", "amy"), ("q", "L1", None), ("p", "L9", None)):
        with pytest.raises(NotFound):
            loan_view(uow=uow(), platform=platform, loan_id=loan, collector=who, clock=CLOCK)
