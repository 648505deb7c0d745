"""The calibrated normal scenario: Taiwan's behaviour in arrears, Lending Club's entry into it.

The Taiwan book comes from the 2005-06 card crisis (22 % default), so its rate
of falling behind is a stress scenario.  Lending Club's 2018 Q1 loans give, for
each grade, how many loans were behind after three to five months on book.
One parameter per grade is fitted to that — the monthly probability ``h`` that a
current loan misses a payment (the C → D1 entry) — by maximum likelihood,
keeping the model's rows for accounts already behind (Taiwan's, pooled).  Under
the fitted chain a loan ``m`` months old is behind with probability
``1 - (e_C · P_h^m)[C]``; each loan is a Bernoulli observation of that.

The entry row's uncertainty is carried as pseudo-counts: ``N`` loan-months of
the grade split ``(1 - h, h)`` — the information of ``N`` monthly Bernoulli trials.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import optimize

from tideover.i18n import N_
from tideover.simulate.behaviour import POOLED, BehaviourModel, FloatArray, IntArray, Key
from tideover.simulate.errors import NotEnoughHistory
from tideover.simulate.states import D1, C

MIN_LOANS_PER_BAND = 30  # a thinner grade is folded into the pooled entry rate
_BEHIND = frozenset(
    {"In Grace Period", "Late (16-30 days)", "Late (31-120 days)", "Charged Off", "Default"}
)
_NOT_BEHIND = frozenset({"Current", "Fully Paid"})


def lending_club_behind(statuses: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Whether each Lending Club loan status means at least one payment missed."""
    unknown = sorted({s for s in statuses if s not in _BEHIND | _NOT_BEHIND})
    if unknown:
        raise NotEnoughHistory(
            N_("unknown Lending Club loan status: %(unknown)s"),
            unknown=tuple(unknown),
        )
    return np.array([s in _BEHIND for s in statuses], dtype=bool)


def behind_probability(matrix: FloatArray, entry: float, months: IntArray) -> FloatArray:
    """P(not current after ``months``) for a loan starting current, with C → D1 at ``entry``."""
    chain = matrix.copy()
    chain[C] = 0.0
    chain[C, C], chain[C, D1] = 1.0 - entry, entry
    top = int(months.max())
    current = np.empty(top + 1)
    row = np.zeros(chain.shape[0])
    row[C] = 1.0
    for m in range(top + 1):
        current[m] = row[C]
        row = row @ chain
    result: FloatArray = 1.0 - current[months]
    return result


def fit_entry(matrix: FloatArray, months: IntArray, behind: npt.NDArray[np.bool_]) -> float:
    """Maximum-likelihood monthly entry probability for loans ``months`` old, ``behind`` or not."""

    def negative_log_likelihood(entry: float) -> float:
        p = np.clip(behind_probability(matrix, entry, months), 1e-12, 1 - 1e-12)
        return float(-(np.log(p[behind]).sum() + np.log1p(-p[~behind]).sum()))

    found = optimize.minimize_scalar(
        negative_log_likelihood, bounds=(1e-6, 0.5), method="bounded", options={"xatol": 1e-7}
    )
    return float(found.x)


def calibrate_entry(
    model: BehaviourModel,
    *,
    months_on_book: npt.NDArray[np.integer],
    behind: npt.NDArray[np.bool_],
    bands: Sequence[str],
    product: str,
    scenario: str,
    source: str,
) -> BehaviourModel:
    """A model for ``product`` whose entry rate per band is fitted to ``behind`` loans.

    Rows for accounts in arrears are the pooled rows of ``model``.
    """
    months = np.asarray(months_on_book, dtype=np.int64)
    labels = np.asarray(list(bands), dtype=object)
    if not (len(months) == len(behind) == len(labels)) or len(months) == 0:
        raise NotEnoughHistory(
            N_(
                "months on book, statuses and bands must be given for the same, "
                "non-empty set of loans"
            ),
        )
    if months.min() < 1:
        raise NotEnoughHistory(N_("every loan needs at least one month on book"))
    base = model.expected()[-1]
    keys: list[Key] = []
    rows: list[IntArray] = []
    for band in sorted(set(labels.tolist())):
        chosen = labels == band
        if int(chosen.sum()) < MIN_LOANS_PER_BAND:
            continue
        keys.append((product, str(band)))
        rows.append(_counts(model, base, months[chosen], behind[chosen]))
    keys.append(POOLED)
    rows.append(_counts(model, base, months, behind))
    return BehaviourModel(scenario, tuple(keys), np.stack(rows), model.strength, source)


def _counts(
    model: BehaviourModel, base: FloatArray, months: IntArray, behind: npt.NDArray[np.bool_]
) -> IntArray:
    entry = fit_entry(base, months, behind)
    loan_months = int(months.sum())
    counts = model.pooled.copy()
    counts[C] = 0
    counts[C, D1] = round(entry * loan_months)
    counts[C, C] = loan_months - counts[C, D1]
    return counts
