"""The daily cycle in partitions of borrowers: 10M, 30M and 100M accounts in bounded memory.

    # once: the portfolio as Parquet (accounts and yesterday's buckets), a million at a time,
    # and 100M as ten copies of 10M with fresh ids
    .venv/bin/python bench/cycle_partition_bench.py write --accounts 10000000 --dir /work/bench10m
    .venv/bin/python bench/cycle_partition_bench.py replicate --source /work/bench10m \
        --dir /work/bench100m --times 10
    # timed, each in its own process (its peak memory is its own)
    .venv/bin/python bench/cycle_partition_bench.py run --dir /work/bench100m --partitions 20
    .venv/bin/python bench/cycle_partition_bench.py run --dir /work/bench10m --partitions 2
    .venv/bin/python bench/cycle_partition_bench.py run --dir /work/bench10m --whole
    # the book landed already split (as a daily extract written by partition would be):
    .venv/bin/python bench/cycle_partition_bench.py split --dir /work/bench100m --partitions 20
    .venv/bin/python bench/cycle_partition_bench.py run --dir /work/bench100m --partitions 20 \
        --presplit

``write`` draws the accounts as ``cycle_bench.py`` does (the synthetic installments
of ``synthetic.py`` aged by the vectorised delinquency code, amounts fitted to
Lending Club 2018 Q1, two loans per borrower, chunk *k* with seed 20261128 + *k*)
and yesterday's buckets with the borrower id, one Parquet file per million; not
timed.  ``run`` times the split into partitions (one streaming DuckDB ``COPY …
PARTITION_BY``) and ``run_partitioned`` (DuckDB, supportive policy, CN pack, no
model, empty ledger), or with ``--whole`` the unpartitioned engine over the whole
table read into memory; it prints the time, seconds per million accounts, the
process's peak resident memory and a digest of the result (segments, arms, every
gated action, outbox and queue row, KPI rows): equal digests mean identical results.
``split`` writes the portfolio's partitions once, beside it (``split-<n>/``, not
timed), as a platform whose daily extract lands partitioned by borrower would have
it; ``run --presplit`` then runs the partitions without splitting them first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from cycle_bench import CHUNK, POLICY, _accounts_chunk, bench_config, previous_table
from synthetic import DEFAULT_AS_OF, DEFAULT_SEED, generate_portfolio
from tideover.batch.cycle import CycleInputs, run_stages
from tideover.batch.cycle.partitions import (
    PartitionedInputs,
    partitioned_folders,
    run_partitioned,
    split_parquet,
)
from tideover.batch.cycle.stages import CycleResult
from tideover.batch.delinquency import compute_delinquency
from tideover.domain.platforms import PlatformSettings
from tideover.policy.document import load_policy


def write(n: int, folder: Path, seed: int) -> dict[str, Any]:
    settings = PlatformSettings()
    (folder / "accounts").mkdir(parents=True, exist_ok=True)
    (folder / "previous").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for k, first in enumerate(range(0, n, CHUNK)):
        size = min(CHUNK, n - first)
        portfolio = generate_portfolio(size, seed=seed + k, as_of=DEFAULT_AS_OF)
        aged = compute_delinquency(
            portfolio.installments,
            portfolio.pauses,
            n_loans=size,
            as_of=DEFAULT_AS_OF,
            scheme=settings.buckets,
        )
        del portfolio
        accounts = _accounts_chunk(aged.dpd, aged.bucket_code, first, seed + k, settings.buckets)
        previous = previous_table(accounts, seed + k, settings.buckets).append_column(
            "borrower_id", accounts.column("borrower_id")
        )
        pq.write_table(accounts, folder / "accounts" / f"part-{k:05d}.parquet")
        pq.write_table(previous, folder / "previous" / f"part-{k:05d}.parquet")
    return {"accounts": n, "seconds": round(time.perf_counter() - started, 1)}


def replicate(source: Path, folder: Path, times: int) -> dict[str, Any]:
    """``times`` copies of a written portfolio with fresh ids (copy *c* adds c × its size to
    every account and borrower number): a large book from a smaller one in minutes, with
    the same mix of buckets, amounts and actions in every copy."""
    n = pq.ParquetDataset(source / "accounts").read(columns=["account_id"]).num_rows
    started = time.perf_counter()
    con = duckdb.connect()
    for name in ("accounts", "previous"):
        (folder / name).mkdir(parents=True, exist_ok=True)
        for c in range(times):
            shift = c * n
            sql = f"""
                COPY (SELECT * REPLACE (
                        'L' || (CAST(substr(account_id, 2) AS BIGINT) + {shift}) AS account_id,
                        'B' || (CAST(substr(borrower_id, 2) AS BIGINT) + {shift // 2})
                            AS borrower_id)
                      FROM read_parquet('{source / name}/*.parquet'))
                TO '{folder / name}/copy-{c:03d}.parquet' (FORMAT parquet)"""
            con.execute(sql)
    return {"accounts": n * times, "seconds": round(time.perf_counter() - started, 1)}


def digest(result: CycleResult) -> str:
    """One hash of everything a run writes (the scores aside: no model here)."""
    h = hashlib.sha256()
    h.update(json.dumps([result.segments, result.arms, result.counts], sort_keys=True).encode())
    for g in result.gated:
        h.update(repr((g.action, g.state, g.at, g.rule_ids)).encode())
    for rows in (result.outbox, result.queue, result.kpis):
        h.update(json.dumps(rows, sort_keys=True, default=str).encode())
    return h.hexdigest()


def presplit(folder: Path, partitions: int) -> Path:
    return folder / f"split-{partitions}"


def split(folder: Path, partitions: int) -> dict[str, Any]:
    """The portfolio's accounts and buckets written once into ``partitions`` partitions."""
    started = time.perf_counter()
    target = presplit(folder, partitions)
    con = duckdb.connect()
    for name in ("accounts", "previous"):
        split_parquet(str(folder / name / "*.parquet"), target / name, partitions, con=con)
    con.close()
    return {"partitions": partitions, "seconds": round(time.perf_counter() - started, 1)}


def run(
    folder: Path, partitions: int, whole: bool, memory_limit: str | None, landed: bool = False
) -> dict[str, Any]:
    compiled = load_policy(POLICY)
    config = bench_config(DEFAULT_AS_OF, PlatformSettings())
    accounts_glob = str(folder / "accounts" / "*.parquet")
    previous_glob = str(folder / "previous" / "*.parquet")
    n = pq.ParquetDataset(folder / "accounts").read(columns=["account_id"]).num_rows
    report: dict[str, Any] = {"accounts": n, "load_before": os.getloadavg()[0]}
    started = time.perf_counter()
    if whole:
        accounts = pq.read_table(folder / "accounts")
        previous = pq.read_table(folder / "previous").drop(["borrower_id"])
        read = time.perf_counter() - started
        result = run_stages(compiled, None, CycleInputs(accounts, previous), config)
        report.update(mode="whole", read_seconds=round(read, 2))
    elif landed:
        target = presplit(folder, partitions)
        result = run_partitioned(
            compiled,
            None,
            PartitionedInputs(target / "accounts", partitions, target / "previous"),
            config,
            memory_limit=memory_limit,
        )
        report.update(mode="partitioned, landed split", partitions=partitions, split_seconds=0)
    else:
        with partitioned_folders(
            accounts_glob, partitions, previous=previous_glob, workdir=folder
        ) as (acc, prev, _, split):
            result = run_partitioned(
                compiled,
                None,
                PartitionedInputs(acc, partitions, prev),
                config,
                memory_limit=memory_limit,
            )
        report.update(mode="partitioned", partitions=partitions, split_seconds=round(split, 2))
    total = time.perf_counter() - started
    report.update(
        seconds=round(total, 2),
        seconds_per_million=round(total / (n / 1e6), 3),
        stages=result.timings,
        counts=result.counts,
        peak_memory_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        digest=digest(result),
        load_after=os.getloadavg()[0],
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("--accounts", type=int, required=True)
    w.add_argument("--dir", type=Path, required=True)
    w.add_argument("--seed", type=int, default=DEFAULT_SEED)
    c = sub.add_parser("replicate")
    c.add_argument("--source", type=Path, required=True)
    c.add_argument("--dir", type=Path, required=True)
    c.add_argument("--times", type=int, required=True)
    r = sub.add_parser("run")
    r.add_argument("--dir", type=Path, required=True)
    r.add_argument("--partitions", type=int, default=10)
    r.add_argument("--whole", action="store_true")
    r.add_argument("--memory-limit", default=None, help="DuckDB's per partition, e.g. 4GB")
    r.add_argument("--presplit", action="store_true", help="run the partitions `split` wrote")
    t = sub.add_parser("split")
    t.add_argument("--dir", type=Path, required=True)
    t.add_argument("--partitions", type=int, required=True)
    args = parser.parse_args()
    tempfile.tempdir = str(args.dir)
    if args.command == "write":
        report = write(args.accounts, args.dir, args.seed)
    elif args.command == "replicate":
        report = replicate(args.source, args.dir, args.times)
    elif args.command == "split":
        report = split(args.dir, args.partitions)
    else:
        report = run(args.dir, args.partitions, args.whole, args.memory_limit, args.presplit)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
