"""Policy assignment for a whole portfolio: the compiled engine against a floor and pandas.

    .venv/bin/python bench/assign_bench.py --accounts 10000000 [--repeat 1] [--json]

One synthetic feature portfolio (``assign_portfolio.py``, fixed seed; written
beforehand, not timed) goes through the example *supportive* policy three ways,
each Parquet in → Parquet out (row groups of 262,144, codes not strings):

(a) engine: ``tideover.batch.assign.assign_to_parquet`` — column checks, the SQL
    compiled from the policy in one streaming ``COPY``, segment/arm counts read back;
(b) floor: one hand-written DuckDB query for the same policy (native hex parsing
    for the hash, no checks, no counts) — the least the same output can cost;
(c) pandas: the same logic with NumPy masks and ``hashlib.md5`` per experiment row.

The three outputs are compared account by account; exit status 1 if any differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from assign_portfolio import DEFAULT_SEED, write_portfolio
from tideover.batch.assign import ROW_GROUP_SIZE, assign_to_parquet
from tideover.policy import load_policy

POLICY = Path(__file__).parents[1] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
PLATFORM = "demo"

# Codes follow the policy's document order (segments, treatments, arms, offers).
FLOOR = """
COPY (
SELECT account_id, CAST(seg AS TINYINT) AS segment, CAST(arm AS TINYINT) AS arm,
  CAST(trt AS TINYINT) AS treatment, stop AS stopped,
  CASE WHEN stop THEN 0 WHEN trt IN (2, 3) THEN
      CASE dpd WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 5 THEN 4 WHEN 10 THEN 8 WHEN 20 THEN 16 ELSE 0 END
    WHEN trt = 4 THEN CASE WHEN days_in_segment = 0 THEN 1 WHEN days_in_segment = 1 THEN 2
      WHEN days_in_segment BETWEEN 14 AND 90 AND days_in_segment % 14 = 0 THEN 4 ELSE 0 END
    WHEN trt = 5 THEN CASE WHEN dpd = 16 THEN 1
      WHEN dpd BETWEEN 23 AND 90 AND (dpd - 23) % 7 = 0 THEN 2 ELSE 0 END
    WHEN trt = 6 THEN CASE WHEN dpd = 31 THEN 1 WHEN dpd = 45 THEN 2
      WHEN dpd BETWEEN 60 AND 180 AND dpd % 15 = 0 THEN 4 ELSE 0 END
    ELSE 0 END::BIGINT AS actions,
  CAST(CASE seg WHEN 1 THEN 0 WHEN 2 THEN 1 WHEN 3 THEN 1 WHEN 4 THEN 2 END AS TINYINT) AS offers
FROM (
  SELECT *, CASE WHEN trt = 4 THEN promise_active OR dispute_flag
    WHEN trt IN (2, 3, 5, 6) THEN promise_active ELSE FALSE END AS stop
  FROM (
    SELECT *, CASE arm WHEN 0 THEN 2 WHEN 1 THEN 3 WHEN 2 THEN 0 ELSE
      CASE seg WHEN 0 THEN 1 WHEN 1 THEN 4 WHEN 2 THEN 5 WHEN 3 THEN 2 WHEN 4 THEN 6 ELSE 0 END
      END AS trt
    FROM (
      SELECT *, CASE WHEN seg = 3 THEN
        CASE WHEN b < 4500 THEN 0 WHEN b < 9000 THEN 1 ELSE 2 END END AS arm
      FROM (
        SELECT *, CASE WHEN seg = 3 THEN
          CAST('0x' || substr(md5('demo:early-tone:' || account_id), 1, 8) AS BIGINT) % 10000
          END AS b
        FROM (
          SELECT account_id, dpd, days_in_segment, promise_active, dispute_flag,
            CASE WHEN dispute_flag THEN 0 WHEN hardship_flag OR vulnerable_flag THEN 1
              WHEN dpd > 15 AND (band IN ('D', 'E') OR score >= 0.6 OR broken_promises >= 2)
                THEN 2
              WHEN dpd BETWEEN 1 AND 30 THEN 3 WHEN dpd > 30 THEN 4 ELSE 5 END AS seg
          FROM read_parquet('{src}'))))))
) TO '{out}' (FORMAT parquet, ROW_GROUP_SIZE {rows})
"""

_COLUMNS = ["account_id", "dpd", "days_in_segment", "score", "band", "broken_promises"]
_FLAGS = ["hardship_flag", "vulnerable_flag", "dispute_flag", "promise_active"]


def _bits(conditions: list[Any]) -> Any:
    return sum(np.where(c, np.int64(1 << i), np.int64(0)) for i, c in enumerate(conditions))


def pandas_assign(src: Path, out: Path) -> None:
    """The supportive policy in pandas/NumPy; the score is read as float64 (pandas' habit)."""
    table = pq.read_table(src, columns=_COLUMNS + _FLAGS)
    table = table.set_column(2 + 1, "score", table.column("score").cast(pa.float64()))
    df = table.to_pandas()
    dpd, dis = df["dpd"].to_numpy(), df["days_in_segment"].to_numpy()
    risky = df["band"].isin(["D", "E"]).to_numpy() | (df["score"].to_numpy() >= 0.6)
    seg = np.select(
        [
            df["dispute_flag"].to_numpy(),
            (df["hardship_flag"] | df["vulnerable_flag"]).to_numpy(),
            (dpd > 15) & (risky | (df["broken_promises"].to_numpy() >= 2)),
            (dpd >= 1) & (dpd <= 30),
            dpd > 30,
        ],
        [0, 1, 2, 3, 4],
        5,
    )
    early = np.flatnonzero(seg == 3)
    ids = df["account_id"].to_numpy()[early]
    buckets = (
        np.fromiter(
            (int(hashlib.md5(f"demo:early-tone:{i}".encode()).hexdigest()[:8], 16) for i in ids),
            dtype=np.int64,
            count=len(ids),
        )
        % 10_000
    )
    arm = np.full(len(df), -1, dtype=np.int8)
    arm[early] = np.select([buckets < 4500, buckets < 9000], [0, 1], 2)
    trt = np.array([1, 4, 5, 2, 6, 0], dtype=np.int8)[seg]
    trt = np.where(arm >= 0, np.array([2, 3, 0], dtype=np.int8)[arm], trt)
    promise, dispute = df["promise_active"].to_numpy(), df["dispute_flag"].to_numpy()
    stop = np.where(trt == 4, promise | dispute, np.isin(trt, [2, 3, 5, 6]) & promise)
    soft = _bits([dpd == d for d in (1, 2, 5, 10, 20)])
    care = _bits([dis == 0, dis == 1, (dis >= 14) & (dis <= 90) & ((dis - 14) % 14 == 0)])
    personal = _bits([dpd == 16, (dpd >= 23) & (dpd <= 90) & ((dpd - 23) % 7 == 0)])
    recovery = _bits([dpd == 31, dpd == 45, (dpd >= 60) & (dpd <= 180) & ((dpd - 60) % 15 == 0)])
    actions = np.select(
        [np.isin(trt, [2, 3]), trt == 4, trt == 5, trt == 6], [soft, care, personal, recovery], 0
    )
    actions = np.where(stop, 0, actions).astype(np.int64)
    offers = np.array([-1, 0, 1, 1, 2, -1], dtype=np.int8)[seg]
    result = pa.table(
        {
            "account_id": table.column("account_id"),
            "segment": pa.array(seg.astype(np.int8)),
            "arm": pa.array(arm, mask=arm < 0),
            "treatment": pa.array(trt),
            "stopped": pa.array(stop),
            "actions": pa.array(actions),
            "offers": pa.array(offers, mask=offers < 0),
        }
    )
    pq.write_table(result, out, row_group_size=ROW_GROUP_SIZE)


def _differences(a: Path, b: Path) -> int:
    row = duckdb.execute(
        "SELECT count(*) FROM read_parquet(?) x FULL JOIN read_parquet(?) y USING (account_id) "
        "WHERE (x.segment, x.arm, x.treatment, x.stopped, x.actions, x.offers) IS DISTINCT FROM "
        "(y.segment, y.arm, y.treatment, y.stopped, y.actions, y.offers)",
        [str(a), str(b)],
    ).fetchone()
    return int(row[0]) if row else -1


def _timed(run: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    compiled = load_policy(POLICY)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = write_portfolio(work / "portfolio.parquet", args.accounts, seed=args.seed)
        outs = {name: work / f"{name}.parquet" for name in ("engine", "floor", "pandas")}
        runs: dict[str, Callable[[], object]] = {
            "engine": lambda: assign_to_parquet(
                compiled, src, outs["engine"], platform=PLATFORM, con=duckdb.connect()
            ),
            "floor": lambda: duckdb.connect().execute(
                FLOOR.format(src=src, out=outs["floor"], rows=ROW_GROUP_SIZE)
            ),
        }
        if not args.skip_pandas:
            runs["pandas"] = lambda: pandas_assign(src, outs["pandas"])
        times = {name: _timed(run, args.repeat) for name, run in runs.items()}
        diffs = {
            name: _differences(outs["engine"], outs[name]) for name in runs if name != "engine"
        }
    medians = {name: statistics.median(t) for name, t in times.items()}
    report = {
        "accounts": args.accounts,
        "seconds": times,
        "accounts_per_second": {k: round(args.accounts / v) for k, v in medians.items()},
        "engine_vs_floor": round(medians["engine"] / medians["floor"], 2),
        "pandas_vs_engine": round(medians["pandas"] / medians["engine"], 1)
        if "pandas" in medians
        else None,
        "differences": diffs,
        "load_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, t in times.items():
            rate = args.accounts / medians[name] / 1e6
            print(f"{name:7} {medians[name]:8.2f} s  {rate:6.2f} M accounts/s  runs {t}")
        print(
            f"engine / floor = {report['engine_vs_floor']}×; pandas / engine = "
            f"{report['pandas_vs_engine']}×; differences {diffs}"
        )
    return 1 if any(diffs.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
