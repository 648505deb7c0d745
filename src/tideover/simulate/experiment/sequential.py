"""Always-valid inference: a manager may look every day without inflating false positives.

The mixture sequential probability ratio test (mSPRT) of Johari, Koomen,
Pekelis & Walsh ("Always Valid Inference: Continuous Monitoring of A/B Tests",
Operations Research 70(3), 2022; first circulated 2017) with a normal mixing
distribution ``N(0, τ²)`` over the true difference.  For an estimate ``Δ`` with
variance ``V`` (asymptotically normal), the mixture likelihood ratio against
"no difference" is

    Λ = sqrt(V / (V + τ²)) · exp(τ² Δ² / (2 V (V + τ²)))

and ``p_n = min(1, min_{k ≤ n} 1/Λ_k)`` is an always-valid p-value: under no
difference the chance that it *ever* falls below α, however often it is looked
at, is at most α (Ville's inequality).  Inverting the test gives a confidence
sequence (Howard, Ramdas, McAuliffe & Sekhon, "Time-uniform, nonparametric,
nonasymptotic confidence sequences", Annals of Statistics 49(2), 2021, the
normal-mixture boundary): ``Δ ± sqrt(V (V + τ²)/τ² · (2 log(1/α) + log((V + τ²)/V)))``,
intersected over the days seen so far.

``τ`` is the size of difference the test is tuned to find soonest; choose it
near the smallest difference worth acting on.  It never breaks validity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tideover.i18n import N_
from tideover.simulate.errors import ExperimentDataRejected

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AlwaysValid:
    """Per day: the always-valid p-value and confidence sequence of the difference."""

    p_value: FloatArray
    lower: FloatArray
    upper: FloatArray


def always_valid(
    difference: FloatArray, variance: FloatArray, *, mixing_sd: float, alpha: float = 0.05
) -> AlwaysValid:
    """Always-valid p-values and a (1 - alpha) confidence sequence, day by day.

    A day whose variance is not positive and finite (too few accounts yet) gives
    p = 1 and an unbounded interval, and leaves the running values unchanged.
    """
    if not mixing_sd > 0:
        raise ExperimentDataRejected(N_("the mixing sd τ must be positive"))
    if not 0 < alpha < 1:
        raise ExperimentDataRejected(N_("alpha must be between 0 and 1"))
    tau2 = mixing_sd * mixing_sd
    ok = np.isfinite(variance) & (variance > 0) & np.isfinite(difference)
    v = np.where(ok, variance, 1.0)
    d = np.where(ok, difference, 0.0)
    log_lr = 0.5 * np.log(v / (v + tau2)) + tau2 * d * d / (2 * v * (v + tau2))
    p = np.where(ok, np.minimum(1.0, np.exp(-log_lr)), 1.0)
    half = np.sqrt(v * (v + tau2) / tau2 * (2 * np.log(1 / alpha) + np.log((v + tau2) / v)))
    lower = np.where(ok, d - half, -np.inf)
    upper = np.where(ok, d + half, np.inf)
    return AlwaysValid(
        np.minimum.accumulate(p), np.maximum.accumulate(lower), np.minimum.accumulate(upper)
    )
