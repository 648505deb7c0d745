"""Points scaling and score bands.

A score is a linear function of the log-odds: ``score = offset + factor * ln(good:bad)``
with ``factor = pdo / ln 2`` and ``offset = base_score - factor * ln(base_odds)``
(Siddiqi, *Credit Risk Scorecards*, 2006, ch. 6). Higher scores mean lower risk.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tideover.domain.errors import ValidationError
from tideover.i18n import N_

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PointsScale:
    """``base_score`` points at ``base_odds`` good:bad; odds double every ``pdo`` points."""

    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    def __post_init__(self) -> None:
        if self.base_odds <= 0 or self.pdo <= 0:
            raise ValidationError(
                N_(
                    "points scale: base odds (%(base_odds)s) and points to double the odds "
                    "(%(pdo)s) must be positive"
                ),
                base_odds=self.base_odds,
                pdo=self.pdo,
            )

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def score(self, bad_log_odds: FloatArray) -> FloatArray:
        """Scores from the log-odds of bad (``ln p/(1-p)``)."""
        return self.offset - self.factor * np.asarray(bad_log_odds, dtype=np.float64)

    def probability(self, score: FloatArray) -> FloatArray:
        """The probability of bad a score stands for (the inverse of :meth:`score`)."""
        log_odds = (self.offset - np.asarray(score, dtype=np.float64)) / self.factor
        result: FloatArray = 1.0 / (1.0 + np.exp(-log_odds))
        return result

    def to_dict(self) -> dict[str, float]:
        return {"base_score": self.base_score, "base_odds": self.base_odds, "pdo": self.pdo}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PointsScale:
        return cls(float(data["base_score"]), float(data["base_odds"]), float(data["pdo"]))


@dataclass(frozen=True)
class Bands:
    """Named bands by upper probability-of-bad bound; the last band takes the rest.

    ``Bands(("A", "B"), (0.05,))``: A below 5%, B from 5% up.
    """

    names: tuple[str, ...] = ("A", "B", "C", "D", "E")
    upper_bounds: tuple[float, ...] = (0.05, 0.10, 0.20, 0.40)

    def __post_init__(self) -> None:
        bounds = self.upper_bounds
        ok = (
            len(self.names) == len(bounds) + 1
            and len(set(self.names)) == len(self.names)
            and all(0.0 < b < 1.0 for b in bounds)
            and all(a < b for a, b in itertools.pairwise(bounds))
        )
        if not ok:
            raise ValidationError(
                N_(
                    "bands %(describe)s: need distinct names and increasing bounds strictly "
                    "between 0 and 1, one bound fewer than names"
                ),
                describe=self.describe(),
            )

    def describe(self) -> str:
        parts = [f"{n}:{b}" for n, b in zip(self.names, self.upper_bounds, strict=False)]
        return ",".join([*parts, *self.names[len(self.upper_bounds) :]])

    @classmethod
    def parse(cls, text: str) -> Bands:
        """``"A:0.05,B:0.1,C"`` - name:upper bound pairs, the last name alone."""
        names: list[str] = []
        bounds: list[float] = []
        items = [item.strip() for item in text.split(",") if item.strip()]
        try:
            for item in items[:-1]:
                name, bound = item.split(":")
                names.append(name.strip())
                bounds.append(float(bound))
            names.append(items[-1].split(":")[0].strip())
        except (ValueError, IndexError) as exc:
            raise ValidationError(
                N_(
                    "bands %(text)s: expected name:upper_bound pairs then a last name, e.g. "
                    "A:0.05,B:0.1,C"
                ),
                text=repr(text),
            ) from exc
        return cls(tuple(names), tuple(bounds))

    def assign(self, probability: FloatArray) -> npt.NDArray[np.object_]:
        """The band of each probability (vectorised)."""
        index = np.searchsorted(np.asarray(self.upper_bounds), probability, side="right")
        result: npt.NDArray[np.object_] = np.asarray(self.names, dtype=object)[index]
        return result

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "upper_bounds": list(self.upper_bounds)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bands:
        return cls(tuple(data["names"]), tuple(float(b) for b in data["upper_bounds"]))
