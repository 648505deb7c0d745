"""Assignment of a day's queue items to collectors, stored and pure.

Writes ``--items`` open queue items of one date (US borrowers: states drawn
with Massachusetts and New York, the two overlay states, at 5 % and 7 %) and
``--collectors`` collectors (permitted for ``US``, some also for ``US-MA`` or
``US-NY``; two or three of four queues; ``--capacity`` items a day each) into a
fresh database, then times :func:`tideover.services.queues.items.assign_open_items`
(read, assign, write, commit), its idempotent rerun, and the pure algorithm
alone on the same items.

    .venv/bin/python bench/queue_bench.py --items 100000 --collectors 200
    .venv/bin/python bench/queue_bench.py --database postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/queue_bench.py --pure-only --items 1000000 --capacity 5000
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import psycopg

from tideover.adapters.database import make_engine, migrate, normalise_url, session_factory
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.batch.queues import assign_items
from tideover.domain.collectors import Collector, CollectorRole
from tideover.domain.money import USD
from tideover.queues.assignment import Desk, OpenItem
from tideover.services.queues.items import assign_open_items

DAY = date(2026, 12, 31)
QUEUES = ("early", "high_risk", "hardship", "recovery")
OTHER_STATES = ("CA", "TX", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "NJ")


def items(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        draw = rnd.random()
        state = "MA" if draw < 0.05 else "NY" if draw < 0.12 else rnd.choice(OTHER_STATES)
        rows.append(
            {
                "account_id": f"L{i:08d}",
                "borrower_id": f"B{i:08d}",
                "step": "call#0",
                "channel": "human_call",
                "template": "call_script",
                "tone": "neutral",
                "segment": "early",
                "arm": "",
                "treatment": "call",
                "rescheduled": False,
                "rule_ids": [],
                "queue": rnd.choice(QUEUES),
                "priority": rnd.randrange(10_000_000),
                "due_at": datetime(2026, 12, 31, 14, 0, tzinfo=UTC),
                "state": "open",
                "assigned_to": None,
                "jurisdiction": f"US-{state}",
                "offers": [],
                "summary": {},
                "run_id": 1,
            }
        )
    return rows


def collectors(n: int, capacity: int, seed: int) -> list[Collector]:
    rnd = random.Random(seed + 1)
    out = []
    for k in range(n):
        extra = rnd.random()
        places = ("US", "US-MA") if extra < 0.2 else ("US", "US-NY") if extra < 0.4 else ("US",)
        out.append(
            Collector(
                collector_id=f"c{k:04d}",
                name=f"Collector {k}",
                team=f"team{k % 10}",
                role=CollectorRole.COLLECTOR,
                jurisdictions=places,
                queues=tuple(sorted(rnd.sample(QUEUES, rnd.randint(2, 3)))),
                daily_capacity=capacity,
            )
        )
    return out


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    schema = f"queue_bench_{uuid.uuid4().hex[:8]}"
    libpq = normalise_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        scoped = normalise_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def stored(args: argparse.Namespace) -> dict[str, Any]:
    rows = items(args.items, args.seed)
    team = collectors(args.collectors, args.capacity, args.seed)
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    with database(args.database) as url:
        engine = make_engine(url)
        migrate(engine)
        sessions = session_factory(engine)

        def uow() -> SqlAlchemyUnitOfWork:
            return SqlAlchemyUnitOfWork(sessions, PiiCipher(key))

        started = time.perf_counter()
        with uow() as unit:
            unit.platforms.ensure("bench", name="Bench", currency=USD, settings={})
            unit.collectors("bench").add_many(team)
            unit.cycle("bench").replace_queue_items(DAY, rows)
            unit.commit()
        setup = time.perf_counter() - started
        timings = []
        for _ in range(2):  # the first places the items, the second finds nothing open to place
            started = time.perf_counter()
            with uow() as unit:
                report = assign_open_items(unit, "bench", DAY, at=datetime.now(UTC))
                unit.commit()
            timings.append((time.perf_counter() - started, report.counts()))
        engine.dispose()
    return {
        "database": normalise_url(url).get_backend_name(),
        "items": args.items,
        "collectors": args.collectors,
        "capacity": args.capacity,
        "setup_seconds": round(setup, 2),
        "assign_seconds": round(timings[0][0], 2),
        "assign_counts": timings[0][1],
        "rerun_seconds": round(timings[1][0], 2),
        "rerun_assigned": timings[1][1]["assigned"],
    }


def pure(args: argparse.Namespace) -> dict[str, Any]:
    rows = items(args.items, args.seed)
    open_items = [
        OpenItem(i, r["jurisdiction"], r["queue"], r["priority"]) for i, r in enumerate(rows)
    ]
    desks = [
        Desk(c.collector_id, frozenset(c.jurisdictions), frozenset(c.queues), c.daily_capacity)
        for c in collectors(args.collectors, args.capacity, args.seed)
    ]
    started = time.perf_counter()
    plan = assign_items(open_items, desks)
    return {
        "pure_items": args.items,
        "pure_seconds": round(time.perf_counter() - started, 2),
        "pure_counts": plan.counts(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--collectors", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=60, help="items per collector per day")
    parser.add_argument("--database", help="PostgreSQL URL (default: a temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=20261231)
    parser.add_argument("--pure-only", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = {"load_average": os.getloadavg(), **pure(args)}
    if not args.pure_only:
        result.update(stored(args))
    if args.json:
        print(json.dumps(result))
        return
    for name, value in result.items():
        print(f"{name:>16}: {value}")


if __name__ == "__main__":
    main()
