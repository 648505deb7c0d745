"""Days past due and bucket: per-loan domain code against the vectorised batch code.

    .venv/bin/python bench/dpd_bench.py --loans 1000000 --repeat 3 [--json]

(a) domain path: a Python loop over loans that finds the oldest unpaid due date,
then calls ``days_past_due`` and ``BucketScheme.bucket_for``; its inputs (dates and
``PausePeriod`` objects) are built beforehand, chunk by chunk, and not timed.
(b) vectorised path: ``tideover.batch.delinquency.compute_delinquency`` on the columns.
Both must agree on every loan (oldest unpaid due, DPD, bucket); exit status 1 if not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from synthetic import (
    DEFAULT_SEED,
    LoanInputs,
    Portfolio,
    generate_portfolio,
    loan_inputs,
    oldest_unpaid_due,
)
from tideover.batch.delinquency import DelinquencyColumns, compute_delinquency
from tideover.domain.days import NO_DATE, day_number
from tideover.domain.delinquency import DEFAULT_BUCKETS, BucketScheme, days_past_due


@dataclass(frozen=True, slots=True)
class DomainResult:
    oldest_unpaid_due: NDArray[np.int64]
    dpd: NDArray[np.int64]
    bucket_code: NDArray[np.int64]


def domain_loop(
    loans: list[LoanInputs], as_of: date, scheme: BucketScheme
) -> tuple[list[date | None], list[int], list[str]]:
    """The per-loan path, as a service handling one loan at a time would run it."""
    oldest_dues: list[date | None] = []
    dpds: list[int] = []
    labels: list[str] = []
    for loan in loans:
        oldest = oldest_unpaid_due(loan.installments, as_of)
        dpd = days_past_due(oldest, as_of, loan.pauses)
        oldest_dues.append(oldest)
        dpds.append(dpd)
        labels.append(scheme.bucket_for(dpd).label)
    return oldest_dues, dpds, labels


def time_domain(
    portfolio: Portfolio, scheme: BucketScheme, repeat: int, chunk: int
) -> tuple[list[float], float, DomainResult]:
    """Seconds per repeat (summed over chunks), seconds building the inputs, last results."""
    seconds = [0.0] * repeat
    build_seconds = 0.0
    oldest: list[int] = []
    dpds: list[int] = []
    codes: list[int] = []
    code_of = {label: i for i, label in enumerate(scheme.labels)}
    for first in range(0, portfolio.n_loans, chunk):
        started = time.perf_counter()
        loans = loan_inputs(portfolio, first, min(first + chunk, portfolio.n_loans))
        build_seconds += time.perf_counter() - started
        for r in range(repeat):
            started = time.perf_counter()
            result = domain_loop(loans, portfolio.as_of, scheme)
            seconds[r] += time.perf_counter() - started
        oldest.extend(NO_DATE if d is None else day_number(d) for d in result[0])
        dpds.extend(result[1])
        codes.extend(code_of[label] for label in result[2])
        del loans, result
    return seconds, build_seconds, DomainResult(np.array(oldest), np.array(dpds), np.array(codes))


def time_vectorised(
    portfolio: Portfolio, scheme: BucketScheme, repeat: int
) -> tuple[list[float], DelinquencyColumns]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = compute_delinquency(
            portfolio.installments,
            portfolio.pauses,
            n_loans=portfolio.n_loans,
            as_of=portfolio.as_of,
            scheme=scheme,
        )
        seconds.append(time.perf_counter() - started)
    return seconds, result


def disagreements(domain: DomainResult, vectorised: DelinquencyColumns) -> dict[str, int]:
    return {
        "oldest_unpaid_due": int((domain.oldest_unpaid_due != vectorised.oldest_unpaid_due).sum()),
        "dpd": int((domain.dpd != vectorised.dpd).sum()),
        "bucket": int((domain.bucket_code != vectorised.bucket_code).sum()),
    }


def machine_info() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
    }


def summary(name: str, seconds: list[float], n_loans: int) -> dict[str, Any]:
    median = statistics.median(seconds)
    return {
        "path": name,
        "seconds": [round(s, 4) for s in seconds],
        "median_seconds": round(median, 4),
        "accounts_per_second": round(n_loans / median),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--chunk", type=int, default=100_000, help="loans per domain chunk")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    portfolio = generate_portfolio(args.loans, seed=args.seed)
    generate_seconds = time.perf_counter() - started
    scheme = DEFAULT_BUCKETS
    vector_seconds, vectorised = time_vectorised(portfolio, scheme, args.repeat)
    domain_seconds, build_seconds, domain = time_domain(portfolio, scheme, args.repeat, args.chunk)
    mismatches = disagreements(domain, vectorised)

    domain_summary = summary("domain", domain_seconds, args.loans)
    vector_summary = summary("vectorised", vector_seconds, args.loans)
    counts = np.bincount(vectorised.bucket_code, minlength=len(scheme.labels)).tolist()
    report = {
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "loans": args.loans,
        "installments": int(portfolio.installments.loan_index.size),
        "pauses": int(portfolio.pauses.loan_index.size),
        "as_of": portfolio.as_of.isoformat(),
        "seed": args.seed,
        "generate_seconds": round(generate_seconds, 3),
        "domain_inputs_build_seconds": round(build_seconds, 3),
        "buckets": dict(zip(scheme.labels, counts, strict=True)),
        "results": [domain_summary, vector_summary],
        "speedup_median": round(
            vector_summary["accounts_per_second"] / domain_summary["accounts_per_second"], 1
        ),
        "mismatches": mismatches,
        "agree": not any(mismatches.values()),
        "machine": machine_info(),
    }
    print(json.dumps(report, indent=2) if args.json else _text(report))
    return 0 if report["agree"] else 1


def _text(report: dict[str, Any]) -> str:
    lines = [
        f"{report['loans']:,} loans, {report['installments']:,} installments, "
        f"{report['pauses']:,} pauses, as of {report['as_of']} (seed {report['seed']})",
        "buckets: " + ", ".join(f"{k} {v:,}" for k, v in report["buckets"].items()),
    ]
    for row in report["results"]:
        lines.append(
            f"{row['path']:>10}: median {row['median_seconds']:.3f} s "
            f"({row['accounts_per_second']:,} accounts/s); runs {row['seconds']}"
        )
    lines.append(f"speed-up (median): {report['speedup_median']}x")
    lines.append(
        f"(not timed: generating the columns {report['generate_seconds']} s, building the "
        f"domain path's Python inputs {report['domain_inputs_build_seconds']} s)"
    )
    lines.append("agree on every loan" if report["agree"] else f"MISMATCH {report['mismatches']}")
    machine = report["machine"]
    lines.append(
        f"machine: {machine['cpu']}, {machine['cores']} cores ({machine['cores_usable']} usable), "
        f"load {machine['load_average_1m']}, Python {machine['python']}, numpy {machine['numpy']}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
