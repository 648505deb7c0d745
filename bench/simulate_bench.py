"""Policy impact simulation: the vectorised Monte Carlo against a plain per-account loop.

    .venv/bin/python bench/simulate_bench.py [--scenario stress|normal] [--json]

Three cases, each in its own process so that its peak memory is its own:

- ``big``: ``--big-accounts`` accounts (default 1,000,000) × ``--months`` (12), one run;
- ``many``: ``--many-runs`` runs (200) over ``--many-accounts`` accounts (100,000) × 12 months;
- ``loop``: the baseline, a plain Python loop over ``--loop-accounts`` accounts (300) ×
  12 months, one run: per account and day of its window the one-account evaluator
  (``policy.evaluate.decide``), then the same lift, draw and payment rules in scalar
  Python.  Its account-months per second are compared with the vectorised cases'.

The book is synthetic (``simulate.synthetic``), shaped like the fitted model: the full
Taiwan data from the cache when fetched (``tideover data fetch taiwan``), else the test
sample; the normal scenario also needs Lending Club (``tideover data fetch lendingclub``).
The policy is ``examples/supportive.yaml`` (``--policy``) under the CN pack.  Timed: the
simulation only (building the book and compiling the policy are reported apart).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tideover.compliance.loader import load_pack
from tideover.config import Settings as AppSettings
from tideover.policy.document import CompiledPolicy, load_policy
from tideover.policy.evaluate import decide
from tideover.simulate.behaviour import BehaviourModel, fit_transitions
from tideover.simulate.book import Book
from tideover.simulate.calibrate import calibrate_entry, lending_club_behind
from tideover.simulate.effects import GROUP_OF, Effects, repeated
from tideover.simulate.engine import Settings, prior_draws, simulate
from tideover.simulate.gate import month_gate
from tideover.simulate.priors import load_priors
from tideover.simulate.program import Program
from tideover.simulate.states import (
    installments_paid,
    missed_after,
    state_of_missed,
    states_from_codes,
)
from tideover.simulate.synthetic import synthetic_book

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "src" / "tideover" / "policy" / "examples"
SAMPLE = ROOT / "tests" / "data" / "taiwan_sample.csv"
MONTHS = ["PAY_6", "PAY_5", "PAY_4", "PAY_3", "PAY_2", "PAY_0"]
ISSUED = {"Jan-2018": 5, "Feb-2018": 4, "Mar-2018": 3}
BANDS = ("A", "B", "C", "D", "E")


def fitted_model(scenario: str) -> tuple[BehaviourModel, str]:
    cache = AppSettings().resolved_cache_dir
    full = cache / "taiwan" / "accounts.parquet"
    if full.is_file():
        frame, source = pd.read_parquet(full), "Taiwan, full data (30,000 accounts)"
    else:
        frame, source = pd.read_csv(SAMPLE), "Taiwan, test sample (300 accounts)"
    # The credit limit stands in for a score band: the issuer's own view of the risk.
    bands = pd.qcut(frame["LIMIT_BAL"].rank(method="first"), 5, labels=list(BANDS[::-1]))
    stress = fit_transitions(
        states_from_codes(frame[MONTHS].to_numpy()),
        products=["card"] * len(frame),
        bands=bands.astype(str).tolist(),
        scenario="stress",
        source=source,
        min_row=1,
    )
    if scenario == "stress":
        return stress, source
    loans = pd.read_parquet(cache / "lendingclub" / "2018q1.parquet")
    normal = calibrate_entry(
        stress,
        months_on_book=loans["issue_month"].map(ISSUED).to_numpy(),
        behind=lending_club_behind(loans["loan_status"].tolist()),
        bands=loans["grade"].tolist(),
        product="instalment",
        scenario="normal",
        source="Lending Club 2018 Q1 entry, Taiwan arrears rows",
    )
    return normal, source + " + Lending Club 2018 Q1"


def peak_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def vectorised(args: argparse.Namespace, accounts: int, runs: int) -> dict[str, Any]:
    started = time.perf_counter()
    model, source = fitted_model(args.scenario)
    book = synthetic_book(model, accounts, seed=args.seed)
    priors = load_priors()
    program = Program.build(
        load_policy(EXAMPLES / f"{args.policy}.yaml"),
        gate=month_gate(load_pack("CN")),
        priors=priors,
    )
    setup = time.perf_counter() - started
    before = peak_mib()
    settings = Settings(months=args.months, runs=runs, seed=args.seed, platform="bench")
    started, cpu = time.perf_counter(), time.process_time()
    result = simulate(program=program, model=model, book=book, priors=priors, settings=settings)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    account_months = accounts * args.months * runs
    return {
        "accounts": accounts,
        "months": args.months,
        "runs": runs,
        "data": source,
        "setup_seconds": round(setup, 2),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "account_months_per_second": round(account_months / seconds),
        "peak_memory_mib_before_simulation": before,
        "peak_memory_mib": peak_mib(),
        "dq30_last_month_mean": round(float(np.nanmean(result.kpi("dq30_rate")[:, -1])), 4),
    }


def _loop_month(
    compiled: CompiledPolicy,
    program: Program,
    book: Book,
    i: int,
    state: dict[str, Any],
    effects: Effects,
    matrix: np.ndarray,
    rnd: random.Random,
) -> None:
    """One account's month, account by account and day by day, in plain Python."""
    missed = state["missed"]
    if state["balance"] <= 0:
        return
    start = int(state_of_missed(np.array([missed]))[0])
    row = matrix[start]
    c0 = effects.cure_within_cycle
    if start == 0:
        miss = min(1.0, (1.0 - row[0]) / (1.0 - c0))
        if rnd.random() >= miss:  # pays on time
            state["balance"] -= min(int(book.installment[i]), state["balance"])
            return
    counts = [0.0] * 5
    tones = [0.0, 0.0, 0.0]
    for t in range(30):
        dpd = 30 * missed + 1 + t
        features = {
            "dpd": dpd,
            "days_in_segment": 30 * state["segment_months"] + t,
            "band": book.bands[book.band[i]],
            "score": Decimal(int(book.score[i])).scaleb(-4),
            "hardship_flag": bool(book.hardship[i]),
            "vulnerable_flag": bool(book.vulnerable[i]),
            "dispute_flag": bool(book.dispute[i]),
            "promise_active": False,
            "broken_promises": 0,
        }
        features = {k: v for k, v in features.items() if k in compiled.features}
        decision = decide(compiled, features, platform="bench", account_id=book.account_ids[i])
        for action in decision.actions:
            counts[GROUP_OF[action.channel]] += 1
            tones[("supportive", "neutral", "firm").index(action.tone.value)] += 1
    reached = [c * r for c, r in zip(counts, effects.reach, strict=True)]
    lift = sum(
        float(effects.per_contact[g]) * float(repeated(np.array(reached[g]), effects.repeat))
        for g in range(4)
    )
    total = sum(tones) or 1.0
    lift += effects.supportive * tones[0] / total + effects.firm * tones[2] / total
    weekly = sum(counts[:4]) * 7 / 30
    lift += effects.fatigue * max(0.0, weekly - 3) - effects.reference_lift()
    odds = math.exp(lift)
    u = rnd.random()
    if start == 0:
        cure = odds * c0 / (1 - c0 + odds * c0)
        end = 0 if u < cure else 1
    else:
        better = sum(row[:start])
        tilted = odds * better / (1 - better + odds * better)
        mapped = u * better / tilted if u < tilted else 1 - (1 - u) * (1 - better) / (1 - tilted)
        end = int(np.searchsorted(np.cumsum(row), mapped, side="right"))
        end = min(end, 3)
    before = np.array([missed], dtype=np.int8)
    after = missed_after(before, np.array([end], dtype=np.int8))
    paid = int(installments_paid(before, after)[0]) * int(book.installment[i])
    state["balance"] -= min(paid, state["balance"])
    state["missed"] = int(after[0])
    state["segment_months"] += 1


def loop(args: argparse.Namespace) -> dict[str, Any]:
    model, source = fitted_model(args.scenario)
    book = synthetic_book(model, args.loop_accounts, seed=args.seed)
    priors = load_priors()
    compiled = load_policy(EXAMPLES / f"{args.policy}.yaml")
    program = Program.build(compiled, gate=month_gate(load_pack("CN")), priors=priors)
    settings = Settings(months=args.months, runs=1, seed=args.seed, platform="bench")
    effects = Effects.from_draw(priors, prior_draws(priors, settings)[0])
    matrices = model.expected()[model.index(book.product_labels(), book.band_labels())]
    rnd = random.Random(args.seed)
    states = [
        {"missed": int(m), "balance": int(b), "segment_months": 0}
        for m, b in zip(book.missed, book.balance, strict=True)
    ]
    started = time.perf_counter()
    for _ in range(args.months):
        for i in range(book.size):
            _loop_month(compiled, program, book, i, states[i], effects, matrices[i], rnd)
    seconds = time.perf_counter() - started
    return {
        "accounts": args.loop_accounts,
        "months": args.months,
        "runs": 1,
        "data": source,
        "seconds": round(seconds, 2),
        "account_months_per_second": round(args.loop_accounts * args.months / seconds),
        "peak_memory_mib": peak_mib(),
    }


def run_case(args: argparse.Namespace) -> dict[str, Any]:
    if args.case == "big":
        return vectorised(args, args.big_accounts, 1)
    if args.case == "many":
        return vectorised(args, args.many_accounts, args.many_runs)
    return loop(args)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=["stress", "normal"], default="stress")
    parser.add_argument("--policy", default="supportive")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--big-accounts", type=int, default=1_000_000)
    parser.add_argument("--many-accounts", type=int, default=100_000)
    parser.add_argument("--many-runs", type=int, default=200)
    parser.add_argument("--loop-accounts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--case", choices=["big", "many", "loop"], help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args)))
        return 0
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "load_1min_before": round(os.getloadavg()[0], 2),
        },
        "scenario": args.scenario,
        "policy": args.policy,
    }
    for case in ("big", "many", "loop"):
        command = [sys.executable, __file__, *sys.argv[1:], "--case", case]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        report[case] = json.loads(done.stdout.strip().splitlines()[-1])
    report["machine"]["load_1min_after"] = round(os.getloadavg()[0], 2)
    per_loop = report["loop"]["account_months_per_second"]
    report["speed_up_over_loop"] = {
        case: round(report[case]["account_months_per_second"] / per_loop)
        for case in ("big", "many")
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"scenario {args.scenario}, policy {args.policy}, data: {report['big']['data']}")
    for case in ("big", "many", "loop"):
        r = report[case]
        print(
            f"{case:5s} {r['accounts']:>9,} accounts × {r['months']} months × {r['runs']:>3} runs: "
            f"{r['seconds']:7.2f} s, {r['account_months_per_second']:>12,} account-months/s, "
            f"peak {r['peak_memory_mib']:,} MiB"
        )
    print(f"speed-up over the loop: {report['speed_up_over_loop']}")
    load = report["machine"]
    print(f"load average: {load['load_1min_before']} → {load['load_1min_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
