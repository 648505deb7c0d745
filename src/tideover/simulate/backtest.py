"""Backtest: fit on the first months of a history, predict the state mix of the last months.

Each account starts from its observed state in the last fitted month and is
carried forward with its segment's posterior-mean matrix; the predicted share of
accounts in each state is compared with the observed share, month by month.
The error is in percentage points of the book.  On the full Taiwan data
(``docs/simulation.md``) a test holds it under a documented bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tideover.i18n import N_
from tideover.simulate.behaviour import (
    DEFAULT_STRENGTH,
    MIN_ROW_ACCOUNTS,
    FloatArray,
    fit_transitions,
)
from tideover.simulate.errors import NotEnoughHistory
from tideover.simulate.states import N_STATES, STATES


@dataclass(frozen=True)
class Backtest:
    """Predicted and observed state shares for each month after the fitted ones."""

    fit_months: int
    states: tuple[str, ...]
    predicted: FloatArray  # (months ahead, states), shares of accounts
    observed: FloatArray

    @property
    def error_points(self) -> FloatArray:
        """Absolute error per month ahead and state, in percentage points."""
        result: FloatArray = 100.0 * np.abs(self.predicted - self.observed)
        return result

    @property
    def max_error_points(self) -> float:
        return float(self.error_points.max())

    def markdown(self) -> str:
        head = "| months ahead | " + " | ".join(
            f"{s} predicted / observed (error, pp)" for s in self.states
        )
        lines = [head + " |", "|---" * (len(self.states) + 1) + "|"]
        for ahead, (p, o, e) in enumerate(
            zip(self.predicted, self.observed, self.error_points, strict=True), start=1
        ):
            cells = [
                f"{100 * a:.2f} % / {100 * b:.2f} % ({c:.2f})"
                for a, b, c in zip(p, o, e, strict=True)
            ]
            lines.append(f"| {ahead} | " + " | ".join(cells) + " |")
        return "\n".join(lines)


def backtest(
    states: npt.NDArray[np.integer],
    *,
    fit_months: int,
    products: Sequence[str] | None = None,
    bands: Sequence[str] | None = None,
    strength: float = DEFAULT_STRENGTH,
    min_row: int = MIN_ROW_ACCOUNTS,
) -> Backtest:
    """Fit on months ``[0, fit_months)`` of ``states`` and predict the months after."""
    total = states.shape[1] if states.ndim == 2 else 0
    if not 2 <= fit_months < total:
        raise NotEnoughHistory(
            N_("a backtest fits on 2 to %(most)s of the %(total)s months, not %(fit_months)s"),
            most=total - 1,
            total=total,
            fit_months=fit_months,
        )
    model = fit_transitions(
        states[:, :fit_months],
        products=products,
        bands=bands,
        scenario="backtest",
        source=f"first {fit_months} months",
        strength=strength,
        min_row=min_row,
    )
    n = states.shape[0]
    matrices = model.expected()
    index = model.index(
        list(products) if products is not None else ["*"] * n,
        list(bands) if bands is not None else ["*"] * n,
    )
    dist = np.zeros((n, N_STATES))
    dist[np.arange(n), states[:, fit_months - 1]] = 1.0
    predicted, observed = [], []
    for month in range(fit_months, total):
        dist = np.einsum("ns,nst->nt", dist, matrices[index])
        predicted.append(dist.mean(axis=0))
        observed.append(np.bincount(states[:, month], minlength=N_STATES) / n)
    return Backtest(fit_months, STATES, np.array(predicted), np.array(observed))
