"""One run's draw of the priors, and what it does to an account's month.

Effects are changes in the log odds that an account improves in the month,
against the *reference treatment* the fitted transitions already contain: the
Taiwan and Lending Club books were collected by their lenders, with practices
the data do not record.  We take that practice to be, per month in arrears, one
written reminder and two human call attempts in a neutral tone, with no relief
plan (an assumption: ``docs/simulation.md``).  A policy that does exactly that
reproduces the fitted matrices; one that does more or less moves them by the
difference of the two lifts.  A comparison of two policies depends on this
assumption far less than the level of either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tideover.policy.model import Channel, Tone
from tideover.simulate.priors import PriorSet

FloatArray = npt.NDArray[np.float64]

# The reference treatment, per month in the collection window.
REFERENCE_WRITTEN = 1.0
REFERENCE_HUMAN_CALLS = 2.0
# Contact attempts a week that carry no fatigue: the CFPB (2017) survey reports
# the share contacted "at least four times a week" as its intensive group.
FATIGUE_FREE_PER_WEEK = 3.0
PROMISE_DAYS = 5  # a promise pauses treatments that stop on it for this many days
DAYS_PER_WEEK = 7.0

WRITTEN, ROBOT, HUMAN, VISIT, LEGAL = range(5)
GROUP_OF: dict[Channel, int] = {
    Channel.SMS: WRITTEN,
    Channel.EMAIL: WRITTEN,
    Channel.APP_PUSH: WRITTEN,
    Channel.LETTER: WRITTEN,
    Channel.ROBOT_CALL: ROBOT,
    Channel.HUMAN_CALL: HUMAN,
    Channel.FIELD_VISIT: VISIT,
    Channel.LEGAL_REFERRAL: LEGAL,
}
TONES: tuple[Tone, ...] = (Tone.SUPPORTIVE, Tone.NEUTRAL, Tone.FIRM)


@dataclass(frozen=True)
class Effects:
    """The priors' values in one run."""

    reach: FloatArray  # per group: written, robot, human, visit, legal referral
    cure_within_cycle: float
    per_contact: FloatArray  # log odds of the first reached contact in a month, per group
    repeat: float  # each further reached contact adds this share of the one before
    legal_referral: float
    supportive: float
    firm: float
    fatigue: float
    liquidity: tuple[float, float]  # (instalment, card)
    wealth: tuple[float, float]
    take_up: float
    promise: float
    complaint_base: float
    complaint_tone: FloatArray  # multiplier per tone: supportive, neutral, firm
    complaint_visit: float
    complaint_extra: float

    @classmethod
    def from_draw(cls, priors: PriorSet, row: FloatArray) -> Effects:
        v = dict(zip(priors.ids, row.tolist(), strict=True))
        robot = v["effect.robot_call"]
        human = robot + v["effect.human_over_robot"]
        call = v["reach.call"]
        return cls(
            reach=np.array([v["reach.written"], call, call, v["reach.visit"], 1.0]),
            cure_within_cycle=v["cure.within_cycle"],
            per_contact=np.array(
                [v["effect.written"], robot, human, human + v["effect.visit_over_human"], 0.0]
            ),
            repeat=min(v["effect.repeat_share"], 0.999),
            legal_referral=v["effect.legal_referral"],
            supportive=v["effect.supportive_tone"],
            firm=v["effect.firm_tone"],
            fatigue=v["effect.fatigue_per_contact"],
            liquidity=(v["effect.liquidity_relief.instalment"], v["effect.liquidity_relief.card"]),
            wealth=(v["effect.wealth_relief.instalment"], v["effect.wealth_relief.card"]),
            take_up=v["plan.take_up"],
            promise=v["promise.per_conversation"],
            complaint_base=v["complaint.base"],
            complaint_tone=np.array(
                [v["complaint.supportive_tone"], 1.0, v["complaint.firm_tone"]]
            ),
            complaint_visit=v["complaint.visit"],
            complaint_extra=v["complaint.per_extra_contact"],
        )

    def reference_lift(self) -> float:
        written = REFERENCE_WRITTEN * self.reach[WRITTEN]
        human = REFERENCE_HUMAN_CALLS * self.reach[HUMAN]
        dose = repeated(np.array([written, human]), self.repeat)
        return float(dose @ self.per_contact[[WRITTEN, HUMAN]])


def repeated(reached: FloatArray, repeat: float) -> FloatArray:
    """Effect of ``reached`` contacts (a Poisson mean) in units of the first contact's effect.

    The k-th reached contact adds ``repeat ** (k - 1)`` of the first's effect, so the
    total is ``E[(1 - repeat ** N) / (1 - repeat)]`` for N ~ Poisson(reached), which is
    ``(1 - exp(-reached · (1 - repeat))) / (1 - repeat)``: never more than
    ``1 / (1 - repeat)`` first contacts, however many calls are made.
    """
    result: FloatArray = -np.expm1(-reached * (1.0 - repeat)) / (1.0 - repeat)
    return result


@dataclass(frozen=True)
class ComboTable:
    """Per combo (channel, tone) of a program: its group, tone and whether it is a contact."""

    group: npt.NDArray[np.int64]
    tone: npt.NDArray[np.int64]
    contact: npt.NDArray[np.bool_]
    groups: FloatArray  # (combos, 5) one-hot
    tones: FloatArray  # (combos, 3) one-hot

    @classmethod
    def of(cls, combos: tuple[tuple[Channel, Tone], ...]) -> ComboTable:
        group = np.array([GROUP_OF[c] for c, _ in combos], dtype=np.int64)
        tone = np.array([TONES.index(t) for _, t in combos], dtype=np.int64)
        groups = np.zeros((len(combos), 5))
        groups[np.arange(len(combos)), group] = 1.0
        tones = np.zeros((len(combos), 3))
        tones[np.arange(len(combos)), tone] = 1.0
        return cls(group, tone, group != LEGAL, groups, tones)


def promise_share(attempts: FloatArray, combos: ComboTable, effects: Effects) -> FloatArray:
    """Share of the window under an active promise: conversations × promise × its days."""
    calls = attempts @ combos.groups[:, [ROBOT, HUMAN]]
    conversations = calls @ effects.reach[[ROBOT, HUMAN]]
    result: FloatArray = np.minimum(1.0, conversations * effects.promise * PROMISE_DAYS / 30.0)
    return result


def contact_lift(
    attempts: FloatArray, combos: ComboTable, effects: Effects
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(lift, reached contacts, weekly attempts beyond the free ones) per account.

    Lift is in log odds against the reference treatment: contacts by group with
    diminishing returns (:func:`repeated`), the tone mix of reached contacts,
    fatigue beyond three attempts a week, a legal referral.
    """
    by_group = attempts @ combos.groups
    reached_group = by_group * effects.reach
    reached = reached_group[:, :LEGAL].sum(axis=1)
    lift = repeated(reached_group[:, :LEGAL], effects.repeat) @ effects.per_contact[:LEGAL]
    lift += effects.legal_referral * np.minimum(1.0, by_group[:, LEGAL])
    reached_combo = attempts * effects.reach[combos.group] * combos.contact
    by_tone = reached_combo @ combos.tones
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            reached[:, None] > 0, by_tone / np.where(reached > 0, reached, 1)[:, None], 0
        )
    lift += effects.supportive * share[:, 0] + effects.firm * share[:, 2]
    weekly = (attempts * combos.contact).sum(axis=1) * DAYS_PER_WEEK / 30.0
    excess = np.maximum(0.0, weekly - FATIGUE_FREE_PER_WEEK)
    lift += effects.fatigue * excess
    result: FloatArray = lift - effects.reference_lift()
    return result, reached, excess


def complaint_rate(
    attempts: FloatArray, excess: FloatArray, combos: ComboTable, effects: Effects
) -> FloatArray:
    """Expected complaints per account in the month."""
    reached_combo = attempts * effects.reach[combos.group] * combos.contact
    per_combo = effects.complaint_base * effects.complaint_tone[combos.tone]
    per_combo = per_combo * np.where(combos.group == VISIT, effects.complaint_visit, 1.0)
    result: FloatArray = (reached_combo @ per_combo) * effects.complaint_extra**excess
    return result


@dataclass(frozen=True)
class CellEffects:
    """One run's view of every cell: what its month does, held by a hold or not."""

    attempts: FloatArray  # (cells, combos) made, promises weighed
    planned: FloatArray  # (cells, combos) before the gate's caps
    held_attempts: FloatArray  # (cells, combos) what is left under a hold: referrals only
    lift: FloatArray
    held_lift: FloatArray
    reached: FloatArray
    complaints: FloatArray  # expected complaints over the whole window


def cell_effects(
    steady: FloatArray,
    paused: FloatArray,
    steady_planned: FloatArray,
    paused_planned: FloatArray,
    combos: ComboTable,
    effects: Effects,
) -> CellEffects:
    share = promise_share(steady + paused, combos, effects)[:, None]
    attempts = steady + (1.0 - share) * paused
    planned = steady_planned + (1.0 - share) * paused_planned
    held = attempts * ~combos.contact
    lift, reached, excess = contact_lift(attempts, combos, effects)
    held_lift, _, _ = contact_lift(held, combos, effects)
    complaints = complaint_rate(attempts, excess, combos, effects)
    return CellEffects(attempts, planned, held, lift, held_lift, reached, complaints)


def tilt(probability: FloatArray, lift: FloatArray) -> FloatArray:
    """``probability`` with its odds multiplied by ``exp(lift)``."""
    odds_ratio = np.exp(lift)
    result: FloatArray = odds_ratio * probability / (1.0 - probability + odds_ratio * probability)
    return result
