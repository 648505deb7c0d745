"""``tideover serve`` in demo mode runs the console's background jobs itself, in a real
process on loopback: a job queued before it starts is taken and finished; in test mode
nothing takes it (``tideover worker`` does)."""

from __future__ import annotations

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
from tideover.services.identity.users import add_user
from tideover.services.jobs import job_info, start_job

TIDEOVER = str(Path(sys.executable).parent / "tideover")


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
