"""Isolation cases of the collector's workbench (see ``tests/web/isolation.py``), and the
records the workbench tests work on.

:func:`seed` stores, on one platform: borrower ``B1`` (Shanghai) with loan ``L1`` two
installments in arrears, a hardship application under review, two days of bucket
history, and today's call item for collector ``agent``; borrower ``B2`` with loan ``L2``
and an item of collector ``agent2`` (another collector of the same platform).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.web.conftest import CLOCK
from tests.web.isolation import Case
from tideover.bootstrap import App
from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.payments import Payment
from tideover.domain.schedule_in_force import status_in_force
from tideover.domain.schedules import build_schedule, terms_for
from tideover.services.plans.hardship import apply_for_hardship, review_application
from tideover.services.queues.collectors import add_collectors, build_collector

TODAY = date(2026, 6, 1)  # CLOCK's date in Shanghai
NAME = "张秀英"
NATIONAL_ID = "110101199003074578"
PHONE = "+8613912345678"
APPLICATION = {
    "application_id": "A1",
    "loan_id": "L1",
    "submitted_on": "2026-05-28",
    "reason": "illness_injury",
    "description": "In hospital for two months; back at work in about four.",
    "expected_duration_months": 4,
    "income": {"benefits": "5200"},
    "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
    "dependants": 1,
}


@dataclass(frozen=True)
class Seeded:
    platform: str
    item: int  # agent's item, B1 / L1
    other_item: int  # agent2's item, B2 / L2


def _terms() -> Any:
    return terms_for(
        principal=Money.of("12000", CNY),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2026, 1, 15),
    )


def _item(account: str, borrower: str, collector: str, priority: int) -> dict[str, Any]:
    return {
        "account_id": account,
        "borrower_id": borrower,
        "step": "call#0",
        "channel": "human_call",
        "template": "call_script",
        "tone": "supportive",
        "segment": "early",
        "arm": "",
        "treatment": "call",
        "rescheduled": False,
        "rule_ids": [],
        "queue": "early",
        "priority": priority,
        "due_at": datetime(2026, 6, 1, 2, 0, tzinfo=UTC),
        "state": "assigned",
        "assigned_to": collector,
        "assigned_at": datetime(2026, 6, 1, 1, 0, tzinfo=UTC),
        "assigned_by": "system",
        "jurisdiction": "CN",
        "offers": ["hardship"],
        "summary": {
            "dpd": 47,
            "bucket": "M2",
            "overdue": "2132.38",
            "balance": "9123.51",
            "currency": "CNY",
            "score": "0.412000",
            "band": "C",
            "segment": "early",
            "offers_id": "hardship",
            "reason": {
                "code": "R-MAX_DPD_6M",
                "en": "Worst days past due in six months",
                "zh": "近六个月最长逾期天数",
            },
        },
        "run_id": 1,
    }


def seed(core: App, platform: str = "acme") -> Seeded:
    """The records above on ``platform`` (returns the two items' ids)."""
    terms = _terms()
    loans = [Loan(platform, f"L{n}", f"B{n}", terms, build_schedule(terms)) for n in (1, 2)]
    with core.uow() as uow:
        uow.borrowers(platform).add_many(
            [
                Borrower(
                    platform=platform,
                    borrower_id=f"B{n}",
                    name=NAME,
                    phones=(PhoneNumber(PHONE, "CN", ("Asia/Shanghai",)),),
                    national_id=NATIONAL_ID,
                    address="上海市浦东新区世纪大道100号",
                    time_zone="Asia/Shanghai",
                )
                for n in (1, 2)
            ]
        )
        uow.loans(platform).add_many(loans)
        first = loans[0].schedule.installments[0]
        uow.payments(platform).add_many(
            [Payment(platform, "P1", "L1", first.total, first.due_date)]
        )
        history = []
        for back in (2, 1):
            day = TODAY - timedelta(days=back)
            _, status = status_in_force(loans[0], [], day)
            history.append((day, status))
        for day, status in history:
            uow.delinquency(platform).replace(day, [status])
        uow.commit()
    add_collectors(
        uow=core.uow(),
        platform=platform,
        collectors=[
            build_collector(
                collector_id=cid,
                name=cid.title(),
                team="east",
                jurisdictions=["CN"],
                queues=["*"],
                daily_capacity=50,
            )
            for cid in ("agent", "agent2")
        ],
        by="lead",
    )
    with core.uow() as uow:
        uow.cycle(platform).replace_queue_items(
            TODAY, [_item("L1", "B1", "agent", 900), _item("L2", "B2", "agent2", 800)]
        )
        uow.commit()
        ids = {i.account_id: i.item_id for i in uow.queues(platform).items(as_of=TODAY)}
    apply_for_hardship(uow=core.uow(), platform=platform, data=APPLICATION, clock=CLOCK)
    review_application(
        uow=core.uow(), platform=platform, application_id="A1", by="lead", clock=CLOCK
    )
    return Seeded(platform, ids["L1"], ids["L2"])


def _item_case(core: App) -> tuple[dict[str, str], str]:
    seeded = seed(core)
    return {"item_id": str(seeded.item)}, NAME


def _borrower_case(core: App) -> tuple[dict[str, str], str]:
    seed(core)
    return {"borrower_id": "B1"}, NAME


CASES: dict[str, Case] = {
    "/api/v1/queue/items/{item_id}": Case(_item_case),
    "/api/v1/queue/items/{item_id}/call-check": Case(_item_case),
    "/api/v1/queue/items/{item_id}/calls": Case(_item_case),
    "/api/v1/queue/items/{item_id}/outcome": Case(_item_case, body={"outcome": "reached"}),
    "/api/v1/queue/items/{item_id}/plan-options": Case(_item_case),
    "/api/v1/queue/items/{item_id}/plan-offers": Case(_item_case, body={"option_id": "term-36"}),
    "/api/v1/borrowers/{borrower_id}": Case(_borrower_case),
    "/queue/items/{item_id}": Case(_item_case),
    "/queue/items/{item_id}/call-check": Case(_item_case),
    "/queue/items/{item_id}/calls": Case(_item_case),
    "/queue/items/{item_id}/outcome": Case(_item_case, body={"outcome": "reached"}),
    "/queue/items/{item_id}/plan-options": Case(_item_case),
    "/queue/items/{item_id}/plan-offers": Case(_item_case, body={"option_id": "term-36"}),
    "/queue/borrowers/{borrower_id}": Case(_borrower_case),
}
