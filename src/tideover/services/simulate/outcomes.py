"""The engine's results as typed, exact results: intervals, differences, sensitivity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tideover.services.simulate.results import (
    SENSITIVITY_KPIS,
    BehaviourSummary,
    BookSummary,
    ComparisonReport,
    KpiDifference,
    KpiInterval,
    PolicyDifference,
    PolicyRun,
    PolicySource,
    PriorDriver,
    Sensitivity,
    SimulationSettings,
    exact,
)
from tideover.simulate.measures import BETTER
from tideover.simulate.priors import PriorSet
from tideover.simulate.results import Interval, SimulationResult, compare

if TYPE_CHECKING:
    from tideover.services.simulate.run import Asked, Prepared

MIN_SENSITIVITY_RUNS = 10  # the engine's own floor for a rank correlation
DRIVERS_SHOWN = 5


def _interval(row: Interval) -> dict[str, object]:
    return {
        "month": row.month,
        "kpi": row.kpi,
        "mean": exact(row.mean, row.kpi),
        "low": exact(row.low, row.kpi),
        "median": exact(row.median, row.kpi),
        "high": exact(row.high, row.kpi),
    }


def policy_run(source: PolicySource, result: SimulationResult) -> PolicyRun:
    return PolicyRun(
        source=source, kpis=[KpiInterval.model_validate(_interval(r)) for r in result.summary()]
    )


def favoured(kpi: str, low: object, high: object, policy: str, baseline: str) -> str | None:
    """The policy a difference (``policy − baseline``) favours with 90 % confidence, if any."""
    direction = BETTER.get(kpi, 0)
    if direction == 0 or low is None or high is None:
        return None
    lo, hi = float(low), float(high)  # type: ignore[arg-type]
    if direction * lo > 0 and direction * hi > 0:
        return policy
    if direction * lo < 0 and direction * hi < 0:
        return baseline
    return None


def settings_summary(asked: Asked, prepared: Prepared) -> SimulationSettings:
    return SimulationSettings(
        months=asked.months,
        runs=asked.runs,
        seed=asked.seed,
        priors=prepared.priors.origin,
        prior_uncertainty=asked.prior_uncertainty,
        pack=f"{prepared.gate.pack} {prepared.gate.version}".strip(),
    )


def difference_of(
    baseline: tuple[PolicySource, SimulationResult],
    policy: tuple[PolicySource, SimulationResult],
    priors: PriorSet | None,
) -> PolicyDifference:
    """``policy − baseline`` run by run, with the priors that drive it (when it can say)."""
    (base_source, base), (source, mine) = baseline, policy
    comparison = compare(mine, base)
    rows = []
    for row in comparison.summary():
        fields = _interval(row)
        fields["favours"] = favoured(
            row.kpi, fields["low"], fields["high"], source.label, base_source.label
        )
        rows.append(KpiDifference.model_validate(fields))
    sensitivity: list[Sensitivity] = []
    varied = mine.prior_draws.std(axis=0).max() > 0 if mine.runs > 1 else False
    if priors is not None and mine.runs >= MIN_SENSITIVITY_RUNS and varied:
        for kpi in SENSITIVITY_KPIS:
            drivers = comparison.sensitivity(kpi)[:DRIVERS_SHOWN]
            sensitivity.append(
                Sensitivity(
                    kpi=kpi,
                    month=mine.months,
                    drivers=[
                        PriorDriver(
                            prior=d.prior,
                            en=priors[d.prior].en,
                            zh=priors[d.prior].zh,
                            rank_correlation=exact(d.rank_correlation, "rank") or 0,
                            low_third=exact(d.low_third, kpi),
                            high_third=exact(d.high_third, kpi),
                        )
                        for d in drivers
                    ],
                )
            )
    return PolicyDifference(
        baseline=base_source.label, policy=source.label, kpis=rows, sensitivity=sensitivity
    )


def comparison_of(
    *,
    platform: str,
    book: BookSummary,
    behaviour: BehaviourSummary,
    settings: SimulationSettings,
    sources: list[PolicySource],
    results: list[SimulationResult],
    seconds: float,
    priors: PriorSet | None = None,
) -> ComparisonReport:
    pairs = list(zip(sources, results, strict=True))
    return ComparisonReport(
        platform=platform,
        book=book,
        behaviour=behaviour,
        settings=settings,
        policies=[policy_run(source, result) for source, result in pairs],
        differences=[difference_of(pairs[0], pair, priors) for pair in pairs[1:]],
        seconds=seconds,
    )
