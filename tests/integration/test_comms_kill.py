"""Exactly once across a crash: the worker is killed (SIGKILL) in the middle of a batch,
a second one finishes; no message arrives twice and none is lost.

The sink's file is its own journal, so every SMS is resolved exactly; an e-mail the
server accepted in the instant before the worker could note it is the one case SMTP
cannot answer: it is then failed ``send_interrupted`` — never sent a second time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from tests.conftest import TEST_PII_KEY
from tests.integration.comms_support import NOON, UowFactory, platform, queue, smtp_server

from tideover.adapters.channels.email import SmtpOutbound
from tideover.adapters.channels.outbound import SinkOutbound
from tideover.domain.clock import FixedClock
from tideover.services.comms.channels import Channels
from tideover.services.comms.outbox import list_outbox
from tideover.services.comms.worker import message_key, run_outbox

ROOT = Path(__file__).resolve().parents[2]


def _sink_keys(data: Path) -> list[str]:
    path = data / "sink" / "sms.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["key"] for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.slow
def test_kill_minus_nine_mid_batch(
    uow_factory: UowFactory, database_url: str, tmp_path: Path
) -> None:
    platform(uow_factory, borrowers=6)
    rows = [
        (f"B{i % 6}", "sms" if i % 3 else "email", "reminder_sms" if i % 3 else "reminder_email")
        for i in range(45)
    ]
    queue(uow_factory, "acme", rows)
    with smtp_server() as box:
        victim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.integration.comms_victim",
                database_url,
                str(tmp_path),
                str(box.port),
                TEST_PII_KEY,
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while len(_sink_keys(tmp_path)) + len(box.messages) < 12:
            assert victim.poll() is None, victim.stderr.read().decode() if victim.stderr else ""
            assert time.monotonic() < deadline, "the worker sent nothing in time"
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        if victim.stderr is not None:
            victim.stderr.close()
        killed_at = len(_sink_keys(tmp_path)) + len(box.messages)
        assert killed_at < len(rows)  # it really died mid-way
        channels = Channels(
            {
                "sms": SinkOutbound(tmp_path, "sms"),
                "email": SmtpOutbound(
                    host="127.0.0.1", port=box.port, journal=tmp_path / "sink" / "smtp.jsonl"
                ),
            }
        )
        # A second worker after the first one's lease has run out.
        run_outbox(
            uow_factory=uow_factory,
            platform="acme",
            channels=channels,
            clock=FixedClock(NOON + timedelta(minutes=10)),
        )
        channels.close()
        mail_keys = [m["Message-ID"].strip("<>").split("@")[0] for m in box.messages]
    page = list_outbox(uow=uow_factory(), platform="acme", limit=1000)
    keys = {message_key("acme", i.message_id): i for i in page.items}
    arrived = Counter(_sink_keys(tmp_path) + mail_keys)
    assert max(arrived.values()) == 1  # nothing sent twice
    assert set(arrived) <= set(keys)
    for key, item in keys.items():
        if item.channel == "sms":
            assert arrived[key] == 1
            assert item.state == "sent"
        elif key in arrived:
            assert item.state == "sent" or item.error_code == "send_interrupted"
        else:  # nothing lost: either it went, or it says why it did not
            assert item.state == "failed"
            assert item.error_code == "send_interrupted"
    assert sum(1 for i in page.items if i.state == "pending") == 0
