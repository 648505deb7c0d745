"""The main job on the demo portfolio, from the committed real Lending Club samples."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.services.cycle.run import run_cycle
from tideover.services.demo.story import ensure_demo_policy, load_demo_platform
from tideover.services.portfolio.delinquency import compute_delinquency, report_from_history

DATA = Path(__file__).parents[1] / "data"
SAMPLES = {"demo-cn": "lendingclub_sample.csv", "demo-us": "lendingclub2016_sample.csv"}
AS_OF = date(2026, 11, 30)


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_demo_platform_loads_once_and_reports(
    code: str, uow_factory: Callable[[], SqlAlchemyUnitOfWork]
) -> None:
    frame = pd.read_csv(DATA / SAMPLES[code])
    preset = DEMO_PLATFORMS[code]
    first = load_demo_platform(
        uow=uow_factory(), preset=preset, load_source=lambda: frame, as_of=AS_OF
    )
    assert not first.already_loaded
    assert first.loans == len(frame)
    assert first.payments > 0

    calls: list[str] = []
    second = load_demo_platform(
        uow=uow_factory(),
        preset=preset,
        load_source=lambda: calls.append("loaded") or frame,
        as_of=AS_OF,
    )
    assert second.already_loaded
    assert (second.borrowers, second.loans, second.payments) == (
        first.borrowers,
        first.loans,
        first.payments,
    )
    assert calls == []  # a loaded platform does not even read the data again

    report = compute_delinquency(uow=uow_factory(), platform=code, as_of=AS_OF)
    assert report.open_accounts + report.closed_accounts == len(frame)
    assert report.currency == preset.currency.code
    by_bucket = {line.bucket: line.accounts for line in report.buckets}
    statuses = frame.get("loan_status")
    if statuses is not None:
        late = statuses.str.startswith("Late") | (statuses == "In Grace Period")
        charged_off = statuses == "Charged Off"
        assert report.delinquent_accounts == int(late.sum() + charged_off.sum())
        assert by_bucket["M6+"] == int(charged_off.sum())
    else:
        assert report.delinquent_accounts > 0

    # Rerunning the same date replaces that date's history: same figures.
    again = compute_delinquency(uow=uow_factory(), platform=code, as_of=AS_OF)
    assert again.to_json() == report.to_json()
    with uow_factory() as uow:
        assert uow.delinquency(code).dates() == [AS_OF]


def test_the_demo_story_activates_a_policy_and_runs_the_cycle(
    uow_factory: Callable[[], SqlAlchemyUnitOfWork],
) -> None:
    code = "demo-us"
    frame = pd.read_csv(DATA / SAMPLES[code])
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS[code], load_source=lambda: frame, as_of=AS_OF
    )
    clock = FixedClock(datetime(2026, 11, 30, 12, tzinfo=UTC))
    first = ensure_demo_policy(
        uow_factory=uow_factory, platform=code, as_of=AS_OF, clock=clock
    ).to_json()
    again = ensure_demo_policy(
        uow_factory=uow_factory, platform=code, as_of=AS_OF, clock=clock
    ).to_json()
    assert (first["already_active"], again["already_active"]) == (False, True)
    assert first["version"] == again["version"] == 1
    with uow_factory() as uow:
        active = uow.policies(code).active()
        kinds = [r.kind for r in uow.audit(code).records()]
    assert active is not None
    assert "jurisdiction: US" in active.document  # the US platform runs under the US pack
    assert "policy_lint" in kinds  # approval went through the compliance linter

    summary = run_cycle(uow=uow_factory(), platform=code, as_of=AS_OF, clock=clock).to_json()
    assert summary["counts"]["accounts"] == len(frame)
    assert summary["versions"]["rule_packs"].keys() == {"US"}
    from_history = report_from_history(uow=uow_factory(), platform=code, as_of=AS_OF)
    computed = compute_delinquency(uow=uow_factory(), platform=code, as_of=AS_OF, store=False)
    assert from_history.to_json() == computed.to_json()
