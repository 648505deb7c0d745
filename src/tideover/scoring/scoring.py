"""Scoring accounts with a registered model: a whole table at once, or one account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tideover.domain.errors import InputRejected
from tideover.i18n import N_
from tideover.scoring.artefact import Artefact
from tideover.scoring.derive import derive
from tideover.scoring.inputs import coerce
from tideover.scoring.reasons import Reason, reason_columns


def score_frame(
    artefact: Artefact, frame: pd.DataFrame, *, id_column: str | None = None, top: int = 3
) -> pd.DataFrame:
    """Score every row (vectorised): id, score, probability, band, reasons, model version."""
    if id_column is not None and id_column not in frame.columns:
        raise InputRejected(
            N_("id column %(id_column)s is not in the data"), id_column=repr(id_column)
        )
    model = artefact.model
    inputs = coerce(derive(frame, artefact.derivations), model.features)
    log_odds, reasons = model.assess(inputs, top)
    probability = 1.0 / (1.0 + np.exp(-log_odds))
    columns: dict[str, Any] = {}
    if id_column is not None:
        columns[id_column] = frame[id_column].to_numpy()
    columns["score"] = np.round(model.scale.score(log_odds), 1)
    columns["probability"] = probability
    columns["band"] = artefact.bands.assign(probability)
    names = tuple(f.name for f in model.features)
    columns.update(reason_columns(reasons, names, inputs))
    columns["model_version"] = np.full(len(frame), artefact.version, dtype=object)
    return pd.DataFrame(columns)


@dataclass(frozen=True)
class AccountScore:
    """One account's score with its reasons in both languages."""

    score: float
    probability: float
    band: str
    reasons: tuple[Reason, ...]
    model_version: str

    def to_json(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "probability": self.probability,
            "band": self.band,
            "model_version": self.model_version,
            "reasons": [r.to_dict() for r in self.reasons],
        }


def score_account(
    artefact: Artefact, record: Mapping[str, object], *, top: int = 3
) -> AccountScore:
    """Score one account given as a mapping of column to value."""
    missing = [f.name for f in artefact.model.features if f.name not in record]
    if missing and not artefact.derivations:
        raise InputRejected(
            N_("the account lacks model feature(s): %(missing)s"), missing=tuple(missing)
        )
    if artefact.derivations:
        frame = derive(pd.DataFrame([dict(record)]), artefact.derivations)
        coerced = coerce(frame, artefact.model.features)  # refuses missing or mistyped inputs
        record = dict(zip(coerced.columns, coerced.iloc[0].tolist(), strict=True))
    else:
        _check_numbers(artefact, record)
    score, reasons = artefact.model.explain_one(record, top)
    probability = float(artefact.model.scale.probability(np.asarray([score]))[0])
    band = str(artefact.bands.assign(np.asarray([probability]))[0])
    return AccountScore(round(score, 1), probability, band, tuple(reasons), artefact.version)


def _check_numbers(artefact: Artefact, record: Mapping[str, object]) -> None:
    for f in artefact.model.features:
        value = record[f.name]
        if f.kind != "numeric" or value is None or isinstance(value, int | float):
            continue
        try:
            float(str(value))
        except ValueError:
            raise InputRejected(
                N_("feature %(name)s must be numeric but is %(value)s"),
                name=repr(f.name),
                value=repr(value),
            ) from None
