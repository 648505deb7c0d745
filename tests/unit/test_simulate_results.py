"""Comparisons take differences run by run; the sensitivity table finds the driving prior."""

from __future__ import annotations

import numpy as np
import pytest

from tideover.simulate.errors import SimulationOutOfRange
from tideover.simulate.measures import COUNTS, KPIS
from tideover.simulate.results import SimulationResult, compare

PRIORS = ("effect.a", "effect.b", "effect.c")


def _result(policy: str, kpis: np.ndarray, draws: np.ndarray, seed: int = 1) -> SimulationResult:
    runs, months, _ = kpis.shape
    return SimulationResult(
        policy, "normal", "CN", months, runs, seed,
        np.zeros((runs, months, len(COUNTS))), kpis, PRIORS, draws,
    )  # fmt: skip


def _pair(effect: np.ndarray, *, noise: float = 0.0) -> tuple[SimulationResult, SimulationResult]:
    rng = np.random.default_rng(0)
    runs = len(effect)
    base = rng.random((runs, 2, len(KPIS)))
    other = base.copy()
    column = KPIS.index("dq30_rate")
    other[:, :, column] += effect[:, None] + noise * rng.normal(size=(runs, 1))
    draws = rng.normal(size=(runs, len(PRIORS)))
    return _result("a", other, draws), _result("b", base, draws)


def test_the_difference_is_taken_run_by_run() -> None:
    a, b = _pair(np.full(50, -0.01))
    comparison = compare(a, b)
    dq30 = next(i for i in comparison.summary() if i.kpi == "dq30_rate" and i.month == 2)
    # The two policies' values spread widely, their difference not at all.
    assert dq30.low == pytest.approx(-0.01)
    assert dq30.high == pytest.approx(-0.01)
    assert comparison.favours("dq30_rate") == "a"  # lower delinquency is better


def test_no_policy_is_favoured_when_the_interval_straddles_zero() -> None:
    a, b = _pair(np.linspace(-0.01, 0.01, 50))
    assert compare(a, b).favours("dq30_rate") is None


def test_the_sensitivity_table_ranks_the_prior_that_drives_the_difference() -> None:
    a, b = _pair(np.zeros(60))
    driver = a.prior_draws[:, 1]  # effect.b moves the difference
    kpis = a.kpis.copy()
    kpis[:, -1, KPIS.index("dq30_rate")] = b.kpis[:, -1, KPIS.index("dq30_rate")] + 0.01 * driver
    a = _result("a", kpis, a.prior_draws)
    table = compare(a, b).sensitivity("dq30_rate")
    assert table[0].prior == "effect.b"
    assert table[0].rank_correlation == pytest.approx(1.0)
    assert table[0].low_third < table[0].high_third
    assert abs(table[-1].rank_correlation) < 0.5


def test_results_compare_only_on_the_same_draws() -> None:
    a, b = _pair(np.zeros(20))
    other = _result("b", b.kpis, b.prior_draws, seed=2)
    with pytest.raises(SimulationOutOfRange) as caught:
        compare(a, other)
    assert "seed" in caught.value.en
    assert "随机种子" in caught.value.zh


def test_a_sensitivity_table_needs_enough_runs() -> None:
    a, b = _pair(np.zeros(5))
    with pytest.raises(SimulationOutOfRange):
        compare(a, b).sensitivity("dq30_rate")
