"""``tideover serve``: the web console and the REST API."""

from __future__ import annotations

import ipaddress
import os
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from tideover.cli.output import _, console
from tideover.domain.errors import ConfigurationError
from tideover.i18n import N_

if TYPE_CHECKING:
    from tideover.bootstrap import App


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _demo_worker(core: App, stop: threading.Event, poll: float = 2.0) -> threading.Thread:
    """In demo mode the console runs its own jobs (elsewhere ``tideover worker`` does): a
    thread that takes the queued jobs one at a time.  Jobs are stored, so one cut short by
    a restart is taken again (``services.jobs``, stale jobs go back to the queue)."""
    from tideover.domain.clock import SystemClock
    from tideover.services.jobs import run_next_job

    def work() -> None:
        while not stop.is_set():
            try:
                job = run_next_job(
                    uow_factory=core.uow, clock=SystemClock(), data_dir=core.settings.data_dir
                )
            except Exception:
                job = None
            if job is None:
                stop.wait(poll)

    thread = threading.Thread(target=work, name="tideover-demo-worker", daemon=True)
    thread.start()
    return thread


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes (one per core is a good start); each keeps its own caches.",
            min=1,
            max=64,
        ),
    ] = 1,
) -> None:
    """Start the web console and the REST API (uvicorn).

    Plain HTTP is for a loopback address in demo mode; anywhere else the app
    sets Secure cookies and expects TLS in front of it.
    """
    import uvicorn

    from tideover.bootstrap import open_app
    from tideover.config import load_settings
    from tideover.web.app import create_app
    from tideover.web.startup import (
        SECURE_COOKIES,
        refuse_unsafe_accounts,
        serve_workers,
        settle_worker,
    )

    settings = load_settings()
    if settings.mode == "production" and settings.web_insecure:
        raise ConfigurationError(
            N_("TIDEOVER_WEB_INSECURE is refused in production mode"),
        )
    core = open_app(settings)
    refuse_unsafe_accounts(core)
    secure = not (settings.web_insecure or (settings.mode != "production" and _loopback(host)))
    console.print(
        _(
            "Tideover console on http://%(host)s:%(port)s/ (API: /api/v1/docs); Ctrl-C stops it",
            host=host,
            port=port,
        )
    )
    stop = threading.Event()
    if settings.mode == "demo":
        _demo_worker(core, stop)
        console.print(
            _("demo mode: background jobs run in this process (elsewhere: tideover worker)")
        )
    try:
        if workers == 1:
            app = create_app(core, secure_cookies=secure)
            settle_worker()
            uvicorn.run(
                app, host=host, port=port,
                log_level="warning", server_header=False, proxy_headers=False,
            )  # fmt: skip
            return
        # Each worker process builds the app afresh (worker_app), on a socket of its own.
        os.environ[SECURE_COOKIES] = "1" if secure else "0"
        if serve_workers(host=host, port=port, workers=workers):
            console.print(
                _(
                    "a web worker stopped on its own, so the others were stopped too; "
                    "the messages above say why"
                )
            )
            raise typer.Exit(1)
    finally:
        stop.set()
