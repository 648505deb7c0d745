"""Experiment analysis, validated by simulation: looking every day keeps false positives at the
nominal level; CUPED cuts variance without bias; SRM, guardrails and the verdict."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tideover.simulate.errors import ExperimentDataRejected
from tideover.simulate.experiment import (
    ArmData,
    Call,
    Guardrail,
    MeanMetric,
    Primary,
    RatioMetric,
    always_valid,
    analyse,
    difference,
    sample_ratio,
)

DAYS = 30
PER_DAY = 150  # accounts entering each arm each day
ALPHA = 0.05


def _binary_arm(rng: np.random.Generator, rate: float, days: int = DAYS) -> MeanMetric:
    day = np.repeat(np.arange(days), PER_DAY)
    y = (rng.random(len(day)) < rate).astype(np.float64)
    return MeanMetric.of_units(y, day, days)


def _aa_experiments(experiments: int, rate_b: float = 0.2) -> list[tuple[MeanMetric, MeanMetric]]:
    rng = np.random.default_rng(2024)
    return [(_binary_arm(rng, 0.2), _binary_arm(rng, rate_b)) for _ in range(experiments)]


def test_daily_looks_keep_the_false_positive_rate_at_the_nominal_level() -> None:
    experiments = 600
    rejected = 0
    for champion, challenger in _aa_experiments(experiments):
        estimate = difference(champion, challenger)
        valid = always_valid(estimate.difference, estimate.variance, mixing_sd=0.03, alpha=ALPHA)
        rejected += bool((valid.p_value < ALPHA).any())
    rate = rejected / experiments
    standard_error = np.sqrt(ALPHA * (1 - ALPHA) / experiments)
    assert rate <= ALPHA + 2.5 * standard_error


def test_a_fixed_horizon_test_read_every_day_would_not() -> None:
    """The contrast that makes the test above mean something: peeking inflates a z-test."""
    experiments = 600
    rejected = 0
    for champion, challenger in _aa_experiments(experiments):
        estimate = difference(champion, challenger)
        z = estimate.difference / np.sqrt(estimate.variance)
        p = 2 * stats.norm.sf(np.abs(z))
        rejected += bool((p < ALPHA).any())
    assert rejected / experiments > 2 * ALPHA


def test_a_real_difference_is_found() -> None:
    found = 0
    for champion, challenger in _aa_experiments(100, rate_b=0.25):
        estimate = difference(champion, challenger)
        valid = always_valid(estimate.difference, estimate.variance, mixing_sd=0.03, alpha=ALPHA)
        found += bool(valid.p_value[-1] < ALPHA and valid.lower[-1] > 0)
    assert found >= 80


def test_the_confidence_sequence_covers_the_truth_on_every_day() -> None:
    misses = 0
    for champion, challenger in _aa_experiments(300):
        estimate = difference(champion, challenger)
        valid = always_valid(estimate.difference, estimate.variance, mixing_sd=0.03, alpha=ALPHA)
        misses += bool(((valid.lower > 0) | (valid.upper < 0)).any())
    assert misses / 300 <= ALPHA + 0.03


def _covariate_arms(rng: np.random.Generator, shift: float) -> tuple[MeanMetric, MeanMetric]:
    arms = []
    for effect in (0.0, shift):
        n = DAYS * PER_DAY
        day = np.repeat(np.arange(DAYS), PER_DAY)
        x = rng.normal(size=n)  # the pre-period outcome of the same accounts
        y = 1.0 + effect + 0.8 * x + 0.6 * rng.normal(size=n)
        arms.append(MeanMetric.of_units(y, day, DAYS, x))
    return arms[0], arms[1]


def test_cuped_cuts_the_variance_and_keeps_the_estimate_unbiased() -> None:
    rng = np.random.default_rng(7)
    plain, adjusted = [], []
    for _ in range(200):
        a, b = _covariate_arms(rng, 0.05)
        plain.append(difference(a, b, cuped=False).difference[-1])
        cuped = difference(a, b)
        assert cuped.cuped
        adjusted.append(cuped.difference[-1])
    assert np.var(adjusted) < 0.5 * np.var(plain)  # x explains most of y's variance
    assert np.mean(adjusted) == pytest.approx(0.05, abs=0.01)


def test_cuped_s_stated_variance_matches_its_spread() -> None:
    rng = np.random.default_rng(8)
    estimates, stated = [], []
    for _ in range(300):
        a, b = _covariate_arms(rng, 0.0)
        e = difference(a, b)
        estimates.append(e.difference[-1])
        stated.append(e.variance[-1])
    assert np.var(estimates) == pytest.approx(np.mean(stated), rel=0.2)


def _ratio_arm(rng: np.random.Generator, per_contact: float) -> RatioMetric:
    n = DAYS * PER_DAY
    day = np.repeat(np.arange(DAYS), PER_DAY)
    contacts = rng.poisson(4, n).astype(np.float64)
    complaints = rng.binomial(contacts.astype(np.int64), per_contact).astype(np.float64)

    def cumulative(values: np.ndarray) -> np.ndarray:
        return np.cumsum(np.bincount(day, weights=values, minlength=DAYS))

    return RatioMetric(
        cumulative(np.ones(n)),
        cumulative(complaints),
        cumulative(complaints**2),
        cumulative(contacts),
        cumulative(contacts**2),
        cumulative(complaints * contacts),
    )


def test_the_ratio_variance_from_the_delta_method_matches_its_spread() -> None:
    rng = np.random.default_rng(9)
    estimates, stated = [], []
    for _ in range(300):
        e = difference(_ratio_arm(rng, 0.01), _ratio_arm(rng, 0.01))
        estimates.append(e.difference[-1])
        stated.append(e.variance[-1])
    assert np.var(estimates) == pytest.approx(np.mean(stated), rel=0.2)


def test_a_sample_ratio_mismatch_is_flagged_and_a_fair_split_is_not() -> None:
    fair = sample_ratio({"a": 5000, "b": 5040}, {"a": 0.5, "b": 0.5})
    assert not fair.mismatch
    skewed = sample_ratio({"a": 5200, "b": 4800}, {"a": 0.5, "b": 0.5})
    assert skewed.mismatch
    assert skewed.p_value < 0.001
    three = sample_ratio({"c": 4500, "w": 4500, "h": 1000}, {"c": 0.45, "w": 0.45, "h": 0.10})
    assert not three.mismatch
    with pytest.raises(ExperimentDataRejected):
        sample_ratio({"a": 1}, {"a": 1.0})


def _arm(name: str, role: str, weight: float, metrics: dict) -> ArmData:
    return ArmData(name, role, weight, metrics)  # type: ignore[arg-type]


def _report(
    cure_b: float, complaints_b: float, *, days: int = DAYS, split: tuple[int, int] = (1, 1)
):
    rng = np.random.default_rng(11)

    def arm(cure: float, complaints: float, share: int) -> dict:
        day = np.repeat(np.arange(days), PER_DAY * share)
        return {
            "cure_rate": MeanMetric.of_units(
                (rng.random(len(day)) < cure).astype(np.float64), day, days
            ),
            "complaints": MeanMetric.of_units(
                (rng.random(len(day)) < complaints).astype(np.float64), day, days
            ),
        }

    return analyse(
        "early-tone",
        [
            _arm("champion", "champion", 0.5, arm(0.2, 0.01, split[0])),
            _arm("warm", "challenger", 0.5, arm(cure_b, complaints_b, split[1])),
        ],
        primary=Primary("cure_rate", better=1, mixing_sd=0.03),
        guardrails=[Guardrail("complaints", worse=1, margin=0.01, mixing_sd=0.01)],
        max_days=DAYS,
    )


def test_a_better_challenger_within_its_guardrails_is_promoted() -> None:
    report = _report(0.26, 0.01)
    assert report.call is Call.PROMOTE
    assert report.challengers[0].reasons[0].code == "primary_better"
    assert report.values["warm"]["cure_rate"] > report.values["champion"]["cure_rate"]


def test_a_breached_guardrail_stops_a_challenger_that_cures_more() -> None:
    report = _report(0.26, 0.05)
    challenger = report.challengers[0]
    assert challenger.call is Call.STOP
    assert challenger.reasons[0].code == "guardrail_breached"
    assert "complaints" in challenger.reasons[0].en
    assert "complaints" in challenger.reasons[0].zh


def test_a_worse_challenger_is_stopped() -> None:
    assert _report(0.14, 0.01).challengers[0].reasons[0].code == "primary_worse"


def test_nothing_settled_keeps_running_until_the_planned_end() -> None:
    early = _report(0.2, 0.01, days=5)
    assert early.call is Call.KEEP_RUNNING
    assert early.challengers[0].reasons[0].code == "not_settled"
    late = _report(0.2, 0.01)
    assert late.call is Call.STOP
    assert late.challengers[0].reasons[0].code == "no_difference"


def test_a_sample_ratio_mismatch_stops_the_experiment_first() -> None:
    report = _report(0.26, 0.01, split=(1, 2))
    assert report.sample_ratio.mismatch
    assert report.challengers[0].reasons[0].code == "sample_ratio_mismatch"
    assert report.call is Call.STOP


def test_an_experiment_needs_one_champion() -> None:
    metric = {"cure_rate": MeanMetric(np.ones(2), np.ones(2), np.ones(2))}
    with pytest.raises(ExperimentDataRejected) as caught:
        analyse(
            "x",
            [_arm("a", "challenger", 0.5, metric), _arm("b", "challenger", 0.5, metric)],
            primary=Primary("cure_rate", better=1, mixing_sd=0.01),
        )
    assert "champion" in caught.value.en
    assert "冠军" in caught.value.zh


def test_inconsistent_arm_data_is_refused() -> None:
    with pytest.raises(ExperimentDataRejected):
        MeanMetric(np.array([1.0, 0.5]), np.zeros(2), np.zeros(2))  # a count that falls
    with pytest.raises(ExperimentDataRejected):
        MeanMetric(np.ones(3), np.zeros(2), np.zeros(3))
    with pytest.raises(ExperimentDataRejected):
        always_valid(np.zeros(2), np.ones(2), mixing_sd=0.0)
