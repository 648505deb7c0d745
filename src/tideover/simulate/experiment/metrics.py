"""Per-arm metrics as day-by-day cumulative sums, and the difference between two arms.

An arm's metric is kept as sufficient statistics cumulated up to each day of
the experiment (index ``d`` holds everything observed up to and including day
``d``), which is what stored daily snapshots can give: counts and sums, never
per-account rows.

- :class:`MeanMetric`: a per-account outcome ``y`` (a cure is 1 or 0; an amount
  in minor units), optionally with a pre-period covariate ``x`` of the same
  accounts for CUPED.
- :class:`RatioMetric`: a ratio of sums (complaints per contact), whose
  variance comes from the delta method.

**CUPED** (Deng, Xu, Kohavi & Walker, "Improving the Sensitivity of Online
Controlled Experiments by Utilizing Pre-Experiment Data", WSDM 2013): the
difference of ``y - θ·x`` between arms, with ``θ = cov(x, y) / var(x)`` pooled
over both arms.  Randomisation makes ``x`` balanced in expectation, so the
estimate stays unbiased while its variance shrinks by the share of ``y``'s
variance that ``x`` explains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tideover.i18n import N_
from tideover.simulate.errors import ExperimentDataRejected

FloatArray = npt.NDArray[np.float64]


def _days(*arrays: FloatArray | None) -> int:
    sizes = {len(a) for a in arrays if a is not None}
    if len(sizes) != 1:
        raise ExperimentDataRejected(
            N_("every series of an arm's metric must have one value per day"),
        )
    return sizes.pop()


def _check_counts(n: FloatArray) -> None:
    if (n < 0).any() or (np.diff(n) < 0).any():
        raise ExperimentDataRejected(
            N_("account counts must be cumulative: never negative, never falling"),
        )


@dataclass(frozen=True)
class MeanMetric:
    """Cumulative n, Σy, Σy² per day; with a covariate also Σx, Σx², Σxy."""

    n: FloatArray
    sum_y: FloatArray
    sum_y2: FloatArray
    sum_x: FloatArray | None = None
    sum_x2: FloatArray | None = None
    sum_xy: FloatArray | None = None

    def __post_init__(self) -> None:
        _days(self.n, self.sum_y, self.sum_y2, self.sum_x, self.sum_x2, self.sum_xy)
        _check_counts(self.n)
        given = [a is not None for a in (self.sum_x, self.sum_x2, self.sum_xy)]
        if any(given) and not all(given):
            raise ExperimentDataRejected(N_("a covariate needs Σx, Σx² and Σxy together"))

    @classmethod
    def of_units(
        cls, y: FloatArray, day: npt.NDArray[np.integer], days: int, x: FloatArray | None = None
    ) -> MeanMetric:
        """From per-account outcomes ``y`` first observed on ``day`` (0-based), cumulated."""

        def cumulative(values: FloatArray) -> FloatArray:
            result: FloatArray = np.cumsum(np.bincount(day, weights=values, minlength=days))
            return result

        ones = np.ones(len(y))
        if x is None:
            return cls(cumulative(ones), cumulative(y), cumulative(y * y))
        return cls(
            cumulative(ones), cumulative(y), cumulative(y * y),
            cumulative(x), cumulative(x * x), cumulative(x * y),
        )  # fmt: skip

    @property
    def has_covariate(self) -> bool:
        return self.sum_x is not None

    def mean(self) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            result: FloatArray = self.sum_y / self.n
        return result


@dataclass(frozen=True)
class RatioMetric:
    """Cumulative n, Σy, Σy², Σz, Σz², Σyz per day: the metric is Σy / Σz."""

    n: FloatArray
    sum_y: FloatArray
    sum_y2: FloatArray
    sum_z: FloatArray
    sum_z2: FloatArray
    sum_yz: FloatArray

    def __post_init__(self) -> None:
        _days(self.n, self.sum_y, self.sum_y2, self.sum_z, self.sum_z2, self.sum_yz)
        _check_counts(self.n)

    def mean(self) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            result: FloatArray = self.sum_y / self.sum_z
        return result


@dataclass(frozen=True)
class Estimate:
    """Challenger minus champion per day, and the variance of that difference."""

    difference: FloatArray
    variance: FloatArray
    cuped: bool


def _variance(n: FloatArray, total: FloatArray, squares: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = (squares - total * total / n) / (n - 1)
    return result


def _covariance(n: FloatArray, a: FloatArray, b: FloatArray, ab: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = (ab - a * b / n) / (n - 1)
    return result


def _covariate(m: MeanMetric) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    if m.sum_x is None or m.sum_x2 is None or m.sum_xy is None:
        return None
    return m.sum_x, m.sum_x2, m.sum_xy


def _mean_estimate(champion: MeanMetric, challenger: MeanMetric, cuped: bool) -> Estimate:
    a, b = champion, challenger
    xa, xb = _covariate(a), _covariate(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = b.sum_y / b.n - a.sum_y / a.n
        var_a = _variance(a.n, a.sum_y, a.sum_y2)
        var_b = _variance(b.n, b.sum_y, b.sum_y2)
        if not cuped or xa is None or xb is None:
            return Estimate(diff, var_a / a.n + var_b / b.n, False)
        n = a.n + b.n
        sx, sx2, sxy = (p + q for p, q in zip(xa, xb, strict=True))
        var_x = _variance(n, sx, sx2)
        theta = np.where(var_x > 0, _covariance(n, sx, a.sum_y + b.sum_y, sxy) / var_x, 0.0)
        diff = diff - theta * (xb[0] / b.n - xa[0] / a.n)

        def adjusted(m: MeanMetric, x: tuple[FloatArray, FloatArray, FloatArray]) -> FloatArray:
            vy = _variance(m.n, m.sum_y, m.sum_y2)
            vx = _variance(m.n, x[0], x[1])
            cxy = _covariance(m.n, x[0], m.sum_y, x[2])
            result: FloatArray = np.maximum(vy - 2 * theta * cxy + theta * theta * vx, 0.0) / m.n
            return result

        variance = adjusted(a, xa) + adjusted(b, xb)
    return Estimate(diff, variance, True)


def _ratio_estimate(champion: RatioMetric, challenger: RatioMetric) -> Estimate:
    def parts(m: RatioMetric) -> tuple[FloatArray, FloatArray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = m.sum_y / m.sum_z
            mean_z = m.sum_z / m.n
            vy = _variance(m.n, m.sum_y, m.sum_y2)
            vz = _variance(m.n, m.sum_z, m.sum_z2)
            cyz = _covariance(m.n, m.sum_y, m.sum_z, m.sum_yz)
            # Delta method: var(Σy/Σz) ≈ (vy - 2R·cyz + R²·vz) / (n · mean(z)²).
            var = np.maximum(vy - 2 * ratio * cyz + ratio * ratio * vz, 0.0) / (m.n * mean_z**2)
        return ratio, var

    ra, va = parts(champion)
    rb, vb = parts(challenger)
    return Estimate(rb - ra, va + vb, False)


def difference(
    champion: MeanMetric | RatioMetric,
    challenger: MeanMetric | RatioMetric,
    *,
    cuped: bool = True,
) -> Estimate:
    """Challenger minus champion, day by day; CUPED when both arms carry a covariate."""
    if len(champion.n) != len(challenger.n):
        raise ExperimentDataRejected(N_("the two arms cover a different number of days"))
    if isinstance(champion, MeanMetric) and isinstance(challenger, MeanMetric):
        return _mean_estimate(champion, challenger, cuped)
    if isinstance(champion, RatioMetric) and isinstance(challenger, RatioMetric):
        return _ratio_estimate(champion, challenger)
    raise ExperimentDataRejected(
        N_("both arms must give the metric the same way (mean or ratio)"),
    )
