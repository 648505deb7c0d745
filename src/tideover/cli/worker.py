"""``tideover worker``: run the background jobs the console queues."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from tideover.cli.labels import label
from tideover.cli.output import console


def worker(
    once: Annotated[bool, typer.Option("--once", help="Run the queued jobs, then stop.")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between looks at an empty queue.")] = 2.0,
) -> None:
    """Run queued jobs one at a time until stopped (Ctrl-C), or until the queue is empty."""
    from tideover.bootstrap import open_app
    from tideover.domain.clock import SystemClock
    from tideover.services.jobs import run_next_job

    with open_app() as app_:
        while True:
            job = run_next_job(
                uow_factory=app_.uow, clock=SystemClock(), data_dir=app_.settings.data_dir
            )
            if job is not None:
                state = label("job", job.state)
                console.print(f"{job.kind} {job.job_id}: {state}", markup=False)
                continue
            if once:
                return
            time.sleep(poll)
