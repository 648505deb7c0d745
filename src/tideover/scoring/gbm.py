"""The challenger model: LightGBM gradient-boosted trees with TreeSHAP reasons.

Reasons come from LightGBM's own exact TreeSHAP (``pred_contrib=True``;
Lundberg et al. 2020, *Nature Machine Intelligence* 2:56-67): the inputs that
added most to the log-odds of default for that account.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tideover.i18n import N_, Wording
from tideover.scoring.inputs import Feature, TrainingSet
from tideover.scoring.reasons import Reason, ReasonTable, code_for, display_value, top_reasons
from tideover.scoring.scaling import FloatArray, PointsScale


@dataclass(frozen=True)
class GbmSettings:
    """Boosting parameters; conservative defaults that suit tabular credit data."""

    rounds: int = 500
    learning_rate: float = 0.02
    leaves: int = 16
    min_rows_per_leaf: int = 100
    feature_share: float = 0.5
    row_share: float = 0.8
    l2: float = 10.0
    seed: int = 7
    threads: int = 1

    def params(self, rows: int) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.leaves,
            # On small tables the leaf minimum must shrink or no split is possible.
            "min_data_in_leaf": max(5, min(self.min_rows_per_leaf, rows // 20)),
            "min_data_per_group": max(5, min(self.min_rows_per_leaf, rows // 20)),
            "feature_fraction": self.feature_share,
            "bagging_fraction": self.row_share,
            "bagging_freq": 1,
            "lambda_l2": self.l2,
            "seed": self.seed,
            "deterministic": True,
            "num_threads": self.threads,
            "verbose": -1,
        }


@dataclass
class GbmModel:
    """A fitted booster, its features and the category levels it was trained on."""

    features: tuple[Feature, ...]
    booster: Any
    scale: PointsScale
    levels: dict[str, list[str]] = field(default_factory=dict)
    kind: str = "gbm"

    def matrix(self, inputs: pd.DataFrame) -> pd.DataFrame:
        """Inputs as LightGBM expects them: unseen categories become missing."""
        columns: dict[str, Any] = {}
        for f in self.features:
            values = inputs[f.name]
            if f.kind == "categorical":
                levels = self.levels[f.name]
                known = values.where(values.isin(levels))
                columns[f.name] = pd.Categorical(known, categories=levels)
            else:
                columns[f.name] = values.astype("float64")
        return pd.DataFrame(columns, index=inputs.index)

    def bad_log_odds(self, inputs: pd.DataFrame) -> FloatArray:
        result: FloatArray = np.asarray(
            self.booster.predict(self.matrix(inputs), raw_score=True), dtype=np.float64
        )
        return result

    def contributions(self, inputs: pd.DataFrame) -> FloatArray:
        """TreeSHAP contributions to the log-odds of bad, one column per feature."""
        raw = self.booster.predict(self.matrix(inputs), pred_contrib=True)
        result: FloatArray = np.asarray(raw, dtype=np.float64)[:, :-1]
        return result

    def reasons(self, inputs: pd.DataFrame, top: int) -> ReasonTable:
        return top_reasons(self.contributions(inputs), top)

    def assess(self, inputs: pd.DataFrame, top: int) -> tuple[FloatArray, ReasonTable]:
        """Log-odds of bad and reasons from one TreeSHAP pass (contributions sum to it)."""
        raw = np.asarray(self.booster.predict(self.matrix(inputs), pred_contrib=True))
        log_odds: FloatArray = raw.sum(axis=1)
        return log_odds, top_reasons(raw[:, :-1], top)

    def explain_one(self, record: Mapping[str, object], top: int) -> tuple[float, list[Reason]]:
        # One NumPy row (categories as their training codes) skips pandas' overhead.
        row = np.asarray([[self._code(f, record.get(f.name)) for f in self.features]])
        raw = np.asarray(self.booster.predict(row, pred_contrib=True))[0]
        contributions = raw[:-1]
        log_odds = float(raw.sum())  # contributions plus the expected value
        score = float(self.scale.score(np.asarray([log_odds]))[0])
        order = np.argsort(-contributions, kind="stable")[:top]
        reasons = [
            _reason(self.features[i].name, record.get(self.features[i].name), contributions[i])
            for i in order
            if contributions[i] > 1e-9
        ]
        return score, reasons

    def _code(self, feature: Feature, value: object) -> float:
        if value is None:
            return math.nan
        if feature.kind == "categorical":
            levels = self.levels[feature.name]
            text = str(value)
            return float(levels.index(text)) if text in levels else math.nan
        try:
            return float(str(value)) if not isinstance(value, int | float) else float(value)
        except ValueError:
            return math.nan

    def to_text(self) -> str:
        text: str = self.booster.model_to_string()
        return text


def _reason(feature: str, value: object, impact: float) -> Reason:
    shown = display_value(value)
    return Reason(
        code=code_for(feature),
        feature=feature,
        value=shown,
        impact=round(float(impact), 4),
        wording=Wording(
            N_("%(feature)s is %(value)s: raises the risk (log-odds +%(impact)s)"),
            feature=feature,
            value=shown,
            impact=f"{impact:.2f}",
        ),
    )


def fit_gbm(data: TrainingSet, scale: PointsScale, settings: GbmSettings | None = None) -> GbmModel:
    """Fit the booster on the typed training set."""
    import lightgbm

    settings = settings or GbmSettings()
    levels = {
        f.name: sorted(pd.Series(data.frame[f.name]).dropna().astype(str).unique().tolist())
        for f in data.features
        if f.kind == "categorical"
    }
    model = GbmModel(data.features, None, scale, levels)
    matrix = model.matrix(data.frame)
    dataset = lightgbm.Dataset(matrix, label=data.target, free_raw_data=True)
    model.booster = lightgbm.train(
        settings.params(len(matrix)), dataset, num_boost_round=settings.rounds
    )
    return model


def load_gbm(
    text: str, features: tuple[Feature, ...], scale: PointsScale, levels: dict[str, list[str]]
) -> GbmModel:
    """A booster back from its saved text."""
    import lightgbm

    return GbmModel(features, lightgbm.Booster(model_str=text), scale, levels)
