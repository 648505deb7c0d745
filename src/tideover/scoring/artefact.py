"""A registered model as scoring sees it: the fitted model plus what it needs around it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tideover.i18n import N_, Wording
from tideover.scoring.derive import Derivation
from tideover.scoring.gbm import GbmModel, load_gbm
from tideover.scoring.inputs import Feature
from tideover.scoring.reasons import code_for
from tideover.scoring.scaling import Bands, PointsScale
from tideover.scoring.scorecard import ScorecardModel
from tideover.scoring.training import RiskModel

MODEL_FILES = {"scorecard": "model.json", "gbm": "model.txt"}


@dataclass(frozen=True)
class Artefact:
    """One immutable model version: model, derivations, bands and metadata."""

    version: str
    model: RiskModel
    derivations: tuple[Derivation, ...] = ()
    bands: Bands = field(default_factory=Bands)
    metadata: dict[str, Any] = field(default_factory=dict)


def model_text(model: RiskModel) -> str:
    """The model file's content: JSON points table, or LightGBM's own text format."""
    if isinstance(model, ScorecardModel):
        return json.dumps(model.to_dict(), indent=1) + "\n"
    if isinstance(model, GbmModel):
        return model.to_text()
    raise TypeError(f"cannot store a model of kind {model.kind}")


def model_from_text(text: str, metadata: dict[str, Any]) -> RiskModel:
    """The model back from its file and metadata."""
    if metadata["kind"] == "scorecard":
        return ScorecardModel.from_dict(json.loads(text))
    features = tuple(Feature(f["name"], f["kind"]) for f in metadata["features"])
    scale = PointsScale.from_dict(metadata["scale"])
    return load_gbm(text, features, scale, metadata.get("category_levels", {}))


def reason_catalogue(model: RiskModel) -> dict[str, dict[str, str]]:
    """Every reason code the model can give, with its meaning in en and zh."""
    if model.kind == "scorecard":
        meaning = N_("%(feature)s scored below its best bin")
    else:
        meaning = N_("%(feature)s raised the estimated risk")
    catalogue = {}
    for f in model.features:
        said = Wording(meaning, feature=f.name)
        catalogue[code_for(f.name)] = {"feature": f.name, "en": said.en, "zh": said.zh}
    return catalogue
