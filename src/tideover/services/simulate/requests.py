"""The review's simulation requested with a submitted version, and its state read back.

Called from the policy workflow inside its own unit of work (the submission
and the approval), so this module imports nothing of the simulation itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from tideover.adapters.repositories import JobRecord, StoredSimulation
from tideover.services.results import Result
from tideover.services.simulate.results import ComparisonReport, ReviewSimulation
from tideover.services.simulate.settings import JOB_KIND, REVIEW_SETTINGS
from tideover.services.unit_of_work import UnitOfWork


def queue_review_simulation(
    uow: UnitOfWork, *, platform: str, version: int, by: str, at: datetime
) -> str | None:
    """Inside the open unit of work that stores ``version``: request its simulation against
    the active version and queue the job (when ``by`` is a stored user); the job id."""
    active = uow.policies(platform).active()
    # Against the active version; the active version itself is simulated alone.
    against = None if active is None or active.version.number == version else active.version.number
    user = uow.users(platform).by_name(by)
    job_id = None
    if user is not None and user.active:
        job_id = str(uuid.uuid4())
        uow.jobs.enqueue(
            platform=platform,
            job_id=job_id,
            kind=JOB_KIND,
            params={"version": version},
            created_by=user.user_id,
            at=at,
        )
    uow.simulations(platform).request(
        version=version,
        against_version=against,
        settings=dict(REVIEW_SETTINGS),
        job_id=job_id,
        requested_by=by,
        requested_at=at,
    )
    return job_id


def review_of(
    version: int, stored: StoredSimulation | None, job: JobRecord | None
) -> ReviewSimulation:
    if stored is None:
        return ReviewSimulation(
            version=version, against_version=None, state="not_requested", job_id=None,
            progress_label=None, progress_done=0, progress_total=0, error=None,
            requested_by=None, requested_at=None, finished_at=None, as_of=None, report=None,
        )  # fmt: skip
    report = None if stored.result is None else ComparisonReport.model_validate(stored.result)
    if report is not None:
        state = "done"
    elif job is None:
        state = "not_started"
    else:
        state = job.state if job.state in ("queued", "running", "failed") else "failed"
    error = None
    if state == "failed":
        error = job.error if job is not None and job.error else "the job ended without a result"
    return ReviewSimulation(
        version=version,
        against_version=stored.against_version,
        state=state,
        job_id=stored.job_id,
        progress_label=None if job is None or report is not None else job.progress_label,
        progress_done=0 if job is None else job.progress_done,
        progress_total=0 if job is None else job.progress_total,
        error=error,
        requested_by=stored.requested_by,
        requested_at=stored.requested_at,
        finished_at=stored.finished_at,
        as_of=None if report is None else report.book.as_of,
        report=report,
    )


class ReviewAuditState(Result):
    """The review simulation's state as the approval's audit record keeps it."""

    state: str
    job_id: str | None


def review_state_for_audit(uow: UnitOfWork, platform: str, version: int) -> ReviewAuditState:
    """Inside an open unit of work: the simulation's state as the approval's audit keeps it."""
    stored = uow.simulations(platform).get(version)
    job = None
    if stored is not None and stored.job_id is not None:
        job = uow.jobs.get(platform, stored.job_id)
    review = review_of(version, stored, job)
    return ReviewAuditState(state=review.state, job_id=review.job_id)
