"""The experiment report: per-arm KPIs, each challenger against the champion, and a verdict.

For each challenger the verdict is, in this order:

1. **stop** if the arms' sizes do not match their weights (sample-ratio
   mismatch): the comparison cannot be trusted;
2. **stop** if a guardrail shows harm beyond its margin with confidence (the
   whole always-valid interval of the harm lies past the margin): complaints,
   re-default of plans, contacts per account, vulnerable customers' outcomes;
3. **stop** if the primary metric is worse with confidence: keep the champion;
4. **promote** if the primary metric is better with confidence and every
   guardrail's harm is within its margin with confidence (the interval's harmful
   end inside the margin);
5. **keep running** if the primary metric is better but a guardrail cannot yet be
   shown within its margin, or if nothing is settled yet;
6. **stop** at the planned end (``max_days``) with nothing settled: no difference
   was found, keep the champion.

Every interval and p-value is always valid (:mod:`.sequential`), so the verdict
may be read every day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

from tideover.i18n import N_, Worded, Wording
from tideover.simulate.errors import ExperimentDataRejected
from tideover.simulate.experiment.metrics import MeanMetric, RatioMetric, difference
from tideover.simulate.experiment.sequential import always_valid
from tideover.simulate.experiment.srm import SampleRatio, sample_ratio

Metric = MeanMetric | RatioMetric


class Call(StrEnum):
    KEEP_RUNNING = "keep_running"
    PROMOTE = "promote"
    STOP = "stop"


@dataclass(frozen=True)
class Reason(Worded):
    code: str
    wording: Wording


@dataclass(frozen=True)
class Primary:
    """The metric the experiment is for; ``better`` +1 if higher is better, -1 if lower."""

    metric: str
    better: Literal[1, -1]
    mixing_sd: float  # the difference the test is tuned to find soonest


@dataclass(frozen=True)
class Guardrail:
    """A metric that must not get worse by more than ``margin`` (in its own units)."""

    metric: str
    worse: Literal[1, -1]  # +1 if higher is worse (complaints), -1 if lower is worse
    margin: float
    mixing_sd: float


@dataclass(frozen=True)
class ArmData:
    arm: str
    role: Literal["champion", "challenger", "holdout"]
    weight: float
    metrics: Mapping[str, Metric]


@dataclass(frozen=True)
class MetricResult:
    """The latest day: both arms' values and the always-valid view of their difference."""

    metric: str
    champion: float
    challenger: float
    difference: float
    lower: float
    upper: float
    p_value: float
    cuped: bool


@dataclass(frozen=True)
class ChallengerReport:
    arm: str
    call: Call
    reasons: tuple[Reason, ...]
    primary: MetricResult
    guardrails: tuple[MetricResult, ...]


@dataclass(frozen=True)
class ExperimentReport:
    experiment: str
    days: int
    sample_ratio: SampleRatio
    values: dict[str, dict[str, float]]  # arm -> metric -> latest value
    challengers: tuple[ChallengerReport, ...]

    @property
    def call(self) -> Call:
        """Promote if a challenger may be promoted, stop if every one is stopped, else run on."""
        calls = {c.call for c in self.challengers}
        if Call.PROMOTE in calls:
            return Call.PROMOTE
        if calls == {Call.STOP}:
            return Call.STOP
        return Call.KEEP_RUNNING


def _latest(values: npt.NDArray[np.float64]) -> float:
    return float(values[-1]) if len(values) else float("nan")


def _compare(
    champion: Metric, challenger: Metric, metric: str, mixing_sd: float, alpha: float
) -> MetricResult:
    estimate = difference(champion, challenger)
    valid = always_valid(estimate.difference, estimate.variance, mixing_sd=mixing_sd, alpha=alpha)
    return MetricResult(
        metric,
        _latest(champion.mean()),
        _latest(challenger.mean()),
        _latest(estimate.difference),
        _latest(valid.lower),
        _latest(valid.upper),
        _latest(valid.p_value),
        estimate.cuped,
    )


def _metric(arm: ArmData, name: str) -> Metric:
    try:
        return arm.metrics[name]
    except KeyError:
        raise ExperimentDataRejected(
            N_("arm %(arm)s has no metric %(name)s"), arm=repr(arm.arm), name=repr(name)
        ) from None


def analyse(
    experiment: str,
    arms: Sequence[ArmData],
    *,
    primary: Primary,
    guardrails: Sequence[Guardrail] = (),
    alpha: float = 0.05,
    max_days: int | None = None,
    arm_sizes: Mapping[str, int] | None = None,
) -> ExperimentReport:
    """The report of ``experiment`` on the days its arms' metrics cover.

    The sample-ratio check counts the primary metric's units, or ``arm_sizes`` when
    given: where a unit is an account-day (daily snapshots), the accounts themselves.
    """
    champions = [a for a in arms if a.role == "champion"]
    if len(champions) != 1 or len({a.arm for a in arms}) != len(arms):
        raise ExperimentDataRejected(
            N_("an experiment needs exactly one champion arm and distinct arm ids"),
        )
    champion = champions[0]
    base = _metric(champion, primary.metric)
    days = len(base.n)
    counts = {a.arm: int(_metric(a, primary.metric).n[-1]) if days else 0 for a in arms}
    if arm_sizes is not None:
        counts = {a.arm: int(arm_sizes.get(a.arm, 0)) for a in arms}
    ratio = sample_ratio(counts, {a.arm: a.weight for a in arms})
    names = [primary.metric, *(g.metric for g in guardrails)]
    values = {a.arm: {m: _latest(_metric(a, m).mean()) for m in names} for a in arms}
    reports = []
    for arm in arms:
        if arm.role != "challenger":
            continue
        main = _compare(
            base, _metric(arm, primary.metric), primary.metric, primary.mixing_sd, alpha
        )
        rails = tuple(
            _compare(
                _metric(champion, g.metric), _metric(arm, g.metric), g.metric, g.mixing_sd, alpha
            )
            for g in guardrails
        )
        call, reasons = _verdict(ratio, primary, main, guardrails, rails, days, max_days)
        reports.append(ChallengerReport(arm.arm, call, reasons, main, rails))
    return ExperimentReport(experiment, days, ratio, values, tuple(reports))


def _verdict(
    ratio: SampleRatio,
    primary: Primary,
    main: MetricResult,
    guardrails: Sequence[Guardrail],
    rails: Sequence[MetricResult],
    days: int,
    max_days: int | None,
) -> tuple[Call, tuple[Reason, ...]]:
    if ratio.mismatch:
        return Call.STOP, (
            Reason(
                "sample_ratio_mismatch",
                Wording(
                    N_(
                        "the arms' sizes do not match their weights (chi-square p = "
                        "%(p_value)s): assignment or logging is broken and the comparison cannot "
                        "be trusted"
                    ),
                    p_value=format(ratio.p_value, ".2g"),
                ),
            ),
        )
    harmed, unsettled = [], []
    for rail, result in zip(guardrails, rails, strict=True):
        # Harm is the difference in the guardrail's bad direction.
        low, high = sorted((rail.worse * result.lower, rail.worse * result.upper))
        if low > rail.margin:
            harmed.append(
                Reason(
                    "guardrail_breached",
                    Wording(
                        N_(
                            "%(metric)s is worse by %(worse)s (always-valid interval of the harm "
                            "%(low)s to %(high)s), beyond the margin of %(margin)s"
                        ),
                        metric=rail.metric,
                        worse=format(rail.worse * result.difference, ".4g"),
                        low=format(low, ".4g"),
                        high=format(high, ".4g"),
                        margin=format(rail.margin, ".4g"),
                    ),
                )
            )
        elif high > rail.margin:
            unsettled.append(
                Reason(
                    "guardrail_unsettled",
                    Wording(
                        N_(
                            "%(metric)s cannot yet be shown within its margin of %(margin)s "
                            "(harm up to %(high)s)"
                        ),
                        metric=rail.metric,
                        margin=format(rail.margin, ".4g"),
                        high=format(high, ".4g"),
                    ),
                )
            )
    if harmed:
        return Call.STOP, tuple(harmed)
    gain_low, gain_high = sorted((primary.better * main.lower, primary.better * main.upper))
    shown = Wording(
        N_(
            "%(metric)s: challenger %(challenger)s against champion %(champion)s, difference "
            "%(difference)s (always-valid interval %(lower)s to %(upper)s, p = %(p)s)"
        ),
        metric=main.metric,
        challenger=format(main.challenger, ".4g"),
        champion=format(main.champion, ".4g"),
        difference=format(main.difference, ".4g"),
        lower=format(main.lower, ".4g"),
        upper=format(main.upper, ".4g"),
        p=format(main.p_value, ".2g"),
    )
    if gain_high < 0:
        return Call.STOP, (Reason("primary_worse", Wording(N_("worse on %(shown)s"), shown=shown)),)
    if gain_low > 0:
        if unsettled:
            better = Reason("primary_better", Wording(N_("better on %(shown)s"), shown=shown))
            return Call.KEEP_RUNNING, (better, *unsettled)
        return Call.PROMOTE, (
            Reason(
                "primary_better",
                Wording(N_("better on %(shown)s, every guardrail within its margin"), shown=shown),
            ),
        )
    if max_days is not None and days >= max_days:
        return Call.STOP, (
            Reason(
                "no_difference",
                Wording(
                    N_(
                        "no difference found by the planned end (day %(max_days)s): keep the "
                        "champion; %(shown)s"
                    ),
                    max_days=max_days,
                    shown=shown,
                ),
            ),
        )
    return Call.KEEP_RUNNING, (
        Reason("not_settled", Wording(N_("not settled yet: %(shown)s"), shown=shown)),
        *unsettled,
    )
