"""The database going away in the middle of a cycle: a clear error, nothing half-done, a rerun.

PostgreSQL only: the server ends the run's own connections (``pg_terminate_backend``,
what an administrator's restart or a failover does to a client) just as the final
transaction is about to commit (a connection lost between runs is simply replaced
by the pool's pre-ping).  SQLite is a file opened in-process; it cannot go away that way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.engine import make_url
from tests.conftest import end_sessions
from tests.support import cycle_under

from tideover.adapters.database import make_engine, session_factory
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.errors import DataUnavailable
from tideover.services.demo.story import load_demo_platform

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
ROOT = Path(__file__).parents[2]
POLICY = ROOT / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
AS_OF = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))


def _state(uow: UowFactory) -> dict[str, Any]:
    with uow() as opened:
        repo = opened.cycle("demo-cn")
        return {
            "outbox": repo.outbox(AS_OF),
            "queue": [{**r, "id": None} for r in repo.queue_items(AS_OF)],
            "kpis": repo.kpis(AS_OF, AS_OF),
            "snapshot": sorted(
                (k, v.dpd) for k, v in opened.delinquency("demo-cn").for_date(AS_OF).items()
            ),
        }


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_lost_connection_fails_the_run_cleanly_and_a_rerun_completes(
    database_url: str, uow_factory: UowFactory, cipher: PiiCipher
) -> None:
    frame = pd.read_csv(ROOT / "tests" / "data" / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS["demo-cn"], load_source=lambda: frame, as_of=AS_OF
    )
    name = f"tideover-outage-{uuid.uuid4().hex[:8]}"
    url = make_url(database_url).update_query_dict({"application_name": name})
    engine = make_engine(url.render_as_string(hide_password=False))
    outage = session_factory(engine)

    def cut_the_line(stage: str) -> None:
        if stage != "commit":  # everything written, inside the final transaction
            return
        assert end_sessions(database_url, name) >= 1

    try:
        with pytest.raises(DataUnavailable) as raised:
            cycle_under(
                uow=SqlAlchemyUnitOfWork(outage, cipher),
                platform="demo-cn",
                as_of=AS_OF,
                clock=CLOCK,
                policy_file=POLICY,
                fault=cut_the_line,
            )
    finally:
        engine.dispose()
    assert "rerun" in raised.value.en
    assert "重新运行" in raised.value.zh
    nothing = _state(uow_factory)
    assert nothing == {"outbox": [], "queue": [], "kpis": [], "snapshot": []}
    with uow_factory() as unit:
        assert [r.status for r in unit.cycle("demo-cn").runs(AS_OF)] in (["failed"], ["running"])
    cycle_under(uow=uow_factory(), platform="demo-cn", as_of=AS_OF, clock=CLOCK, policy_file=POLICY)
    after = _state(uow_factory)
    assert after["outbox"]
    assert after["snapshot"]
    with uow_factory() as unit:
        assert unit.cycle("demo-cn").runs(AS_OF)[-1].status == "completed"
