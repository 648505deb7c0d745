"""Use cases: a policy moved forward over a platform's stored book, and policies compared.

Everything a run is asked is checked before any work — the platform, the
months and runs, the behaviour model (and, for the platform's own, whether its
history is enough), the prior file, each policy (a stored version, ``active``,
or a file, written for the platform's jurisdiction) and the rule packs — then
the book is built from the stored portfolio, the model is fitted, and each
policy is simulated on the same book with the same seed: common random
numbers, so two policies differ only by policy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tideover.domain.clock import Clock, SystemClock, business_date
from tideover.services.common import ProgressFn, no_progress
from tideover.services.platforms import check_platform_code, settings_of
from tideover.services.scoring.registry import platform_registry
from tideover.services.simulate.behaviour import (
    Behaviour,
    ChosenModel,
    behaviour_of,
    check_own_history,
    choose_model,
    reference_model,
)
from tideover.services.simulate.book import StoredBook, stored_book
from tideover.services.simulate.inputs import (
    ChosenPolicy,
    checked_priors,
    checked_range,
    platform_gate,
    resolve_policies,
)
from tideover.services.simulate.outcomes import comparison_of, policy_run, settings_summary
from tideover.services.simulate.results import ComparisonReport, SimulationReport
from tideover.services.simulate.settings import DEFAULT_MONTHS, DEFAULT_RUNS, DEFAULT_SEED
from tideover.services.unit_of_work import UnitOfWork
from tideover.simulate.behaviour import BehaviourModel
from tideover.simulate.engine import Settings, simulate
from tideover.simulate.errors import NotEnoughHistory
from tideover.simulate.gate import MonthGate
from tideover.simulate.priors import PriorSet
from tideover.simulate.program import Program
from tideover.simulate.results import SimulationResult


@dataclass(frozen=True)
class Asked:
    """A simulation's settings as asked (checked by :func:`prepare`)."""

    months: int = DEFAULT_MONTHS
    runs: int = DEFAULT_RUNS
    seed: int = DEFAULT_SEED
    behaviour: str = Behaviour.AUTO.value
    priors: Path | None = None
    prior_uncertainty: bool = True
    as_of: date | None = None


@dataclass(frozen=True)
class Prepared:
    """Everything checked, nothing heavy done yet."""

    platform: str
    as_of: date
    policies: list[ChosenPolicy]
    priors: PriorSet
    gate: MonthGate
    behaviour: Behaviour
    reference: ChosenModel | None  # fitted up front when the model is a reference one
    fallback: NotEnoughHistory | None  # why ``auto`` will not use the platform's own
    cache_dir: Path


def prepare(
    *,
    uow: UnitOfWork,
    platform: str,
    policies: list[str],
    asked: Asked,
    cache_dir: Path,
    clock: Clock | None = None,
) -> Prepared:
    """Check every input, cheapest first; a bad one is refused before any work."""
    check_platform_code(platform)
    with uow:
        settings = settings_of(uow, platform)
        last = uow.cycle(platform).last_completed_date()
    checked_range(asked.months, asked.runs)
    behaviour = behaviour_of(asked.behaviour)
    priors = checked_priors(asked.priors)
    chosen = resolve_policies(uow, platform, policies)
    gate = platform_gate(uow, platform, chosen)
    # The book as the last daily cycle saw it, else the platform's business date today.
    as_of = asked.as_of or last or business_date(clock or SystemClock(), settings.time_zone)
    fallback: NotEnoughHistory | None = None
    if behaviour in (Behaviour.OWN, Behaviour.AUTO):
        try:
            check_own_history(uow=uow, platform=platform, as_of=as_of)
        except NotEnoughHistory as thin:
            if behaviour is Behaviour.OWN:
                raise
            fallback = thin
    reference = None
    if behaviour in (Behaviour.NORMAL, Behaviour.STRESS) or fallback is not None:
        # Reading and fitting the reference data also proves they are in the cache.
        reference = reference_model(
            Behaviour.NORMAL if fallback is not None else behaviour, cache_dir
        )
    return Prepared(
        platform, as_of, chosen, priors, gate, behaviour, reference, fallback, cache_dir
    )


def _book_and_model(
    uow: UnitOfWork, prepared: Prepared, data_dir: Path, progress: ProgressFn, steps: int
) -> tuple[StoredBook, ChosenModel]:
    progress("book", 0, steps)
    book = stored_book(
        uow=uow,
        platform=prepared.platform,
        as_of=prepared.as_of,
        model_registry=platform_registry(data_dir, prepared.platform),
    )
    progress("behaviour", 1, steps)
    bands = dict(
        zip(
            book.book.account_ids,
            [b or "*" for b in book.features["band"].to_pylist()],
            strict=True,
        )
    )
    model = choose_model(
        uow=uow,
        platform=prepared.platform,
        as_of=prepared.as_of,
        behaviour=prepared.behaviour,
        bands=bands,
        reference=prepared.reference,
        fallback=prepared.fallback,
        cache_dir=prepared.cache_dir,
    )
    return book, model


def _simulate(
    prepared: Prepared, choice: ChosenPolicy, book: StoredBook, model: BehaviourModel, asked: Asked
) -> SimulationResult:
    program = Program.build(choice.compiled, gate=prepared.gate, priors=prepared.priors)
    settings = Settings(
        months=asked.months,
        runs=asked.runs,
        seed=asked.seed,
        platform=prepared.platform,
        prior_uncertainty=asked.prior_uncertainty,
    )
    return simulate(
        program=program, model=model, book=book.book, priors=prepared.priors, settings=settings
    )


def simulate_policy(
    *,
    uow: UnitOfWork,
    platform: str,
    policy: str,
    asked: Asked,
    data_dir: Path,
    cache_dir: Path,
    clock: Clock | None = None,
    progress: ProgressFn = no_progress,
) -> SimulationReport:
    """``policy`` moved forward over the platform's stored book, month by month."""
    started = time.perf_counter()
    prepared = prepare(
        uow=uow, platform=platform, policies=[policy], asked=asked, cache_dir=cache_dir, clock=clock
    )
    book, model = _book_and_model(uow, prepared, data_dir, progress, 3)
    progress("simulate", 2, 3)
    choice = prepared.policies[0]
    result = _simulate(prepared, choice, book, model.model, asked)
    progress("simulate", 3, 3)
    return SimulationReport(
        platform=platform,
        book=book.summary,
        behaviour=model.summary,
        settings=settings_summary(asked, prepared),
        run=policy_run(choice.source, result),
        seconds=round(time.perf_counter() - started, 2),
    )


def compare_policies(
    *,
    uow: UnitOfWork,
    platform: str,
    policies: list[str],
    asked: Asked,
    data_dir: Path,
    cache_dir: Path,
    clock: Clock | None = None,
    progress: ProgressFn = no_progress,
) -> ComparisonReport:
    """Each policy on the same book and draws; every one after the first against the first."""
    started = time.perf_counter()
    prepared = prepare(
        uow=uow, platform=platform, policies=policies, asked=asked, cache_dir=cache_dir, clock=clock
    )
    return compare_prepared(
        uow=uow, prepared=prepared, asked=asked, data_dir=data_dir, progress=progress,
        started=started,
    )  # fmt: skip


def compare_prepared(
    *,
    uow: UnitOfWork,
    prepared: Prepared,
    asked: Asked,
    data_dir: Path,
    progress: ProgressFn = no_progress,
    started: float | None = None,
) -> ComparisonReport:
    """:func:`compare_policies` once :func:`prepare` has checked everything."""
    began = time.perf_counter() if started is None else started
    steps = 2 + len(prepared.policies)
    book, model = _book_and_model(uow, prepared, data_dir, progress, steps)
    results = []
    for index, choice in enumerate(prepared.policies):
        progress(f"simulate {choice.source.label}", 2 + index, steps)
        results.append(_simulate(prepared, choice, book, model.model, asked))
    progress("compare", steps, steps)
    return comparison_of(
        platform=prepared.platform,
        book=book.summary,
        behaviour=model.summary,
        settings=settings_summary(asked, prepared),
        sources=[c.source for c in prepared.policies],
        results=results,
        seconds=round(time.perf_counter() - began, 2),
        priors=prepared.priors,
    )
