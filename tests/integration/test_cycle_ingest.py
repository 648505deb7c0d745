"""The cycle's ingest stage: inbox files imported first, each all or nothing, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from tests.support import cycle_under

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.errors import InputRejected, ValidationError
from tideover.services.cycle.ingest import pending_files
from tideover.services.demo.story import load_demo_platform

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
DATA = Path(__file__).parents[1] / "data"
SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
)
AS_OF = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))


@pytest.fixture
def demo_cn(uow_factory: UowFactory) -> UowFactory:
    frame = pd.read_csv(DATA / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS["demo-cn"], load_source=lambda: frame, as_of=AS_OF
    )
    return uow_factory


def _most_overdue(uow: UowFactory) -> tuple[str, int]:
    """The loan with the highest DPD after a first run, and that DPD."""
    cycle_under(uow=uow(), platform="demo-cn", as_of=AS_OF, clock=CLOCK, policy_file=SUPPORTIVE)
    with uow() as unit:
        statuses = unit.delinquency("demo-cn").for_date(AS_OF)
    loan_id, status = max(statuses.items(), key=lambda item: (item[1].dpd, item[0]))
    assert status.dpd > 0
    return loan_id, status.dpd


def _overdue_total(uow: UowFactory, loan_id: str) -> str:
    with uow() as unit:
        return str(unit.delinquency("demo-cn").for_date(AS_OF)[loan_id].overdue_total.amount)


def _run(uow: UowFactory, inbox: Path) -> dict[str, object]:
    return cycle_under(
        uow=uow(), platform="demo-cn", as_of=AS_OF, clock=CLOCK, policy_file=SUPPORTIVE, inbox=inbox
    ).to_json()


def test_a_payment_in_the_inbox_cures_the_loan_and_the_file_is_filed(
    demo_cn: UowFactory, tmp_path: Path
) -> None:
    loan_id, _ = _most_overdue(demo_cn)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    amount = _overdue_total(demo_cn, loan_id)
    (inbox / "payments-2026-11-30.csv").write_text(
        f"payment_id,loan_id,amount,paid_on\nIN-1,{loan_id},{amount},2026-11-30\n", "utf-8"
    )
    summary = _run(demo_cn, inbox)
    assert summary["counts"]["ingested_files"] == 1
    assert summary["counts"]["ingested_rows"] == 1
    assert "ingest" in summary["stages"]
    with demo_cn() as unit:
        assert unit.delinquency("demo-cn").for_date(AS_OF)[loan_id].dpd == 0
    assert pending_files(inbox) == []
    assert (inbox / "done" / "2026-11-30" / "payments-2026-11-30.csv").exists()
    again = _run(demo_cn, inbox)  # nothing left to ingest: the rerun is the same day
    assert again["counts"]["ingested_files"] == 0


def test_a_bad_file_stops_the_run_before_any_stage_and_writes_nothing_of_it(
    demo_cn: UowFactory, tmp_path: Path
) -> None:
    loan_id, dpd = _most_overdue(demo_cn)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bad = inbox / "payments-1.csv"
    bad.write_text(
        "payment_id,loan_id,amount,paid_on\n"
        f"IN-1,{loan_id},100.00,2026-11-30\n"
        "IN-2,NO-SUCH-LOAN,50.00,2026-11-30\n"
        f"IN-1,{loan_id},100.00,2026-11-30\n",
        "utf-8",
    )
    with demo_cn() as unit:
        payments_before = unit.payments("demo-cn").count()
    with pytest.raises(InputRejected) as raised:
        _run(demo_cn, inbox)
    assert "payments-1.csv" in raised.value.en
    assert "NO-SUCH-LOAN" in raised.value.en or "record 2" in raised.value.en
    with demo_cn() as unit:
        assert unit.payments("demo-cn").count() == payments_before
        assert unit.delinquency("demo-cn").for_date(AS_OF)[loan_id].dpd == dpd
        runs = unit.cycle("demo-cn").runs(AS_OF)
    assert runs[-1].status == "failed"
    assert bad.exists()  # left for the operator to fix


def test_a_stray_file_in_the_inbox_is_an_error_not_ignored(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", "utf-8")
    with pytest.raises(ValidationError, match=r"notes\.txt"):
        pending_files(tmp_path)


def test_files_are_taken_borrowers_then_loans_then_payments(tmp_path: Path) -> None:
    for name in ("payments-a.csv", "loans-b.jsonl", "borrowers-c.parquet", "loans-a.csv"):
        (tmp_path / name).write_text("", "utf-8")
    (tmp_path / "done").mkdir()  # the filed folder is not an inbox file
    assert [p.name for _, p in pending_files(tmp_path)] == [
        "borrowers-c.parquet",
        "loans-a.csv",
        "loans-b.jsonl",
        "payments-a.csv",
    ]
