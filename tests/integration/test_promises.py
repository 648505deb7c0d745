"""Promises to pay: recorded, refused, decided kept or broken by a review, on both databases."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.domain.borrowers import Borrower
from tideover.domain.clock import FixedClock, SystemClock, business_date
from tideover.domain.errors import Conflict, NotFound, TideoverError, UsageError, ValidationError
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.payments import Payment
from tideover.domain.schedules import build_schedule, terms_for
from tideover.services.plans import promises as promise_service
from tideover.services.plans import review as plan_review

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
CLOCK = FixedClock(datetime(2025, 6, 20, 3, 0, tzinfo=UTC))  # 2025-06-20 in Asia/Shanghai
LATER = FixedClock(datetime(2026, 1, 1, 3, 0, tzinfo=UTC))
DUE = date(2025, 7, 1)
TABLES = ("promises_to_pay", "audit_records")


@pytest.fixture
def uow(uow_factory: UowFactory) -> UowFactory:
    """Loans L1 and L2 on platform ``acme``; loan L3 on platform ``other``."""
    terms = terms_for(
        principal=Money.of("12000"),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 1, 15),
    )
    with uow_factory() as unit:
        for code, loans in (("acme", ("L1", "L2")), ("other", ("L3",))):
            unit.platforms.ensure(code, name=code, currency=CNY, settings={})
            unit.borrowers(code).add_many([Borrower(platform=code, borrower_id="B1", name="王")])
            unit.loans(code).add_many(
                [Loan(code, loan, "B1", terms, build_schedule(terms)) for loan in loans]
            )
        unit.commit()
    return uow_factory


def promise(uow: UowFactory, loan: str = "L1", amount: str = "500.00", **kw: Any) -> dict[str, Any]:
    return promise_service.record_promise(
        uow=uow(),
        platform="acme",
        loan_id=loan,
        amount=amount,
        due=kw.pop("due", DUE),
        by=kw.pop("by", "collector1"),
        clock=kw.pop("clock", CLOCK),
    ).to_json()


def pay(uow: UowFactory, loan: str, *paid: tuple[str, date]) -> None:
    with uow() as unit:
        start = unit.payments("acme").count()
        unit.payments("acme").add_many(
            [
                Payment("acme", f"P{start + n}", loan, Money.of(amount), on)
                for n, (amount, on) in enumerate(paid, start=1)
            ]
        )
        unit.commit()


def review(uow: UowFactory, as_of: date, grace: int = 0) -> list[dict[str, Any]]:
    report = plan_review.review_plans(
        uow=uow(), platform="acme", as_of=as_of, promise_grace_days=grace, clock=LATER
    ).to_json()
    promises: list[dict[str, Any]] = report["promises"]
    return promises


def state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
            for table in TABLES
        }


def test_a_promise_is_recorded_and_audited(uow: UowFactory) -> None:
    recorded = promise(uow)
    assert recorded == {
        "promise_id": "PTP-1",
        "loan_id": "L1",
        "plan_id": None,
        "amount": "500.00",
        "currency": "CNY",
        "made_on": "2025-06-20",
        "due": "2025-07-01",
        "outcome": "pending",
        "decided_on": None,
        "recorded_by": "collector1",
    }
    assert promise(uow, "L2", due=date(2025, 6, 20))["promise_id"] == "PTP-2"  # today is fine
    listed = promise_service.list_promises(uow=uow(), platform="acme").to_json()
    assert [p["promise_id"] for p in listed] == ["PTP-1", "PTP-2"]
    only = promise_service.list_promises(uow=uow(), platform="acme", loan_id="L2").to_json()
    assert [p["loan_id"] for p in only] == ["L2"]
    assert promise_service.list_promises(uow=uow(), platform="other").to_json() == []
    with uow() as unit:
        assert [r.kind for r in unit.audit("acme").records()] == ["promise_recorded"] * 2


@pytest.mark.parametrize(
    ("loan", "amount", "due", "by", "error", "words"),
    [
        ("L1", "500", date(2025, 6, 19), "c", ValidationError, "before today (2025-06-20)"),
        ("L1", "0", DUE, "c", ValidationError, "must be positive"),
        ("L1", "-5", DUE, "c", ValidationError, "must be positive"),
        ("L1", "10.005", DUE, "c", ValidationError, "minor unit"),
        ("L1", "ten", DUE, "c", ValidationError, "not a number"),
        ("L3", "500", DUE, "c", NotFound, "no loan 'L3' on platform 'acme'"),
        ("L1", "500", DUE, "system", ValidationError, "reserved"),
    ],
)
def test_bad_promises_are_refused_and_change_nothing(
    uow: UowFactory,
    engine: Engine,
    loan: str,
    amount: str,
    due: date,
    by: str,
    error: type[TideoverError],
    words: str,
) -> None:
    before = state(engine)
    with pytest.raises(error) as caught:
        promise(uow, loan, amount, due=due, by=by)
    assert words in caught.value.en
    assert caught.value.zh
    assert caught.value.zh != caught.value.en
    assert state(engine) == before


def test_one_pending_promise_per_loan(uow: UowFactory, engine: Engine) -> None:
    promise(uow)
    before = state(engine)
    with pytest.raises(Conflict) as caught:
        promise(uow, amount="200")
    assert "PTP-1" in caught.value.en
    assert state(engine) == before
    pay(uow, "L1", ("500", date(2025, 6, 25)))
    review(uow, date(2025, 6, 25))
    assert promise(uow, amount="200", due=date(2025, 8, 1))["promise_id"] == "PTP-2"


def test_promises_are_kept_or_broken_by_the_review_date(uow: UowFactory, engine: Engine) -> None:
    promise(uow)  # L1: 500 by 2025-07-01
    promise(uow, "L2", "300")  # L2: 300 by 2025-07-01
    pay(
        uow,
        "L1",
        ("400", date(2025, 6, 19)),  # before the promise: does not count
        ("200", date(2025, 6, 22)),
        ("300", date(2025, 7, 1)),
    )
    pay(uow, "L2", ("300", date(2025, 7, 2)))  # a day late
    assert review(uow, date(2025, 6, 30)) == []  # 200 paid so far; the date has not passed
    decided = review(uow, date(2025, 7, 2))
    assert [(p["promise_id"], p["outcome"], p["decided_on"]) for p in decided] == [
        ("PTP-1", "kept", "2025-07-02"),
        ("PTP-2", "broken", "2025-07-02"),
    ]
    assert decided[1]["grace_days"] == 0
    with uow() as unit:
        kinds = [r.kind for r in unit.audit("acme").records()]
    assert kinds[-2:] == ["promise_kept", "promise_broken"]
    before = state(engine)
    assert review(uow, date(2025, 7, 2)) == []  # decided once, never again
    assert review(uow, date(2025, 7, 9), grace=7) == []
    assert state(engine) == before


def test_a_grace_period_counts_late_payments(uow: UowFactory) -> None:
    promise(uow, "L2", "300")
    pay(uow, "L2", ("300", date(2025, 7, 3)))
    assert review(uow, date(2025, 7, 2), grace=2) == []  # within the grace: still pending
    [kept] = review(uow, date(2025, 7, 3), grace=2)
    assert (kept["outcome"], kept["grace_days"]) == ("kept", 2)


def invoke(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main.run(["plans", *args])
    return code, out.getvalue(), err.getvalue()


def test_promises_from_the_command_line(
    uow: UowFactory,
    engine: Engine,
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    # The command records on the real business date; the test only picks a date after it.
    due = (business_date(SystemClock(), "Asia/Shanghai") + timedelta(days=30)).isoformat()
    base = ["promise", "--platform", "acme", "--loan", "L1", "--by", "collector1"]
    before = state(engine)
    refusals: list[tuple[list[str], type[TideoverError]]] = [
        (["--amount", "500", "--date", "2020-01-01"], ValidationError),
        (["--amount", "0", "--date", due], ValidationError),
        (["--amount", "500", "--date", "tomorrow"], UsageError),
        (["--amount", "500", "--date", due, "--loan", "L3"], NotFound),
    ]
    for extra, error in refusals:
        code, _, err = invoke([*base, *extra])
        assert code == error.exit_code, err
        assert f"[{error.code}]" in err
    assert state(engine) == before
    code, out, err = invoke([*base, "--amount", "500.00", "--date", due, "--json"])
    assert code == 0, err
    assert json.loads(out)["due"] == due
    code, out, err = invoke(["promises", "--platform", "acme", "--json"])
    assert code == 0, err
    assert [(p["promise_id"], p["outcome"]) for p in json.loads(out)] == [("PTP-1", "pending")]
    code, out, err = invoke(["promises", "--platform", "acme", "--loan", "L1"])
    assert code == 0, err
    (row,) = [line.split() for line in out.splitlines() if line.startswith("PTP-1")]
    assert row[:5] == ["PTP-1", "L1", "500.00", "CNY", due]
