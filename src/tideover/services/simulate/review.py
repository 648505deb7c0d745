"""Simulate before approve: a submitted version is simulated against the active one.

When a version is submitted, :func:`queue_review_simulation` (called inside the
submission's unit of work, so both are stored or neither) records a request
and queues a background job of kind ``simulate`` that a worker runs
(``tideover worker``): the candidate and the version active at submission,
compared on the platform's stored book with the review's settings.  The
comparison is stored with the version; ``policy show``, the API's version
detail and the console's version page read it with :func:`review_simulation`,
which says plainly when it is queued, running, failed or never started.

Approval does **not** wait for it: a fix that must go out today (a template a
regulator objected to, a cap set wrongly) cannot be held behind a queue of
Monte Carlo jobs, and a platform too young for its own behaviour model would
never be able to approve anything.  The approver sees the simulation's state
beside the approve button, and the approval's audit record keeps that state
(:func:`review_state_for_audit`), so a version approved before its simulation
finished is on record as such.

A submitter who is not a stored user (a CLI script) gets the request without
a job (``not_started``); ``tideover simulate review VERSION`` runs it in place,
as does asking again after the active version changed.
"""

from __future__ import annotations

from pathlib import Path

from tideover.domain.clock import Clock, SystemClock
from tideover.services.common import ProgressFn, no_progress
from tideover.services.policy.versions import show_policy_version
from tideover.services.results import Result
from tideover.services.simulate.requests import queue_review_simulation, review_of
from tideover.services.simulate.results import ComparisonReport, ReviewSimulation, VersionReview
from tideover.services.simulate.run import Asked
from tideover.services.simulate.settings import (
    DEFAULT_MONTHS,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    REVIEW_SETTINGS,
)
from tideover.services.unit_of_work import UnitOfWork


class ReviewSimulated(Result):
    """What the job stores in its own record: the version and a one-line outcome."""

    version: int
    against_version: int | None
    scenario: str
    seconds: float


def run_review_simulation(
    *,
    uow: UnitOfWork,
    platform: str,
    version: int,
    data_dir: Path,
    cache_dir: Path,
    by: str = "system",
    again: bool = False,
    clock: Clock | None = None,
    progress: ProgressFn = no_progress,
) -> ComparisonReport:
    """Simulate ``version`` against the version its request names, and store the comparison.

    With no request (or ``again``), one is made first against today's active version.
    """
    from tideover.services.simulate.run import compare_policies

    clock = clock or SystemClock()
    with uow:
        uow.policies(platform).get(version)  # NotFound for an unknown version, before any work
        stored = uow.simulations(platform).get(version)
        if stored is None or again:
            active = uow.policies(platform).active()
            against = None if active is None else active.version.number
            job_id = None if stored is None or again else stored.job_id
            uow.simulations(platform).request(
                version=version,
                against_version=against if against != version else None,
                settings=dict(REVIEW_SETTINGS),
                job_id=job_id,
                requested_by=by,
                requested_at=clock.now(),
            )
            uow.commit()
            stored = uow.simulations(platform).get(version)
    assert stored is not None
    settings = stored.settings
    names = [str(version)] if stored.against_version is None else [
        str(stored.against_version), str(version)
    ]  # fmt: skip
    report = compare_policies(
        uow=uow,
        platform=platform,
        policies=names,
        asked=Asked(
            months=int(settings.get("months", DEFAULT_MONTHS)),
            runs=int(settings.get("runs", DEFAULT_RUNS)),
            seed=int(settings.get("seed", DEFAULT_SEED)),
            behaviour=str(settings.get("behaviour", "auto")),
        ),
        data_dir=data_dir,
        cache_dir=cache_dir,
        clock=clock,
        progress=progress,
    )
    with uow:
        uow.simulations(platform).finish(version, result=report.to_json(), at=clock.now())
        uow.commit()
    return report


def run_review_job(
    *,
    uow: UnitOfWork,
    platform: str,
    version: int,
    data_dir: Path,
    cache_dir: Path,
    clock: Clock,
    progress: ProgressFn,
) -> ReviewSimulated:
    """The ``simulate`` job: the review's comparison, stored with the version."""
    report = run_review_simulation(
        uow=uow,
        platform=platform,
        version=version,
        data_dir=data_dir,
        cache_dir=cache_dir,
        clock=clock,
        progress=progress,
    )
    against = report.policies[0].source.version if report.differences else None
    return ReviewSimulated(
        version=version,
        against_version=against,
        scenario=report.behaviour.scenario,
        seconds=report.seconds,
    )


def review_simulation(*, uow: UnitOfWork, platform: str, version: int) -> ReviewSimulation:
    """The simulation attached to ``version`` and where it stands."""
    with uow:
        uow.policies(platform).get(version)  # NotFound outside the caller's platform
        stored = uow.simulations(platform).get(version)
        job = None
        if stored is not None and stored.job_id is not None:
            job = uow.jobs.get(platform, stored.job_id)
    return review_of(version, stored, job)


def request_review_again(
    *, uow: UnitOfWork, platform: str, version: int, by: str, clock: Clock | None = None
) -> ReviewSimulation:
    """Queue the review's simulation of ``version`` again (against today's active version):
    after a failure, or once the active version changed."""
    at = (clock or SystemClock()).now()
    with uow:
        uow.policies(platform).get(version)  # NotFound outside the caller's platform
        queue_review_simulation(uow, platform=platform, version=version, by=by, at=at)
        uow.commit()
    return review_simulation(uow=uow, platform=platform, version=version)


def review_version(*, uow: UnitOfWork, platform: str, version: int) -> VersionReview:
    """A version's detail with the simulation its review reads."""
    detail = show_policy_version(uow=uow, platform=platform, version=version)
    simulation = review_simulation(uow=uow, platform=platform, version=version)
    return VersionReview.model_validate({**dict(detail), "simulation": simulation})
