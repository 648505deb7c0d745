"""Risk scoring: training, evaluation, reason codes, model registry and scoring.

Pure of web and database frameworks. The heavy libraries (optbinning,
LightGBM, scikit-learn, matplotlib) are imported only when a model is trained
or a report drawn, so scoring with a stored scorecard needs NumPy and pandas only.
"""

from tideover.scoring.artefact import Artefact
from tideover.scoring.derive import Derivation, derive
from tideover.scoring.evaluate import calibration_table, cross_validate, metrics
from tideover.scoring.gbm import GbmModel, GbmSettings
from tideover.scoring.inputs import DEFAULT_PROTECTED, Feature
from tideover.scoring.reasons import Reason, code_for
from tideover.scoring.registry import ModelRegistry, PlatformModels
from tideover.scoring.scaling import Bands, PointsScale
from tideover.scoring.scorecard import ScorecardModel, ScorecardSettings
from tideover.scoring.scoring import AccountScore, score_account, score_frame
from tideover.scoring.training import KINDS, RiskModel, TrainingResult, train

__all__ = [
    "DEFAULT_PROTECTED",
    "KINDS",
    "AccountScore",
    "Artefact",
    "Bands",
    "Derivation",
    "Feature",
    "GbmModel",
    "GbmSettings",
    "ModelRegistry",
    "PlatformModels",
    "PointsScale",
    "Reason",
    "RiskModel",
    "ScorecardModel",
    "ScorecardSettings",
    "TrainingResult",
    "calibration_table",
    "code_for",
    "cross_validate",
    "derive",
    "metrics",
    "score_account",
    "score_frame",
    "train",
]
