"""Message checker throughput and latency: both detectors next to the lexicon alone.

    .venv/bin/python bench/text_bench.py [--messages 10000] [--repeat 3] [--cold 3] [--json]

The messages are the corpus's rows (zh and en, both splits, every channel, lawful and
abusive, evasions included), taken in a shuffled order (seed 20261206) and cycled up
to ``--messages``.  Each checker first reads every distinct message once, untimed, so
that lazily built tables are in place; then each run checks every message in one
thread, timing each ``verdict`` call with ``perf_counter_ns`` (p50, p99, max) and the
run with wall-clock and process CPU time (the latter does not count the moments other
processes had the core).  The best run of ``--repeat`` is reported.

A process pays once for what it loads before its first verdict (the lexicon's patterns,
the model, the classifier's compiled loops): ``--cold`` fresh processes each time one
verdict from start-up, the package's import included, and the median is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from tideover.compliance.text import MessageChecker, default_checker, default_lexicon
from tideover.compliance.textcheck.corpus import load_corpus
from tideover.compliance.textcheck.verdict import TextVerdict


def run(check: Callable[[str], TextVerdict], messages: list[str]) -> dict[str, float]:
    latencies = []
    wall, cpu = time.perf_counter(), time.process_time()
    for message in messages:
        start = time.perf_counter_ns()
        check(message)
        latencies.append(time.perf_counter_ns() - start)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    latencies.sort()
    return {
        "messages_per_second_wall": len(messages) / wall,
        "messages_per_second_cpu": len(messages) / cpu,
        "p50_us": latencies[len(latencies) // 2] / 1000,
        "p99_us": latencies[int(len(latencies) * 0.99)] / 1000,
        "max_us": latencies[-1] / 1000,
    }


def best(check: Callable[[str], TextVerdict], messages: list[str], repeat: int) -> dict[str, Any]:
    for message in set(messages):
        check(message)
    runs = [run(check, messages) for _ in range(repeat)]
    return min(runs, key=lambda r: r["p99_us"]) | {"runs": runs}


_COLD = """
import time
start = time.perf_counter()
from tideover.compliance.text import MessageChecker, default_checker, default_lexicon
checker = {checker}
checker.verdict("We know where your children go to school. Pay today.")
print(time.perf_counter() - start)
"""


def cold(checker: str, runs: int) -> float:
    """Median seconds from a fresh process's start to the end of its first verdict."""
    code = _COLD.format(checker=checker)
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold", type=int, default=3, help="fresh processes timed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    texts = [row.text for row in load_corpus()]
    random.Random(20261206).shuffle(texts)
    messages = [texts[i % len(texts)] for i in range(args.messages)]
    result: dict[str, Any] = {
        "messages": len(messages),
        "distinct": len(set(messages)),
        "mean_characters": sum(map(len, messages)) / len(messages),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "lexicon": best(MessageChecker(default_lexicon()).verdict, messages, args.repeat),
        "both": best(default_checker().verdict, messages, args.repeat),
    }
    if args.cold:
        result["lexicon"]["first_verdict_s"] = cold("MessageChecker(default_lexicon())", args.cold)
        result["both"]["first_verdict_s"] = cold("default_checker()", args.cold)
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
        return 0
    print(
        f"{result['messages']} messages ({result['distinct']} distinct, "
        f"{result['mean_characters']:.0f} characters on average), load {result['load_average']}"
    )
    for name in ("lexicon", "both"):
        r = result[name]
        print(
            f"{name:8} {r['messages_per_second_wall']:8.0f} msg/s wall "
            f"{r['messages_per_second_cpu']:8.0f} msg/s cpu  p50 {r['p50_us']:7.1f} us  "
            f"p99 {r['p99_us']:7.1f} us  max {r['max_us']:8.1f} us"
            + (f"  first verdict {r['first_verdict_s']:.2f} s" if "first_verdict_s" in r else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
