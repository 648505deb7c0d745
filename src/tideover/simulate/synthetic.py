"""A seeded synthetic book shaped like a fitted model, for benchmarks and tests.

Accounts are spread over the model's segments in proportion to their
account-months, start in the long-run mix of states of their segment, and carry
installment loans whose sizes follow a log-normal around ``installment`` minor
units.  Nothing here is a real borrower.
"""

from __future__ import annotations

import numpy as np

from tideover.simulate.behaviour import BehaviourModel, FloatArray
from tideover.simulate.book import SCORE_SCALE, Book
from tideover.simulate.states import D1, D3, D4, C

_MISSED_OF_STATE = {C: 0, D1: 1, D3: 3, D4: 4}
_BANDS_BY_RISK = ("A", "B", "C", "D", "E")


def synthetic_book(
    model: BehaviourModel,
    size: int,
    *,
    seed: int,
    installment: int = 150_000,
    term: int = 24,
    revolving: bool = False,
    vulnerable_share: float = 0.03,
    dispute_share: float = 0.005,
) -> Book:
    """``size`` accounts drawn from ``model``'s segments and starting states."""
    rng = np.random.default_rng(seed)
    keys = model.keys[:-1] if len(model.keys) > 1 else model.keys
    counts = model.counts[: len(keys)]
    weights = counts.sum(axis=(1, 2)).astype(np.float64)
    segment = rng.choice(len(keys), size=size, p=weights / weights.sum())
    starts = np.array([stationary(m) for m in model.expected()[: len(keys)]])
    cumulative = np.cumsum(starts[segment], axis=1)
    state = (rng.random(size)[:, None] >= cumulative[:, :-1]).sum(axis=1)
    missed = np.vectorize(_MISSED_OF_STATE.get)(state).astype(np.int8)
    instalments = np.maximum(1_000, rng.lognormal(np.log(installment), 0.5, size)).astype(np.int64)
    left = rng.integers(3, term + 1, size)
    balance = instalments * (left + missed)
    product_names = sorted({k[0] for k in keys})
    band_names = sorted({k[1] for k in keys})
    product = np.array([product_names.index(keys[s][0]) for s in segment], dtype=np.int16)
    band = np.array([band_names.index(keys[s][1]) for s in segment], dtype=np.int16)
    risk = np.array([_risk(keys[s][1]) for s in range(len(keys))])[segment]
    score = np.clip(risk + rng.normal(0, 0.1, size), 0.0001, 0.9999)
    return Book(
        account_ids=tuple(f"S{i:08d}" for i in range(size)),
        missed=missed,
        balance=balance,
        installment=instalments,
        product=product,
        products=tuple(product_names),
        band=band,
        bands=tuple(band_names),
        revolving=np.full(size, revolving),
        months_on_book=rng.integers(1, 36, size),
        score=np.round(score * 10**SCORE_SCALE).astype(np.int64),
        score_known=np.ones(size, dtype=bool),
        vulnerable=rng.random(size) < vulnerable_share,
        dispute=rng.random(size) < dispute_share,
        hardship=np.zeros(size, dtype=bool),
    )


def stationary(matrix: FloatArray) -> FloatArray:
    """The long-run share of accounts in each state under ``matrix``."""
    values, vectors = np.linalg.eig(matrix.T)
    vector = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
    result: FloatArray = np.abs(vector) / np.abs(vector).sum()
    return result


def _risk(band: str) -> float:
    """A score around which a band's accounts sit (A lowest risk); 0.3 if not a letter band."""
    if band in _BANDS_BY_RISK:
        return 0.1 + 0.15 * _BANDS_BY_RISK.index(band)
    return 0.3
