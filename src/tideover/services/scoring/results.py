"""What the risk-model use cases return: training, the registry, scores, monitoring, fairness,
roll-rate matrices.

Field names and order are the JSON the CLI prints with ``--json`` and the API
serves (and, for monitoring and fairness, the ``.json`` beside each report);
change them only together with ``docs/scoring.md``.  Metrics are floats: they
are statistics, not money.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import ConfigDict, Field

from tideover.scoring import fairness as fair
from tideover.scoring import monitoring
from tideover.scoring.registry import PlatformModels
from tideover.scoring.rollrates import TransitionMatrix
from tideover.scoring.scoring import AccountScore
from tideover.services.results import Instant, Result

# --- training -------------------------------------------------------------------------------


class FoldMetrics(Result):
    """Discrimination and calibration of one cross-validation fold."""

    auc: float
    gini: float
    ks: float
    brier: float


class MetricSpread(Result):
    """One metric over the folds: mean, standard deviation (n-1), min and max."""

    mean: float
    std: float
    min: float
    max: float


class CrossValidationSummary(Result):
    folds: int
    per_fold: list[FoldMetrics]
    auc: MetricSpread
    gini: MetricSpread
    ks: MetricSpread
    brier: MetricSpread


class CalibrationGroup(Result):
    """Accounts of one risk group (equal counts, by predicted risk): predicted against seen."""

    group: int
    rows: int
    min_probability: float
    max_probability: float
    mean_predicted: float
    observed_bad_rate: float
    gap: float


class TrainedModel(Result):
    """A version just trained and registered (not promoted), with its cross-validated evidence."""

    version: str
    platform: str
    kind: str
    directory: str
    training_seconds: float
    rows: int
    bad_rate: float
    features: list[str]
    candidate_features: list[str]
    derivations: list[str]
    excluded: dict[str, str]  # column -> why it is not a feature
    cross_validation: CrossValidationSummary
    calibration: list[CalibrationGroup]


# --- the registry ---------------------------------------------------------------------------


class ModelRoles(Result):
    """Which versions a platform uses: the champion, its challengers, earlier champions."""

    platform: str
    champion: str | None
    challengers: list[str]
    previous_champions: list[str]

    @classmethod
    def fields_of(cls, state: PlatformModels) -> dict[str, object]:
        return {
            "platform": state.platform,
            "champion": state.champion,
            "challengers": list(state.challengers),
            "previous_champions": list(state.previous),
        }

    @classmethod
    def of(cls, state: PlatformModels) -> ModelRoles:
        return cls.model_validate(cls.fields_of(state))


class ModelSummary(Result):
    """A registered version: its role, who trained it when, and its cross-validated AUC."""

    version: str
    kind: str
    role: str  # champion, challenger, or "" for neither
    created_at: Instant
    created_by: str
    auc: float
    auc_std: float
    rows: int

    @classmethod
    def of(cls, metadata: Mapping[str, Any], role: str) -> ModelSummary:
        return cls(
            version=metadata["version"],
            kind=metadata["kind"],
            role=role,
            created_at=metadata["created_at"],
            created_by=metadata["created_by"],
            auc=metadata["metrics"]["auc"]["mean"],
            auc_std=metadata["metrics"]["auc"]["std"],
            rows=metadata["training_data"]["rows"],
        )


class ModelList(ModelRoles):
    """Every version of a platform, oldest first, with the roles."""

    models: list[ModelSummary]


# --- scores ---------------------------------------------------------------------------------


class ScoredFile(Result):
    """A file scored into Parquet: by which version, how many rows, how many in each band."""

    platform: str
    model_version: str
    rows: int
    out: str
    seconds: float
    bands: dict[str, int]


class ScoreReason(Result):
    """Why a score is what it is: a feature, its value, how much it moved the score."""

    code: str
    feature: str
    value: str
    impact: float
    en: str
    zh: str


class ScoredAccount(Result):
    """One account's score, probability of bad, band and top reasons."""

    platform: str
    score: float
    probability: float
    band: str
    model_version: str
    reasons: list[ScoreReason]

    @classmethod
    def of(cls, platform: str, scored: AccountScore) -> ScoredAccount:
        return cls(
            platform=platform,
            score=scored.score,
            probability=scored.probability,
            band=scored.band,
            model_version=scored.model_version,
            reasons=[ScoreReason.model_validate(r.to_dict()) for r in scored.reasons],
        )


# --- monitoring -----------------------------------------------------------------------------


class PsiThresholds(Result):
    watch: float
    shift: float


class StabilityBin(Result):
    """One bin: its share in training and in the run, and its part of the PSI."""

    bin: str
    expected: float
    actual: float
    contribution: float


class VariableStability(Result):
    """The population stability index of the score or of one feature, bin by bin."""

    name: str
    psi: float
    status: str  # stable, watch or shift
    rows: int
    bins: list[StabilityBin]


class Note(Result):
    en: str
    zh: str


class OutcomeCounts(Result):
    """How many scored accounts have a realised outcome, and what they show so far."""

    rows_with_outcome: int
    rows_without_outcome: int
    observed_bad_rate: float | None
    mean_predicted: float | None
    training_auc: float | None


class OutcomesTooFew(OutcomeCounts):
    """Outcomes of a single class (or none): no AUC yet, and why."""

    note: Note


class RealisedPerformance(OutcomeCounts):
    """Discrimination and calibration on the realised outcomes, against training."""

    auc: float
    gini: float
    ks: float
    brier: float
    auc_change: float | None
    calibration: list[CalibrationGroup]
    calibration_gap: float | None


class MonitoringReport(Result):
    """Is the model still right: PSI of score and features, performance on outcomes if any."""

    platform: str
    model_version: str
    rows: int
    training_rows: int | None
    thresholds: PsiThresholds
    status: str  # the worst of the score's and the features'
    score: VariableStability
    features: list[VariableStability]  # worst first
    outcomes: RealisedPerformance | OutcomesTooFew | None = None

    def markdown(self, language: str = "en") -> str:
        """The report for people, in ``language`` (``scoring.monitoring.markdown``)."""
        report = self.to_json()
        if self.outcomes is None:
            del report["outcomes"]  # the engine's report has no such key without outcomes
        return monitoring.markdown(report, language)


# --- fairness -------------------------------------------------------------------------------


class FairnessThresholds(Result):
    adverse_impact_ratio: float
    auc_gap: float
    calibration_gap: float


class FairnessFlag(Result):
    code: str  # adverse_impact, auc_gap or calibration_gap
    en: str
    zh: str


class GroupFairness(Result):
    """One protected group: scores, favourable rate, and with outcomes bad rate and AUC."""

    rows: int
    score_mean: float
    score_quartiles: list[float]
    score_ks_vs_rest: float
    mean_predicted: float
    favourable_rate: float
    rows_with_outcome: int | None = None
    bad_rate: float | None = None
    calibration_gap: float | None = None
    auc: float | None = None
    flags: list[FairnessFlag]
    eligible: bool  # large enough to be flagged
    adverse_impact_ratio: float | None
    auc_gap: float | None


class AttributeFairness(Result):
    groups: dict[str, GroupFairness]
    flagged_groups: list[str]


class FairnessReport(Result):
    """Per protected attribute and group, how the model treats it, with flagged gaps."""

    platform: str
    model_version: str
    rows: int
    cutoff: float
    min_rows: int
    thresholds: FairnessThresholds
    model_inputs_protected: list[str]
    outcomes: bool
    attributes: dict[str, AttributeFairness]

    def markdown(self, language: str = "en") -> str:
        """The report for people, in ``language`` (``scoring.fairness.markdown``)."""
        return fair.markdown(self.to_json(), language)


# --- roll-rate matrices ---------------------------------------------------------------------


class TransitionCounts(Result):
    """Accounts from each state (outer key) to each state one period later (inner key)."""

    segment: str
    states: list[str]
    accounts: int
    counts: dict[str, dict[str, int]]
    rates: dict[str, dict[str, float | None]]  # None: nobody started in that state

    @classmethod
    def of(cls, matrix: TransitionMatrix) -> TransitionCounts:
        return cls.model_validate(matrix.to_json())

    def matrix(self) -> TransitionMatrix:
        """Back to the engine's matrix (for its table)."""
        rows = tuple(tuple(self.counts[a][b] for b in self.states) for a in self.states)
        return TransitionMatrix(tuple(self.states), rows, self.segment)


class BucketTransitionCounts(TransitionCounts):
    """Transitions between two stored dates, and the accounts gone by the later one."""

    exited: dict[str, int]  # bucket on the earlier date -> loans no longer on record


class RollRateMatrices(Result):
    """Monthly transitions from repayment-status months, pooled and per segment."""

    source: str
    months: list[str]
    segment_column: str | None
    matrices: list[TransitionCounts]


class SnapshotTransitions(Result):
    """Bucket transitions of a platform between two stored delinquency dates."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    platform: str
    from_: date = Field(alias="from")
    to: date
    entered: int  # loans on record only on the later date
    matrices: list[BucketTransitionCounts]
