"""Rolling the daily cycle back to a date: four eyes, history kept, the dates run again.

Two days of the demo platform are run; on the second, one message is sent and one
queue item worked.  Rolling back to the second day undoes its run and everything
nobody acted on, keeps what reached a borrower or a collector, and lets the date
run again without sending the kept message twice.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.support import activate_policy

from tideover.adapters.locks import LockHeld
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.services.cycle.rollback import (
    approve_rollback,
    list_rollbacks,
    reject_rollback,
    request_rollback,
)
from tideover.services.cycle.run import run_cycle
from tideover.services.demo.story import load_demo_platform
from tideover.services.identity.users import add_user

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
DATA = Path(__file__).parents[1] / "data"
SUPPORTIVE = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
PLATFORM = "demo-cn"
FIRST, SECOND = date(2026, 11, 27), date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))  # 04:00 on 1 December
TEST_PII_KEY = "dGlkZW92ZXItdGVzdC1rZXktMDEyMzQ1Njc4OWFiY2Q="  # as tests/conftest.py


@pytest.fixture
def two_days(uow_factory: UowFactory) -> UowFactory:
    frame = pd.read_csv(DATA / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS[PLATFORM], load_source=lambda: frame,
        as_of=SECOND,
    )  # fmt: skip
    activate_policy(uow_factory, PLATFORM, SUPPORTIVE / "supportive.yaml")
    for day in (FIRST, SECOND):
        run_cycle(uow=uow_factory(), platform=PLATFORM, as_of=day, clock=CLOCK)
    return uow_factory


def _state(uow: UowFactory, day: date) -> dict[str, Any]:
    with uow() as opened:
        repo = opened.cycle(PLATFORM)
        return {
            "runs": [r.status for r in repo.runs(day)],
            "outbox": repo.outbox(day),
            "queue": repo.queue_items(day),
            "kpis": repo.kpis(day, day),
            "delinquency": len(opened.delinquency(PLATFORM).for_date(day)),
        }


def _act_on_the_second_day(uow: UowFactory) -> tuple[tuple[str, str], tuple[str, str]]:
    """One message sent, one queue item worked: history a rollback must keep."""
    with uow() as opened:
        repo = opened.cycle(PLATFORM)
        message = next(m for m in repo.outbox(SECOND) if m["state"] == "pending")
        item = next(q for q in repo.queue_items(SECOND) if q["state"] in ("open", "assigned"))
        sent, worked = (message["account_id"], message["step"]), (item["account_id"], item["step"])
        assert repo.mark_outbox(SECOND, {sent: "sent"}) == 1
        assert repo.mark_queue_items(SECOND, {worked: "done"}) == 1
        opened.commit()
    return sent, worked


def test_a_rollback_undoes_what_nobody_acted_on_and_the_date_runs_again(
    two_days: UowFactory,
) -> None:
    first_before = _state(two_days, FIRST)
    sent, worked = _act_on_the_second_day(two_days)
    before = _state(two_days, SECOND)
    assert before["runs"] == ["completed"]
    assert len(before["outbox"]) > 1
    assert len(before["queue"]) > 1
    assert before["kpis"]

    asked = request_rollback(
        uow=two_days(), platform=PLATFORM, to_date=SECOND, by="alice",
        reason="the 30th's payments file was a day late",
    )  # fmt: skip
    assert (asked.request_id, asked.state, asked.requested_by) == ("RB-1", "requested", "alice")
    assert _state(two_days, SECOND) == before  # asking changes nothing

    with pytest.raises(ValidationError, match="another user must decide"):
        approve_rollback(uow=two_days(), platform=PLATFORM, request_id="RB-1", by="Alice")
    done = approve_rollback(uow=two_days(), platform=PLATFORM, request_id="RB-1", by="bob")
    assert (done.state, done.decided_by) == ("done", "bob")
    assert done.removed is not None
    assert done.removed["runs"] == 1
    assert done.removed["outbox_messages"] == len(before["outbox"]) - 1
    assert done.removed["outbox_messages_kept"] == 1
    assert done.removed["queue_items_kept"] == 1

    after = _state(two_days, SECOND)
    assert after["runs"] == ["abandoned"]
    assert [(m["account_id"], m["step"], m["state"]) for m in after["outbox"]] == [(*sent, "sent")]
    assert [(q["account_id"], q["step"], q["state"]) for q in after["queue"]] == [(*worked, "done")]
    assert (after["kpis"], after["delinquency"]) == ([], 0)
    assert _state(two_days, FIRST) == first_before  # the day before is untouched

    with two_days() as opened:
        kinds = [r.kind for r in opened.audit(PLATFORM).records()]
        [run] = opened.cycle(PLATFORM).runs(SECOND)
    assert {"cycle_rollback_requested", "cycle_rolled_back"} <= set(kinds)
    assert run.error == "rolled back to 2026-11-30 (RB-1)"
    with pytest.raises(Conflict, match="already done"):
        approve_rollback(uow=two_days(), platform=PLATFORM, request_id="RB-1", by="carol")

    # The date runs again: the same plan, the kept message and item not written twice.
    rerun = run_cycle(uow=two_days(), platform=PLATFORM, as_of=SECOND, clock=CLOCK)
    again = _state(two_days, SECOND)
    assert again["runs"] == ["abandoned", "completed"]
    assert rerun.counts["outbox_kept"] == 1
    assert sorted(map(key, again["outbox"])) == sorted(map(key, before["outbox"]))
    assert sorted(map(key, again["queue"])) == sorted(map(key, before["queue"]))
    assert next(m for m in again["outbox"] if key(m) == sent)["state"] == "sent"
    assert again["delinquency"] == before["delinquency"]


def key(row: dict[str, Any]) -> tuple[str, str]:
    return (row["account_id"], row["step"])


def test_a_run_of_an_earlier_date_is_refused_until_the_later_ones_are_rolled_back(
    two_days: UowFactory,
) -> None:
    with pytest.raises(Conflict, match="before the last completed cycle"):
        run_cycle(uow=two_days(), platform=PLATFORM, as_of=FIRST, clock=CLOCK)
    request_rollback(uow=two_days(), platform=PLATFORM, to_date=FIRST, by="alice", reason="x")
    done = approve_rollback(uow=two_days(), platform=PLATFORM, request_id="RB-1", by="bob")
    assert done.removed is not None
    assert done.removed["runs"] == 2
    run_cycle(uow=two_days(), platform=PLATFORM, as_of=FIRST, clock=CLOCK)
    assert _state(two_days, FIRST)["runs"] == ["abandoned", "completed"]
    assert _state(two_days, SECOND)["runs"] == ["abandoned"]


def test_a_rejected_request_changes_nothing_and_requests_come_one_at_a_time(
    two_days: UowFactory,
) -> None:
    before = _state(two_days, SECOND)
    request_rollback(uow=two_days(), platform=PLATFORM, to_date=SECOND, by="alice", reason="x")
    with pytest.raises(Conflict, match="RB-1"):
        request_rollback(uow=two_days(), platform=PLATFORM, to_date=FIRST, by="bob", reason="y")
    with pytest.raises(ValidationError, match="say why"):
        reject_rollback(uow=two_days(), platform=PLATFORM, request_id="RB-1", by="bob", reason=" ")
    rejected = reject_rollback(
        uow=two_days(), platform=PLATFORM, request_id="RB-1", by="bob", reason="the file was fine"
    )
    assert (rejected.state, rejected.decided_by, rejected.removed) == ("rejected", "bob", None)
    assert _state(two_days, SECOND) == before
    with pytest.raises(NotFound):
        approve_rollback(uow=two_days(), platform=PLATFORM, request_id="RB-9", by="bob")
    later = request_rollback(
        uow=two_days(), platform=PLATFORM, to_date=SECOND, by="bob", reason="again"
    )
    assert later.request_id == "RB-2"
    assert [r.request_id for r in list_rollbacks(uow=two_days(), platform=PLATFORM).requests] == [
        "RB-2",
        "RB-1",
    ]


def test_who_may_ask_and_what_can_be_asked(two_days: UowFactory) -> None:
    add_user(uow=two_days(), platform=PLATFORM, username="coll", roles=["collector"], by="admin",
             at=CLOCK.now())  # fmt: skip
    with pytest.raises(ValidationError, match="cycle:run"):
        request_rollback(uow=two_days(), platform=PLATFORM, to_date=SECOND, by="coll", reason="x")
    with pytest.raises(ValidationError, match="no active user"):
        request_rollback(uow=two_days(), platform=PLATFORM, to_date=SECOND, by="nobody", reason="x")
    with pytest.raises(ValidationError, match="nothing to roll back"):
        request_rollback(
            uow=two_days(), platform=PLATFORM, to_date=date(2026, 12, 1), by="alice", reason="x"
        )
    with pytest.raises(ValidationError, match="plausible"):
        request_rollback(
            uow=two_days(), platform=PLATFORM, to_date=date(9999, 12, 31), by="alice", reason="x"
        )
    with pytest.raises(ValidationError, match="plain text"):
        request_rollback(
            uow=two_days(), platform=PLATFORM, to_date=SECOND, by="alice", reason="a\x00b"
        )
    request_rollback(uow=two_days(), platform=PLATFORM, to_date=SECOND, by="alice", reason="x")
    with pytest.raises(ValidationError, match="cycle:run"):
        approve_rollback(uow=two_days(), platform=PLATFORM, request_id="RB-1", by="coll")


def test_approval_waits_for_a_run_in_progress(two_days: UowFactory) -> None:
    before = _state(two_days, SECOND)
    request_rollback(uow=two_days(), platform=PLATFORM, to_date=SECOND, by="alice", reason="x")
    holder = two_days()
    label = f"the daily cycle of {PLATFORM} for {SECOND.isoformat()}"
    with (
        holder.exclusive(f"cycle:{PLATFORM}:{SECOND.isoformat()}", label=label),
        pytest.raises(LockHeld, match="in progress"),
    ):
        approve_rollback(uow=two_days(), platform=PLATFORM, request_id="RB-1", by="bob")
    assert _state(two_days, SECOND) == before
    assert (
        approve_rollback(uow=two_days(), platform=PLATFORM, request_id="RB-1", by="bob").state
        == "done"
    )


# Approves RB-1 in a child process that kills itself (SIGKILL) once the runs are abandoned
# and the rows deleted, before the decision is recorded and anything committed.
CHILD = """
import os, signal, sys
from tideover.adapters.database import make_engine, session_factory
from tideover.adapters.pii import PiiCipher
from tideover.adapters.repositories.cycle import CycleRepository
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.services.cycle.rollback import approve_rollback

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

CycleRepository.decide_rollback = die
url, key = sys.argv[1:3]
uow = SqlAlchemyUnitOfWork(session_factory(make_engine(url)), PiiCipher(key))
approve_rollback(uow=uow, platform="demo-cn", request_id="RB-1", by="bob")
"""


def test_a_rollback_killed_midway_changes_nothing_and_can_be_approved_again(
    two_days: UowFactory, database_url: str
) -> None:
    before = _state(two_days, SECOND)
    request_rollback(uow=two_days(), platform=PLATFORM, to_date=SECOND, by="alice", reason="x")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, database_url, TEST_PII_KEY],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == -9, child.stderr
    assert _state(two_days, SECOND) == before
    [asked] = list_rollbacks(uow=two_days(), platform=PLATFORM).requests
    assert asked.state == "requested"
    done = approve_rollback(uow=two_days(), platform=PLATFORM, request_id="RB-1", by="bob")
    assert done.state == "done"
    assert _state(two_days, SECOND)["runs"] == ["abandoned"]


def test_the_commands_in_both_languages(
    two_days: UowFactory,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TIDEOVER_PII_KEY", TEST_PII_KEY)
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    base = ["cycle", "rollback"]
    argv = [*base, "request", "--platform", PLATFORM, "--to", "2026-11-30", "--by", "alice"]
    assert main.run([*argv, "--reason", "late file", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["request_id"] == "RB-1"
    monkeypatch.setenv("TIDEOVER_LOCALE", "zh")
    assert main.run([*base, "approve", "--platform", PLATFORM, "RB-1", "--by", "alice"]) != 0
    err = capsys.readouterr().err
    assert "须由另一位用户决定" in err
    assert "Traceback" not in err
    assert main.run([*base, "approve", "--platform", PLATFORM, "RB-1", "--by", "bob"]) == 0
    assert "已回滚至 2026-11-30" in capsys.readouterr().out
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    assert main.run([*base, "list", "--platform", PLATFORM]) == 0
    shown = capsys.readouterr().out
    assert "RB-1" in shown
    assert "done" in shown
