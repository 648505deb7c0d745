"""Use cases around a model in use: monitoring, fairness report, roll-rate matrices.

The maths is in ``tideover.scoring.monitoring``, ``.fairness`` and ``.rollrates``;
these read files, the registry and the bucket history, and write reports.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from tideover.domain.delinquency import transition_matrix
from tideover.domain.errors import InputRejected, NotFound, ValidationError
from tideover.i18n import N_
from tideover.scoring import fairness as fair
from tideover.scoring.artefact import Artefact
from tideover.scoring.inputs import binary_target, is_protected
from tideover.scoring.monitoring import assess_frame, baseline_from_training, monitor
from tideover.scoring.outcomes import attach_outcomes
from tideover.scoring.registry import ModelRegistry
from tideover.scoring.rollrates import (
    ALL,
    TAIWAN_MONTHS,
    bucket_transitions,
    pay_history_transitions,
)
from tideover.scoring.scaling import FloatArray
from tideover.services.platforms import settings_of
from tideover.services.scoring.models import read_table
from tideover.services.scoring.results import (
    BucketTransitionCounts,
    FairnessReport,
    MonitoringReport,
    RollRateMatrices,
    SnapshotTransitions,
    TransitionCounts,
)
from tideover.services.unit_of_work import UnitOfWork


def _outcomes_from_file(
    artefact: Artefact,
    frame: pd.DataFrame,
    path: Path,
    id_column: str | None,
    outcome_column: str | None,
) -> FloatArray:
    outcomes = read_table(path)
    id_column = id_column or artefact.metadata.get("id_column")
    if id_column is None or id_column not in frame.columns:
        raise InputRejected(
            N_(
                "id column %(id_column)s is not in the scoring data; outcomes are "
                "matched by id (give --id-column)"
            ),
            id_column=repr(id_column),
        )
    if outcome_column is None:
        target = str(artefact.metadata.get("target"))
        outcome_column = target if target in outcomes.columns else "outcome"
    return attach_outcomes(
        frame[id_column], outcomes, id_column=id_column, outcome_column=outcome_column
    )


def _write(
    report_dir: Path | None,
    stem: str,
    report: MonitoringReport | FairnessReport,
    language: str,
) -> None:
    """``<stem>.json`` as stored (codes, English), ``<stem>.md`` in ``language``."""
    if report_dir is None:
        return
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / f"{stem}.json").write_text(
        json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=_plain) + "\n",
        encoding="utf-8",
    )
    (report_dir / f"{stem}.md").write_text(report.markdown(language), encoding="utf-8")


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def monitor_file(
    *,
    registry_dir: Path,
    platform: str,
    data_path: Path,
    version: str | None = None,
    outcomes_path: Path | None = None,
    id_column: str | None = None,
    outcome_column: str | None = None,
    baseline_path: Path | None = None,
    report_dir: Path | None = None,
    language: str = "en",
) -> MonitoringReport:
    """PSI of a scoring file against training, and AUC/calibration on realised outcomes;
    the report written to ``report_dir`` is in ``language`` (the reader's)."""
    artefact = ModelRegistry(registry_dir).load(platform, version)
    frame = read_table(data_path)
    baseline = (
        baseline_from_training(artefact, read_table(baseline_path))
        if baseline_path is not None
        else None
    )
    outcome = (
        _outcomes_from_file(artefact, frame, outcomes_path, id_column, outcome_column)
        if outcomes_path is not None
        else None
    )
    report = MonitoringReport.model_validate(
        {"platform": platform, **monitor(artefact, frame, baseline=baseline, outcome=outcome)}
    )
    _write(report_dir, "monitoring", report, language)
    return report


def _protected_present(frame: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """The marked attributes found in the data, as a column or as one-hot columns."""
    found: list[str] = []
    for name in names:
        spelt = [str(c)[: len(name)] for c in frame.columns if is_protected(str(c), [name])]
        if spelt and spelt[0] not in found:
            found.append(spelt[0])  # as the data spells it: "sex" -> "SEX"
    return found


def fairness_file(
    *,
    registry_dir: Path,
    platform: str,
    data_path: Path,
    protected: Sequence[str] | None = None,
    version: str | None = None,
    target: str | None = None,
    outcomes_path: Path | None = None,
    id_column: str | None = None,
    outcome_column: str | None = None,
    cutoff: float | None = None,
    min_rows: int = fair.MIN_GROUP_ROWS,
    report_dir: Path | None = None,
    language: str = "en",
) -> FairnessReport:
    """Scores, favourable rate, bad rate and AUC by protected group, with flagged gaps;
    the report written to ``report_dir`` is in ``language`` (the reader's).

    Without ``protected``: the attributes the model marked protected that the data holds.
    Outcomes: ``target`` in the data (default the model's target, if present), or a file.
    """
    artefact = ModelRegistry(registry_dir).load(platform, version)
    frame = read_table(data_path)
    marked = list(artefact.metadata.get("protected", []))
    attributes = list(protected) if protected is not None else _protected_present(frame, marked)
    if cutoff is None:
        cutoff = artefact.bands.upper_bounds[-1] if artefact.bands.upper_bounds else 0.5
    if not 0.0 < cutoff < 1.0:
        raise ValidationError(
            N_("cutoff %(cutoff)s must be a probability strictly between 0 and 1"),
            cutoff=cutoff,
        )
    assessed = assess_frame(artefact, frame)
    outcome: FloatArray | None = None
    if outcomes_path is not None:
        outcome = _outcomes_from_file(artefact, frame, outcomes_path, id_column, outcome_column)
    else:
        target = target or artefact.metadata.get("target")
        if target is not None and target in frame.columns:
            outcome = binary_target(frame, target).astype(np.float64)
    groups = fair.fairness(
        frame,
        attributes,
        score=assessed.score,
        probability=assessed.probability,
        outcome=outcome,
        cutoff=cutoff,
        min_rows=min_rows,
    )
    report = FairnessReport.model_validate(
        {
            "platform": platform,
            "model_version": artefact.version,
            "rows": len(frame),
            "cutoff": cutoff,
            "min_rows": min_rows,
            "thresholds": {
                "adverse_impact_ratio": fair.FOUR_FIFTHS,
                "auc_gap": fair.AUC_GAP,
                "calibration_gap": fair.CALIBRATION_GAP,
            },
            "model_inputs_protected": [
                f.name for f in artefact.model.features if is_protected(f.name, marked)
            ],
            "outcomes": outcome is not None,
            "attributes": groups,
        }
    )
    _write(report_dir, "fairness", report, language)
    return report


def rollrates_file(
    *, data_path: Path, months: Sequence[str] = TAIWAN_MONTHS, segment: str | None = None
) -> RollRateMatrices:
    """Monthly transition matrices from repayment-status months (Taiwan style)."""
    matrices = pay_history_transitions(read_table(data_path), months, segment=segment)
    return RollRateMatrices(
        source=data_path.name,
        months=list(months),
        segment_column=segment,
        matrices=[TransitionCounts.of(m) for m in matrices.values()],
    )


def rollrates_between(
    *, uow: UnitOfWork, platform: str, start: date, end: date, by_product: bool = False
) -> SnapshotTransitions:
    """Bucket transitions between two stored snapshot dates of a platform, with counts.

    Loans in the earlier snapshot but not the later one (closed, sold) are counted
    as ``exited`` per bucket, not as transitions.
    """
    if start >= end:
        raise ValidationError(
            N_("--from %(start)s must be before --to %(end)s"), start=start, end=end
        )
    with uow:
        scheme = settings_of(uow, platform).buckets
        history = uow.delinquency(platform)
        known = history.dates()
        snapshots = []
        for day in (start, end):
            if day not in known:
                shown = ", ".join(d.isoformat() for d in known[-10:]) or "none"
                raise NotFound(
                    N_(
                        "platform %(platform)s has no delinquency snapshot on %(day)s (latest "
                        "dates: %(shown)s); run `tideover delinquency --as-of %(day)s`"
                    ),
                    platform=platform,
                    day=day,
                    shown=shown,
                )
            snapshots.append(history.for_date(day))
        before, after = snapshots
        products = (
            {loan.loan_id: loan.product or "(none)" for loan in uow.loans(platform).list_all()}
            if by_product
            else {}
        )
    segments: dict[str, set[str]] = {ALL: set(before)}
    for loan_id, product in products.items():
        segments.setdefault(product, set()).add(loan_id)
    matrices = []
    for name, ids in segments.items():
        chosen = {k: v for k, v in before.items() if k in ids}
        counts = transition_matrix(chosen, after, scheme)
        matrix = bucket_transitions(counts, scheme.labels, name).to_json()
        exited = dict.fromkeys(scheme.labels, 0)
        for loan_id, status in chosen.items():
            if loan_id not in after:
                exited[status.bucket] += 1
        matrices.append(BucketTransitionCounts.model_validate({**matrix, "exited": exited}))
    return SnapshotTransitions(
        platform=platform,
        from_=start,
        to=end,
        entered=len(set(after) - set(before)),
        matrices=matrices,
    )
