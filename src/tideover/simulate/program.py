"""A policy compiled for the simulator: segments, arms, treatments as day tables, relief kinds.

What the pure evaluator (:mod:`tideover.policy.evaluate`) decides for one account
on one day, the program decides for every account over a month: segment
conditions are evaluated over columns (:mod:`tideover.simulate.vector`) at the
days where a condition on days past due can change, the experiment arm comes
from the same portable hash, and each treatment's steps are tabulated by clock
day — planned, and allowed by the month-level gate — so that the attempts of any
stretch of days are a difference of two cumulative sums.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from sqlglot import exp

from tideover.compliance.contacts import Channel as GateChannel
from tideover.policy.document import CompiledPolicy
from tideover.policy.evaluate import arm_bounds, step_due
from tideover.policy.hashing import assignment_bucket
from tideover.policy.model import Channel, Clock, Experiment, Offers, ReliefOption, Step, Tone
from tideover.simulate.gate import GATE_CHANNEL, MonthGate
from tideover.simulate.priors import PriorSet

HORIZON_DAYS = 30 * 64  # clock days tabulated: beyond five years of arrears or of a segment
LIQUIDITY = frozenset(
    {
        ReliefOption.DUE_DATE_SHIFT,
        ReliefOption.EXTENSION,
        ReliefOption.PAYMENT_HOLIDAY,
        ReliefOption.RESTRUCTURE,
    }
)
MAX_PLAN_MONTHS = 12

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Combo = tuple[Channel, Tone]


@dataclass(frozen=True)
class Relief:
    """What a segment's offers amount to in the model."""

    liquidity: bool  # extension, holiday, due-date shift or restructure offered
    wealth: bool  # a waiver or a settlement offered
    months: int  # how long a plan runs
    waived_share: float  # share of the arrears written off when a wealth plan cures them


def relief_of(offers: Offers) -> Relief:
    """A plan's kind, length and write-off from the offers' limits.

    A liquidity plan runs for the longest extension or holiday allowed (at least a
    month, at most a year); a write-off takes the middle of the allowed range (half
    the largest interest waiver, or half of what a settlement may forgo).  Penalty
    and fee waivers forgive charges the model does not carry: they are no write-off.
    """
    options = set(offers.options)
    liquidity = bool(options & LIQUIDITY)
    waiver = float(offers.max_waiver_pct) if ReliefOption.INTEREST_WAIVER in options else 0.0
    settlement = 0.0
    if ReliefOption.SETTLEMENT in options:
        floor = offers.settlement_floor_pct
        settlement = 100.0 - float(floor if floor is not None else Decimal(0))
    forgone = max(waiver, settlement)
    months = max(offers.max_extension_months, offers.max_holiday_months, 1)
    return Relief(
        liquidity=liquidity,
        wealth=forgone > 0,
        months=min(months, MAX_PLAN_MONTHS) if liquidity else 1,
        waived_share=forgone / 200.0,
    )


@dataclass(frozen=True)
class ArmChoice:
    experiment: str
    segment: int
    uppers: IntArray  # bucket upper bounds, document order
    arm_ids: tuple[str, ...]
    treatments: IntArray  # treatment index per arm


class Program:
    """The policy, ready to be evaluated over columns month by month."""

    def __init__(self, compiled: CompiledPolicy, gate: MonthGate, reach: dict[GateChannel, float]):
        policy = compiled.policy
        self.policy_id = policy.policy
        self.gate = gate
        self.treatment_ids: tuple[str, ...] = tuple(policy.treatments)
        index = {t: i for i, t in enumerate(self.treatment_ids)}
        self.segment_ids = tuple(s.id for s in policy.segments)
        self.segment_trees: tuple[exp.Expr | None, ...] = tuple(
            None if s.default else compiled.segment_conditions[s.id].tree for s in policy.segments
        )
        self.segment_treatment = np.array([index[s.treatment] for s in policy.segments])
        self.relief: tuple[Relief | None, ...] = tuple(
            relief_of(policy.offers[s.offers]) if s.offers else None for s in policy.segments
        )
        self.arms: tuple[ArmChoice, ...] = tuple(
            _arm_choice(e, self.segment_ids.index(e.segment), index) for e in policy.experiments
        )
        self.clock_segment = np.array(
            [policy.treatments[t].clock is Clock.DAYS_IN_SEGMENT for t in self.treatment_ids]
        )
        self.stop_trees: tuple[exp.Expr | None, ...] = tuple(
            compiled.stop_conditions[t].tree if t in compiled.stop_conditions else None
            for t in self.treatment_ids
        )
        combos: list[Combo] = sorted(
            {(s.channel, s.tone) for t in policy.treatments.values() for s in t.steps},
            key=lambda c: (list(Channel).index(c[0]), list(Tone).index(c[1])),
        )
        self.combos: tuple[Combo, ...] = tuple(combos)
        planned = np.zeros((len(self.treatment_ids), len(combos), HORIZON_DAYS))
        for ti, tid in enumerate(self.treatment_ids):
            for step in policy.treatments[tid].steps:
                row = combos.index((step.channel, step.tone))
                days = [d for d in range(HORIZON_DAYS) if step_due(step, d)]  # as the evaluator
                planned[ti, row, days] += 1
        channels = [c for c, _ in combos]
        allowed = (
            np.stack([gate.allowed(p, channels, reach) for p in planned]) if combos else planned
        )
        self.planned_cum = _cumulative(planned)
        self.allowed_cum = _cumulative(allowed)
        # Whether an account that stays current all month can be contacted at all: by a
        # step on day 0 of the days-past-due clock, or by a treatment on the segment clock.
        dpd_day_zero = planned[~self.clock_segment, :, 0].sum() > 0 if len(planned) else False
        self.reaches_on_time = bool(dpd_day_zero or self.clock_segment.any())
        self.trees: tuple[exp.Expr, ...] = tuple(
            t for t in (*self.segment_trees, *self.stop_trees) if t is not None
        )
        # What the conditions read (treatment clocks are handled apart).
        self.features: frozenset[str] = frozenset(
            c.name for t in self.trees for c in t.find_all(exp.Column)
        )
        self.split_points = split_points(self.trees, "dpd")
        self.segment_clock_days = max(
            (
                _last_step_day(policy.treatments[t].steps)
                for t, on_segment in zip(self.treatment_ids, self.clock_segment, strict=True)
                if on_segment
            ),
            default=-1,
        )

    @classmethod
    def build(cls, compiled: CompiledPolicy, *, gate: MonthGate, priors: PriorSet) -> Program:
        """The program of ``compiled`` under ``gate``; caps count connections at median reach."""
        written = priors["reach.written"].centre()
        reach = dict.fromkeys(GateChannel, written)
        reach[GateChannel.CALL] = priors["reach.call"].centre()
        reach[GateChannel.VISIT] = priors["reach.visit"].centre()
        return cls(compiled, gate, reach)

    @property
    def contact_rows(self) -> npt.NDArray[np.bool_]:
        """Combos that are contacts (everything but a legal referral)."""
        return np.array([GATE_CHANNEL[c] is not None for c, _ in self.combos], dtype=bool)

    def arm_buckets(self, platform: str, account_ids: Sequence[str]) -> IntArray:
        """Bucket per (experiment, account), from the portable assignment hash."""
        result: IntArray = np.array(
            [
                [assignment_bucket(platform, a.experiment, i) for i in account_ids]
                for a in self.arms
            ],
            dtype=np.int64,
        ).reshape(len(self.arms), len(account_ids))
        return result

    def arm_index(self, buckets: IntArray) -> IntArray:
        """Arm index per (experiment, account) from the buckets."""
        result: IntArray = (
            np.stack(
                [
                    np.searchsorted(a.uppers, b, side="right")
                    for a, b in zip(self.arms, buckets, strict=True)
                ]
            )
            if self.arms
            else np.zeros((0, buckets.shape[1]), dtype=np.int64)
        )
        return result

    def attempts(
        self, treatment: IntArray, first: IntArray, last: IntArray, *, allowed: bool = True
    ) -> FloatArray:
        """Attempts per (account, combo) of ``treatment`` on clock days ``first..last``."""
        table = self.allowed_cum if allowed else self.planned_cum
        top = HORIZON_DAYS
        lo = np.clip(first, 0, top)
        hi = np.clip(last + 1, 0, top)
        result: FloatArray = table[treatment, :, hi] - table[treatment, :, lo]
        return result


def _cumulative(table: FloatArray) -> FloatArray:
    """``cum[..., d]`` is the total on days before ``d``."""
    shape = (*table.shape[:-1], table.shape[-1] + 1)
    result: FloatArray = np.zeros(shape)
    np.cumsum(table, axis=-1, out=result[..., 1:])
    return result


def _arm_choice(experiment: Experiment, segment: int, index: dict[str, int]) -> ArmChoice:
    """The experiment's arms with their bucket bounds, as the evaluator places accounts."""
    bounds = arm_bounds(experiment)
    return ArmChoice(
        experiment.id,
        segment,
        np.array([end for _, end in bounds], dtype=np.int64),
        tuple(arm.id for arm, _ in bounds),
        np.array([index[arm.treatment] for arm, _ in bounds], dtype=np.int64),
    )


def _last_step_day(steps: Sequence[Step]) -> int:
    return max(
        (s.until if s.every is not None and s.until is not None else s.at for s in steps),
        default=-1,
    )


def split_points(trees: Sequence[exp.Expr], feature: str, scale: int = 0) -> tuple[int, ...] | None:
    """Values of ``feature`` where some condition may change; None if any value may matter.

    A feature compared with constants changes a condition only at those
    constants; used in arithmetic or against another feature, any value may
    matter.  For days past due, a condition on days in segment (a clock that
    moves every day) also makes every day matter.
    """
    points: set[int] = set()
    for tree in trees:
        for column in tree.find_all(exp.Column):
            if feature == "dpd" and column.name == "days_in_segment":
                return None
            if column.name != feature:
                continue
            found = _points(column, scale)
            if found is None:
                return None
            points |= found
    return tuple(sorted(points))


def _unwrap(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _points(column: exp.Column, scale: int) -> set[int] | None:
    node = column.parent
    while isinstance(node, exp.Paren):
        node = node.parent
    if isinstance(node, exp.Between):
        if _unwrap(node.this) is not column:
            return None
        low, high = _constant(node.args["low"], scale), _constant(node.args["high"], scale)
        if low is None or high is None:
            return None
        return {math.ceil(low), math.floor(high) + 1}
    if isinstance(node, exp.In):
        values = [_constant(i, scale) for i in node.expressions]
        if any(v is None for v in values):
            return None
        return {p for v in values if v is not None for p in (math.ceil(v), math.floor(v) + 1)}
    if isinstance(node, exp.EQ | exp.NEQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
        other = node.expression if _unwrap(node.this) is column else node.this
        value = _constant(other, scale)
        if value is None:
            return None
        return {math.ceil(value), math.floor(value) + 1}
    if isinstance(node, exp.Is):
        return set()
    return None


def _constant(node: exp.Expr, scale: int) -> Decimal | None:
    """A numeric constant in units of ``10**-scale``, or None."""
    node = _unwrap(node)
    if isinstance(node, exp.Literal) and not node.is_string:
        return Decimal(node.this).scaleb(scale)
    if isinstance(node, exp.Neg):
        inner = _constant(node.this, scale)
        return -inner if inner is not None else None
    return None
