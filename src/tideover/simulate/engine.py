"""Monte Carlo over months: a book moved forward under a policy, run after run.

Each run draws every prior once and every segment's transition matrix once
(:meth:`BehaviourModel.draw`), then moves each account month by month:

1. the policy's month for the account (:mod:`tideover.simulate.exposure`, looked
   up by cell in :mod:`tideover.simulate.cells`): its segment, treatment and
   allowed attempts; a hold the pack blocks stops its contacts;
2. a current account misses its due date with the chance that makes the
   fitted roll rate come out under the reference treatment, and an account in
   its collection window may take a relief plan its segment offers;
3. the lift of its contacts, tone and plan tilts the odds of improving
   (:mod:`tideover.simulate.effects`), and the new state is drawn;
4. payments follow from the missed-payment counts; complaints are drawn from
   the reached contacts.

Randomness comes from generators seeded by (seed, stream, run, month) and drawn
per account position, never from the policy: two policies simulated on one book
with one seed see the same priors, the same matrices and the same uniform draws
(common random numbers), so their difference is the policies' alone.  States
are drawn by inversion with better states first, so a higher chance of
improving never leaves an account worse under the same draws.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from tideover.i18n import N_
from tideover.policy.model import Channel
from tideover.simulate.behaviour import BehaviourModel
from tideover.simulate.book import Book
from tideover.simulate.cells import ExposureCache
from tideover.simulate.effects import ComboTable, Effects
from tideover.simulate.errors import SimulationOutOfRange
from tideover.simulate.measures import COUNTS
from tideover.simulate.month import UNIFORMS, PerRun, Relief, RunState, Static, step
from tideover.simulate.priors import PriorSet
from tideover.simulate.program import Program
from tideover.simulate.results import SimulationResult

MAX_MONTHS = 60
MAX_RUNS = 10_000
_PRIORS, _MATRICES, _MONTH = 1, 2, 3

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Cost of one attempt, in minor units of the book's currency.  Assumptions for a
# Chinese lender in fen (a text 0.05 yuan, a collector's call 3 yuan, a visit 200
# yuan, a referral 1,000 yuan); a platform sets its own.
DEFAULT_COSTS: Mapping[Channel, int] = {
    Channel.SMS: 5,
    Channel.EMAIL: 1,
    Channel.APP_PUSH: 0,
    Channel.LETTER: 500,
    Channel.ROBOT_CALL: 30,
    Channel.HUMAN_CALL: 300,
    Channel.FIELD_VISIT: 20_000,
    Channel.LEGAL_REFERRAL: 100_000,
}


@dataclass(frozen=True)
class Settings:
    months: int
    runs: int
    seed: int
    platform: str
    costs: Mapping[Channel, int] = field(default_factory=lambda: dict(DEFAULT_COSTS))
    prior_uncertainty: bool = True  # False: every run takes each prior's median

    def __post_init__(self) -> None:
        check_range(self.months, self.runs)


def check_range(months: int, runs: int) -> None:
    """Refuse a months or runs count out of range before any work."""
    if not 1 <= months <= MAX_MONTHS:
        raise SimulationOutOfRange(
            N_("months must be 1 to %(max_months)s, not %(months)s"),
            max_months=MAX_MONTHS,
            months=months,
        )
    if not 1 <= runs <= MAX_RUNS:
        raise SimulationOutOfRange(
            N_("runs must be 1 to %(max_runs)s, not %(runs)s"),
            max_runs=MAX_RUNS,
            runs=runs,
        )


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def prior_draws(priors: PriorSet, settings: Settings) -> FloatArray:
    """Each run's draw of every prior (runs × priors), independent of the number of runs."""
    if not settings.prior_uncertainty:
        return np.repeat(priors.centres(), settings.runs, axis=0)
    rows = [priors.draw(_rng(settings.seed, _PRIORS, run), 1)[0] for run in range(settings.runs)]
    result: FloatArray = np.array(rows)
    return result


def simulate(
    *,
    program: Program,
    model: BehaviourModel,
    book: Book,
    priors: PriorSet,
    settings: Settings,
) -> SimulationResult:
    """Move ``book`` forward under ``program`` for ``settings.months``, ``settings.runs`` times."""
    arms = program.arm_index(program.arm_buckets(settings.platform, book.account_ids))
    static = Static(
        program=program,
        book=book,
        cache=ExposureCache(program, book, arms),
        combos=ComboTable.of(program.combos),
        relief=Relief.of(program),
        segment_of=model.index(book.product_labels(), book.band_labels()),
        unit_costs=np.array([settings.costs.get(c, 0) for c, _ in program.combos], dtype=np.int64),
    )
    draws = prior_draws(priors, settings)
    counts = np.zeros((settings.runs, settings.months, len(COUNTS)))
    for run in range(settings.runs):
        effects = Effects.from_draw(priors, draws[run])
        matrices = model.draw(_rng(settings.seed, _MATRICES, run))
        per_run = PerRun.of(matrices, static.segment_of, effects)
        state = RunState.start(book)
        for month in range(settings.months):
            draws_now = _rng(settings.seed, _MONTH, run, month)
            uniforms = draws_now.random((UNIFORMS, book.size), dtype=np.float32)
            counts[run, month] = step(static, state, effects, per_run, uniforms)
    return SimulationResult.of(
        policy=program.policy_id,
        scenario=model.scenario,
        pack=f"{program.gate.pack} {program.gate.version}".strip(),
        settings=(settings.months, settings.runs, settings.seed),
        counts=counts,
        prior_ids=priors.ids,
        prior_draws=draws,
    )
