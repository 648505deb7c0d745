"""The daily cycle at scale, and four ways to compute it side by side.

    .venv/bin/python bench/cycle_scale_bench.py scale --sizes 1000000,10000000,30000000
    .venv/bin/python bench/cycle_scale_bench.py compare --accounts 10000000 [--skip-spark]

``scale`` runs ``cycle_bench.py`` once per size, each in its own process (so
each peak resident memory is that size's own), and prints the stage times,
accounts/s and the growth per million accounts.

``compare`` builds one synthetic portfolio (``cycle_bench.accounts_table``,
fixed seed; not timed) and computes the day four ways, supportive policy, CN
pack, no model:

(a) engine: ``tideover.batch.cycle.run_stages`` (DuckDB);
(b) floor: hand-written DuckDB SQL for this policy — one statement for the
    assignment, one for the planned actions, one for the portfolio KPIs — no
    checks, no codebook, the hash parsed with DuckDB's own hex cast;
(c) pandas: the same logic in pandas/NumPy, ``hashlib.md5`` per experiment row;
(d) spark: ``tideover.batch.cycle.spark.run_stages_spark``, local mode on every core.

The gate, dispatch and contact KPIs are the same Python for all four (the
gate is Python per action by design: ``docs/cycle.md``); they are timed apart
so the SQL work can be compared with the floor.  All four must give the same
planned actions and the same portfolio KPI rows; exit status 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from cycle_bench import POLICY, accounts_table, bench_config, previous_table
from synthetic import DEFAULT_AS_OF, DEFAULT_SEED
from tideover.batch.cycle import CycleInputs, run_stages
from tideover.batch.cycle.gate import GatedAction, PlannedAction, gate_actions
from tideover.batch.cycle.kpis import KpiRow, contact_kpis
from tideover.batch.cycle.stages import actions_from_rows, dispatch, steps_table
from tideover.domain.platforms import PlatformSettings
from tideover.policy.document import CompiledPolicy, load_policy

HERE = Path(__file__).parent
PLATFORM = "bench"  # the platform of bench_config: part of the experiment hash key

# --- (b) the floor ----------------------------------------------------------------------------

# Codes in the policy's document order: segments dispute 0, hardship 1, high_risk 2, early 3,
# late 4, current 5; treatments courtesy 0, paused 1, soft_reminders 2, soft_reminders_warm 3,
# care 4, personal_call 5, recovery 6; arms champion 0, warm 1, holdout 2.  The accounts carry
# no flags, promises, score or band: those features take their documented defaults here.
FLOOR_ASSIGN = """
CREATE OR REPLACE TEMP TABLE floor_assigned AS
SELECT account_id, borrower_id, is_open, time_zones, dpd, bucket, overdue_minor, balance_minor,
  CAST(NULL AS DECIMAL(9,6)) AS score, CAST(NULL AS VARCHAR) AS band,
  CASE seg WHEN 0 THEN 'dispute' WHEN 1 THEN 'hardship' WHEN 2 THEN 'high_risk'
    WHEN 3 THEN 'early' WHEN 4 THEN 'late' ELSE 'current' END AS segment,
  CASE arm WHEN 0 THEN 'champion' WHEN 1 THEN 'warm' WHEN 2 THEN 'holdout' ELSE '' END AS arm,
  CASE trt WHEN 0 THEN 'courtesy' WHEN 1 THEN 'paused' WHEN 2 THEN 'soft_reminders'
    WHEN 3 THEN 'soft_reminders_warm' WHEN 4 THEN 'care' WHEN 5 THEN 'personal_call'
    ELSE 'recovery' END AS treatment,
  CASE seg WHEN 1 THEN 'hardship_relief' WHEN 2 THEN 'standard_relief'
    WHEN 3 THEN 'standard_relief' WHEN 4 THEN 'settlement_relief' END AS offers,
  trt AS treatment_code,
  CASE WHEN stop THEN 0 WHEN trt IN (2, 3) THEN
      CASE dpd WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 5 THEN 4 WHEN 10 THEN 8 WHEN 20 THEN 16 ELSE 0 END
    WHEN trt = 4 THEN CASE WHEN dpd = 0 THEN 1 WHEN dpd = 1 THEN 2
      WHEN dpd BETWEEN 14 AND 90 AND (dpd - 14) % 14 = 0 THEN 4 ELSE 0 END
    WHEN trt = 5 THEN CASE WHEN dpd = 16 THEN 1
      WHEN dpd BETWEEN 23 AND 90 AND (dpd - 23) % 7 = 0 THEN 2 ELSE 0 END
    WHEN trt = 6 THEN CASE WHEN dpd = 31 THEN 1 WHEN dpd = 45 THEN 2
      WHEN dpd BETWEEN 60 AND 180 AND (dpd - 60) % 15 = 0 THEN 4 ELSE 0 END
    ELSE 0 END::BIGINT AS actions
FROM (
  SELECT *, CASE WHEN trt = 4 THEN FALSE WHEN trt IN (2, 3, 5, 6) THEN FALSE ELSE FALSE END
    AS stop
  FROM (
    SELECT *, CASE arm WHEN 0 THEN 2 WHEN 1 THEN 3 WHEN 2 THEN 0 ELSE
      CASE seg WHEN 0 THEN 1 WHEN 1 THEN 4 WHEN 2 THEN 5 WHEN 3 THEN 2 WHEN 4 THEN 6 ELSE 0 END
      END AS trt
    FROM (
      SELECT *, CASE WHEN seg = 3 THEN
        CASE WHEN b < 4500 THEN 0 WHEN b < 9000 THEN 1 ELSE 2 END END AS arm
      FROM (
        SELECT *, CASE WHEN seg = 3 THEN
          CAST('0x' || substr(md5('bench:early-tone:' || account_id), 1, 8) AS BIGINT) % 10000
          END AS b
        FROM (
          SELECT *,
            CASE WHEN dpd > 15 AND (NULL IN ('D', 'E') OR NULL >= 0.6 OR 0 >= 2) THEN 2
              WHEN dpd BETWEEN 1 AND 30 THEN 3 WHEN dpd > 30 THEN 4 ELSE 5 END AS seg
          FROM cycle_accounts)))))
"""
FLOOR_PLANNED = """
SELECT a.account_id, a.borrower_id, a.time_zones, s.step, s.channel, s.template, s.tone,
  s.queue, s.priority, a.segment, a.arm, a.treatment, a.offers, a.dpd, a.bucket,
  a.overdue_minor, a.balance_minor, a.score, a.band
FROM floor_assigned AS a JOIN cycle_steps AS s USING (treatment_code)
WHERE a.is_open AND a.actions & (1 << s.step_index) <> 0
ORDER BY a.account_id, s.step_index
"""
FLOOR_KPIS = """
WITH o AS (SELECT * FROM floor_assigned WHERE is_open),
base AS (SELECT segment, arm, count(*) AS n, sum(balance_minor) AS amount FROM o GROUP BY 1, 2),
moved AS (
  SELECT a.segment, a.arm, p.bucket AS key, p.balance_minor AS amount, a.balance_minor AS now,
    a.is_open AND r_now.r > r_then.r AS rolled,
    r_then.r > 0 AND (r_now.r = 0 OR NOT a.is_open) AS cured
  FROM cycle_previous AS p JOIN floor_assigned AS a USING (account_id)
  JOIN ranks AS r_then ON r_then.label = p.bucket JOIN ranks AS r_now ON r_now.label = a.bucket
  WHERE p.balance_minor > 0)
SELECT o.segment, o.arm, 'bucket', o.bucket, count(*), sum(o.balance_minor), any_value(b.n),
  any_value(b.amount) FROM o JOIN base AS b USING (segment, arm) GROUP BY 1, 2, 4
UNION ALL
SELECT o.segment, o.arm, 'delinquent', d.key, count(*), sum(o.balance_minor), any_value(b.n),
  any_value(b.amount)
FROM o JOIN base AS b USING (segment, arm) JOIN (VALUES ('30+', 30), ('90+', 90)) AS d(key, days)
  ON o.dpd > d.days GROUP BY 1, 2, 4
UNION ALL
SELECT segment, arm, 'roll', key, count(*) FILTER (WHERE rolled),
  coalesce(sum(now) FILTER (WHERE rolled), 0), count(*), sum(amount) FROM moved GROUP BY 1, 2, 4
UNION ALL
SELECT segment, arm, 'cure', key, count(*) FILTER (WHERE cured),
  coalesce(sum(amount) FILTER (WHERE cured), 0), count(*), sum(amount) FROM moved
WHERE key <> 'M0' GROUP BY 1, 2, 4
"""


def floor(
    compiled: CompiledPolicy, accounts: pa.Table, previous: pa.Table, labels: tuple[str, ...]
) -> tuple[list[PlannedAction], list[tuple[Any, ...]]]:
    con = duckdb.connect()
    con.register("cycle_accounts", accounts)
    con.register("cycle_previous", previous)
    con.register("cycle_steps", steps_table(compiled))
    con.register("ranks", pa.table({"label": list(labels), "r": list(range(len(labels)))}))
    con.execute(FLOOR_ASSIGN)
    rows = con.execute(FLOOR_PLANNED).fetchall()
    actions = actions_from_rows([d[0] for d in con.description or ()], rows)
    return actions, con.execute(FLOOR_KPIS).fetchall()


# --- (c) pandas -------------------------------------------------------------------------------

SEGMENTS = np.array(["dispute", "hardship", "high_risk", "early", "late", "current"], dtype=object)
TREATMENTS = np.array(
    [
        "courtesy",
        "paused",
        "soft_reminders",
        "soft_reminders_warm",
        "care",
        "personal_call",
        "recovery",
    ],
    dtype=object,
)
ARMS = np.array(["champion", "warm", "holdout", ""], dtype=object)
OFFERS = np.array(
    [None, "hardship_relief", "standard_relief", "standard_relief", "settlement_relief", None],
    dtype=object,
)


def _bits(conditions: list[Any]) -> Any:
    return sum(np.where(c, np.int64(1 << i), np.int64(0)) for i, c in enumerate(conditions))


def pandas_day(
    compiled: CompiledPolicy, accounts: pa.Table, previous: pa.Table, labels: tuple[str, ...]
) -> tuple[list[PlannedAction], list[tuple[Any, ...]]]:
    """The same day in pandas/NumPy: features' defaults, policy, planned actions, KPIs."""
    df = accounts.to_pandas()
    dpd = df["dpd"].to_numpy()
    no = np.zeros(len(df), dtype=bool)  # flags and promises: defaults (none)
    seg = np.select(
        [no, no, (dpd > 15) & (no | no | no), (dpd >= 1) & (dpd <= 30), dpd > 30],
        [0, 1, 2, 3, 4],
        5,
    )
    early = np.flatnonzero(seg == 3)
    ids = df["account_id"].to_numpy()[early]
    buckets = (
        np.fromiter(
            (
                int(hashlib.md5(f"{PLATFORM}:early-tone:{i}".encode()).hexdigest()[:8], 16)
                for i in ids
            ),
            dtype=np.int64,
            count=len(ids),
        )
        % 10_000
    )
    arm = np.full(len(df), 3, dtype=np.int8)
    arm[early] = np.select([buckets < 4500, buckets < 9000], [0, 1], 2)
    trt = np.array([1, 4, 5, 2, 6, 0], dtype=np.int8)[seg]
    trt = np.where(arm < 3, np.array([2, 3, 0, 0], dtype=np.int8)[arm], trt)
    stop = no  # stop conditions read promise_active / dispute_flag: FALSE
    soft = _bits([dpd == d for d in (1, 2, 5, 10, 20)])
    care = _bits([dpd == 0, dpd == 1, (dpd >= 14) & (dpd <= 90) & ((dpd - 14) % 14 == 0)])
    personal = _bits([dpd == 16, (dpd >= 23) & (dpd <= 90) & ((dpd - 23) % 7 == 0)])
    recovery = _bits([dpd == 31, dpd == 45, (dpd >= 60) & (dpd <= 180) & ((dpd - 60) % 15 == 0)])
    actions = np.select(
        [np.isin(trt, [2, 3]), trt == 4, trt == 5, trt == 6], [soft, care, personal, recovery], 0
    )
    actions = np.where(stop, 0, actions).astype(np.int64)
    df["segment"], df["arm"] = SEGMENTS[seg], ARMS[arm]
    df["treatment"], df["offers"], df["treatment_code"] = TREATMENTS[trt], OFFERS[seg], trt
    df["score"], df["band"] = None, None
    is_open = df["is_open"].to_numpy()
    steps = steps_table(compiled).to_pandas()
    picked = []
    for step in steps.itertuples():
        hit = np.flatnonzero(
            is_open & (trt == step.treatment_code) & ((actions >> step.step_index) & 1 == 1)
        )
        picked.append(pd.DataFrame({"row": hit, "step_index": step.step_index, "s": step.Index}))
    chosen = pd.concat(picked)
    chosen["account_id"] = df["account_id"].to_numpy()[chosen["row"].to_numpy()]
    chosen = chosen.sort_values(["account_id", "step_index"], kind="stable")
    rows = df.iloc[chosen["row"].to_numpy()].reset_index(drop=True)
    step_rows = steps.iloc[chosen["s"].to_numpy()].reset_index(drop=True)
    names = ["account_id", "borrower_id", "time_zones", "step", "channel", "template", "tone"]
    names += ["queue", "priority", "segment", "arm", "treatment", "offers", "dpd", "bucket"]
    names += ["overdue_minor", "balance_minor", "score", "band"]
    table = pd.concat([rows, step_rows.drop(columns=["treatment_code", "step_index"])], axis=1)
    table = table.astype(object).where(table.notna(), None)
    planned = actions_from_rows(names, zip(*(table[n].tolist() for n in names), strict=True))
    return planned, _pandas_kpis(df, previous, labels)


def _pandas_kpis(
    df: pd.DataFrame, previous: pa.Table, labels: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    keys = ["segment", "arm"]
    o = df[df["is_open"]]
    base = o.groupby(keys)["balance_minor"].agg(["size", "sum"])
    out: list[tuple[Any, ...]] = []

    def emit(metric: str, grouped: pd.DataFrame, key: Any) -> None:
        for (segment, arm, k), row in grouped.iterrows():
            n, amount = base.loc[(segment, arm)]
            out.append((segment, arm, metric, k if key is None else key, row["size"],
                        row["sum"], n, amount))  # fmt: skip

    emit("bucket", o.groupby([*keys, "bucket"])["balance_minor"].agg(["size", "sum"]), None)
    for key, days in (("30+", 30), ("90+", 90)):
        late = o[o["dpd"] > days]
        per_bucket = late.groupby([*keys, "bucket"])["balance_minor"].agg(["size", "sum"])
        per_arm = per_bucket.groupby(level=[0, 1]).sum().assign(k=key)
        emit("delinquent", per_arm.set_index("k", append=True), key)
    rank = {label: i for i, label in enumerate(labels)}
    prev = previous.to_pandas()
    prev = prev[prev["balance_minor"] > 0]  # open then (domain.kpis)
    today = df[["account_id", "segment", "arm", "bucket", "is_open", "balance_minor"]]
    moved = prev.merge(today.rename(columns={"balance_minor": "now"}), on="account_id")
    then = moved["bucket_x"].map(rank).to_numpy()
    now = moved["bucket_y"].map(rank).to_numpy()
    moved["rolled"] = (now > then) & moved["is_open"].to_numpy()
    moved["cured"] = (then > 0) & ((now == 0) | ~moved["is_open"].to_numpy())
    for metric, flag, subset in (
        ("roll", "rolled", moved),
        ("cure", "cured", moved[moved["bucket_x"] != labels[0]]),
    ):
        # A roll counts the balance today, a cure the balance then (domain.kpis).
        counted = subset["now"] if metric == "roll" else subset["balance_minor"]
        subset = subset.assign(hit=counted.where(subset[flag], 0))
        g = subset.groupby([*keys, "bucket_x"]).agg(
            n=("balance_minor", "size"), amount=("balance_minor", "sum"),
            hits=(flag, "sum"), hit_amount=("hit", "sum"))  # fmt: skip
        for (segment, arm, key), r in g.iterrows():
            out.append((segment, arm, metric, key, r["hits"], r["hit_amount"], r["n"], r["amount"]))
    return out


# --- running ----------------------------------------------------------------------------------


def _kpi_set(rows: list[tuple[Any, ...]] | list[KpiRow]) -> set[tuple[Any, ...]]:
    fields = ("segment", "arm", "metric", "key", "accounts", "amount_minor")
    fields += ("base_accounts", "base_amount_minor")
    out = set()
    for row in rows:
        values = tuple(row[f] for f in fields) if isinstance(row, dict) else tuple(row)
        out.add(tuple(v if isinstance(v, str) or v is None else int(v) for v in values))
    return out


def _peak_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _descendant_peak_mib() -> int:
    """Peak resident memory of live child processes (the Spark JVM and its workers)."""
    total, me = 0, os.getpid()
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except OSError:
                continue
    for pid in parents:
        ancestor = parents.get(pid)
        while ancestor is not None and ancestor != me:
            ancestor = parents.get(ancestor)
        if ancestor == me:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) // 1024
    return total


def _gate_and_dispatch(
    actions: list[PlannedAction], config: Any, compiled: CompiledPolicy
) -> tuple[list[GatedAction], float, float]:
    started = time.perf_counter()
    gated = gate_actions(actions, as_of=config.as_of, ledger=CycleInputs(pa.table({})).ledger,
                         settings=config.gate)  # fmt: skip
    gate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    offers = {k: [o.value for o in v.options] for k, v in compiled.policy.offers.items()}
    dispatch(gated, config, offers=offers)
    contact_kpis(gated, costs_minor=config.costs_minor, currency=config.currency)
    return gated, gate_seconds, time.perf_counter() - started


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def compare(n: int, seed: int, spark: bool, repeat: int = 1) -> dict[str, Any]:
    settings = PlatformSettings()
    labels = settings.buckets.labels
    accounts, _ = accounts_table(n, seed, DEFAULT_AS_OF, settings.buckets)
    previous = previous_table(accounts, seed, settings.buckets)
    compiled = load_policy(POLICY)
    config = bench_config(DEFAULT_AS_OF, settings)
    report: dict[str, Any] = {"accounts": n, "seed": seed, "paths": {}}
    results: dict[str, tuple[list[tuple[str, str]], set[tuple[Any, ...]]]] = {}

    runs: list[tuple[float, float]] = []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), _cpu()
        engine = run_stages(compiled, None, CycleInputs(accounts, previous), config)
        runs.append((time.perf_counter() - started, _cpu() - cpu))
    total, cpu_seconds = min(runs)
    # The same gate and dispatch again on the engine's planned actions: what the
    # Python per action costs, so that the rest can be set against the floor.
    _, gate_s, dispatch_s = _gate_and_dispatch([g.action for g in engine.gated], config, compiled)
    report["paths"]["engine"] = {
        "seconds": round(total, 3), "stages": engine.timings, "peak_mib": _peak_mib(),
        "sql_seconds": round(total - gate_s - dispatch_s, 3), "gate_seconds": round(gate_s, 3),
        "dispatch_and_contact_kpis_seconds": round(dispatch_s, 3),
        "cpu_seconds": round(cpu_seconds, 3), "runs": [round(r[0], 3) for r in runs],
    }  # fmt: skip
    results["engine"] = (
        [(g.action.account_id, g.action.step) for g in engine.gated],
        _kpi_set([r for r in engine.kpis if r["base_accounts"] is not None]),
    )
    report["actions"] = len(engine.gated)

    for name, path in (("floor", floor), ("pandas", pandas_day)):
        timed = []
        for _ in range(repeat):
            started, cpu = time.perf_counter(), _cpu()
            planned, kpis = path(compiled, accounts, previous, labels)
            sql_seconds = time.perf_counter() - started
            _, gate_s, dispatch_s = _gate_and_dispatch(planned, config, compiled)
            timed.append((time.perf_counter() - started, sql_seconds, gate_s, dispatch_s,
                          _cpu() - cpu))  # fmt: skip
        best = min(timed)
        report["paths"][name] = {
            "seconds": round(best[0], 3),
            "sql_seconds": round(best[1], 3),
            "gate_seconds": round(best[2], 3),
            "dispatch_and_contact_kpis_seconds": round(best[3], 3),
            "cpu_seconds": round(best[4], 3),
            "runs": [round(t[0], 3) for t in timed],
            "peak_mib": _peak_mib(),
        }
        results[name] = ([(a.account_id, a.step) for a in planned], _kpi_set(kpis))

    if spark:
        from tideover.batch.cycle.spark import local_session, run_stages_spark

        started = time.perf_counter()
        session = local_session(memory="6g")
        start_seconds = time.perf_counter() - started
        started = time.perf_counter()
        sparked = run_stages_spark(compiled, None, CycleInputs(accounts, previous), config,
                                   spark=session)  # fmt: skip
        total = time.perf_counter() - started
        report["paths"]["spark"] = {
            "seconds": round(total, 3), "session_start_seconds": round(start_seconds, 3),
            "stages": sparked.timings, "peak_mib": _peak_mib(),
            "jvm_and_workers_peak_mib": _descendant_peak_mib(),
        }  # fmt: skip
        session.stop()
        results["spark"] = (
            [(g.action.account_id, g.action.step) for g in sparked.gated],
            _kpi_set([r for r in sparked.kpis if r["base_accounts"] is not None]),
        )
    same = {
        name: result[0] == results["engine"][0] and result[1] == results["engine"][1]
        for name, result in results.items()
    }
    report["identical_to_engine"] = same
    engine_s = report["paths"]["engine"]["seconds"]
    report["ratios"] = {
        "engine_vs_floor_total": round(engine_s / report["paths"]["floor"]["seconds"], 2),
        "engine_vs_floor_sql": round(
            report["paths"]["engine"]["sql_seconds"] / report["paths"]["floor"]["sql_seconds"], 2
        ),
        "pandas_vs_engine_total": round(report["paths"]["pandas"]["seconds"] / engine_s, 2),
        "pandas_vs_engine_sql": round(
            report["paths"]["pandas"]["sql_seconds"] / report["paths"]["engine"]["sql_seconds"], 2
        ),
    }
    if spark:
        report["ratios"]["spark_vs_engine_total"] = round(
            report["paths"]["spark"]["seconds"] / engine_s, 2
        )
    report["load_1min"] = round(os.getloadavg()[0], 2)
    return report


def scale(sizes: list[int], seed: int) -> list[dict[str, Any]]:
    reports = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, str(HERE / "cycle_bench.py"), "--accounts", str(n),
             "--seed", str(seed), "--json"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        report = json.loads(out.stdout)
        report["load_1min"] = round(os.getloadavg()[0], 2)
        reports.append(report)
        print(json.dumps(report), flush=True)
    first = reports[0]
    for r in reports:
        r["seconds_per_million"] = round(r["end_to_end_seconds"] / (r["accounts"] / 1e6), 3)
        r["vs_smallest_per_account"] = round(
            r["seconds_per_million"] / (first["end_to_end_seconds"] / (first["accounts"] / 1e6)), 2
        )
    return reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("scale")
    s.add_argument("--sizes", default="1000000,10000000,30000000")
    s.add_argument("--seed", type=int, default=DEFAULT_SEED)
    c = sub.add_parser("compare")
    c.add_argument("--accounts", type=int, default=10_000_000)
    c.add_argument("--seed", type=int, default=DEFAULT_SEED)
    c.add_argument("--skip-spark", action="store_true")
    c.add_argument("--repeat", type=int, default=1, help="runs of each DuckDB/pandas path (best)")
    args = parser.parse_args()
    if args.mode == "scale":
        reports = scale([int(x) for x in args.sizes.split(",")], args.seed)
        print(json.dumps(reports, indent=2))
        return 0
    report = compare(args.accounts, args.seed, not args.skip_spark, args.repeat)
    print(json.dumps(report, indent=2))
    return 0 if all(report["identical_to_engine"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
