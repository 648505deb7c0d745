"""`tideover cycle run` end to end over a stored portfolio, beside its floor, in one run.

    .venv/bin/python bench/cycle_stored_scale_bench.py --loans 1000000 \\
        --url 'postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dstored_bench_1m'
    .venv/bin/python bench/cycle_stored_scale_bench.py --loans 100000 --db /work/bench100k.db

The portfolio is ``stored_portfolio.py``'s (loans, schedules, payments with reversals,
pauses, relief plans and re-agings; built unless the database already holds it, not
timed) with a bucket history for the day before.  The supportive example policy is
made the platform's active version, then three things are timed side by side:

- **run**: ``run_cycle`` (what ``tideover cycle run`` runs), every stage, the write
  stage's transaction included (bucket history, outbox, queue items, KPIs, audit);
- **floor, read**: the bare read of the tables the run reads (loans, borrowers,
  installments, payments, pauses, schedule versions, yesterday's bucket history, the
  contact ledger: each ``SELECT *`` of the platform), as Arrow columns on PostgreSQL
  (``adapters.columnar``), as the driver's tuples on SQLite;
- **floor, engine**: the in-memory engine (``run_stages``) over the very accounts the run
  computed, as ``cycle_bench.py`` times it on synthetic ones.

The ratio asked of the stored path is run / (read + engine).  Peak memory is the
process's: after the run, and at the end.  The engine's floor runs on the accounts the
run itself loaded (kept when the run loads them), so the book is loaded once.

``--loans-per-part`` sets how many loans the delinquency stage computes at once
(``services.portfolio.positions.LOANS_PER_PART``); ``--fresh`` first deletes what an
earlier run wrote for the date (bucket history, outbox, queue items, KPIs, the run
record), so each run writes its date for the first time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.support import activate_policy

from cycle_stored_bench import prepare
from stored_portfolio import DEFAULT_AS_OF, DEFAULT_SEED, PLATFORM
from tideover.adapters.columnar import columnar_reads
from tideover.batch.cycle import CycleConfig, GateSettings, run_stages
from tideover.compliance.gate import compile_pack
from tideover.compliance.loader import load_pack
from tideover.domain.clock import FixedClock
from tideover.policy.document import load_policy
from tideover.services.cycle import run as cycle_run
from tideover.services.cycle.inputs import Loaded, load_cycle_inputs
from tideover.services.cycle.run import run_cycle
from tideover.services.platforms import settings_of
from tideover.services.portfolio import positions

POLICY = Path(__file__).parents[1] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
FLOOR_TABLES = (
    "loans",
    "borrowers",
    "installments",
    "payments",
    "loan_pauses",
    "schedule_versions",
    "delinquency_snapshots",
    "contact_events",
)


def floor_read(uow_factory: Any) -> tuple[float, dict[str, int]]:
    """Seconds to read every row of the platform in the run's tables: as Arrow columns on
    PostgreSQL (``adapters.columnar``), as the driver's tuples on SQLite (the one SQLite
    library of the process: docs/cycle.md)."""
    rows: dict[str, int] = {}
    with uow_factory() as uow:
        session = uow.session
        started = time.perf_counter()
        with columnar_reads(session) as reader:
            cursor = session.connection().connection.cursor()

            def count(sql: str) -> int:
                if reader is not None:  # streamed: the floor's memory is a batch's
                    return sum(batch.num_rows for batch in reader.batches(sql))
                cursor.execute(sql)
                return len(cursor.fetchall())

            for table in FLOOR_TABLES:
                rows[table] = count(
                    f"SELECT * FROM {table} WHERE platform_id = "
                    f"(SELECT id FROM platforms WHERE code = '{PLATFORM}')"
                )
        return time.perf_counter() - started, rows


def forget_date(uow_factory: Any) -> None:
    """What a run wrote for the date, deleted, in one transaction."""
    with uow_factory() as uow:
        session = uow.session
        platform = f"(SELECT id FROM platforms WHERE code = '{PLATFORM}')"
        for table in ("delinquency_snapshots", "outbox_messages", "queue_items", "kpi_snapshots",
                      "cycle_runs"):  # fmt: skip
            session.execute(
                text(f"DELETE FROM {table} WHERE platform_id = {platform} AND as_of >= :day"),
                {"day": DEFAULT_AS_OF.isoformat()},
            )
        uow.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, required=True)
    parser.add_argument("--url", default=None)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    # (getattr: the same script also times code from before the parts, for comparison)
    parser.add_argument(
        "--loans-per-part", type=int, default=getattr(positions, "LOANS_PER_PART", None)
    )
    parser.add_argument("--fresh", action="store_true", help="delete the date's results first")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{args.db or Path(tempfile.mkdtemp()) / 'stored.db'}"
    uow, info = prepare(url, args.loans, args.seed)
    activate_policy(uow, PLATFORM, POLICY)
    if args.fresh:
        forget_date(uow)
    positions.LOANS_PER_PART = args.loans_per_part
    loaded: list[Loaded] = []

    def keep(*given: Any, **named: Any) -> Loaded:
        loaded.append(load_cycle_inputs(*given, **named))
        return loaded[-1]

    cycle_run.load_cycle_inputs = keep  # type: ignore[assignment]
    report: dict[str, Any] = {
        "loans": args.loans,
        "database": url.split(":")[0],
        **info,
        "loans_per_part": args.loans_per_part,
        "load_before": os.getloadavg()[0],
    }
    clock = FixedClock(
        datetime.combine(DEFAULT_AS_OF, datetime.min.time(), UTC) + timedelta(hours=20)
    )
    started = time.perf_counter()
    summary = run_cycle(uow=uow(), platform=PLATFORM, as_of=DEFAULT_AS_OF, clock=clock)
    report["run_seconds"] = round(time.perf_counter() - started, 2)
    report["run_stages"] = summary.stages
    report["run_counts"] = {k: summary.counts[k] for k in ("accounts", "actions", "outbox")}
    report["peak_after_run_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    read, rows = floor_read(uow)
    report["floor_read_seconds"] = round(read, 2)
    report["floor_rows"] = rows
    with uow() as unit:
        settings = settings_of(unit, PLATFORM)
    inputs = loaded[-1].inputs
    del loaded[:]
    config = CycleConfig(
        platform=PLATFORM,
        as_of=DEFAULT_AS_OF,
        currency="CNY",
        minor_digits=2,
        bucket_labels=settings.buckets.labels,
        gate=GateSettings((compile_pack(load_pack("CN")),)),
    )
    started = time.perf_counter()
    run_stages(load_policy(POLICY), None, inputs, config)
    engine = time.perf_counter() - started
    report["floor_engine_seconds"] = round(engine, 2)
    report["ratio_run_to_floor"] = round(report["run_seconds"] / (read + engine), 2)
    report["peak_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    report["load_after"] = os.getloadavg()[0]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
