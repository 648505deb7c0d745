"""The cycle's stages on DuckDB, on Spark in local mode and on a standalone Spark cluster.

    .venv/bin/python bench/spark_cluster_bench.py --accounts 3000000 [--workers 2] [--json]

One synthetic day (``cycle_bench.py``'s accounts and yesterday's buckets, supportive
policy, CN pack, no model), written once as Parquet (not timed), then:

- **duckdb**: ``run_stages`` over the accounts in memory;
- **spark local[2]**: ``run_stages_spark`` on a local session (large tables handed to
  the JVM as Parquet);
- **spark cluster**: a standalone master and ``--workers`` workers of one core started
  on loopback (``batch.cycle.spark_cluster``; start-up timed apart), the executors
  reading the accounts from the Parquet files themselves.

All three must give the same segments, gated actions, outbox and queue rows and KPI
rows (exit status 1 otherwise).  Times are wall seconds of the stages, best of
``--repeat`` for DuckDB, one run each on Spark; ``cpu_seconds`` beside each is the
CPU time of this process and every process under it (the JVMs, the master, workers and
executors, Python workers), which a shared machine's load moves far less than the wall.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from cycle_bench import POLICY, accounts_table, bench_config, previous_table
from synthetic import DEFAULT_AS_OF, DEFAULT_SEED
from tideover.batch.cycle import CycleConfig, CycleInputs, run_stages
from tideover.batch.cycle.spark import local_session, run_stages_spark
from tideover.batch.cycle.spark_cluster import cluster_session, standalone_cluster
from tideover.batch.cycle.stages import CycleResult
from tideover.domain.platforms import PlatformSettings
from tideover.policy.document import CompiledPolicy, load_policy


def tree_cpu() -> float:
    """CPU seconds (user + system) of this process and all its living descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, used = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    mine, grown = {os.getpid()}, True
    while grown:
        before = len(mine)
        mine |= {pid for pid, up in parent.items() if up in mine}
        grown = len(mine) > before
    return sum(used.get(pid, 0.0) for pid in mine)


def same(a: CycleResult, b: CycleResult) -> bool:
    return (a.segments, a.gated, a.outbox, a.queue, a.kpis) == (
        b.segments,
        b.gated,
        b.outbox,
        b.queue,
        b.kpis,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=3_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-memory", default="3g")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = PlatformSettings()
    accounts, _ = accounts_table(args.accounts, args.seed, DEFAULT_AS_OF, settings.buckets)
    previous = previous_table(accounts, args.seed, settings.buckets)
    compiled = load_policy(POLICY)
    config = bench_config(DEFAULT_AS_OF, settings)
    with tempfile.TemporaryDirectory(prefix="spark-bench-") as scratch:  # gone afterwards
        return _measure(args, accounts, previous, compiled, config, Path(scratch))


def _measure(
    args: argparse.Namespace,
    accounts: pa.Table,
    previous: pa.Table,
    compiled: CompiledPolicy,
    config: CycleConfig,
    folder: Path,
) -> int:
    (folder / "accounts").mkdir()
    step = 1_000_000
    for k, first in enumerate(range(0, accounts.num_rows, step)):
        pq.write_table(accounts.slice(first, step), folder / "accounts" / f"part-{k:03d}.parquet")
    report: dict[str, Any] = {"accounts": args.accounts, "load_before": os.getloadavg()[0]}

    best, duck, cpu = None, None, 0.0
    for _ in range(args.repeat):
        started, cpu_before = time.perf_counter(), tree_cpu()
        duck = run_stages(compiled, None, CycleInputs(accounts, previous), config)
        seconds = time.perf_counter() - started
        if best is None or seconds < best:
            best, cpu = seconds, tree_cpu() - cpu_before
    assert duck is not None
    assert best is not None
    report["duckdb"] = {"seconds": round(best, 2), "cpu_seconds": round(cpu, 2),
                        "stages": duck.timings}  # fmt: skip

    session = local_session(cores=2, memory="6g")
    try:
        started, cpu_before = time.perf_counter(), tree_cpu()
        local = run_stages_spark(compiled, None, CycleInputs(accounts, previous), config,
                                 spark=session)  # fmt: skip
        report["spark_local"] = {
            "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(tree_cpu() - cpu_before, 2),
            "stages": local.timings,
            "identical": same(duck, local),
        }
    finally:
        session.stop()

    started = time.perf_counter()
    with standalone_cluster(workers=args.workers, cores=1, memory=args.worker_memory) as cluster:
        report["cluster_start_seconds"] = round(time.perf_counter() - started, 1)
        session = cluster_session(
            cluster.master_url,
            executor_memory=args.worker_memory,
            driver_memory="4g",
            shuffle_partitions=2 * args.workers,
        )
        try:
            started, cpu_before = time.perf_counter(), tree_cpu()
            clustered = run_stages_spark(
                compiled,
                None,
                CycleInputs(accounts.slice(0, 0), previous),
                config,
                spark=session,
                accounts_parquet=str(folder / "accounts"),
            )
            report["spark_cluster"] = {
                "seconds": round(time.perf_counter() - started, 2),
                "cpu_seconds": round(tree_cpu() - cpu_before, 2),
                "stages": clustered.timings,
                "identical": same(duck, clustered),
            }
        finally:
            session.stop()
    report["ratio_local_to_duckdb"] = round(report["spark_local"]["seconds"] / best, 1)
    report["ratio_cluster_to_duckdb"] = round(report["spark_cluster"]["seconds"] / best, 1)
    for engine in ("spark_local", "spark_cluster"):
        spent = report[engine]["cpu_seconds"] / max(report["duckdb"]["cpu_seconds"], 0.01)
        report[f"cpu_ratio_{engine.removeprefix('spark_')}_to_duckdb"] = round(spent, 1)
    report["load_after"] = os.getloadavg()[0]
    print(json.dumps(report, indent=2))
    ok = report["spark_local"]["identical"] and report["spark_cluster"]["identical"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
