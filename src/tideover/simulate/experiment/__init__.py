"""Analysis of champion/challenger experiments: per-arm KPIs, differences, SRM, CUPED,
always-valid sequential inference, guardrails and a verdict."""

from tideover.simulate.experiment.metrics import Estimate, MeanMetric, RatioMetric, difference
from tideover.simulate.experiment.sequential import AlwaysValid, always_valid
from tideover.simulate.experiment.srm import SampleRatio, sample_ratio
from tideover.simulate.experiment.verdict import (
    ArmData,
    Call,
    ChallengerReport,
    ExperimentReport,
    Guardrail,
    Primary,
    Reason,
    analyse,
)

__all__ = [
    "AlwaysValid",
    "ArmData",
    "Call",
    "ChallengerReport",
    "Estimate",
    "ExperimentReport",
    "Guardrail",
    "MeanMetric",
    "Primary",
    "RatioMetric",
    "Reason",
    "SampleRatio",
    "always_valid",
    "analyse",
    "difference",
    "sample_ratio",
]
