"""The daily cycle on the embedded engine, end to end over a synthetic portfolio.

    .venv/bin/python bench/cycle_bench.py --accounts 1000000 [--seed N] [--json]

Stages timed one by one: delinquency (vectorised DPD and buckets over the
installments of ``synthetic.generate_portfolio``, fixed seed), then the DuckDB
stages of ``tideover.batch.cycle`` (features, score, assign, gate, dispatch,
KPIs) with the supportive example policy and the CN rule pack.  Balances,
overdue amounts, products, time zones and yesterday's buckets are drawn from
the same seeded generator.  No model is used (score NULL), and nothing is
written to a database: this measures the engine, not the OLTP writes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import DEFAULT_AS_OF, DEFAULT_SEED, generate_portfolio
from tideover.batch.cycle import CycleConfig, CycleInputs, GateSettings, run_stages
from tideover.batch.delinquency import compute_delinquency
from tideover.compliance.gate import compile_pack
from tideover.compliance.loader import load_pack
from tideover.domain.delinquency import BucketScheme
from tideover.domain.platforms import PlatformSettings
from tideover.policy.document import load_policy

ROOT = Path(__file__).parents[1]
POLICY = ROOT / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"


def accounts_table(n: int, seed: int, as_of: date, scheme: BucketScheme) -> tuple[pa.Table, float]:
    """Today's accounts from the synthetic installments; seconds spent on delinquency."""
    portfolio = generate_portfolio(n, seed=seed, as_of=as_of)
    started = time.perf_counter()
    result = compute_delinquency(
        portfolio.installments, portfolio.pauses, n_loans=n, as_of=as_of, scheme=scheme
    )
    seconds = time.perf_counter() - started
    rng = np.random.default_rng(seed + 1)
    labels = np.array(scheme.labels, dtype=object)
    balance = rng.integers(50_000, 5_000_000, n)
    overdue = np.where(result.dpd > 0, balance // rng.integers(3, 30, n), 0)
    ids = np.char.add("L", np.arange(n).astype(str))
    table = pa.table(
        {
            "account_id": pa.array(ids),
            "borrower_id": pa.array(np.char.add("B", (np.arange(n) // 2).astype(str))),
            "is_open": pa.array(rng.random(n) > 0.03),
            "time_zones": pa.array(np.full(n, "Asia/Shanghai", dtype=object)),
            "dpd": pa.array(result.dpd),
            "bucket": pa.array(labels[result.bucket_code]),
            "overdue_minor": pa.array(overdue.astype(np.int64)),
            "balance_minor": pa.array(balance.astype(np.int64)),
            "product": pa.array(np.where(rng.random(n) < 0.7, "cash", "card").astype(object)),
            "months_on_book": pa.array(rng.integers(0, 36, n).astype(np.int32)),
            "installments_overdue": pa.array((result.dpd + 29) // 30),
        }
    )
    return table, seconds


def previous_table(accounts: pa.Table, seed: int, scheme: BucketScheme) -> pa.Table:
    """Yesterday's buckets: today's, with one account in twenty a bucket better."""
    rng = np.random.default_rng(seed + 2)
    index = {label: i for i, label in enumerate(scheme.labels)}
    today = np.array([index[b] for b in accounts.column("bucket").to_pylist()])
    codes = np.where(rng.random(len(today)) < 0.05, np.maximum(today - 1, 0), today)
    labels = np.array(scheme.labels, dtype=object)
    return pa.table(
        {
            "account_id": accounts.column("account_id"),
            "bucket": pa.array(labels[codes]),
            "balance_minor": accounts.column("balance_minor"),
        }
    )


def run(n: int, seed: int) -> dict[str, Any]:
    as_of = DEFAULT_AS_OF
    settings = PlatformSettings()
    accounts, delinquency_seconds = accounts_table(n, seed, as_of, settings.buckets)
    previous = previous_table(accounts, seed, settings.buckets)
    compiled = load_policy(POLICY)
    config = CycleConfig(
        platform="bench",
        as_of=as_of,
        currency="CNY",
        minor_digits=2,
        bucket_labels=settings.buckets.labels,
        gate=GateSettings((compile_pack(load_pack("CN")),)),
        costs_minor={"sms": 5, "email": 1, "human_call": 200, "letter": 150},
    )
    started = time.perf_counter()
    result = run_stages(compiled, None, CycleInputs(accounts, previous), config)
    engine_seconds = time.perf_counter() - started
    stages = {"delinquency": round(delinquency_seconds, 3), **result.timings}
    total = delinquency_seconds + engine_seconds
    return {
        "accounts": n,
        "seed": seed,
        "stages_seconds": stages,
        "end_to_end_seconds": round(total, 3),
        "accounts_per_second": round(n / total),
        "counts": result.counts,
        "peak_memory_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args.accounts, args.seed)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for stage, seconds in report["stages_seconds"].items():
        print(f"{stage:12s} {seconds:8.3f} s")
    print(
        f"end to end   {report['end_to_end_seconds']:8.3f} s · "
        f"{report['accounts_per_second']:,} accounts/s · peak {report['peak_memory_mib']} MiB"
    )
    print(json.dumps(report["counts"]))


if __name__ == "__main__":
    main()
