"""What a simulation yields: per run and month, the counts and the KPIs; and their summaries.

Intervals are the 5th and 95th percentiles over runs (a 90 % interval): they
carry the borrowers' luck, the transition estimates' uncertainty and the
priors' uncertainty together.  A comparison takes the difference run by run —
the two policies saw the same draws — before taking percentiles, so the
interval of a difference is much narrower than the two intervals side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from tideover.i18n import N_
from tideover.simulate.errors import SimulationOutOfRange
from tideover.simulate.measures import BETTER, COUNTS, KPIS, month_kpis

FloatArray = npt.NDArray[np.float64]
LOW, HIGH = 5.0, 95.0


@dataclass(frozen=True)
class Interval:
    """Mean, median and 90 % interval of a KPI in one month over the runs."""

    month: int  # 1 is the first simulated month
    kpi: str
    mean: float | None
    low: float | None
    median: float | None
    high: float | None


@dataclass(frozen=True)
class SimulationResult:
    policy: str
    scenario: str
    pack: str
    months: int
    runs: int
    seed: int
    counts: FloatArray  # (runs, months, COUNTS)
    kpis: FloatArray  # (runs, months, KPIS)
    prior_ids: tuple[str, ...]
    prior_draws: FloatArray  # (runs, priors)

    @classmethod
    def of(
        cls,
        *,
        policy: str,
        scenario: str,
        pack: str,
        settings: tuple[int, int, int],
        counts: FloatArray,
        prior_ids: tuple[str, ...],
        prior_draws: FloatArray,
    ) -> SimulationResult:
        months, runs, seed = settings
        return cls(
            policy, scenario, pack, months, runs, seed, counts, month_kpis(counts), prior_ids,
            prior_draws,
        )  # fmt: skip

    def kpi(self, name: str) -> FloatArray:
        """One KPI per run and month."""
        result: FloatArray = self.kpis[..., KPIS.index(name)]
        return result

    def summary(self) -> tuple[Interval, ...]:
        return _intervals(self.kpis)


@dataclass(frozen=True)
class Driver:
    """How strongly one prior moves a difference between two policies, over the runs."""

    prior: str
    rank_correlation: float  # Spearman's rho between the prior's draws and the difference
    low_third: float  # mean difference when the prior was in its lowest third of draws
    high_third: float  # … in its highest third


@dataclass(frozen=True)
class Comparison:
    """Policy ``a`` minus policy ``b`` on one book with common random numbers."""

    a: SimulationResult
    b: SimulationResult
    difference: FloatArray  # (runs, months, KPIS)

    def summary(self) -> tuple[Interval, ...]:
        return _intervals(self.difference)

    def favours(self, kpi: str, month: int | None = None) -> str | None:
        """Which policy the 90 % interval of the difference favours on ``kpi``, if either."""
        index = (month or self.a.months) - 1
        values = self.difference[:, index, KPIS.index(kpi)]
        values = values[np.isfinite(values)]
        direction = BETTER[kpi]
        if not len(values) or direction == 0:
            return None
        low, high = np.percentile(values, [LOW, HIGH])
        if direction * low > 0 and direction * high > 0:
            return self.a.policy if direction * float(np.median(values)) > 0 else self.b.policy
        return None

    def sensitivity(self, kpi: str, month: int | None = None) -> tuple[Driver, ...]:
        """The priors ranked by how strongly their draws move the difference on ``kpi``."""
        index = (month or self.a.months) - 1
        values = self.difference[:, index, KPIS.index(kpi)]
        live = np.isfinite(values)
        if live.sum() < 10:
            raise SimulationOutOfRange(N_("a sensitivity table needs at least 10 runs"))
        drivers = []
        for column, prior in enumerate(self.a.prior_ids):
            draws = self.a.prior_draws[live, column]
            diff = values[live]
            flat = np.ptp(draws) == 0 or np.ptp(diff) == 0
            rho = 0.0 if flat else float(stats.spearmanr(draws, diff).statistic)
            order = np.argsort(draws)
            third = max(1, len(order) // 3)
            drivers.append(
                Driver(
                    prior,
                    0.0 if np.isnan(rho) else rho,
                    float(diff[order[:third]].mean()),
                    float(diff[order[-third:]].mean()),
                )
            )
        return tuple(sorted(drivers, key=lambda d: -abs(d.rank_correlation)))


def compare(a: SimulationResult, b: SimulationResult) -> Comparison:
    """``a`` minus ``b``; both must come from the same book, seed, months, runs and priors."""
    same = (a.months, a.runs, a.seed, a.prior_ids, a.scenario) == (
        b.months,
        b.runs,
        b.seed,
        b.prior_ids,
        b.scenario,
    )
    if not same or not np.array_equal(a.prior_draws, b.prior_draws):
        raise SimulationOutOfRange(
            N_(
                "two simulations compare only with the same scenario, months, runs, seed and priors"
            ),
        )
    return Comparison(a, b, a.kpis - b.kpis)


def _intervals(values: FloatArray) -> tuple[Interval, ...]:
    rows = []
    for month in range(values.shape[1]):
        for k, name in enumerate(KPIS):
            column = values[:, month, k]
            column = column[np.isfinite(column)]
            if not len(column):
                rows.append(Interval(month + 1, name, None, None, None, None))
                continue
            low, median, high = np.percentile(column, [LOW, 50.0, HIGH])
            rows.append(
                Interval(
                    month + 1, name, float(column.mean()), float(low), float(median), float(high)
                )
            )
    return tuple(rows)


__all__ = ["COUNTS", "Comparison", "Driver", "Interval", "SimulationResult", "compare"]
