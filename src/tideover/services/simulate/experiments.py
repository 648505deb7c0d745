"""Use case: the champion/challenger experiments of the active policy, from stored snapshots.

An experiment's arms are its segment's accounts under each arm id, from the
active version's effective date to the last cycle.  Per arm and day the report
cumulates (``tideover.simulate.experiment``):

- **cure rate** (primary, higher is better), per account from the delinquency
  snapshots (``experiment_units``): accounts delinquent in the segment on one
  cycle date that are current or repaid on the next — account-days at risk, as
  a log-rank test counts them — with CUPED on each account's days past due on
  the experiment's first day;
- **vulnerable customers' cure rate** (guardrail, lower is worse): the same
  units among accounts flagged vulnerable;
- from the KPI snapshots, counted while accounts are in the segment:
  **complaints per 1,000 contacts** (each contact a unit, a complaint 1,000),
  **plans broken** (re-default: plans that broke over plans that ended) and
  **contacts per account-day** (attempts over open account-days; the snapshot
  keeps counts, not each account's, so its variance is a Poisson one).

The binary metrics' Σy² is their Σy, so their variances are exact.  The
sample-ratio check counts the distinct accounts each arm ever held (the hash
puts every account in the segment in one arm, with the arms' weights).  A
guardrail no arm has any unit of yet is listed as not measured and does not
block; every other must be shown within its margin before a promotion.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tideover.domain.errors import NotFound, ValidationError
from tideover.i18n import N_, Wording
from tideover.policy.document import CompiledPolicy, parse_policy
from tideover.policy.model import Experiment
from tideover.services.platforms import check_platform_code
from tideover.services.policy.assignment import platform_features
from tideover.services.scoring.registry import platform_registry
from tideover.services.simulate.experiment_units import CureUnits, cure_units
from tideover.services.simulate.results import (
    ArmFigures,
    ChallengerVerdict,
    DailyDifference,
    ExperimentList,
    ExperimentReport,
    MetricComparison,
    VerdictReason,
)
from tideover.services.unit_of_work import UnitOfWork
from tideover.simulate.experiment import (
    ArmData,
    Guardrail,
    MeanMetric,
    Primary,
    always_valid,
    analyse,
    difference,
)
from tideover.simulate.experiment.verdict import MetricResult

FloatArray = npt.NDArray[np.float64]
PRIMARY = "cure_rate"
VULNERABLE_CURE = "vulnerable_cure_rate"
COMPLAINTS = "complaints_per_1000_contacts"
PLANS_BROKEN = "plans_broken_rate"
CONTACTS = "contacts_per_account_day"
DEFAULT_PLANNED_DAYS = 60  # business days: about three months of daily cycles
MAX_PLANNED_DAYS = 1000
ALPHA = 0.05
# The difference each test is tuned to find soonest (never its validity), and each
# guardrail's tolerated harm, in the metric's own units.
PRIMARY_SPEC = Primary(PRIMARY, better=1, mixing_sd=0.01)
GUARDRAILS = (
    Guardrail(VULNERABLE_CURE, worse=-1, margin=0.05, mixing_sd=0.05),
    Guardrail(COMPLAINTS, worse=1, margin=1.0, mixing_sd=1.0),
    Guardrail(PLANS_BROKEN, worse=1, margin=0.05, mixing_sd=0.05),
    Guardrail(CONTACTS, worse=1, margin=0.05, mixing_sd=0.05),
)


@dataclass(frozen=True)
class DailyArm:
    """One arm's daily sums from the KPI snapshot (not yet cumulated), one value per day."""

    complaints: FloatArray
    contacts: FloatArray
    broken: FloatArray
    ended: FloatArray
    attempts: FloatArray
    open_accounts: FloatArray


def daily_sums(
    rows: Sequence[Mapping[str, Any]], segment: str, arm: str, days: list[date]
) -> DailyArm:
    """The arm's daily sums from stored KPI rows (any segments, arms and dates)."""
    index = {d: i for i, d in enumerate(days)}
    sums: dict[str, FloatArray] = defaultdict(lambda: np.zeros(len(days)))
    for row in rows:
        if row["segment"] != segment or row["arm"] != arm or row["as_of"] not in index:
            continue
        day, metric, key = index[row["as_of"]], row["metric"], row["key"]
        count, base = float(row["accounts"]), float(row["base_accounts"] or 0)
        if (metric, key) == ("complaints", "all"):
            sums["complaints"][day] += count
            sums["contacts"][day] += base
        elif (metric, key) == ("plans", "broken"):
            sums["broken"][day] += count
            sums["ended"][day] += base
        elif metric == "attempted":
            sums["attempts"][day] += count
        elif metric == "bucket":
            sums["open_accounts"][day] += count
    return DailyArm(**{name: sums[name] for name in DailyArm.__dataclass_fields__})


def _binary(y: FloatArray, n: FloatArray, scale: float = 1.0) -> MeanMetric:
    """Units each 0 or ``scale`` (a complaint counts 1,000): Σy² = scale · Σy exactly.

    From an arm's first unit on, half an event and half a non-event are added
    (Jeffreys' prior): an arm with no event yet among many units still has a
    variance, so a guardrail can be shown within its margin; the shift in the
    rate is at most half an event over the units.
    """
    units = np.cumsum(n)
    total = np.cumsum(y) * scale
    started = units > 0
    units = units + np.where(started, 1.0, 0.0)
    total = total + np.where(started, 0.5 * scale, 0.0)
    return MeanMetric(units, total, total * scale)


def _poisson(y: FloatArray, n: FloatArray) -> MeanMetric:
    """Counts per unit, each Poisson with the day's rate: E[Σy²] = Σy + (Σy)² / n per day."""
    with np.errstate(divide="ignore", invalid="ignore"):
        squares = np.where(n > 0, y + y * y / n, 0.0)
    return MeanMetric(np.cumsum(n), np.cumsum(y), np.cumsum(squares))


def arm_metrics(daily: DailyArm, units: CureUnits, arm: str, days: int) -> dict[str, MeanMetric]:
    mine = units.arm == arm
    vulnerable = mine & units.vulnerable
    return {
        PRIMARY: MeanMetric.of_units(
            units.cured[mine], units.day[mine], days, x=units.covariate[mine]
        ),
        VULNERABLE_CURE: MeanMetric.of_units(units.cured[vulnerable], units.day[vulnerable], days),
        COMPLAINTS: _binary(daily.complaints, daily.contacts, 1000.0),
        PLANS_BROKEN: _binary(daily.broken, daily.ended),
        CONTACTS: _poisson(daily.attempts, daily.open_accounts),
    }


def _exact(value: float) -> Decimal | None:
    if not math.isfinite(value):
        return None
    return Decimal(repr(float(value))).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _comparison(result: MetricResult, margin: float | None) -> MetricComparison:
    return MetricComparison(
        metric=result.metric,
        champion=_exact(result.champion),
        challenger=_exact(result.challenger),
        difference=_exact(result.difference),
        lower=_exact(result.lower),
        upper=_exact(result.upper),
        p_value=_exact(result.p_value),
        cuped=result.cuped,
        margin=None if margin is None else _exact(margin),
    )


def analyse_experiment(
    experiment: Experiment,
    rows: Sequence[Mapping[str, Any]],
    units: CureUnits,
    days: list[date],
    *,
    platform: str,
    version: int,
    planned_days: int = DEFAULT_PLANNED_DAYS,
) -> ExperimentReport:
    """The report of ``experiment`` over ``days`` (the cycle's dates, oldest first) from
    the KPI snapshot's ``rows`` and the per-account cure ``units``."""
    daily = {a.id: daily_sums(rows, experiment.segment, a.id, days) for a in experiment.arms}
    metrics = {arm: arm_metrics(d, units, arm, len(days)) for arm, d in daily.items()}
    measured, not_measured = [], []
    for rail in GUARDRAILS:
        if days and any(metrics[a][rail.metric].n[-1] > 0 for a in metrics):
            measured.append(rail)
        else:
            not_measured.append(
                _reason(
                    "guardrail_not_measured",
                    Wording(
                        N_("%(metric)s: no arm has any unit of it yet, so it is not measured"),
                        metric=rail.metric,
                    ),
                )
            )
    sizes = {a.id: units.accounts.get(a.id, 0) for a in experiment.arms}
    arms = [ArmData(a.id, a.role.value, float(a.weight), metrics[a.id]) for a in experiment.arms]
    if not days:
        return _empty(experiment, platform, version, planned_days, sizes, not_measured)
    report = analyse(
        experiment.id,
        arms,
        primary=PRIMARY_SPEC,
        guardrails=measured,
        alpha=ALPHA,
        max_days=planned_days,
        arm_sizes=sizes,
    )
    margins = {g.metric: g.margin for g in GUARDRAILS}
    champion = next(a.id for a in experiment.arms if a.role.value == "champion")
    path = {}
    for challenger in report.challengers:
        estimate = difference(metrics[champion][PRIMARY], metrics[challenger.arm][PRIMARY])
        valid = always_valid(
            estimate.difference, estimate.variance, mixing_sd=PRIMARY_SPEC.mixing_sd, alpha=ALPHA
        )
        path[challenger.arm] = [
            DailyDifference(
                as_of=day,
                difference=_exact(float(estimate.difference[i])),
                lower=_exact(float(valid.lower[i])),
                upper=_exact(float(valid.upper[i])),
            )
            for i, day in enumerate(days)
        ]
    return ExperimentReport(
        platform=platform,
        experiment=experiment.id,
        segment=experiment.segment,
        hypothesis=experiment.hypothesis,
        version=version,
        first=days[0],
        last=days[-1],
        days=len(days),
        planned_days=planned_days,
        primary=PRIMARY,
        call=report.call.value,
        sample_ratio_p=_exact(report.sample_ratio.p_value),
        sample_ratio_mismatch=report.sample_ratio.mismatch,
        arms=[
            ArmFigures(
                arm=a.id,
                role=a.role.value,
                treatment=a.treatment,
                weight=a.weight,
                accounts=sizes[a.id],
                values={m: _exact(float(metric.mean()[-1])) for m, metric in metrics[a.id].items()},
            )
            for a in experiment.arms
        ],
        challengers=[
            ChallengerVerdict(
                arm=c.arm,
                call=c.call.value,
                reasons=[VerdictReason(code=r.code, en=r.en, zh=r.zh) for r in c.reasons],
                primary=_comparison(c.primary, None),
                guardrails=[_comparison(g, margins[g.metric]) for g in c.guardrails],
            )
            for c in report.challengers
        ],
        not_measured=not_measured,
        daily=path,
    )


def _empty(
    experiment: Experiment,
    platform: str,
    version: int,
    planned_days: int,
    sizes: dict[str, int],
    not_measured: list[VerdictReason],
) -> ExperimentReport:
    waiting = _reason(
        "no_data",
        Wording(N_("no KPI snapshot since the version took effect: run the daily cycle first")),
    )
    return ExperimentReport(
        platform=platform, experiment=experiment.id, segment=experiment.segment,
        hypothesis=experiment.hypothesis, version=version, first=None, last=None, days=0,
        planned_days=planned_days, primary=PRIMARY, call="keep_running", sample_ratio_p=None,
        sample_ratio_mismatch=False,
        arms=[
            ArmFigures(arm=a.id, role=a.role.value, treatment=a.treatment, weight=a.weight,
                       accounts=sizes[a.id], values={})
            for a in experiment.arms
        ],
        challengers=[], not_measured=[waiting, *not_measured], daily={},
    )  # fmt: skip


def experiment_reports(
    *,
    uow: UnitOfWork,
    platform: str,
    data_dir: Path,
    experiment: str | None = None,
    planned_days: int = DEFAULT_PLANNED_DAYS,
) -> ExperimentList:
    """The active version's experiments (or the one named), each with its verdict."""
    check_platform_code(platform)
    if not 1 <= planned_days <= MAX_PLANNED_DAYS:
        raise ValidationError(
            N_("the planned length must be 1 to %(max_planned_days)s days, not %(planned_days)s"),
            max_planned_days=MAX_PLANNED_DAYS,
            planned_days=planned_days,
        )
    with uow:
        stored = uow.policies(platform).active()
        if stored is None and experiment is not None:
            raise NotFound(
                N_(
                    "no experiment %(experiment)s: platform %(platform)s has no active "
                    "policy version, so no experiment runs"
                ),
                experiment=repr(experiment),
                platform=repr(platform),
            )
        if stored is None:
            return ExperimentList(platform=platform, version=None, experiments=[])
        number = stored.version.number
        compiled = parse_policy(stored.document, source=f"{platform} policy version {number}")
        chosen = _chosen(compiled, experiment, number)
        first = stored.version.effective_from
        last = uow.cycle(platform).last_completed_date()
        live = first is not None and last is not None and first <= last
        rows = uow.cycle(platform).kpis(first, last) if live and first and last else []
        days = sorted({row["as_of"] for row in rows})
        paths = uow.delinquency(platform).days_past_due(days) if chosen and days else []
    today = None
    if chosen and days:
        today = platform_features(
            uow=uow,
            platform=platform,
            as_of=days[-1],
            model_registry=platform_registry(data_dir, platform),
        )
    reports = []
    for e in chosen:
        units = _no_units(e)
        if today is not None:
            units = cure_units(
                compiled, platform=platform, experiment=e.id, segment=e.segment, days=days,
                paths=paths, today=today,
            )  # fmt: skip
        reports.append(
            analyse_experiment(
                e, rows, units, days, platform=platform, version=number, planned_days=planned_days
            )
        )
    return ExperimentList(platform=platform, version=number, experiments=reports)


def _chosen(compiled: CompiledPolicy, experiment: str | None, number: int) -> list[Experiment]:
    chosen = list(compiled.policy.experiments)
    if experiment is None:
        return chosen
    chosen = [e for e in chosen if e.id == experiment]
    if not chosen:
        known = ", ".join(e.id for e in compiled.policy.experiments) or "none"
        raise NotFound(
            N_(
                "no experiment %(experiment)s in active policy version %(number)s (its "
                "experiments: %(known)s)"
            ),
            experiment=repr(experiment),
            number=number,
            known=known,
        )
    return chosen


def _no_units(experiment: Experiment) -> CureUnits:
    empty = np.zeros(0)
    return CureUnits(
        arm=np.zeros(0, dtype=object),
        day=np.zeros(0, dtype=np.int64),
        cured=empty,
        covariate=empty,
        vulnerable=np.zeros(0, dtype=bool),
        accounts={a.id: 0 for a in experiment.arms},
    )


def _reason(code: str, wording: Wording) -> VerdictReason:
    return VerdictReason(code=code, en=wording.en, zh=wording.zh)
