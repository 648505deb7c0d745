"""``tideover serve`` in demo mode runs the console's background jobs itself, in a real
process on loopback: a job queued before it starts is taken and finished; in test mode
nothing takes it (``tideover worker`` does)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import TEST_PII_KEY

from tideover.bootstrap import open_app
from tideover.config import Settings
from tideover.services.access.signin import set_password
from tideover.services.identity.users import add_user
from tideover.services.jobs import job_info, start_job

TIDEOVER = str(Path(sys.executable).parent / "tideover")
PASSWORD = "correct horse battery staple"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _queued_job(settings: Settings) -> str:
    at = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    with open_app(settings) as app:
        with app.uow() as uow:
            uow.platforms.ensure("acme", name="Acme", currency="CNY", settings={})
            uow.commit()
        user = add_user(uow=app.uow(), platform="acme", username="lead", roles=["team_lead"],
                        at=at)  # fmt: skip
        job = start_job(uow=app.uow(), platform="acme", kind="assign",
                        params={"as_of": "2026-06-01"}, created_by=user.user_id, at=at)  # fmt: skip
    return job.job_id


def _state(settings: Settings, job_id: str) -> str:
    with open_app(settings) as app:
        return job_info(uow=app.uow(), platform="acme", job_id=job_id).state


@pytest.mark.own_users
@pytest.mark.parametrize(("mode", "taken"), [("demo", True), ("test", False)])
def test_serve_runs_the_jobs_only_in_demo_mode(tmp_path: Path, mode: str, taken: bool) -> None:
    url = f"sqlite:///{tmp_path / 'tideover.db'}"
    settings = Settings(mode=mode, database_url=url, pii_key=TEST_PII_KEY, data_dir=tmp_path)
    env = {**os.environ, "TIDEOVER_MODE": mode, "TIDEOVER_DATABASE_URL": url,
           "TIDEOVER_PII_KEY": TEST_PII_KEY, "TIDEOVER_DATA_DIR": str(tmp_path),
           "TIDEOVER_LOCALE": "en"}  # fmt: skip
    subprocess.run([TIDEOVER, "init"], env=env, check=True, capture_output=True, timeout=120)
    job_id = _queued_job(settings)
    port = _free_port()
    server = subprocess.Popen(
        [TIDEOVER, "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        up = False
        while time.monotonic() < deadline and not up:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    up = r.status == 200
            except OSError:
                time.sleep(0.3)
        assert up, "the console did not come up"
        state = _state(settings, job_id)
        while taken and state in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.3)
            state = _state(settings, job_id)
        assert state == ("done" if taken else "queued")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert ("background jobs run in this process" in output) is taken


def _worker_pids(pid: int) -> list[int]:
    """The worker processes ``pid`` has spawned (multiprocessing's ``spawn_main``)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != pid:
                continue
            if b"spawn_main" in (stat.parent / "cmdline").read_bytes():
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


def _workers(pid: int) -> int:
    return len(_worker_pids(pid))


LISTEN = "0A"  # the state column of /proc/net/tcp


def _sockets(pid: int, port: int, state: str) -> set[str]:
    """The inodes of the TCP sockets on local ``port`` in ``state`` that ``pid`` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == state and fields[9] in inodes:
                found.add(fields[9])
    return found


@pytest.mark.own_users
def test_serve_with_two_workers_shares_sessions_between_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tideover.db'}"
    settings = Settings(mode="test", database_url=url, pii_key=TEST_PII_KEY, data_dir=tmp_path)
    env = {**os.environ, "TIDEOVER_MODE": "test", "TIDEOVER_DATABASE_URL": url,
           "TIDEOVER_PII_KEY": TEST_PII_KEY, "TIDEOVER_DATA_DIR": str(tmp_path),
           "TIDEOVER_LOCALE": "en"}  # fmt: skip
    subprocess.run([TIDEOVER, "init"], env=env, check=True, capture_output=True, timeout=120)
    at = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
    with open_app(settings) as app:
        with app.uow() as uow:
            uow.platforms.ensure("acme", name="Acme", currency="CNY", settings={})
            uow.commit()
        add_user(uow=app.uow(), platform="acme", username="lead", roles=["team_lead"], at=at)
        set_password(uow=app.uow(), platform="acme", username="lead", password=PASSWORD, by=None,
                     at=at)  # fmt: skip
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [TIDEOVER, "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/login", timeout=2) as r:
                    if r.status == 200 and _workers(server.pid) == 2:
                        break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            raise AssertionError("two workers did not come up")
        signed = urllib.request.urlopen(
            urllib.request.Request(
                f"{base}/api/v1/session",
                data=json.dumps(
                    {"platform": "acme", "username": "lead", "password": PASSWORD}
                ).encode(),
                headers={"Content-Type": "application/json"},
            ),
            timeout=10,
        )
        cookie = signed.headers["Set-Cookie"].split(";", 1)[0]
        assert "Secure" not in signed.headers["Set-Cookie"]  # plain HTTP on loopback, test mode
        for _ in range(12):  # new connections: either worker may answer, both know the session
            me = urllib.request.Request(f"{base}/api/v1/me", headers={"Cookie": cookie})
            with urllib.request.urlopen(me, timeout=10) as answer:
                assert json.loads(answer.read())["username"] == "lead"
        # Each worker listens on a socket of its own (SO_REUSEPORT), so the kernel spreads
        # new connections over them; on one shared socket the first worker to wake accepts a
        # whole burst of them, and a client that keeps them open loads that worker alone.
        listening = [_sockets(worker, port, LISTEN) for worker in _worker_pids(server.pid)]
        assert all(len(found) == 1 for found in listening), listening
        assert not listening[0] & listening[1]
        assert not _sockets(server.pid, port, LISTEN)  # the parent only watches
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.mark.own_users
def test_serve_stops_every_worker_when_one_cannot_start(tmp_path: Path) -> None:
    """The port held by another program: the workers cannot listen, and the command says
    so and ends with status 1 rather than serving with fewer workers or hanging."""
    url = f"sqlite:///{tmp_path / 'tideover.db'}"
    env = {**os.environ, "TIDEOVER_MODE": "test", "TIDEOVER_DATABASE_URL": url,
           "TIDEOVER_PII_KEY": TEST_PII_KEY, "TIDEOVER_DATA_DIR": str(tmp_path),
           "TIDEOVER_LOCALE": "en"}  # fmt: skip
    subprocess.run([TIDEOVER, "init"], env=env, check=True, capture_output=True, timeout=120)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [TIDEOVER, "serve", "--port", str(port), "--workers", "2"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 1
    assert "a web worker stopped on its own" in done.stdout
    assert f"cannot listen on 127.0.0.1 port {port}: Address already in use" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
