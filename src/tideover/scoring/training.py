"""Training on any tabular credit data: checks, cross-validation, final fit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from threadpoolctl import threadpool_limits

from tideover.domain.errors import InputRejected, ValidationError
from tideover.i18n import N_
from tideover.scoring.derive import Derivation, derive
from tideover.scoring.evaluate import CrossValidation, calibration_table, cross_validate
from tideover.scoring.gbm import GbmSettings, fit_gbm
from tideover.scoring.inputs import (
    DEFAULT_PROTECTED,
    Feature,
    TrainingSet,
    is_protected,
    training_set,
)
from tideover.scoring.reasons import Reason, ReasonTable
from tideover.scoring.scaling import FloatArray, PointsScale
from tideover.scoring.scorecard import ScorecardSettings, fit_scorecard

ModelKind = Literal["scorecard", "gbm"]
KINDS: tuple[str, ...] = ("scorecard", "gbm")


class RiskModel(Protocol):
    """What scoring needs of a fitted model, whatever its kind."""

    @property
    def kind(self) -> str: ...

    @property
    def features(self) -> tuple[Feature, ...]: ...

    @property
    def scale(self) -> PointsScale: ...

    def bad_log_odds(self, inputs: pd.DataFrame) -> FloatArray: ...

    def reasons(self, inputs: pd.DataFrame, top: int) -> ReasonTable: ...

    def assess(self, inputs: pd.DataFrame, top: int) -> tuple[FloatArray, ReasonTable]: ...

    def explain_one(
        self, record: Any, top: int
    ) -> tuple[float, list[Reason]]: ...  # (score, reasons)


@dataclass(frozen=True)
class TrainingResult:
    """The final model (fitted on all rows) and its cross-validated evidence."""

    model: RiskModel
    data: TrainingSet
    validation: CrossValidation
    calibration: list[dict[str, float]]
    derivations: tuple[Derivation, ...] = ()

    def summary(self) -> dict[str, Any]:
        y = self.data.target
        return {
            "kind": self.model.kind,
            "rows": len(y),
            "bad_rate": float(y.mean()),
            "features": [f.name for f in self.model.features],
            "candidate_features": [f.name for f in self.data.features],
            "derivations": [d.text for d in self.derivations],
            "excluded": {name: why.en for name, why in self.data.excluded.items()},
            "cross_validation": {
                "folds": len(self.validation.folds),
                "per_fold": list(self.validation.folds),
                **self.validation.summary(),
            },
            "calibration": self.calibration,
        }


def _fit(
    kind: str,
    data: TrainingSet,
    scale: PointsScale,
    scorecard: ScorecardSettings | None,
    gbm: GbmSettings | None,
) -> RiskModel:
    if kind == "scorecard":
        return fit_scorecard(data, scale, scorecard)
    return fit_gbm(data, scale, gbm)


def _subset(data: TrainingSet, rows: npt.NDArray[np.int64]) -> TrainingSet:
    return TrainingSet(data.frame.iloc[rows], data.target[rows], data.features, data.excluded)


def train(
    frame: pd.DataFrame,
    target: str,
    kind: str = "scorecard",
    *,
    id_column: str | None = None,
    protected: Sequence[str] = DEFAULT_PROTECTED,
    allow_protected: bool = False,
    exclude: Sequence[str] = (),
    derivations: Sequence[Derivation] = (),
    scale: PointsScale | None = None,
    folds: int = 5,
    seed: int = 7,
    min_rows_per_class: int = 20,
    scorecard: ScorecardSettings | None = None,
    gbm: GbmSettings | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> TrainingResult:
    """Check ``frame``, cross-validate a ``kind`` model on it, then fit it on every row.

    ``progress`` hears ``(step, done, total)``: each fold, then the fit on every row
    (``folds + 1`` steps, the slow part of training: tens of seconds on 30,000 rows)."""
    if kind not in KINDS:
        raise ValidationError(
            N_("model kind %(kind)s is unknown; use one of %(kinds)s"),
            kind=repr(kind),
            kinds=tuple(KINDS),
        )
    if folds < 2:
        raise ValidationError(
            N_("cross-validation needs at least 2 folds, not %(folds)s"),
            folds=folds,
        )
    scale = scale or PointsScale()
    if not allow_protected:
        _refuse_protected_derivations(derivations, protected)
    data = training_set(
        derive(frame, derivations),
        target,
        id_column=id_column,
        protected=protected,
        allow_protected=allow_protected,
        exclude=exclude,
        min_rows_per_class=max(min_rows_per_class, folds),
    )

    def fit_predict(
        train_rows: npt.NDArray[np.int64], test_rows: npt.NDArray[np.int64]
    ) -> FloatArray:
        model = _fit(kind, _subset(data, train_rows), scale, scorecard, gbm)
        log_odds = model.bad_log_odds(data.frame.iloc[test_rows])
        result: FloatArray = 1.0 / (1.0 + np.exp(-log_odds))
        return result

    step = N_("training (cross-validation folds, then the fit on every row)")
    tell = progress or (lambda _step, _done, _total: None)
    tell(step, 0, folds + 1)
    # The scorecard's binning and logistic fits work on a few dozen columns at a time:
    # the BLAS library's threads spend longer meeting than computing (30,000 rows on two
    # cores: 10 s instead of 18 s with one thread).  Boosting's own threads are not BLAS's.
    with threadpool_limits(limits=1, user_api="blas"):
        validation = cross_validate(
            data.target,
            fit_predict,
            folds=folds,
            seed=seed,
            on_fold=lambda done: tell(step, done, folds + 1),
        )
        model = _fit(kind, data, scale, scorecard, gbm)
    tell(step, folds + 1, folds + 1)
    calibration = calibration_table(data.target, validation.out_of_fold)
    return TrainingResult(model, data, validation, calibration, tuple(derivations))


def _refuse_protected_derivations(
    derivations: Sequence[Derivation], protected: Sequence[str]
) -> None:
    for d in derivations:
        sources = [c for c in d.columns if is_protected(c, protected)]
        if sources:
            raise InputRejected(
                N_(
                    "derived feature %(name)s uses protected attribute %(sources)s; "
                    "protected attributes are model inputs only when explicitly allowed"
                ),
                name=repr(d.name),
                sources=repr(sources[0]),
            )
