"""Background jobs: long work started from the console, run by ``tideover worker``.

A job is stored before it runs (``queued``), claimed by one worker
(``running``, with a heartbeat), and ends ``done`` with its typed result or
``failed`` with a coded, scrubbed message.  A worker that dies leaves its job
``running`` with a stale heartbeat; the next worker puts it back in the queue,
so a job survives a restart of the web process or of the worker.  What each
kind of job does is a handler in :data:`KINDS`: the same use case the CLI calls.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import JsonValue

from tideover.adapters.repositories import JobRecord
from tideover.domain.clock import Clock
from tideover.domain.errors import NotFound, TideoverError, ValidationError
from tideover.domain.redact import scrub
from tideover.i18n import N_
from tideover.services.results import Instant, Result
from tideover.services.unit_of_work import UnitOfWork

STALE_AFTER = timedelta(minutes=2)


class JobInfo(Result):
    """A job as the console shows it: what, how far, and its result or error."""

    job_id: str
    kind: str
    params: dict[str, JsonValue]
    state: str
    progress_label: str | None
    progress_done: int
    progress_total: int
    result: dict[str, JsonValue] | None
    error: str | None
    created_at: Instant
    started_at: Instant | None
    finished_at: Instant | None

    @classmethod
    def of(cls, record: JobRecord) -> JobInfo:
        return cls(
            job_id=record.job_id,
            kind=record.kind,
            params=record.params,
            state=record.state,
            progress_label=record.progress_label,
            progress_done=record.progress_done,
            progress_total=record.progress_total,
            result=record.result,
            error=record.error,
            created_at=record.created_at,
            started_at=record.started_at,
            finished_at=record.finished_at,
        )


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a job's handler gets: where, who asked, its parameters, and how to report."""

    platform: str
    created_by: int
    params: Mapping[str, Any]
    uow_factory: Callable[[], UnitOfWork]
    clock: Clock
    data_dir: Path
    progress: Callable[[str, int, int], None]


JobHandler = Callable[[JobContext], Result]


def _cycle(context: JobContext) -> Result:
    from tideover.services.cycle.run import run_cycle
    from tideover.services.scoring.registry import platform_registry

    return run_cycle(
        uow=context.uow_factory(),
        platform=context.platform,
        as_of=date.fromisoformat(str(context.params["as_of"])),
        clock=context.clock,
        model_registry=platform_registry(context.data_dir, context.platform),
        progress=context.progress,
    )


def _impact(context: JobContext) -> Result:
    from tideover.services.policy.assignment import impact_of_version
    from tideover.services.scoring.registry import platform_registry

    return impact_of_version(
        uow=context.uow_factory(),
        platform=context.platform,
        version=int(context.params["version"]),
        as_of=date.fromisoformat(str(context.params["as_of"])),
        model_registry=platform_registry(context.data_dir, context.platform),
    )


def _assign(context: JobContext) -> Result:
    # A day's queue takes 1.2 s at 10,000 items and 5-8 s at 100,000 (bench/RESULTS.md).
    from tideover.services.queues.items import assign_queue

    context.progress("assign", 0, 1)
    return assign_queue(
        uow=context.uow_factory(),
        platform=context.platform,
        as_of=date.fromisoformat(str(context.params["as_of"])),
        clock=context.clock,
    )


def _import(context: JobContext) -> Result:
    # A file above the console's in-request size (services/portfolio/uploads.py).
    from tideover.services.portfolio.uploads import import_kind, import_upload

    context.progress("import", 0, 1)
    return import_upload(
        uow=context.uow_factory(),
        platform=context.platform,
        kind=import_kind(str(context.params["kind"])),
        data_dir=context.data_dir,
        upload_id=str(context.params["upload"]),
        clock=context.clock,
    )


def _simulate(context: JobContext) -> Result:
    # Simulate before approve: a submitted version against the active one (docs/simulation.md).
    from tideover.config import load_settings
    from tideover.services.simulate.review import run_review_job

    return run_review_job(
        uow=context.uow_factory(),
        platform=context.platform,
        version=int(context.params["version"]),
        data_dir=context.data_dir,
        cache_dir=load_settings().cache_dir or context.data_dir / "cache",
        clock=context.clock,
        progress=context.progress,
    )


def _outbox(context: JobContext) -> Result:
    # The outbox worker as a job: what `tideover outbox run` does (docs/communications.md).
    from tideover.config import load_settings
    from tideover.services.comms.channels import server_channels
    from tideover.services.comms.worker import run_outbox

    channels = server_channels(load_settings(), context.data_dir)
    try:
        return run_outbox(
            uow_factory=context.uow_factory,
            platform=context.platform,
            channels=channels,
            clock=context.clock,
            progress=context.progress,
        )
    finally:
        channels.close()


KINDS: dict[str, JobHandler] = {
    "cycle": _cycle,
    "impact": _impact,
    "assign": _assign,
    "import": _import,
    "simulate": _simulate,
    "outbox": _outbox,
}


def start_job(
    *,
    uow: UnitOfWork,
    platform: str,
    kind: str,
    params: Mapping[str, JsonValue],
    created_by: int,
    at: datetime,
) -> JobInfo:
    """Queue a job of ``kind``; a worker runs it."""
    if kind not in KINDS:
        raise ValidationError(
            N_("unknown kind of job %(kind)s; known: %(kinds)s"),
            kind=repr(kind),
            kinds=tuple(KINDS),
        )
    job_id = str(uuid.uuid4())
    with uow:
        uow.jobs.enqueue(
            platform=platform,
            job_id=job_id,
            kind=kind,
            params=dict(params),
            created_by=created_by,
            at=at,
        )
        record = uow.jobs.get(platform, job_id)
        uow.commit()
    assert record is not None
    return JobInfo.of(record)


def job_info(*, uow: UnitOfWork, platform: str, job_id: str, kind: str | None = None) -> JobInfo:
    """Job ``job_id`` of ``platform`` (and of ``kind``, when given: a page of one area
    never shows another's job)."""
    with uow:
        record = uow.jobs.get(platform, job_id)
    if record is None or (kind is not None and record.kind != kind):
        raise NotFound(N_("no job %(job_id)s"), job_id=repr(job_id))
    return JobInfo.of(record)


def list_jobs(*, uow: UnitOfWork, platform: str, limit: int = 50) -> list[JobInfo]:
    with uow:
        return [JobInfo.of(r) for r in uow.jobs.list(platform, limit=limit)]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_next_job(
    *,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    data_dir: Path,
    worker: str | None = None,
    kinds: Mapping[str, JobHandler] | None = None,
) -> JobInfo | None:
    """Claim and run the oldest queued job (stale running ones first go back); None when
    the queue is empty.  Commits the claim, each progress report and the end by design."""
    handlers = KINDS if kinds is None else kinds
    name = worker or worker_name()
    with uow_factory() as uow:
        uow.jobs.requeue_stale(heartbeat_before=clock.now() - STALE_AFTER)
        job = uow.jobs.claim_next(worker=name, at=clock.now())
        uow.commit()
    if job is None:
        return None

    def progress(label: str, done: int, total: int) -> None:
        with uow_factory() as uow:
            uow.jobs.progress(job.job_pk, label=label, done=done, total=total, at=clock.now())
            uow.commit()

    context = JobContext(
        platform=job.platform,
        created_by=job.created_by,
        params=job.params,
        uow_factory=uow_factory,
        clock=clock,
        data_dir=data_dir,
        progress=progress,
    )
    result: dict[str, Any] | None = None
    error: str | None = None
    try:
        handler = handlers.get(job.kind)
        if handler is None:
            raise ValidationError(N_("unknown kind of job %(kind)s"), kind=repr(job.kind))
        result = handler(context).to_json()
    except TideoverError as exc:
        error = scrub(f"[{exc.code}] {exc.en} / {exc.zh}")
    except Exception as exc:  # a job never takes the worker down; its cause is kept, scrubbed
        error = scrub(f"[internal_error] {type(exc).__name__}: {exc}")[:2000]
    with uow_factory() as uow:
        uow.jobs.finish(job.job_pk, at=clock.now(), result=result, error=error)
        uow.commit()
        finished = uow.jobs.get(job.platform, job.job_id)
    assert finished is not None
    return JobInfo.of(finished)
