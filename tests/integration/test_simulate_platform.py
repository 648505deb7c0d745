"""Simulation on a stored platform (SQLite and PostgreSQL): the book, the models, compare,
bad input refused before any work, the review's simulation through the job queue.

The demo platform ``demo-cn`` is loaded from the Lending Club sample; the reference
behaviour models read the Taiwan and Lending Club samples in place of the data cache.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.support import AUTHOR, activate_policy, ensure_users

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.compliance.lint import JurisdictionMismatch
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.errors import NotFound
from tideover.services.cycle.run import run_cycle
from tideover.services.demo.story import load_demo_platform
from tideover.services.jobs import run_next_job
from tideover.services.policy.versions import approve_policy_version, submit_policy
from tideover.services.simulate import behaviour, run
from tideover.services.simulate.review import review_simulation
from tideover.services.simulate.run import Asked, compare_policies, simulate_policy
from tideover.simulate.errors import NotEnoughHistory, PriorRejected, SimulationOutOfRange

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "src" / "tideover" / "policy" / "examples"
SUPPORTIVE, AGGRESSIVE = EXAMPLES / "supportive.yaml", EXAMPLES / "aggressive.yaml"
PLATFORM = "demo-cn"
AS_OF = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
QUICK = Asked(months=3, runs=12, behaviour="normal")


@pytest.fixture(autouse=True)
def reference_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference models fitted on the samples shipped with the tests (no data cache)."""
    taiwan = pd.read_csv(DATA / "taiwan_sample.csv")
    loans = pd.read_csv(DATA / "lendingclub_sample.csv")
    monkeypatch.setattr(behaviour, "load_taiwan", lambda _cache: taiwan)
    monkeypatch.setattr(behaviour, "load_lendingclub", lambda _cache, _which: loans)


@pytest.fixture
def demo_cn(uow_factory: UowFactory) -> UowFactory:
    """demo-cn loaded on AS_OF under the supportive example, one daily cycle run."""
    frame = pd.read_csv(DATA / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS[PLATFORM], load_source=lambda: frame, as_of=AS_OF
    )
    activate_policy(uow_factory, PLATFORM, SUPPORTIVE)
    run_cycle(uow=uow_factory(), platform=PLATFORM, as_of=AS_OF, clock=CLOCK)
    return uow_factory


def _compare(uow: UowFactory, policies: list[str], asked: Asked, tmp_path: Path) -> Any:
    return compare_policies(
        uow=uow(),
        platform=PLATFORM,
        policies=policies,
        asked=asked,
        data_dir=tmp_path,
        cache_dir=tmp_path / "cache",
    )


def test_the_stored_book_under_two_policies_on_the_same_draws(
    demo_cn: UowFactory, tmp_path: Path
) -> None:
    report = _compare(demo_cn, ["active", str(AGGRESSIVE)], QUICK, tmp_path)
    with demo_cn() as uow:
        open_loans = sum(1 for row in uow.delinquency(PLATFORM).buckets_on(AS_OF) if row[2] > 0)
    assert report.book.as_of == AS_OF  # the last completed daily cycle
    assert report.book.accounts == open_loans
    assert report.behaviour.scenario == "normal"
    assert [p.source.label for p in report.policies] == [
        "supportive v1 (active)",
        "aggressive (aggressive.yaml)",
    ]
    (difference,) = report.differences
    assert (difference.baseline, difference.policy) == (
        "supportive v1 (active)",
        "aggressive (aggressive.yaml)",
    )
    assert {k.month for k in difference.kpis} == {1, 2, 3}
    assert {s.kpi for s in difference.sensitivity} >= {"cost_to_collect", "dq30_rate"}
    # The aggressive example plans many more contacts on the same accounts.
    assert difference.at("contacts_per_account", 3).median > 0


def test_a_policy_against_itself_differs_by_nothing(demo_cn: UowFactory, tmp_path: Path) -> None:
    """Common random numbers: the same policy on the same book and seed, run by run."""
    report = _compare(demo_cn, ["active", str(SUPPORTIVE)], QUICK, tmp_path)
    for row in report.differences[0].kpis:
        for value in (row.low, row.median, row.high):
            assert value is None or value == 0, row


def test_one_policy_alone_gives_its_levels(demo_cn: UowFactory, tmp_path: Path) -> None:
    report = simulate_policy(
        uow=demo_cn(),
        platform=PLATFORM,
        policy="1",
        asked=Asked(months=2, runs=3, behaviour="stress"),
        data_dir=tmp_path,
        cache_dir=tmp_path,
    )
    assert report.behaviour.scenario == "stress"
    first = report.run.at("dq30_rate", 1)
    assert first.low is not None
    assert first.median is not None
    assert first.high is not None
    assert first.low <= first.median <= first.high


@pytest.mark.parametrize(
    ("policies", "asked", "error"),
    [
        (["7"], QUICK, NotFound),  # no such version
        (["no-such-file.yaml"], QUICK, NotFound),
        (["active"], dataclasses.replace(QUICK, months=0), SimulationOutOfRange),
        (["active"], dataclasses.replace(QUICK, runs=10_001), SimulationOutOfRange),
        (["active"], dataclasses.replace(QUICK, behaviour="own"), NotEnoughHistory),
    ],
)
def test_bad_input_is_refused_before_any_work(
    demo_cn: UowFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    policies: list[str],
    asked: Asked,
    error: type[Exception],
) -> None:
    def no_work(**_: object) -> None:
        raise AssertionError("the book was built before the input was checked")

    monkeypatch.setattr(run, "stored_book", no_work)
    with pytest.raises(error) as caught:
        _compare(demo_cn, policies, asked, tmp_path)
    assert caught.value.en  # type: ignore[attr-defined]
    assert caught.value.zh  # type: ignore[attr-defined]


def test_a_prior_without_a_source_and_a_foreign_policy_are_refused(
    demo_cn: UowFactory, tmp_path: Path
) -> None:
    shipped = (ROOT / "src" / "tideover" / "simulate" / "priors" / "treatment.yaml").read_text(
        encoding="utf-8"
    )
    # The first prior's sources cut away: a prior without a source.
    start = shipped.index("sources:")
    end = shipped.index("\n  - id:", start)
    unsourced = tmp_path / "priors.yaml"
    unsourced.write_text(shipped[:start] + "sources: []" + shipped[end:], encoding="utf-8")
    with pytest.raises(PriorRejected, match="source"):
        _compare(demo_cn, ["active"], dataclasses.replace(QUICK, priors=unsourced), tmp_path)
    foreign = tmp_path / "us.yaml"
    text = SUPPORTIVE.read_text(encoding="utf-8").replace("jurisdiction: CN", "jurisdiction: US")
    foreign.write_text(text, encoding="utf-8")
    with pytest.raises(JurisdictionMismatch):
        _compare(demo_cn, ["active", str(foreign)], QUICK, tmp_path)


def _store_history(uow: UowFactory) -> None:
    """Month-end snapshots 30, 60 and 90 days back: copies of today's with drawn arrears."""
    rng = np.random.default_rng(11)
    with uow() as unit:
        today = list(unit.delinquency(PLATFORM).for_date(AS_OF).values())
        for months in (3, 2, 1):
            day = AS_OF - timedelta(days=30 * months)
            dpd = rng.choice([0, 0, 0, 15, 45, 75, 130], size=len(today))  # C, D1, D3, D4
            unit.delinquency(PLATFORM).replace(
                day,
                [
                    dataclasses.replace(s, as_of=day, dpd=int(d))
                    for s, d in zip(today, dpd, strict=True)
                ],
            )
        unit.commit()


def test_the_platforms_own_history_fits_its_own_behaviour(
    demo_cn: UowFactory, tmp_path: Path
) -> None:
    _store_history(demo_cn)
    report = _compare(demo_cn, ["active"], dataclasses.replace(QUICK, behaviour="auto"), tmp_path)
    assert report.behaviour.note_en is None, report.behaviour.note_en
    assert (report.behaviour.scenario, report.behaviour.month_pairs) == ("own", 3)
    # Without the history, auto falls back to the reference model and says why.
    plain = _compare(
        demo_cn, ["active"], dataclasses.replace(QUICK, as_of=AS_OF - timedelta(days=1)), tmp_path
    )
    assert plain.behaviour.scenario == "normal"


def test_a_submitted_version_is_simulated_by_a_worker_and_shown_with_it(
    demo_cn: UowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tideover.services.simulate import settings

    monkeypatch.setitem(settings.REVIEW_SETTINGS, "runs", 12)
    monkeypatch.setitem(settings.REVIEW_SETTINGS, "months", 2)
    ensure_users(demo_cn, PLATFORM)
    text = AGGRESSIVE.read_text(encoding="utf-8")
    number = submit_policy(uow=demo_cn(), platform=PLATFORM, text=text, by=AUTHOR, clock=CLOCK)
    queued = review_simulation(uow=demo_cn(), platform=PLATFORM, version=number.version)
    assert (queued.state, queued.against_version) == ("queued", 1)
    # The queue also holds the review of version 1 (submitted when it was set up).
    finished = []
    while (ran := run_next_job(uow_factory=demo_cn, clock=CLOCK, data_dir=tmp_path)) is not None:
        finished.append(ran)
    assert [(j.kind, j.params["version"], j.state) for j in finished] == [
        ("simulate", 1, "done"),
        ("simulate", number.version, "done"),
    ], [j.error for j in finished]
    done = review_simulation(uow=demo_cn(), platform=PLATFORM, version=number.version)
    assert done.state == "done"
    assert done.report is not None
    assert [p.source.version for p in done.report.policies] == [1, number.version]
    assert done.report.settings.runs == 12


def test_approval_does_not_wait_for_the_simulation_and_the_audit_says_so(
    demo_cn: UowFactory,
) -> None:
    ensure_users(demo_cn, PLATFORM)
    text = AGGRESSIVE.read_text(encoding="utf-8")
    number = submit_policy(uow=demo_cn(), platform=PLATFORM, text=text, by=AUTHOR, clock=CLOCK)
    approve_policy_version(
        uow=demo_cn(), platform=PLATFORM, version=number.version, by="policy-approver", clock=CLOCK
    )
    with demo_cn() as uow:
        records = [r for r in uow.audit(PLATFORM).records() if r.kind == "policy_lint"]
    assert records[-1].payload["simulation"]["state"] == "queued"


def test_the_demos_comparison_is_the_models_over_months(
    demo_cn: UowFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tideover.cli.demo import _render_model_comparison
    from tideover.services.demo.comparison import model_comparison

    report = model_comparison(
        uow=demo_cn(), data_dir=tmp_path, cache_dir=tmp_path, months=3, runs=12
    )
    assert report.behaviour.scenario == "normal"  # the demo book's history is not its own
    assert [p.source.label for p in report.policies] == [
        "supportive v1 (active)",
        "aggressive (aggressive.yaml)",
    ]
    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    _render_model_comparison(report)
    shown = capsys.readouterr().out
    assert "compared by the model, on the same borrowers" in shown
    assert "month by month" in shown
    assert "what drives the difference" in shown
