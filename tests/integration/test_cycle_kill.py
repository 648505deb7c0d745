"""Killing the cycle for real (SIGKILL, no clean-up) mid-run, then rerunning it."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.support import activate_policy, cycle_under

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.services.demo.story import load_demo_platform

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
ROOT = Path(__file__).parents[2]
POLICY = ROOT / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
AS_OF = date(2026, 11, 30)
KEY = base64.urlsafe_b64encode(b"tideover-test-key-0123456789abcd").decode()  # as conftest
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))

# Runs the cycle (under the active version) in a child process that kills itself with
# SIGKILL when ``stage`` starts.
CHILD = """
import os, signal, sys
from datetime import UTC, date, datetime
from pathlib import Path
from tideover.adapters.database import make_engine, session_factory
from tideover.adapters.pii import PiiCipher
from tideover.domain.clock import FixedClock
from tideover.services.cycle.run import run_cycle
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork

url, key, stage = sys.argv[1:4]

def fault(name):
    if name == stage:
        os.kill(os.getpid(), signal.SIGKILL)

uow = SqlAlchemyUnitOfWork(session_factory(make_engine(url)), PiiCipher(key))
run_cycle(uow=uow, platform="demo-cn", as_of=date(2026, 11, 30),
          clock=FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC)), fault=fault)
"""


def _state(uow: UowFactory) -> dict[str, Any]:
    with uow() as opened:
        repo = opened.cycle("demo-cn")
        snapshot = opened.delinquency("demo-cn").for_date(AS_OF)
        return {
            "outbox": repo.outbox(AS_OF),
            "queue": repo.queue_items(AS_OF),
            "kpis": repo.kpis(AS_OF, AS_OF),
            "snapshot": sorted((k, v.dpd, v.bucket) for k, v in snapshot.items()),
        }


@pytest.mark.parametrize("stage", ["gate", "commit"])
def test_a_killed_run_leaves_nothing_half_done_and_a_rerun_completes(
    uow_factory: UowFactory, database_url: str, stage: str
) -> None:
    frame = pd.read_csv(ROOT / "tests" / "data" / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS["demo-cn"], load_source=lambda: frame, as_of=AS_OF
    )
    activate_policy(uow_factory, "demo-cn", POLICY)
    child = subprocess.run(
        [sys.executable, "-c", CHILD, database_url, KEY, stage],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    empty = {"outbox": [], "queue": [], "kpis": [], "snapshot": []}
    assert _state(uow_factory) == empty  # nothing of the killed run is visible
    cycle_under(uow=uow_factory(), platform="demo-cn", as_of=AS_OF, clock=CLOCK, policy_file=POLICY)
    after_kill = _state(uow_factory)
    cycle_under(uow=uow_factory(), platform="demo-cn", as_of=AS_OF, clock=CLOCK, policy_file=POLICY)
    assert _state(uow_factory) == after_kill
    assert after_kill["outbox"]
    with uow_factory() as uow:
        statuses = [r.status for r in uow.cycle("demo-cn").runs(AS_OF)]
    assert statuses == ["abandoned", "completed", "completed"]
