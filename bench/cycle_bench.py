"""The daily cycle on the embedded engine, end to end over a synthetic portfolio.

    .venv/bin/python bench/cycle_bench.py --accounts 1000000 [--seed N] [--json]

Stages timed one by one: delinquency (vectorised DPD and buckets over the
installments of ``synthetic.generate_portfolio``, fixed seed, a million loans at
a time), then the DuckDB
stages of ``tideover.batch.cycle`` (features, score, assign, gate, dispatch,
KPIs) with the supportive example policy and the CN rule pack.  Balances,
installments (hence overdue amounts) and the card share are drawn with the
parameters fitted to Lending Club 2018 Q1 (``synthetic.FITTED``); time zones
and yesterday's buckets come from the same seeded generator.  No model is used
(score NULL), and nothing is written to a database: this measures the engine,
not the OLTP writes.
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
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import DEFAULT_AS_OF, DEFAULT_SEED, FITTED, generate_portfolio
from tideover.batch.cycle import CycleConfig, CycleInputs, GateSettings, run_stages
from tideover.batch.delinquency import compute_delinquency
from tideover.compliance.gate import compile_pack
from tideover.compliance.loader import load_pack
from tideover.domain.delinquency import BucketScheme
from tideover.domain.platforms import PlatformSettings
from tideover.policy.document import load_policy

ROOT = Path(__file__).parents[1]
POLICY = ROOT / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"


# Loans are generated and aged a million at a time: the installments of 30M loans
# (about 585M rows) would not fit in memory at once; the accounts table does.
CHUNK = 1_000_000


def accounts_table(n: int, seed: int, as_of: date, scheme: BucketScheme) -> tuple[pa.Table, float]:
    """Today's accounts from the synthetic installments; seconds spent on delinquency.

    Chunk ``k`` (loans ``k·CHUNK`` onwards) is drawn with seed ``seed + k``, so the
    first million is the same portfolio at every size.
    """
    parts, seconds = [], 0.0
    for k, first in enumerate(range(0, n, CHUNK)):
        size = min(CHUNK, n - first)
        portfolio = generate_portfolio(size, seed=seed + k, as_of=as_of)
        started = time.perf_counter()
        result = compute_delinquency(
            portfolio.installments, portfolio.pauses, n_loans=size, as_of=as_of, scheme=scheme
        )
        seconds += time.perf_counter() - started
        del portfolio
        parts.append(_accounts_chunk(result.dpd, result.bucket_code, first, seed + k, scheme))
    return pa.concat_tables(parts), seconds


def _accounts_chunk(
    dpd: np.ndarray, bucket_code: np.ndarray, first: int, seed: int, scheme: BucketScheme
) -> pa.Table:
    n = len(dpd)
    rng = np.random.default_rng(seed + 1)
    labels = np.array(scheme.labels, dtype=object)
    # Amounts fitted to Lending Club 2018 Q1 (``synthetic.FITTED``), in minor units.
    major = np.exp(rng.normal(FITTED.balance_log_mean, FITTED.balance_log_sd, n))
    balance = np.rint(np.clip(major, 1, FITTED.balance_max) * 100).astype(np.int64)
    share = FITTED.installment_share_median * np.exp(
        rng.normal(0, FITTED.installment_share_log_sd, n)
    )
    installment = np.rint(balance * share).astype(np.int64)
    overdue = np.where(dpd > 0, np.minimum(balance, installment * ((dpd + 29) // 30)), 0)
    index = np.arange(first, first + n)
    return pa.table(
        {
            "account_id": pa.array(np.char.add("L", index.astype(str))),
            "borrower_id": pa.array(np.char.add("B", (index // 2).astype(str))),
            "is_open": pa.array(rng.random(n) > 0.03),
            "time_zones": pa.array(np.full(n, "Asia/Shanghai", dtype=object)),
            "dpd": pa.array(dpd),
            "bucket": pa.array(labels[bucket_code]),
            "overdue_minor": pa.array(overdue.astype(np.int64)),
            "balance_minor": pa.array(balance.astype(np.int64)),
            "product": pa.array(
                np.where(rng.random(n) < FITTED.card_share, "card", "cash").astype(object)
            ),
            "months_on_book": pa.array(rng.integers(0, 36, n).astype(np.int32)),
            "installments_overdue": pa.array((dpd + 29) // 30),
        }
    )


def previous_table(accounts: pa.Table, seed: int, scheme: BucketScheme) -> pa.Table:
    """Yesterday's buckets: today's, with one account in twenty a bucket better."""
    rng = np.random.default_rng(seed + 2)
    labels = pa.array(scheme.labels, pa.string())
    today = pc.index_in(accounts.column("bucket"), value_set=labels).to_numpy()
    codes = np.where(rng.random(len(today)) < 0.05, np.maximum(today - 1, 0), today)
    return pa.table(
        {
            "account_id": accounts.column("account_id"),
            "bucket": labels.take(pa.array(codes)),
            "balance_minor": accounts.column("balance_minor"),
        }
    )


def bench_config(as_of: date, settings: PlatformSettings) -> CycleConfig:
    return CycleConfig(
        platform="bench",
        as_of=as_of,
        currency="CNY",
        minor_digits=2,
        bucket_labels=settings.buckets.labels,
        gate=GateSettings((compile_pack(load_pack("CN")),)),
        costs_minor={"sms": 5, "email": 1, "human_call": 200, "letter": 150},
    )


def run(n: int, seed: int) -> dict[str, Any]:
    as_of = DEFAULT_AS_OF
    settings = PlatformSettings()
    accounts, delinquency_seconds = accounts_table(n, seed, as_of, settings.buckets)
    previous = previous_table(accounts, seed, settings.buckets)
    compiled = load_policy(POLICY)
    config = bench_config(as_of, settings)
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
