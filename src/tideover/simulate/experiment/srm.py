"""Sample-ratio mismatch: do the arms hold the shares of accounts their weights promise?

A mismatch means assignment or logging is broken, and no comparison of the arms
can be trusted (Fabijan, Gupchup, Gupta, Omhover, Qin, Vermeer & Dmitriev,
"Diagnosing Sample Ratio Mismatch in Online Controlled Experiments", KDD 2019).
Pearson's chi-square test of the counts against the weights; the alarm is set
at p < 0.001, as there, because the check runs every day and a false alarm
stops an experiment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from tideover.i18n import N_
from tideover.simulate.errors import ExperimentDataRejected

SRM_ALPHA = 0.001


@dataclass(frozen=True)
class SampleRatio:
    counts: dict[str, int]
    expected: dict[str, float]
    chi_square: float
    p_value: float
    mismatch: bool


def sample_ratio(
    counts: Mapping[str, int], weights: Mapping[str, float], *, alpha: float = SRM_ALPHA
) -> SampleRatio:
    """Chi-square test of the arms' account ``counts`` against their ``weights``."""
    if set(counts) != set(weights) or len(counts) < 2:
        raise ExperimentDataRejected(
            N_("give counts and weights for the same arms, at least two"),
        )
    arms = sorted(counts)
    observed = np.array([counts[a] for a in arms], dtype=np.float64)
    share = np.array([float(weights[a]) for a in arms])
    if (observed < 0).any() or (share <= 0).any():
        raise ExperimentDataRejected(
            N_("counts must not be negative and weights must be positive"),
        )
    total = observed.sum()
    expected = total * share / share.sum()
    if total == 0:
        return SampleRatio(dict(counts), dict.fromkeys(arms, 0.0), 0.0, 1.0, False)
    chi2, p = stats.chisquare(observed, expected)
    return SampleRatio(
        {a: int(c) for a, c in zip(arms, observed, strict=True)},
        {a: float(e) for a, e in zip(arms, expected, strict=True)},
        float(chi2),
        float(p),
        bool(p < alpha),
    )
