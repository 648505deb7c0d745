"""The champion model: an optimal-binning, weight-of-evidence logistic scorecard.

optbinning finds the bins (with a monotonic event-rate trend for numbers, as
regulators expect of a scorecard); the weights of evidence, the regression and
the points are computed here, so the fitted scorecard is a plain table that is
stored as JSON and scored with vectorised bin look-ups.
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tideover.i18n import N_, Wording
from tideover.scoring.inputs import Feature, FeatureKind, TrainingSet
from tideover.scoring.reasons import Reason, ReasonTable, code_for, display_value, top_reasons
from tideover.scoring.scaling import FloatArray, PointsScale

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ScorecardSettings:
    """Binning and selection knobs; the defaults suit a few thousand rows or more."""

    min_bin_share: float = 0.05
    max_bins: int = 8
    min_information_value: float = 0.02
    regularisation: float = 1.0
    # optbinning's heuristic picks ascending, descending, peak or valley per feature:
    # at most one turning point, which status codes such as "-2/-1/0 = paid" need.
    monotonic_trend: str | None = "auto_heuristic"


@dataclass(frozen=True)
class Characteristic:
    """One feature's bins and their points; the last bin holds missing and unseen values."""

    feature: str
    kind: FeatureKind
    splits: tuple[float, ...]
    groups: tuple[tuple[str, ...], ...]
    labels: tuple[str, ...]
    woe: tuple[float, ...]
    points: tuple[float, ...]

    @property
    def missing_bin(self) -> int:
        return len(self.labels) - 1

    def bin_index(self, values: npt.NDArray[Any]) -> IntArray:
        """The bin of each value (vectorised)."""
        if self.kind == "numeric":
            numbers = np.asarray(values, dtype=np.float64)  # no copy when already float64
            index: IntArray = np.searchsorted(np.asarray(self.splits), numbers, side="right")
            index[np.isnan(numbers)] = self.missing_bin
            return index
        lookup = {category: i for i, group in enumerate(self.groups) for category in group}
        mapped = pd.Series(values, dtype=object).map(lookup)
        result: IntArray = mapped.fillna(self.missing_bin).to_numpy(dtype=np.int64)
        return result

    def bin_of(self, value: object) -> int:
        """The bin of one value (the fast path for single-account scoring)."""
        if value is None:
            return self.missing_bin
        if self.kind == "numeric":
            number = _as_float(value)
            return (
                self.missing_bin if math.isnan(number) else bisect.bisect_right(self.splits, number)
            )
        for i, group in enumerate(self.groups):
            if str(value) in group:
                return i
        return self.missing_bin

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "kind": self.kind,
            "splits": list(self.splits),
            "groups": [list(g) for g in self.groups],
            "labels": list(self.labels),
            "woe": list(self.woe),
            "points": list(self.points),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Characteristic:
        return cls(
            feature=data["feature"],
            kind=data["kind"],
            splits=tuple(float(s) for s in data["splits"]),
            groups=tuple(tuple(g) for g in data["groups"]),
            labels=tuple(data["labels"]),
            woe=tuple(float(w) for w in data["woe"]),
            points=tuple(float(p) for p in data["points"]),
        )


def _as_float(value: object) -> float:
    if isinstance(value, bool | int | float | np.number):
        return float(value)
    return float(str(value))


@dataclass(frozen=True)
class ScorecardModel:
    """A fitted scorecard: characteristics with points, and the scale they are in."""

    characteristics: tuple[Characteristic, ...]
    scale: PointsScale
    intercept: float
    kind: str = "scorecard"

    @property
    def features(self) -> tuple[Feature, ...]:
        return tuple(Feature(c.feature, c.kind) for c in self.characteristics)

    def points(self, inputs: pd.DataFrame) -> FloatArray:
        """Points per row and characteristic, ``(rows, characteristics)``."""
        columns = [
            np.asarray(c.points).take(c.bin_index(inputs[c.feature].to_numpy()))
            for c in self.characteristics
        ]
        return np.column_stack(columns) if columns else np.zeros((len(inputs), 0))

    def total_points(self, inputs: pd.DataFrame) -> FloatArray:
        """The score of each row, summed column by column (no points matrix)."""
        total = np.zeros(len(inputs))
        for c in self.characteristics:
            total += np.asarray(c.points).take(c.bin_index(inputs[c.feature].to_numpy()))
        return total

    def bad_log_odds(self, inputs: pd.DataFrame) -> FloatArray:
        score = self.total_points(inputs)
        result: FloatArray = (self.scale.offset - score) / self.scale.factor
        return result

    def reasons(self, inputs: pd.DataFrame, top: int) -> ReasonTable:
        """Characteristics furthest below their best points."""
        return self.assess(inputs, top)[1]

    def assess(self, inputs: pd.DataFrame, top: int) -> tuple[FloatArray, ReasonTable]:
        """Log-odds of bad and reasons from one pass of bin look-ups."""
        points = self.points(inputs)
        best = np.asarray([max(c.points) for c in self.characteristics])
        log_odds: FloatArray = (self.scale.offset - points.sum(axis=1)) / self.scale.factor
        return log_odds, top_reasons(best - points, top)

    def explain_one(self, record: Mapping[str, object], top: int) -> tuple[float, list[Reason]]:
        """Score and reasons for one account, without pandas (sub-millisecond)."""
        total = 0.0
        lost: list[tuple[float, Characteristic, int]] = []
        for c in self.characteristics:
            b = c.bin_of(record.get(c.feature))
            total += c.points[b]
            lost.append((max(c.points) - c.points[b], c, b))
        lost.sort(key=lambda item: -item[0])
        reasons = [
            _reason(c, b, gap, record.get(c.feature)) for gap, c, b in lost[:top] if gap > 1e-9
        ]
        return total, reasons

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "scale": self.scale.to_dict(),
            "intercept": self.intercept,
            "characteristics": [c.to_dict() for c in self.characteristics],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScorecardModel:
        return cls(
            characteristics=tuple(Characteristic.from_dict(c) for c in data["characteristics"]),
            scale=PointsScale.from_dict(data["scale"]),
            intercept=float(data["intercept"]),
        )


def _reason(c: Characteristic, b: int, gap: float, value: object) -> Reason:
    shown = display_value(value)
    return Reason(
        code=code_for(c.feature),
        feature=c.feature,
        value=shown,
        impact=round(gap, 2),
        wording=Wording(
            N_("%(feature)s is %(value)s (bin %(bin)s): %(gap)s points below the best bin"),
            feature=c.feature,
            value=shown,
            bin=c.labels[b],
            gap=f"{gap:.0f}",
        ),
    )


@dataclass(frozen=True)
class _Binned:
    feature: Feature
    splits: tuple[float, ...]
    groups: tuple[tuple[str, ...], ...]
    labels: tuple[str, ...]
    woe: FloatArray
    information_value: float


def _optimal_splits(
    feature: Feature, x: npt.NDArray[Any], y: npt.NDArray[np.int8], settings: ScorecardSettings
) -> tuple[tuple[float, ...], tuple[tuple[str, ...], ...]]:
    from optbinning import OptimalBinning

    numeric = feature.kind == "numeric"
    binning = OptimalBinning(
        name=feature.name,
        dtype="numerical" if numeric else "categorical",
        # A monotonic event rate (either direction) keeps points explainable.
        monotonic_trend=settings.monotonic_trend if numeric else None,
        min_bin_size=settings.min_bin_share,
        # Pre-bins no coarser than the bins: optbinning's own 5% would keep a value
        # held by 2% of rows (a portfolio's few delinquent accounts) from its own bin.
        min_prebin_size=settings.min_bin_share,
        max_n_bins=settings.max_bins,
    )
    # optbinning 1.0 uses pandas idioms that pandas 3 deprecates; the results are unaffected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        binning.fit(x, y)
    if numeric:
        return tuple(float(s) for s in binning.splits), ()
    groups = tuple(tuple(str(v) for v in list(group)) for group in binning.splits)
    return (), groups


def _bin_feature(
    feature: Feature, column: npt.NDArray[Any], y: npt.NDArray[np.int8], settings: ScorecardSettings
) -> _Binned:
    present = ~pd.isna(column)
    splits, groups = _optimal_splits(feature, column[present], y[present], settings)
    if feature.kind == "numeric":
        edges = ("-inf", *(f"{s:g}" for s in splits), "inf")
        labels = tuple(f"[{a}, {b})" for a, b in itertools.pairwise(edges))
    else:
        labels = tuple("{" + ", ".join(g) + "}" for g in groups)
    labels = (*labels, "missing")
    probe = Characteristic(feature.name, feature.kind, splits, groups, labels, (), ())
    index = probe.bin_index(column)
    bins = len(labels)
    bad = np.bincount(index, weights=y, minlength=bins)
    total = np.bincount(index, minlength=bins).astype(np.float64)
    good = total - bad
    # Half-count smoothing keeps a pure bin finite (Siddiqi 2006, ch. 6).
    bad_share = (bad + 0.5) / (bad.sum() + 0.5 * bins)
    good_share = (good + 0.5) / (good.sum() + 0.5 * bins)
    woe = np.log(bad_share / good_share)
    woe = np.where(total > 0, woe, 0.0)  # an empty bin (no missing values seen) is neutral
    iv = float(np.sum((bad_share - good_share) * woe))
    return _Binned(feature, splits, groups, labels, woe, iv)


def fit_scorecard(
    data: TrainingSet, scale: PointsScale, settings: ScorecardSettings | None = None
) -> ScorecardModel:
    """Bin every feature, keep the informative ones, regress and scale to points."""
    from sklearn.linear_model import LogisticRegression

    settings = settings or ScorecardSettings()
    y = data.target
    binned = [_bin_feature(f, data.frame[f.name].to_numpy(), y, settings) for f in data.features]
    kept = [b for b in binned if b.information_value >= settings.min_information_value]
    kept = kept or sorted(binned, key=lambda b: -b.information_value)[:1]
    while True:
        woe = np.column_stack(
            [b.woe[_probe(b).bin_index(data.frame[b.feature.name].to_numpy())] for b in kept]
        )
        regression = LogisticRegression(C=settings.regularisation, max_iter=1000)
        regression.fit(woe, y)
        coefficients = regression.coef_[0]
        # A negative weight on a WoE input flips its points against its own bad rate
        # (collinearity); drop the weakest such input and refit.
        wrong = [i for i, c in enumerate(coefficients) if c <= 0]
        if not wrong or len(kept) == 1:
            break
        kept.pop(min(wrong, key=lambda i: kept[i].information_value))
    return _scale(kept, coefficients, float(regression.intercept_[0]), scale)


def _probe(b: _Binned) -> Characteristic:
    return Characteristic(b.feature.name, b.feature.kind, b.splits, b.groups, b.labels, (), ())


def _scale(
    kept: Sequence[_Binned], coefficients: FloatArray, intercept: float, scale: PointsScale
) -> ScorecardModel:
    # Spread the intercept and offset evenly so each characteristic's points stand alone.
    share = (scale.offset - scale.factor * intercept) / len(kept)
    characteristics = tuple(
        Characteristic(
            b.feature.name,
            b.feature.kind,
            b.splits,
            b.groups,
            b.labels,
            tuple(float(w) for w in b.woe),
            tuple(float(share - scale.factor * beta * w) for w in b.woe),
        )
        for b, beta in zip(kept, coefficients, strict=True)
    )
    return ScorecardModel(characteristics, scale, intercept)
