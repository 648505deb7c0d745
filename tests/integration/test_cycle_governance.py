"""The daily cycle runs only what was approved, on plausible dates, one run at a time.

Each test is a regression of a defect a reliability review reproduced: a policy file
that bypassed review, a future date that locked out every real one, 9999-12-31 as an
internal error, a bad inbox read as an empty one, concurrent runs of one date, and
personal data stored in a failed run's record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from tests.support import ADMIN, activate_policy

from tideover.adapters.locks import LockHeld
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.errors import ValidationError
from tideover.services.cycle.run import run_cycle
from tideover.services.demo.story import load_demo_platform

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
DATA = Path(__file__).parents[1] / "data"
SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / ("supportive.yaml")
)
AS_OF = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))  # 04:00 on 1 December in Shanghai
EMPTY = {"outbox": [], "queue": [], "kpis": []}


@pytest.fixture
def demo_cn(uow_factory: UowFactory) -> UowFactory:
    frame = pd.read_csv(DATA / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS["demo-cn"], load_source=lambda: frame, as_of=AS_OF
    )
    activate_policy(uow_factory, "demo-cn", SUPPORTIVE)
    return uow_factory


def _written(uow: UowFactory, day: date) -> dict[str, list[object]]:
    with uow() as opened:
        repo = opened.cycle("demo-cn")
        return {
            "outbox": repo.outbox(day),
            "queue": repo.queue_items(day),
            "kpis": repo.kpis(day, day),
        }


def test_a_policy_file_is_a_what_if_that_writes_nothing(demo_cn: UowFactory) -> None:
    aggressive = SUPPORTIVE.with_name("aggressive.yaml")
    summary = run_cycle(
        uow=demo_cn(), platform="demo-cn", as_of=AS_OF, clock=CLOCK, policy_file=aggressive
    )
    assert summary.what_if
    assert summary.versions.policy == "aggressive"
    assert summary.counts["accounts"] > 0
    assert _written(demo_cn, AS_OF) == EMPTY
    with demo_cn() as uow:
        assert uow.cycle("demo-cn").runs() == []
    real = run_cycle(uow=demo_cn(), platform="demo-cn", as_of=AS_OF, clock=CLOCK)
    assert (real.what_if, real.versions.policy) == (False, "supportive")  # the approved one


def test_a_future_date_needs_an_explicit_audited_catch_up(demo_cn: UowFactory) -> None:
    future = date(2062, 12, 1)
    with pytest.raises(ValidationError, match="after its business date"):
        run_cycle(uow=demo_cn(), platform="demo-cn", as_of=future, clock=CLOCK)
    with demo_cn() as uow:
        assert uow.cycle("demo-cn").runs() == []
    # Not a trap door: today's date still runs.
    run_cycle(uow=demo_cn(), platform="demo-cn", as_of=AS_OF, clock=CLOCK)
    ahead = date(2026, 12, 3)
    run_cycle(uow=demo_cn(), platform="demo-cn", as_of=ahead, clock=CLOCK, catch_up_by=ADMIN)
    with demo_cn() as uow:
        [record] = [r for r in uow.audit("demo-cn").records() if r.kind == "cycle_future_date"]
        assert record.payload["by"] == ADMIN
    with pytest.raises(ValidationError):  # the catch-up is a user's, not any string's
        run_cycle(uow=demo_cn(), platform="demo-cn", as_of=ahead, clock=CLOCK, catch_up_by="nobody")


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1)])
def test_an_implausible_date_is_a_clear_error(demo_cn: UowFactory, day: date) -> None:
    with pytest.raises(ValidationError, match="plausible business date"):
        run_cycle(uow=demo_cn(), platform="demo-cn", as_of=day, clock=CLOCK)


def test_a_bad_inbox_is_refused_not_read_as_empty(demo_cn: UowFactory, tmp_path: Path) -> None:
    a_file = tmp_path / "payments.csv"
    a_file.write_text("payment_id\n", encoding="utf-8")
    for inbox in (tmp_path / "missing", a_file):
        with pytest.raises(ValidationError, match="not a folder"):
            run_cycle(uow=demo_cn(), platform="demo-cn", as_of=AS_OF, clock=CLOCK, inbox=inbox)
    with demo_cn() as uow:
        assert uow.cycle("demo-cn").runs() == []


def test_a_second_run_of_the_same_date_is_refused_while_one_runs(demo_cn: UowFactory) -> None:
    holder = demo_cn()
    with holder.exclusive("cycle:demo-cn:2026-11-30", label="the first run"):
        with pytest.raises(LockHeld, match="in progress"):
            run_cycle(uow=demo_cn(), platform="demo-cn", as_of=AS_OF, clock=CLOCK)
        # another date of the platform is not held up
        run_cycle(
            uow=demo_cn(),
            platform="demo-cn",
            as_of=date(2026, 11, 27),
            clock=FixedClock(datetime(2026, 11, 27, 20, 0, tzinfo=UTC)),
        )
    run_cycle(uow=demo_cn(), platform="demo-cn", as_of=AS_OF, clock=CLOCK)  # released


def test_a_failed_runs_record_keeps_no_personal_data(demo_cn: UowFactory) -> None:
    def fail(stage: str) -> None:
        if stage == "gate":
            raise RuntimeError("borrower 110105194912310021 at +8613812345678 has no zone")

    with pytest.raises(RuntimeError):
        run_cycle(uow=demo_cn(), platform="demo-cn", as_of=AS_OF, clock=CLOCK, fault=fail)
    with demo_cn() as uow:
        [run] = uow.cycle("demo-cn").runs(AS_OF)
    assert run.status == "failed"
    assert run.error is not None
    assert "110105194912310021" not in run.error
    assert "13812345678" not in run.error
    assert "RuntimeError" in run.error
