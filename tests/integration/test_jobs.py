"""Background jobs on real databases: queued, claimed once, survive a dead worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.clock import FixedClock
from tideover.domain.errors import NotFound, ValidationError
from tideover.services.identity.users import add_user
from tideover.services.jobs import JobContext, job_info, run_next_job, start_job
from tideover.services.results import Result

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
pytestmark = pytest.mark.own_users
AT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


class Counted(Result):
    counted: int


def _count(context: JobContext) -> Result:
    total = int(str(context.params["n"]))
    for done in range(total):
        context.progress("counting", done + 1, total)
    return Counted(counted=total)


def _fail(context: JobContext) -> Result:
    raise RuntimeError("borrower 110105194912310021 at +8613812345678 broke it")


KINDS = {"cycle": _count, "impact": _fail}


@pytest.fixture
def uow(uow_factory: UowFactory) -> UowFactory:
    with uow_factory() as unit:
        for code in ("acme", "beta"):
            unit.platforms.ensure(code, name=code, currency="CNY", settings={})
        unit.commit()
    add_user(uow=uow_factory(), platform="acme", username="admin", roles=["platform_admin"], at=AT)
    return uow_factory


def test_a_job_is_queued_run_and_keeps_its_result(uow: UowFactory, tmp_path: Path) -> None:
    job = start_job(uow=uow(), platform="acme", kind="cycle", params={"n": 3}, created_by=1, at=AT)
    assert job.state == "queued"
    ran = run_next_job(uow_factory=uow, clock=FixedClock(AT), data_dir=tmp_path, kinds=KINDS)
    assert ran is not None
    assert (ran.state, ran.result, ran.progress_done, ran.progress_total) == (
        "done",
        {"counted": 3},
        3,
        3,
    )
    assert run_next_job(uow_factory=uow, clock=FixedClock(AT), data_dir=tmp_path) is None


def test_a_failing_job_keeps_a_scrubbed_reason(uow: UowFactory, tmp_path: Path) -> None:
    start_job(uow=uow(), platform="acme", kind="impact", params={}, created_by=1, at=AT)
    ran = run_next_job(uow_factory=uow, clock=FixedClock(AT), data_dir=tmp_path, kinds=KINDS)
    assert ran is not None
    assert ran.state == "failed"
    assert ran.error is not None
    assert "110105194912310021" not in ran.error
    assert "13812345678" not in ran.error


def test_a_job_of_a_dead_worker_is_run_again(uow: UowFactory, tmp_path: Path) -> None:
    job = start_job(uow=uow(), platform="acme", kind="cycle", params={"n": 1}, created_by=1, at=AT)
    with uow() as unit:  # a worker claims it and dies before finishing
        assert unit.jobs.claim_next(worker="dead:1", at=AT) is not None
        unit.commit()
    soon = FixedClock(AT + timedelta(seconds=30))
    assert run_next_job(uow_factory=uow, clock=soon, data_dir=tmp_path, kinds=KINDS) is None
    later = FixedClock(AT + timedelta(minutes=5))
    ran = run_next_job(uow_factory=uow, clock=later, data_dir=tmp_path, kinds=KINDS)
    assert ran is not None
    assert (ran.job_id, ran.state) == (job.job_id, "done")


def test_jobs_belong_to_their_platform(uow: UowFactory) -> None:
    job = start_job(uow=uow(), platform="acme", kind="cycle", params={"n": 1}, created_by=1, at=AT)
    with pytest.raises(NotFound):
        job_info(uow=uow(), platform="beta", job_id=job.job_id)
    with pytest.raises(ValidationError):
        start_job(uow=uow(), platform="acme", kind="nonsense", params={}, created_by=1, at=AT)
