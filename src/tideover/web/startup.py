"""Starting the console: what it refuses outside demo mode (the demo's known accounts), and
the app each worker process serves when ``tideover serve --workers N`` runs several."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import socket
import sys
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any

from tideover.bootstrap import App, open_app
from tideover.config import load_settings
from tideover.domain.errors import ConfigurationError
from tideover.i18n import N_, Texts, system_language
from tideover.services.demo.people import DEMO_CREATOR

if TYPE_CHECKING:
    from fastapi import FastAPI

# Set by ``tideover serve`` for its worker processes: "0" when it chose plain-HTTP cookies.
SECURE_COOKIES = "TIDEOVER_SERVE_SECURE_COOKIES"
WORKER_APP = "tideover.web.startup:worker_app"
STOP_GRACE = 30.0  # seconds a worker has to finish its requests once asked to stop
# How long a thread holding the interpreter keeps it while another waits (CPython's
# default is 5 ms): see ``settle_worker``.
SWITCH_INTERVAL = 0.001

log = logging.getLogger(__name__)


def refuse_unsafe_accounts(core: App) -> None:
    """Refuse demo accounts outside demo mode (the PII key is checked by the settings)."""
    if core.settings.mode == "demo":
        return
    with core.uow() as uow:
        for platform in uow.platforms.list():
            for user in uow.users(platform.code).list():
                if user.active and user.created_by == DEMO_CREATOR:
                    raise ConfigurationError(
                        N_(
                            "platform %(platform)s has the demo's user %(username)s, whose "
                            "password is public; deactivate it before serving outside demo mode"
                        ),
                        platform=repr(platform.code),
                        username=repr(user.username),
                    )


def worker_app() -> FastAPI:
    """The app of one worker process of ``tideover serve --workers N`` (uvicorn imports and
    calls this in each): the settings from the environment, as the command read them."""
    from tideover.web.app import create_app

    core = open_app(load_settings())
    app = create_app(core, secure_cookies=os.environ.get(SECURE_COOKIES, "1") != "0")
    settle_worker()
    return app


def settle_worker() -> None:
    """Readies a serving process once its app is built: the heap frozen (``settle_heap``)
    and the interpreter handed between threads every ``SWITCH_INTERVAL`` seconds.

    A request runs in a worker thread and goes to the database a dozen times (the borrower
    360 twelve); each time the answer comes back, its thread needs the interpreter again.
    While another request's thread computes, CPython makes the waiting thread wait up to
    the switch interval, 5 ms by default, at each of those returns.  At 1 ms a waiting
    thread gets the interpreter back five times sooner; a thread that is alone runs as
    before.  Measured: two threads reading 360s at once in one process on a busy machine,
    p50 37-40 ms at 5 ms and 30 ms at 1 ms; at 50 users on a quiet machine the 360's
    figures were the same within the run-to-run noise (``bench/RESULTS.md``).
    """
    settle_heap()
    sys.setswitchinterval(SWITCH_INTERVAL)


def settle_heap() -> None:
    """Moves what starting the app made (modules, routes, schemas, catalogues: several
    hundred thousand objects that live as long as the process) out of the collector's sight.

    Python's full collection walks every tracked object; in a worker that has built the
    app, one took about 97 ms and fell on whichever request was running — the slowest
    borrower 360s of a run were such pauses.  Frozen (``gc.freeze``), a full collection
    walks only what requests made since: a few milliseconds, and the slowest of 3,000
    borrower 360s read one after the other went from 108 to 42 ms.
    """
    gc.collect()
    gc.freeze()


# --- several worker processes, each with its own listening socket ------------------------------


def serve_workers(
    *, host: str, port: int, workers: int, app: str = WORKER_APP, app_dir: str | None = None
) -> int:
    """Serves ``app`` (the import string of an app factory) in ``workers`` processes until
    SIGINT or SIGTERM; returns the exit status (0, or 1 if a worker stopped on its own).

    Each worker listens on a socket of its own bound with ``SO_REUSEPORT``, so the kernel
    spreads new connections over the workers.  On one shared socket (uvicorn's
    ``--workers``) the first worker to wake accepts a whole burst of connections, and a
    client that keeps its connections open (a browser, a proxy, a load tool) then loads one
    worker while the others idle: measured with 50 keep-alive clients, one worker did 93 %
    of the work and the 360's p99 was ten times its p50.  Where the platform has no
    ``SO_REUSEPORT``, uvicorn's own supervisor serves instead.
    """
    import uvicorn

    if not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(app, factory=True, workers=workers, host=host, port=port,
                    app_dir=app_dir or ".", log_level="warning", server_header=False,
                    proxy_headers=False)  # fmt: skip
        return 0
    spawn = multiprocessing.get_context("spawn")
    processes = [
        spawn.Process(target=_worker, args=(app, app_dir, host, port), name=f"tideover-web-{n}")
        for n in range(workers)
    ]
    stopping: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda sig, _frame: stopping.append(sig))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        for process in processes:
            process.start()
        by_sentinel = {p.sentinel: p for p in processes}
        ended: list[Any] = []
        while not stopping and not ended:
            ended = wait(list(by_sentinel), timeout=0.5)
        failed = not stopping
        for sentinel in ended:
            gone = by_sentinel[sentinel]
            gone.join()
            log.warning("web worker %s stopped with status %s", gone.name, gone.exitcode)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests under way
        for process in processes:
            process.join(STOP_GRACE)
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 1 if failed else 0


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host``:``port`` with ``SO_REUSEPORT``: one per worker."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def _worker(app: str, app_dir: str | None, host: str, port: int) -> None:
    """One worker process: its own socket, one uvicorn server on it.  Ctrl-C in a terminal
    reaches the parent only (a process group of its own); the parent asks with SIGTERM."""
    import uvicorn

    os.setpgid(0, 0)
    if app_dir:
        sys.path.insert(0, app_dir)
    config: Any = uvicorn.Config(
        app, factory=True, host=host, port=port, log_level="warning", server_header=False,
        proxy_headers=False,
    )  # fmt: skip
    try:
        sock = listening_socket(host, port)
    except OSError as exc:
        print(
            Texts(system_language(dict(os.environ))).gettext(
                N_("cannot listen on %(host)s port %(port)s: %(reason)s"),
                host=host,
                port=port,
                reason=exc.strerror or type(exc).__name__,
            ),
            file=sys.stderr,
        )
        sys.exit(1)
    uvicorn.Server(config).run(sockets=[sock])
