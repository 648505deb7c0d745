"""The pure-Python evaluator: one account's features → its decision for today.

It serves single-account, real-time decisions and is the reference of the
set-based assignment: ``tideover.batch.assign`` compiles the same policy to one
SQL statement (DuckDB, and Spark through sqlglot) that must give every account
exactly what :func:`decide` gives it (differential tests:
``tests/unit/test_assign_engine.py``, ``tests/unit/test_policy_evaluate.py``,
``tests/integration/test_spark_assign.py``).  The experiment split is written
once, in :func:`arm_bounds`, which both read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tideover.domain.errors import ValidationError
from tideover.i18n import N_
from tideover.policy.conditions import Value
from tideover.policy.document import CompiledPolicy
from tideover.policy.features import FEATURES, FeatureType
from tideover.policy.hashing import BUCKETS, assignment_bucket
from tideover.policy.model import Arm, Channel, Experiment, Offers, Step, Tone


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
            N_("features missing for account %(account_id)s: %(missing)s (give None for NULL)"),
            account_id=repr(account_id),
            missing=tuple(missing),
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


def arm_bounds(experiment: Experiment) -> tuple[tuple[Arm, int], ...]:
    """Each arm with the end (exclusive) of its buckets, in document order.

    Arms take buckets in document order by weight: an arm of weight 0.45 takes
    4,500 of the :data:`~tideover.policy.hashing.BUCKETS`.  The last arm takes
    every bucket left, so no bucket is ever without an arm whatever the weights.
    An account goes to the first arm whose end is above its bucket.
    """
    bounds: list[tuple[Arm, int]] = []
    end = 0
    for arm in experiment.arms[:-1]:
        end += int(arm.weight * BUCKETS)
        bounds.append((arm, end))
    bounds.append((experiment.arms[-1], BUCKETS))
    return tuple(bounds)


def choose_arm(experiment: Experiment, *, platform: str, account_id: str) -> tuple[str, str]:
    """(arm id, treatment id) of the account: its bucket placed by :func:`arm_bounds`."""
    bucket = assignment_bucket(platform, experiment.id, account_id)
    arm = next(arm for arm, end in arm_bounds(experiment) if bucket < end)
    return arm.id, arm.treatment


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
            raise ValidationError(N_("unknown feature %(name)s"), name=repr(name))
        if value is None:
            if not feature.nullable:
                raise ValidationError(N_("feature %(name)s may not be null"), name=repr(name))
            continue
        if not _fits(feature.type, value):
            raise ValidationError(
                N_("feature %(name)s must be %(type)s, got %(type_name)s %(value)s"),
                name=repr(name),
                type=feature.type,
                type_name=type(value).__name__,
                value=repr(value),
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
