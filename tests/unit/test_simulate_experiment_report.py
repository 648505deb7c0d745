"""The experiment report from stored snapshots: units, sums, guardrails and the verdict."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from tideover.policy.model import Experiment
from tideover.services.simulate.experiment_units import CureUnits, _units
from tideover.services.simulate.experiments import (
    COMPLAINTS,
    PRIMARY,
    _binary,
    analyse_experiment,
    daily_sums,
)

DAYS = [date(2026, 11, 2) + timedelta(days=i) for i in range(20)]
EXPERIMENT = Experiment.model_validate(
    {
        "id": "tone",
        "segment": "early",
        "arms": [
            {"id": "champion", "role": "champion", "treatment": "soft", "weight": "0.5"},
            {"id": "warm", "role": "challenger", "treatment": "warm", "weight": "0.5"},
        ],
    }
)


def test_a_unit_is_an_account_behind_in_the_segment_seen_on_the_next_cycle_date() -> None:
    early, other = 3, 5
    arms = {0: "champion", 1: "warm"}
    rows = [
        # account, day number, dpd, vulnerable, segment code, arm code
        ("A", 100, 4, False, early, 0),  # first day: behind, in the segment
        ("A", 101, 0, False, other, None),  # cured: counted for champion, on day 1
        ("B", 100, 0, True, other, None),  # current on the first day (covariate 0)
        ("B", 101, 2, True, early, 1),
        ("B", 103, 0, True, other, None),  # 102 missing: no unit (not the next date)
        ("C", 101, 9, False, early, 1),
        ("C", 102, 10, False, early, 1),  # still behind: a unit with outcome 0
    ]
    units = _units(rows, [100, 101, 102, 103], early, arms)
    assert units.arm.tolist() == ["champion", "warm"]
    assert units.day.tolist() == [1, 2]
    assert units.cured.tolist() == [1.0, 0.0]
    assert units.covariate.tolist() == [4.0, 0.0]  # days past due on the first day
    assert units.vulnerable.tolist() == [False, False]
    assert units.accounts == {"champion": 1, "warm": 2}


def test_daily_sums_read_the_segments_arm_rows_only() -> None:
    rows = [
        _row(DAYS[0], "early", "warm", "complaints", "all", 2, 900),
        _row(DAYS[0], "early", "warm", "attempted", "sms", 700),
        _row(DAYS[0], "early", "warm", "attempted", "robot_call", 200),
        _row(DAYS[0], "early", "warm", "bucket", "M1", 1000, 1000),
        _row(DAYS[1], "early", "warm", "plans", "broken", 1, 4),
        _row(DAYS[1], "late", "warm", "complaints", "all", 50, 100),  # another segment
        _row(DAYS[1], "early", "champion", "complaints", "all", 50, 100),  # another arm
    ]
    sums = daily_sums(rows, "early", "warm", DAYS[:2])
    assert sums.complaints.tolist() == [2, 0]
    assert sums.contacts.tolist() == [900, 0]
    assert sums.attempts.tolist() == [900, 0]
    assert sums.open_accounts.tolist() == [1000, 0]
    assert sums.broken.tolist() == [0, 1]
    assert sums.ended.tolist() == [0, 4]


def test_a_binary_metric_has_a_variance_before_its_first_event() -> None:
    metric = _binary(np.array([0.0, 0.0, 0.0]), np.array([0.0, 500.0, 500.0]), 1000.0)
    assert metric.n.tolist() == [0.0, 501.0, 1001.0]  # half an event and half a non-event
    assert metric.sum_y.tolist() == [0.0, 500.0, 500.0]
    assert metric.sum_y2.tolist() == [0.0, 500_000.0, 500_000.0]


def _row(day: date, segment: str, arm: str, metric: str, key: str, n: int, base: int = 0) -> Any:
    return {
        "as_of": day, "segment": segment, "arm": arm, "metric": metric, "key": key,
        "accounts": n, "amount_minor": 0, "base_accounts": base or None,
        "base_amount_minor": None, "currency": "CNY",
    }  # fmt: skip


def _snapshot_rows(complaints: dict[str, int], contacts: int = 40_000) -> list[Any]:
    rows = []
    for day in DAYS:
        for arm in ("champion", "warm"):
            rows += [
                _row(day, "early", arm, "complaints", "all", complaints[arm], contacts),
                _row(day, "early", arm, "attempted", "sms", 300),
                _row(day, "early", arm, "bucket", "M1", 1000, 1000),
            ]
    return rows


def _cure_units(cure: dict[str, float], sizes: dict[str, int], per_day: int = 400) -> CureUnits:
    rng = np.random.default_rng(7)
    arms, days, cured = [], [], []
    for arm, rate in cure.items():
        for day in range(1, len(DAYS)):
            arms += [arm] * per_day
            days += [day] * per_day
            cured += (rng.random(per_day) < rate).astype(float).tolist()
    size = len(arms)
    return CureUnits(
        arm=np.array(arms, dtype=object),
        day=np.array(days, dtype=np.int64),
        cured=np.array(cured),
        covariate=rng.integers(0, 30, size).astype(float),
        vulnerable=np.zeros(size, dtype=bool),
        accounts=sizes,
    )


def _report(units: CureUnits, rows: list[Any]) -> Any:
    return analyse_experiment(EXPERIMENT, rows, units, DAYS, platform="acme", version=2)


def test_a_better_challenger_within_its_guardrails_is_promoted() -> None:
    units = _cure_units({"champion": 0.20, "warm": 0.30}, {"champion": 5000, "warm": 5020})
    report = _report(units, _snapshot_rows({"champion": 0, "warm": 0}))
    assert report.call == "promote"
    (warm,) = report.challengers
    assert [r.code for r in warm.reasons] == ["primary_better"]
    assert warm.primary.metric == PRIMARY
    assert warm.primary.cuped
    assert warm.primary.lower is not None
    assert warm.primary.lower > 0
    # Not measured: the vulnerable (no unit) and plans (no plan ended) guardrails.
    assert {r.code for r in report.not_measured} == {"guardrail_not_measured"}
    warm_cure = report.arms[1].values[PRIMARY]
    assert warm_cure is not None
    assert abs(warm_cure - Decimal("0.30")) < Decimal("0.02")
    assert len(report.daily["warm"]) == len(DAYS)


def test_more_complaints_beyond_the_margin_stop_the_challenger() -> None:
    units = _cure_units({"champion": 0.20, "warm": 0.30}, {"champion": 5000, "warm": 5000})
    report = _report(units, _snapshot_rows({"champion": 0, "warm": 400}))  # 10 per 1,000
    (warm,) = report.challengers
    assert warm.call == "stop"
    assert [r.code for r in warm.reasons] == ["guardrail_breached"]
    assert COMPLAINTS in warm.reasons[0].en


def test_a_worse_challenger_is_stopped() -> None:
    units = _cure_units({"champion": 0.30, "warm": 0.20}, {"champion": 5000, "warm": 5000})
    report = _report(units, _snapshot_rows({"champion": 0, "warm": 0}))
    assert [r.code for r in report.challengers[0].reasons] == ["primary_worse"]
    assert report.call == "stop"


def test_a_sample_ratio_mismatch_stops_whatever_the_figures_say() -> None:
    units = _cure_units({"champion": 0.20, "warm": 0.30}, {"champion": 5000, "warm": 6000})
    report = _report(units, _snapshot_rows({"champion": 0, "warm": 0}))
    assert report.sample_ratio_mismatch
    assert [r.code for r in report.challengers[0].reasons] == ["sample_ratio_mismatch"]


def test_no_snapshot_yet_keeps_it_running_and_says_why() -> None:
    empty = _cure_units({}, {"champion": 0, "warm": 0})
    report = analyse_experiment(EXPERIMENT, [], empty, [], platform="acme", version=2)
    assert (report.call, report.days, report.challengers) == ("keep_running", 0, [])
    assert report.not_measured[0].code == "no_data"
