"""The daily cycle on stored demo platforms: results, reruns, crashes and the KPI report."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text
from tests.support import activate_policy, cycle_under

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.compliance.contacts import HoldKind
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.services.compliance.holds import add_hold
from tideover.services.cycle.run import kpi_report, run_cycle
from tideover.services.demo.story import demo_policy_text, load_demo_platform

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
DATA = Path(__file__).parents[1] / "data"
EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
SUPPORTIVE = EXAMPLES / "supportive.yaml"
AGGRESSIVE = EXAMPLES / "aggressive.yaml"
AS_OF = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
TEST_PII_KEY = base64.urlsafe_b64encode(b"tideover-test-key-0123456789abcd").decode()  # conftest
SAMPLES = {"demo-cn": "lendingclub_sample.csv", "demo-us": "lendingclub2016_sample.csv"}


class Crash(Exception):
    pass


def _load(uow: UowFactory, code: str) -> None:
    frame = pd.read_csv(DATA / SAMPLES[code])
    load_demo_platform(
        uow=uow(), preset=DEMO_PLATFORMS[code], load_source=lambda: frame, as_of=AS_OF
    )


@pytest.fixture
def demo_cn(uow_factory: UowFactory) -> UowFactory:
    _load(uow_factory, "demo-cn")
    return uow_factory


def _run(uow: UowFactory, day: date = AS_OF, **options: Any) -> dict[str, Any]:
    """The cycle under ``policy_file`` (the supportive example) made the active version."""
    policy = options.pop("policy_file", SUPPORTIVE)
    clock = options.pop("clock", CLOCK if day == AS_OF else _evening(day))
    return cycle_under(
        policy, uow=uow(), platform="demo-cn", as_of=day, clock=clock, **options
    ).to_json()


def _evening(day: date) -> FixedClock:
    """A clock on the evening of ``day`` (UTC): a later date runs on its own day."""
    return FixedClock(datetime.combine(day, time(20, 0), UTC))


def _state(uow: UowFactory, day: date = AS_OF) -> dict[str, Any]:
    """Everything a run leaves for the date, without surrogate keys or write stamps."""
    with uow() as opened:
        repo = opened.cycle("demo-cn")
        snapshot = opened.delinquency("demo-cn").for_date(day)
        return {
            "outbox": repo.outbox(day),
            "queue": repo.queue_items(day),
            "kpis": repo.kpis(day, day),
            "snapshot": sorted((k, v.dpd, v.bucket) for k, v in snapshot.items()),
        }


def _fail_at(stage: str) -> Callable[[str], None]:
    def fault(name: str) -> None:
        if name == stage:
            raise Crash(f"injected crash at {stage}")

    return fault


def test_a_run_plans_gated_actions_queues_and_kpis(demo_cn: UowFactory) -> None:
    summary = _run(demo_cn)
    counts = summary["counts"]
    assert counts["accounts"] > 0
    assert counts["actions"] == counts["allowed"] + counts["rescheduled"] + counts["dropped"]
    assert counts["actions"] > 0
    state = _state(demo_cn)
    assert len(state["outbox"]) + len(state["queue"]) == counts["actions"]
    keys = [(r["account_id"], r["step"]) for r in state["outbox"] + state["queue"]]
    assert len(keys) == len(set(keys))
    for row in state["outbox"]:
        assert row["channel"] not in ("human_call", "field_visit", "legal_referral")
        assert row["scheduled_at"].tzinfo is not None
    for row in state["queue"]:
        assert row["queue"] in ("early", "hardship", "high_risk", "recovery")
        assert row["priority"] >= 0
        assert row["summary"]["currency"] == "CNY"
    open_buckets = [r for r in state["kpis"] if r["metric"] == "bucket"]
    assert sum(r["accounts"] for r in open_buckets) <= counts["accounts"]
    assert summary["versions"]["policy"] == "supportive"
    assert summary["versions"]["model"] is None
    assert "CN" in summary["versions"]["rule_packs"]
    with demo_cn() as uow:
        (run,) = uow.cycle("demo-cn").runs(AS_OF)
        assert run.status == "completed"
        assert set(run.stages) >= {"delinquency", "features", "assign", "gate", "kpis", "write"}
        assert run.counts == counts
        kinds = [r.kind for r in uow.audit("demo-cn").records()]
        assert kinds.count("cycle_run") == 1


def test_rerun_replaces_the_date_and_never_duplicates(demo_cn: UowFactory) -> None:
    _run(demo_cn)
    first = _state(demo_cn)
    _run(demo_cn)
    assert _state(demo_cn) == first
    with demo_cn() as uow:
        assert [r.status for r in uow.cycle("demo-cn").runs(AS_OF)] == ["completed"] * 2


def test_a_sent_message_survives_a_rerun_and_is_not_sent_again(demo_cn: UowFactory) -> None:
    _run(demo_cn)
    (sent, *_) = _state(demo_cn)["outbox"]
    with demo_cn() as uow:
        uow.session.execute(
            text("UPDATE outbox_messages SET state = 'sent' WHERE account_id = :a AND step = :s"),
            {"a": sent["account_id"], "s": sent["step"]},
        )
        uow.commit()
    summary = _run(demo_cn)
    assert summary["counts"]["outbox_kept"] == 1
    rows = _state(demo_cn)["outbox"]
    same = [r for r in rows if (r["account_id"], r["step"]) == (sent["account_id"], sent["step"])]
    assert [r["state"] for r in same] == ["sent"]


@pytest.mark.parametrize("stage", ["delinquency", "score", "assign", "gate", "kpis", "write"])
def test_a_crash_between_stages_leaves_the_last_state_and_a_rerun_restores_it(
    demo_cn: UowFactory, stage: str
) -> None:
    _run(demo_cn)
    complete = _state(demo_cn)
    with pytest.raises(Crash):
        _run(demo_cn, policy_file=AGGRESSIVE, fault=_fail_at(stage))
    assert _state(demo_cn) == complete  # the previous complete state is intact
    _run(demo_cn)
    assert _state(demo_cn) == complete
    with demo_cn() as uow:
        runs = uow.cycle("demo-cn").runs(AS_OF)
    assert [r.status for r in runs] == ["completed", "failed", "completed"]
    assert runs[1].error == f"Crash: injected crash at {stage}"


def test_a_crash_on_a_new_date_writes_nothing_for_it(demo_cn: UowFactory) -> None:
    later = date(2026, 12, 31)
    with pytest.raises(Crash):
        _run(demo_cn, day=later, fault=_fail_at("write"))
    assert _state(demo_cn, later) == {"outbox": [], "queue": [], "kpis": [], "snapshot": []}
    _run(demo_cn, day=later)
    assert _state(demo_cn, later)["snapshot"]


def test_roll_and_cure_rates_compare_with_the_previous_date(demo_cn: UowFactory) -> None:
    _run(demo_cn)
    later = date(2026, 12, 31)  # a month on without payments: accounts roll
    _run(demo_cn, day=later)
    rows = kpi_report(uow=demo_cn(), platform="demo-cn", first=later, last=later).to_json()["rows"]
    rolls = [r for r in rows if r["metric"] == "roll"]
    assert rolls
    assert sum(r["accounts"] for r in rolls) > 0
    for r in rolls:
        assert r["accounts"] <= r["base_accounts"]
    assert {r["metric"] for r in rows} >= {"bucket", "delinquent", "roll", "planned", "cost"}


def test_a_date_before_the_last_completed_run_is_refused(demo_cn: UowFactory) -> None:
    _run(demo_cn, day=date(2026, 12, 31))
    with pytest.raises(Conflict):
        _run(demo_cn)


def test_a_missing_champion_is_a_clear_error_before_anything_runs(
    demo_cn: UowFactory, tmp_path: Path
) -> None:
    with pytest.raises(NotFound):
        _run(demo_cn, model_registry=tmp_path / "models")
    with demo_cn() as uow:
        assert uow.cycle("demo-cn").runs() == []


def test_the_active_policy_version_is_used_without_a_file(demo_cn: UowFactory) -> None:
    with pytest.raises(NotFound):  # nothing active yet
        _run(demo_cn, policy_file=None)


def test_early_sends_are_rescheduled_into_the_window(demo_cn: UowFactory) -> None:
    early = {c: time(6, 0) for c in ("sms", "email", "app_push", "human_call", "letter")}
    summary = _run(demo_cn, send_times=early)
    assert summary["counts"]["rescheduled"] > 0
    assert "CN-HOURS" in summary["denied_by_rule"]
    rescheduled = [r for r in _state(demo_cn)["outbox"] if r["rescheduled"]]
    assert rescheduled
    for row in rescheduled:
        assert "CN-HOURS" in row["rule_ids"]
        assert row["scheduled_at"].astimezone(UTC).hour == 0  # 08:00 in Shanghai


def test_both_demo_platforms_run(uow_factory: UowFactory, tmp_path: Path) -> None:
    for code in SAMPLES:
        _load(uow_factory, code)
        policy = tmp_path / f"{code}.yaml"  # each platform's own law: CN or US
        policy.write_text(demo_policy_text(code), encoding="utf-8")
        summary = cycle_under(
            uow=uow_factory(), platform=code, as_of=AS_OF, clock=CLOCK, policy_file=policy
        ).to_json()
        assert summary["counts"]["accounts"] > 0


def test_a_policy_of_another_jurisdiction_is_refused(uow_factory: UowFactory) -> None:
    _load(uow_factory, "demo-us")
    with pytest.raises(ValidationError, match="written for CN"):
        activate_policy(uow_factory, "demo-us", SUPPORTIVE)  # refused when submitted
    with pytest.raises(ValidationError, match="written for CN"):  # and as a what-if
        run_cycle(
            uow=uow_factory(), platform="demo-us", as_of=AS_OF, clock=CLOCK, policy_file=SUPPORTIVE
        )


def test_the_commands_run_the_cycle_and_print_kpis(
    demo_cn: UowFactory,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    monkeypatch.setenv("TIDEOVER_PII_KEY", TEST_PII_KEY)
    what_if = ["cycle", "run", "--platform", "demo-cn", "--date", "2026-11-30", "--policy",
               str(SUPPORTIVE)]  # fmt: skip
    assert main.run(what_if) == 0  # a policy file is a what-if: computed, nothing written
    assert "nothing written" in capsys.readouterr().out
    assert _state(demo_cn) == {"outbox": [], "queue": [], "kpis": [], "snapshot": []}
    with demo_cn() as uow:
        assert uow.cycle("demo-cn").runs() == []
    activate_policy(demo_cn, "demo-cn", SUPPORTIVE)
    argv = ["cycle", "run", "--platform", "demo-cn", "--date", "2026-11-30"]
    assert main.run(argv) == 0
    assert "completed" in capsys.readouterr().out
    assert main.run([*argv, "--json", "--cost", "sms=0.10"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["accounts"] > 0

    span = ["kpi", "--platform", "demo-cn", "--from", "2026-11-01", "--to", "2026-11-30"]
    assert main.run([*span, "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("as_of,segment,arm,metric,key")
    assert len(lines) > 5
    assert main.run(span) == 0
    table = capsys.readouterr().out
    assert "demo-cn: KPIs by date" in table
    assert "2026-11-30 by segment and arm" in table
    assert main.run([*span, "--json"]) == 0
    cost = json.loads(capsys.readouterr().out)["rows"]
    sms = [r for r in cost if r["metric"] == "cost" and r["key"] == "sms"]
    assert sms
    for row in sms:
        assert row["amount_minor"] == row["accounts"] * 10  # 0.10 CNY = 10 fen each


def test_a_stored_hold_stops_the_cycle_contacting_that_borrower(demo_cn: UowFactory) -> None:
    _run(demo_cn)
    before = _state(demo_cn)["outbox"]
    assert before
    borrower = before[0]["borrower_id"]
    add_hold(
        uow=demo_cn(),
        platform="demo-cn",
        borrower_id=borrower,
        kind=HoldKind.COMPLAINT,
        reason="complaint under investigation",
        by="agent-7",
        start=datetime(2026, 11, 1, tzinfo=UTC),
        clock=CLOCK,
    )
    summary = _run(demo_cn)  # the same date again, now with the hold on record
    after = [row for row in _state(demo_cn)["outbox"] if row["borrower_id"] == borrower]
    assert after
    assert all(row["state"] == "dropped" for row in after)
    assert all(row["rule_ids"] == ["CN-BASE-HOLD"] for row in after)
    assert summary["denied_by_rule"].get("CN-BASE-HOLD", 0) >= len(after)


def test_a_disputed_debt_moves_to_the_policys_dispute_segment(demo_cn: UowFactory) -> None:
    """A dispute hold sets ``dispute_flag``: the policy pauses the account, nothing is planned."""
    _run(demo_cn)
    borrower = _state(demo_cn)["outbox"][0]["borrower_id"]
    add_hold(
        uow=demo_cn(),
        platform="demo-cn",
        borrower_id=borrower,
        kind=HoldKind.DISPUTE,
        reason="disputes the amount",
        by="agent-7",
        start=datetime(2026, 11, 1, tzinfo=UTC),
        clock=CLOCK,
    )
    summary = _run(demo_cn)
    assert summary["segments"]["dispute"] >= 1
    state = _state(demo_cn)
    assert not [r for r in state["outbox"] + state["queue"] if r["borrower_id"] == borrower]
