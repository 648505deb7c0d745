"""The borrower-behaviour model: monthly transitions between states by product and score band.

Counts of account-months moving from each state to each state are kept per
segment (product, band).  A segment's row is its own counts plus ``strength``
pseudo-counts spread like the pooled row (a Dirichlet prior centred on the
pooled rates), so a thin segment leans on the whole book and a thick one on
itself.  Each Monte Carlo run draws its matrices from the Dirichlet posterior:
the simulation carries the estimation uncertainty, not only the borrowers' luck.

The pooled matrix is always present under the key ``("*", "*")``; accounts of
a segment the data did not contain use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import linalg, optimize

from tideover.i18n import N_
from tideover.simulate.errors import NotEnoughHistory
from tideover.simulate.states import DAYS_PER_MONTH, N_STATES, STATES

POOLED: tuple[str, str] = ("*", "*")
MIN_ROW_ACCOUNTS = 5  # account-months a pooled state row needs before it is trusted
DEFAULT_STRENGTH = 20.0  # pseudo-account-months pulling a segment's row to the pooled row

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Key = tuple[str, str]


@dataclass(frozen=True)
class BehaviourModel:
    """Transition counts per segment; ``counts[k]`` belongs to ``keys[k]``; the last is pooled."""

    scenario: str
    keys: tuple[Key, ...]
    counts: IntArray  # (segments, from, to)
    strength: float
    source: str

    @property
    def pooled(self) -> IntArray:
        result: IntArray = self.counts[-1]
        return result

    def alpha(self) -> FloatArray:
        """Dirichlet parameters per segment row: own counts plus the pooled prior."""
        pooled = self.pooled.astype(np.float64)
        rates = pooled / pooled.sum(axis=1, keepdims=True)
        result: FloatArray = self.counts.astype(np.float64) + self.strength * rates[None, :, :]
        result[-1] = pooled
        return result

    def expected(self) -> FloatArray:
        """Posterior-mean transition matrices, one per segment."""
        alpha = self.alpha()
        result: FloatArray = alpha / alpha.sum(axis=2, keepdims=True)
        return result

    def draw(self, rng: np.random.Generator) -> FloatArray:
        """One draw of every segment's matrix from its Dirichlet posterior.

        A structural zero (a move nobody made, e.g. current straight to D4) stays zero.
        """
        alpha = self.alpha()
        gammas = np.zeros_like(alpha)
        live = alpha > 0
        gammas[live] = rng.gamma(alpha[live])
        totals = gammas.sum(axis=2, keepdims=True)
        # A row whose every draw underflowed to zero falls back to its mean.
        means = alpha / alpha.sum(axis=2, keepdims=True)
        result: FloatArray = np.where(totals > 0, gammas / np.where(totals > 0, totals, 1), means)
        return result

    def index(self, products: Sequence[str], bands: Sequence[str]) -> IntArray:
        """Segment index per account; a (product, band) not in the model gets the pooled row."""
        position = {key: i for i, key in enumerate(self.keys)}
        fallback = len(self.keys) - 1
        result: IntArray = np.fromiter(
            (position.get((p, b), fallback) for p, b in zip(products, bands, strict=True)),
            dtype=np.int64,
            count=len(products),
        )
        return result

    def describe(self) -> list[dict[str, object]]:
        """Each segment's account-months and rates, for reports and docs."""
        rows: list[dict[str, object]] = []
        for key, counts, rates in zip(self.keys, self.counts, self.expected(), strict=True):
            rows.append(
                {
                    "product": key[0],
                    "band": key[1],
                    "account_months": int(counts.sum()),
                    "rates": {
                        a: {b: round(float(r), 4) for b, r in zip(STATES, row, strict=True)}
                        for a, row in zip(STATES, rates, strict=True)
                    },
                }
            )
        return rows


def _check_history(states: npt.NDArray[np.integer]) -> None:
    if states.ndim != 2 or states.shape[1] < 2:
        months = states.shape[1] if states.ndim == 2 else 0
        raise NotEnoughHistory(
            N_("transitions need at least two months of status per account, got %(months)s"),
            months=months,
        )
    if states.shape[0] == 0:
        raise NotEnoughHistory(N_("the history has no accounts"))
    if states.min() < 0 or states.max() >= N_STATES:
        raise NotEnoughHistory(N_("state indices must be 0 to %(n_states)s"), n_states=N_STATES - 1)


def count_transitions(states: npt.NDArray[np.integer]) -> IntArray:
    """Account-month counts (from, to), pooled over consecutive month pairs (oldest first)."""
    _check_history(states)
    start = states[:, :-1].ravel().astype(np.int64)
    end = states[:, 1:].ravel().astype(np.int64)
    flat = np.bincount(start * N_STATES + end, minlength=N_STATES * N_STATES)
    result: IntArray = flat.reshape(N_STATES, N_STATES).astype(np.int64)
    return result


def fit_transitions(
    states: npt.NDArray[np.integer],
    *,
    products: Sequence[str] | None = None,
    bands: Sequence[str] | None = None,
    scenario: str,
    source: str,
    strength: float = DEFAULT_STRENGTH,
    min_row: int = MIN_ROW_ACCOUNTS,
) -> BehaviourModel:
    """Fit a model on per-account state histories ``states`` (accounts × months, oldest first).

    ``products`` and ``bands`` label each account; absent, every account is in one segment.
    """
    pooled = count_transitions(states)
    thin = [
        (STATES[i], int(total)) for i, total in enumerate(pooled.sum(axis=1)) if total < min_row
    ]
    if thin:
        shown = ", ".join(f"{s} ({n})" for s, n in thin)
        raise NotEnoughHistory(
            N_(
                "too little history to fit: the states %(shown)s start fewer than "
                "%(min_row)s account-months; give more accounts or more months"
            ),
            shown=shown,
            min_row=min_row,
        )
    n = states.shape[0]
    product_labels = list(products) if products is not None else ["*"] * n
    band_labels = list(bands) if bands is not None else ["*"] * n
    if len(product_labels) != n or len(band_labels) != n:
        raise NotEnoughHistory(
            N_("%(n)s accounts but %(products)s products and %(bands)s bands"),
            n=n,
            products=len(product_labels),
            bands=len(band_labels),
        )
    labels = np.array([f"{p}\x1f{b}" for p, b in zip(product_labels, band_labels, strict=True)])
    keys: list[Key] = []
    counts: list[IntArray] = []
    for label in sorted(set(labels.tolist())):
        key = tuple(label.split("\x1f", 1))
        if key == POOLED:
            continue
        keys.append((key[0], key[1]))
        counts.append(count_transitions(states[labels == label]))
    keys.append(POOLED)
    counts.append(pooled)
    if strength < 0:
        raise NotEnoughHistory(N_("the prior strength must not be negative"))
    return BehaviourModel(scenario, tuple(keys), np.stack(counts), float(strength), source)


def daily(matrix: FloatArray, days: int = DAYS_PER_MONTH) -> FloatArray:
    """A one-day transition matrix whose ``days``-th power is as close as it gets to ``matrix``.

    The principal ``1/days`` root of a transition matrix need not be stochastic
    (the "embedding problem"): it is the starting point, clipped to zero and
    renormalised, and then the stochastic matrix (rows as softmax of free
    weights) whose power is nearest the monthly one in squared error is searched
    for.  The error left is measured by :func:`daily_error`.
    """
    size = matrix.shape[0]
    root: FloatArray = np.real(linalg.fractional_matrix_power(matrix, 1.0 / days))
    root = np.clip(root, 1e-9, None)
    root /= root.sum(axis=1, keepdims=True)

    def stochastic(weights: FloatArray) -> FloatArray:
        w = weights.reshape(size, size)
        e = np.exp(w - w.max(axis=1, keepdims=True))
        result: FloatArray = e / e.sum(axis=1, keepdims=True)
        return result

    def loss(weights: FloatArray) -> float:
        month = np.linalg.matrix_power(stochastic(weights), days)
        return float(((month - matrix) ** 2).sum())

    found = optimize.minimize(loss, np.log(root).ravel(), method="L-BFGS-B")
    best = stochastic(found.x)
    start = np.linalg.matrix_power(root, days)
    if loss(found.x) > float(((start - matrix) ** 2).sum()):
        return root
    return best


def daily_error(matrix: FloatArray, days: int = DAYS_PER_MONTH) -> float:
    """Largest absolute difference between ``daily(matrix) ** days`` and ``matrix``."""
    month = np.linalg.matrix_power(daily(matrix, days), days)
    return float(np.abs(month - matrix).max())
