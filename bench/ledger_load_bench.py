"""Whole-platform contact ledger load: stored contacts into the gate's in-memory index.

    .venv/bin/python bench/ledger_load_bench.py --contacts 1000000 [--url URL] [--json]

Fills ``contact_events`` of one platform with ``--contacts`` rows (about 20 per
borrower, two debts and two numbers each, calls, texts and e-mails over the 30 days
before the run date, one in 50 to a contact person) in a fresh database (a SQLite file
in a temporary directory unless ``--url`` names an empty PostgreSQL database/schema),
then times ``ContactRepository.load_ledger(since=...)`` for the whole platform
``--repeat`` times (``--path events``: the former load, one ``ContactEvent`` per row
fed to ``InMemoryLedger.record``).  Filling the table is not timed.
"""

from __future__ import annotations

import argparse
import base64
import json
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from tideover.adapters.database import make_engine, migrate, session_factory
from tideover.adapters.orm import ContactEventRow, PlatformRow
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.compliance.ledger import InMemoryLedger

RUN_DAY = datetime(2026, 6, 3, tzinfo=UTC)
PLATFORM = "bench"
CHANNELS = ["call", "call", "call", "sms", "email"]
OUTCOMES = ["no_answer", "no_answer", "voicemail", "connected", "conversation", "delivered"]


def fill(uow: SqlAlchemyUnitOfWork, contacts: int, seed: int) -> None:
    rng = random.Random(seed)
    borrowers = max(1, contacts // 20)
    with uow:
        uow.platforms.ensure(PLATFORM, name="Bench", currency="CNY", settings={})
        session = uow.session
        platform_id = session.scalar(select(PlatformRow.id).where(PlatformRow.code == PLATFORM))
        batch: list[dict[str, Any]] = []
        for i in range(contacts):
            b = rng.randrange(borrowers)
            channel = rng.choice(CHANNELS)
            third = rng.random() < 0.02
            batch.append(
                {
                    "platform_id": platform_id,
                    "attempt_id": f"a{i}",
                    "borrower_id": f"b{b}",
                    "debt_id": f"d{b}-{rng.randrange(2)}",
                    "channel": channel,
                    "actor": "agency",
                    "target": "contact_person" if third else "debtor",
                    "recipient_id": f"r{b}" if third else None,
                    "third_party_role": None,
                    "number_hash": f"{b:058d}-{rng.randrange(2)}" if channel != "email" else None,
                    "automated": False,
                    "debt_type": "consumer_loan",
                    "inbound": rng.random() < 0.03,
                    "outcome": rng.choice(OUTCOMES) if channel == "call" else "delivered",
                    "result": None,
                    "occurred_at": RUN_DAY - timedelta(seconds=rng.randrange(30 * 86400)),
                }
            )
            if len(batch) == 50_000:
                session.execute(insert(ContactEventRow), batch)
                batch.clear()
        if batch:
            session.execute(insert(ContactEventRow), batch)
        uow.commit()


def load(uow: SqlAlchemyUnitOfWork, path: str) -> InMemoryLedger:
    since = RUN_DAY - timedelta(days=31)
    repo = uow.contacts(PLATFORM)
    if path == "rows":
        return repo.load_ledger(since=since)
    # The earlier path, kept here to compare: one ContactEvent per row, then record().
    ledger = InMemoryLedger()
    for e in repo._load([ContactEventRow.occurred_at >= since]):
        ledger.record(e.attempt, e.outcome, at=e.at, inbound=e.inbound)
    return ledger


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--path",
        choices=("rows", "events"),
        default="rows",
        help="rows: load_ledger; events: the former one-object-per-row load",
    )
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'ledger.db'}"
        engine = make_engine(url)
        migrate(engine)
        factory = session_factory(engine)
        cipher = PiiCipher(base64.urlsafe_b64encode(b"\x01" * 32).decode())  # bench key, no PII
        started = time.perf_counter()
        fill(SqlAlchemyUnitOfWork(factory, cipher), args.contacts, args.seed)
        filled = time.perf_counter() - started
        timings = []
        size = 0
        for _ in range(args.repeat):
            uow = SqlAlchemyUnitOfWork(factory, cipher)
            started = time.perf_counter()
            with uow:
                ledger = load(uow, args.path)
            timings.append(time.perf_counter() - started)
            size = len(ledger)
            del ledger
        engine.dispose()
    result = {
        "database": engine.dialect.name,
        "path": args.path,
        "contacts": args.contacts,
        "debtor_events_loaded": size,
        "fill_s": round(filled, 1),
        "load_s": [round(t, 2) for t in timings],
        "rows_per_s": round(args.contacts / min(timings)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "python": platform.python_version(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
