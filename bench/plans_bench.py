"""Plan options for many hardship applications: applications per second, time per option type.

    .venv/bin/python bench/plans_bench.py --applications 100000 [--json]

Each application gets a synthetic loan (principal, rate, term, method, payments
made so far, all from a seeded generator) and an income and expenditure
statement.  Timed: the account snapshot (payment replay), then the same steps
as ``generate_options`` (affordability, candidates, each option built and
evaluated, ranking), with the build + evaluation time of each option type
recorded separately.  A check at the end compares a sample with
``generate_options`` itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans import OfferLimits, generate_options, parse_application, snapshot_for
from tideover.plans.affordability import assess
from tideover.plans.generator import candidate_specs, evaluate, rank
from tideover.plans.npv import RiskAssumptions, default_probability, expected_npv, monthly_hazard
from tideover.plans.options import build_option

AS_OF = date(2025, 9, 20)
SETTINGS = PlatformSettings()


def make_case(rnd: random.Random, n: int) -> tuple[Loan, list[Payment], Any]:
    term = rnd.choice([6, 12, 12, 24, 36])
    terms = terms_for(
        principal=Money.of(rnd.randrange(2_000, 200_000)),
        annual_rate=Decimal(rnd.choice(["0", "0.0799", "0.12", "0.18", "0.24"])),
        term=term,
        method=rnd.choice([RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL]),
        start_date=date(2025, rnd.randrange(1, 7), rnd.randrange(1, 29)),
    )
    loan = Loan("bench", f"L{n}", f"B{n}", terms, build_schedule(terms))
    due = [i for i in loan.schedule.installments if i.due_date <= AS_OF]
    kept = due[: rnd.randrange(0, len(due) + 1)]
    payments = [
        Payment("bench", f"P{n}-{i.number}", loan.loan_id, i.total, i.due_date) for i in kept
    ]
    income = rnd.randrange(1_000, 30_000)
    application = parse_application(
        {
            "application_id": f"A{n}",
            "submitted_on": AS_OF.isoformat(),
            "reason": rnd.choice(["unemployment", "illness_injury", "income_reduction"]),
            "description": "synthetic",
            "expected_duration_months": rnd.choice([None, 2, 3, 6, 12]),
            "income": {"earnings": str(income)},
            "expenses": {
                "home_and_contents": str(rnd.randrange(0, income // 2 + 1)),
                "food_and_housekeeping": str(rnd.randrange(200, 3_000)),
            },
            "dependants": rnd.randrange(0, 4),
            "vulnerable": rnd.random() < 0.1,
        }
    )
    return loan, payments, application


def run(count: int, seed: int) -> dict[str, Any]:
    rnd, limits, risk = random.Random(seed), OfferLimits(), RiskAssumptions()
    timers: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    options_total = offered_total = 0
    started = time.perf_counter()
    for n in range(count):
        loan, payments, application = make_case(rnd, n)
        t0 = time.perf_counter()
        snap = snapshot_for(loan, payments, AS_OF, SETTINGS)
        t1 = time.perf_counter()
        timers["snapshot (replay)"] += t1 - t0
        afford = assess(application, share=limits.affordability_share)
        base = monthly_hazard(default_probability(None, snap.dpd))
        status_quo = expected_npv(
            list(snap.current_cashflows),
            as_of=AS_OF,
            hazard=base,
            assumptions=risk,
            currency=snap.currency,
        )
        specs = candidate_specs(snap, application, afford.affordable_payment, limits)
        t2 = time.perf_counter()
        timers["affordability + candidates"] += t2 - t1
        evaluations, seen = [], set()
        for spec in specs:
            t = time.perf_counter()
            option = build_option(snap, spec)
            if option.option_id in seen:
                continue
            seen.add(option.option_id)
            evaluations.append(
                evaluate(
                    option,
                    snapshot=snap,
                    application=application,
                    affordability=afford,
                    limits=limits,
                    base_hazard=base,
                    status_quo=status_quo,
                    risk=risk,
                )
            )
            kind = "+".join(sorted(k.value for k in option.kinds))
            timers[kind] += time.perf_counter() - t
            counts[kind] += 1
        t3 = time.perf_counter()
        ranked = rank(evaluations)
        timers["ranking"] += time.perf_counter() - t3
        options_total += len(ranked)
        offered_total += sum(e.offered for e in ranked)
    elapsed = time.perf_counter() - started
    return {
        "applications": count,
        "seconds": round(elapsed, 2),
        "applications_per_second": round(count / elapsed, 1),
        "options": options_total,
        "offered": offered_total,
        "per_option_type_ms": {
            k: {"count": counts[k], "mean_ms": round(timers[k] / counts[k] * 1000, 4)}
            for k in sorted(counts)
        },
        "stages_s": {k: round(v, 2) for k, v in timers.items() if k not in counts},
    }


def check(seed: int, sample: int = 200) -> bool:
    """The timed pipeline gives what ``generate_options`` gives."""
    rnd, limits = random.Random(seed), OfferLimits()
    for n in range(sample):
        loan, payments, application = make_case(rnd, n)
        snap = snapshot_for(loan, payments, AS_OF, SETTINGS)
        result = generate_options(snap, application, limits)
        if not all(
            e.option.schedule.total_principal == snap.outstanding_principal
            or e.option.spec.settlement_pct is not None
            for e in result.evaluations
        ):
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    ok = check(args.seed)
    result = run(args.applications, args.seed)
    result.update(python=platform.python_version(), load=os.getloadavg(), check_passed=ok)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{result['applications']} applications in {result['seconds']} s: "
            f"{result['applications_per_second']} applications/s, "
            f"{result['options']} options ({result['offered']} offered)"
        )
        for kind, row in result["per_option_type_ms"].items():
            print(f"  {kind:45} {row['count']:>8} options  {row['mean_ms']:.3f} ms each")
        for stage, seconds in result["stages_s"].items():
            print(f"  {stage:45} {seconds} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
