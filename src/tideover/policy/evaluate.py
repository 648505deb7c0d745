"""The pure-Python evaluator: one account's features → its decision for today.

It serves single-account, real-time decisions; the SQL engines compute the
same thing for the whole portfolio from :mod:`tideover.policy.sql`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tideover.domain.errors import ValidationError
from tideover.policy.conditions import Value
from tideover.policy.document import CompiledPolicy
from tideover.policy.features import FEATURES, FeatureType
from tideover.policy.hashing import BUCKETS, assignment_bucket
from tideover.policy.model import Channel, Experiment, Offers, Step, Tone


@dataclass(frozen=True)
class Action:
    """A step of the treatment that falls due today."""

    step: int  # index in the treatment's steps
    channel: Channel
    template: str | None
    tone: Tone
    queue: str | None
    priority: int | None


@dataclass(frozen=True)
class Decision:
    segment: str
    treatment: str
    experiment: str | None
    arm: str | None
    stopped: bool  # the treatment's stop condition holds: no action today
    actions: tuple[Action, ...]
    offers: Offers | None


def decide(
    compiled: CompiledPolicy, features: Mapping[str, Value], *, platform: str, account_id: str
) -> Decision:
    """Segment (first match wins), experiment arm, today's actions and allowed offers."""
    check_features(features)
    missing = sorted(compiled.features - features.keys())
    if missing:
        # Absent is not NULL: a forgotten column must not silently change segments.
        raise ValidationError(
            f"features missing for account {account_id!r}: {', '.join(missing)} "
            "(give None for NULL)",
            f"账户 {account_id!r} 缺少特征：{'、'.join(missing)}（空值请传 None）",
        )
    policy = compiled.policy
    segment = next(
        s for s in policy.segments if s.default or compiled.segment_conditions[s.id].holds(features)
    )
    treatment_id, experiment_id, arm_id = segment.treatment, None, None
    experiment = next((e for e in policy.experiments if e.segment == segment.id), None)
    if experiment is not None:
        experiment_id = experiment.id
        arm_id, treatment_id = choose_arm(experiment, platform=platform, account_id=account_id)
    treatment = policy.treatments[treatment_id]
    stop = compiled.stop_conditions.get(treatment_id)
    stopped = stop is not None and stop.holds(features)
    day = features.get(treatment.clock.value)
    actions: tuple[Action, ...] = ()
    if not stopped and isinstance(day, int):
        actions = tuple(
            Action(i, s.channel, s.template, s.tone, s.queue, s.priority)
            for i, s in enumerate(treatment.steps)
            if step_due(s, day)
        )
    offers = policy.offers.get(segment.offers) if segment.offers else None
    return Decision(segment.id, treatment_id, experiment_id, arm_id, stopped, actions, offers)


def choose_arm(experiment: Experiment, *, platform: str, account_id: str) -> tuple[str, str]:
    """(arm id, treatment id): arms take buckets in document order by weight."""
    bucket = assignment_bucket(platform, experiment.id, account_id)
    upper = 0
    for arm in experiment.arms:
        upper += int(arm.weight * BUCKETS)
        if bucket < upper:
            return arm.id, arm.treatment
    last = experiment.arms[-1]  # unreachable for a valid policy: weights sum to 1
    return last.id, last.treatment


def step_due(step: Step, day: int) -> bool:
    if day == step.at:
        return True
    if step.every is None or step.until is None:
        return False
    return step.at <= day <= step.until and (day - step.at) % step.every == 0


def check_features(features: Mapping[str, Value]) -> None:
    """Refuse unknown names, wrong types and floats (money is never a float)."""
    for name, value in features.items():
        feature = FEATURES.get(name)
        if feature is None:
            raise ValidationError(f"unknown feature {name!r}", f"未知特征 {name!r}")
        if value is None:
            if not feature.nullable:
                raise ValidationError(
                    f"feature {name!r} may not be null", f"特征 {name!r} 不能为空"
                )
            continue
        if not _fits(feature.type, value):
            raise ValidationError(
                f"feature {name!r} must be {feature.type}, got {type(value).__name__} {value!r}",
                f"特征 {name!r} 应为 {feature.type}，实际为 {type(value).__name__} {value!r}",
            )


def _fits(kind: FeatureType, value: object) -> bool:
    if kind is FeatureType.BOOLEAN:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is FeatureType.INTEGER:
        return isinstance(value, int)
    if kind is FeatureType.DECIMAL:
        return isinstance(value, int | Decimal)
    return isinstance(value, str)
