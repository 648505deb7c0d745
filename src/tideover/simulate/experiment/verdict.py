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
class Reason:
    code: str
    en: str
    zh: str


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
            f"arm {arm.arm!r} has no metric {name!r}", f"分组 {arm.arm!r} 没有指标 {name!r}"
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
            "an experiment needs exactly one champion arm and distinct arm ids",
            "实验必须恰好有一个冠军分组，且分组编号不能重复",
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
                f"the arms' sizes do not match their weights (chi-square p = {ratio.p_value:.2g}): "
                "assignment or logging is broken and the comparison cannot be trusted",
                f"各分组规模与权重不符（卡方检验 p = {ratio.p_value:.2g}）：分组或记录有误，"
                "比较结果不可信",
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
                    f"{rail.metric} is worse by {rail.worse * result.difference:.4g} "
                    f"(always-valid interval of the harm {low:.4g} to {high:.4g}), beyond the "
                    f"margin of {rail.margin:.4g}",
                    f"{rail.metric} 变差 {rail.worse * result.difference:.4g}（损害的始终有效区间 "
                    f"{low:.4g} 至 {high:.4g}），超出容忍幅度 {rail.margin:.4g}",
                )
            )
        elif high > rail.margin:
            unsettled.append(
                Reason(
                    "guardrail_unsettled",
                    f"{rail.metric} cannot yet be shown within its margin of {rail.margin:.4g} "
                    f"(harm up to {high:.4g})",
                    f"尚不能确认 {rail.metric} 在容忍幅度 {rail.margin:.4g} 以内"
                    f"（损害可能达 {high:.4g}）",
                )
            )
    if harmed:
        return Call.STOP, tuple(harmed)
    gain_low, gain_high = sorted((primary.better * main.lower, primary.better * main.upper))
    shown = (
        f"{main.metric}: challenger {main.challenger:.4g} against champion {main.champion:.4g}, "
        f"difference {main.difference:.4g} (always-valid interval {main.lower:.4g} to "
        f"{main.upper:.4g}, p = {main.p_value:.2g})"
    )
    shown_zh = (
        f"{main.metric}：挑战者 {main.challenger:.4g}，冠军 {main.champion:.4g}，差异 "
        f"{main.difference:.4g}（始终有效区间 {main.lower:.4g} 至 {main.upper:.4g}，p = "
        f"{main.p_value:.2g}）"
    )
    if gain_high < 0:
        return Call.STOP, (Reason("primary_worse", f"worse on {shown}", f"更差：{shown_zh}"),)
    if gain_low > 0:
        if unsettled:
            better = Reason("primary_better", f"better on {shown}", f"更好：{shown_zh}")
            return Call.KEEP_RUNNING, (better, *unsettled)
        return Call.PROMOTE, (
            Reason(
                "primary_better",
                f"better on {shown}, every guardrail within its margin",
                f"更好：{shown_zh}，所有护栏指标均在容忍幅度内",
            ),
        )
    if max_days is not None and days >= max_days:
        return Call.STOP, (
            Reason(
                "no_difference",
                f"no difference found by the planned end (day {max_days}): keep the champion; "
                f"{shown}",
                f"到计划结束（第 {max_days} 天）仍未发现差异：保留冠军方案；{shown_zh}",
            ),
        )
    return Call.KEEP_RUNNING, (
        Reason("not_settled", f"not settled yet: {shown}", f"尚无结论：{shown_zh}"),
        *unsettled,
    )
