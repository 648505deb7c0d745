"""The risk-model results: their JSON is the engines' reports, their text the engines' tables."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tideover.scoring import fairness as fair
from tideover.scoring.monitoring import fit_baseline, stability
from tideover.scoring.outcomes import realised_performance
from tideover.scoring.rollrates import bucket_transitions
from tideover.services.scoring.results import (
    BucketTransitionCounts,
    FairnessReport,
    MonitoringReport,
    OutcomesTooFew,
    RealisedPerformance,
    SnapshotTransitions,
    TransitionCounts,
)

RNG = np.random.default_rng(7)
SCORES = RNG.normal(600, 40, 400)
PROBABILITY = 1 / (1 + np.exp((SCORES - 560) / 30))


def _monitoring(outcome: np.ndarray | None) -> dict[str, object]:
    score = stability(fit_baseline("score", SCORES), SCORES + 5).to_json()
    report: dict[str, object] = {
        "platform": "tw",
        "model_version": "scorecard-1",
        "rows": len(SCORES),
        "training_rows": 1000,
        "thresholds": {"watch": 0.1, "shift": 0.25},
        "status": score["status"],
        "score": score,
        "features": [],
    }
    if outcome is not None:
        report["outcomes"] = realised_performance(outcome, PROBABILITY, training_auc=0.7)
    return report


def test_outcomes_take_the_shape_the_engine_gave() -> None:
    both = (RNG.random(len(SCORES)) < PROBABILITY).astype(np.float64)
    realised = MonitoringReport.model_validate(_monitoring(both))
    assert isinstance(realised.outcomes, RealisedPerformance)
    assert realised.to_json() == _monitoring(both)  # the engine's report, key for key
    assert "## Realised outcomes" in realised.markdown()
    assert "AUC" in realised.markdown()

    one_class = MonitoringReport.model_validate(_monitoring(np.zeros(len(SCORES))))
    assert isinstance(one_class.outcomes, OutcomesTooFew)
    assert one_class.outcomes.note.en.startswith("AUC needs both")
    assert one_class.to_json() == _monitoring(np.zeros(len(SCORES)))
    assert "only one class" in one_class.markdown()


def test_a_report_without_outcomes_says_null_and_reads_as_before() -> None:
    report = MonitoringReport.model_validate(_monitoring(None))
    assert report.to_json()["outcomes"] is None
    assert "Realised outcomes" not in report.markdown()
    assert report.markdown().startswith("# Monitoring: scorecard-1")


def _fairness(outcome: np.ndarray | None) -> dict[str, object]:
    frame = pd.DataFrame({"SEX": np.where(RNG.random(len(SCORES)) < 0.5, 1, 2)})
    groups = fair.fairness(
        frame, ["SEX"], score=SCORES, probability=PROBABILITY, outcome=outcome, cutoff=0.2
    )
    return {
        "platform": "tw",
        "model_version": "scorecard-1",
        "rows": len(frame),
        "cutoff": 0.2,
        "min_rows": 100,
        "thresholds": {"adverse_impact_ratio": 0.8, "auc_gap": 0.05, "calibration_gap": 0.05},
        "model_inputs_protected": [],
        "outcomes": outcome is not None,
        "attributes": groups,
    }


def test_fairness_without_outcomes_names_the_outcome_figures_as_null() -> None:
    engine = _fairness(None)
    report = FairnessReport.model_validate(engine)
    group = report.to_json()["attributes"]["SEX"]["groups"]["1"]
    assert (group["bad_rate"], group["auc"], group["rows_with_outcome"]) == (None, None, None)
    assert report.markdown() == fair.markdown(engine)  # missing and null read alike


def test_fairness_with_outcomes_is_the_engines_report() -> None:
    outcome = (RNG.random(len(SCORES)) < PROBABILITY).astype(np.float64)
    engine = _fairness(outcome)
    report = FairnessReport.model_validate(engine)
    assert report.to_json() == engine
    assert report.markdown() == fair.markdown(engine)


def test_snapshot_transitions_write_from_and_rebuild_the_matrix() -> None:
    counts = {("M0", "M0"): 5, ("M0", "M1"): 1, ("M1", "M2"): 2}
    matrix = bucket_transitions(counts, ["M0", "M1", "M2"])
    moved = BucketTransitionCounts.model_validate(
        {**matrix.to_json(), "exited": {"M0": 0, "M1": 1, "M2": 0}}
    )
    result = SnapshotTransitions(
        platform="acme", from_=date(2026, 1, 31), to=date(2026, 3, 2), entered=0, matrices=[moved]
    )
    data = result.to_json()
    assert list(data) == ["platform", "from", "to", "entered", "matrices"]
    assert (data["from"], data["to"]) == ("2026-01-31", "2026-03-02")
    assert data["matrices"][0]["rates"]["M0"]["M1"] == round(1 / 6, 4)
    assert data["matrices"][0]["rates"]["M2"]["M0"] is None  # nobody started in M2
    assert moved.matrix() == matrix
    assert TransitionCounts.of(matrix).matrix().markdown() == matrix.markdown()
