"""The outbox worker in a process of its own, for the test that kills it (``kill -9``).

``python -m tests.integration.comms_victim URL DATA_DIR SMTP_PORT PII_KEY`` sends what
is due on platform ``acme`` at the tests' noon, slowly (a few messages a second), so that
the test can kill it in the middle of a batch.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.integration.comms_support import NOON

from tideover.adapters.channels.email import SmtpOutbound
from tideover.adapters.channels.outbound import SinkOutbound
from tideover.adapters.database import make_engine, session_factory
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.clock import FixedClock
from tideover.services.comms.channels import Channels
from tideover.services.comms.worker import run_outbox


def main(url: str, data_dir: str, smtp_port: str, pii_key: str) -> None:
    root = Path(data_dir)
    sessions = session_factory(make_engine(url))
    cipher = PiiCipher(pii_key)
    channels = Channels(
        {
            "sms": SinkOutbound(root, "sms"),
            "email": SmtpOutbound(
                host="127.0.0.1", port=int(smtp_port), journal=root / "sink" / "smtp.jsonl"
            ),
        }
    )
    run_outbox(
        uow_factory=lambda: SqlAlchemyUnitOfWork(sessions, cipher),
        platform="acme",
        channels=channels,
        clock=FixedClock(NOON),
        rates={"sms": 8.0, "email": 8.0},
        worker="victim",
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
