"""Contact gate and message checker throughput.

    .venv/bin/python bench/gate_bench.py --borrowers 1000000 --attempts 20000000 [--json]

(a) gate: an in-memory ledger of ``--borrowers`` borrowers holding ``--attempts`` past
contacts (spread over the 30 days before the run date, packed 8 bytes each), then
``--decisions`` single-threaded ``check`` calls without message text for random
borrowers and times, under the CN pack (one zone), the US pack (a third of borrowers
with two candidate zones), the US pack with one zone each and with two zones each.
Building the ledger and the attempts is not timed; each call is timed with
``perf_counter_ns`` for p50/p99, and a second untimed-per-call pass (best of
``--repeat``) gives decisions per second of wall time and of CPU time (the latter not
counting the moments other processes on a shared machine had the core).
(b) messages: ``check_message`` over ``--messages`` generated zh/en collection texts
(60-300 characters, about one in five with a violation).

To compare with other code, run the same command with ``PYTHONPATH`` pointing at
that code's ``src`` (the ``tideover`` line of the output says which was measured).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from array import array
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

import tideover
from tideover.compliance.contacts import ActorRole, Attempt, Channel, ContactProfile
from tideover.compliance.gate import check, check_message, compile_pack
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack

RUN_DAY = datetime(2026, 6, 3, tzinfo=UTC)
CHANNELS = [Channel.CALL, Channel.CALL, Channel.CALL, Channel.SMS, Channel.EMAIL]


def build_ledger(borrowers: int, attempts: int, seed: int) -> InMemoryLedger:
    """Packed events straight from numpy: time << 24 | channel << 21 | outcome << 17 | slots."""
    rng = np.random.default_rng(seed)
    owner = np.sort(rng.integers(0, borrowers, attempts, dtype=np.int64))
    start = int((RUN_DAY - timedelta(days=30)).timestamp())
    at = rng.integers(start, int(RUN_DAY.timestamp()), attempts, dtype=np.int64)
    channel = rng.choice(np.array([0, 0, 0, 1, 2], dtype=np.int64), attempts)  # call, sms, email
    outcome = rng.choice(np.array([1, 1, 2, 3, 4, 5], dtype=np.int64), attempts)
    debt = rng.integers(1, 3, attempts, dtype=np.int64)
    number = rng.integers(1, 3, attempts, dtype=np.int64)
    packed = (at << 24) | (channel << 21) | (outcome << 17) | (debt << 8) | number
    order = np.lexsort((packed, owner))
    packed, owner = packed[order], owner[order]
    bounds = np.searchsorted(owner, np.arange(borrowers + 1))
    ledger = InMemoryLedger()
    debts, numbers = ["L1", "L2"], ["N1", "N2"]
    raw = packed.tobytes()
    for i in range(borrowers):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        events = array("q")
        events.frombytes(raw[lo * 8 : hi * 8])
        ledger.load_packed(f"b{i}", debts, numbers, events)
    return ledger


def build_attempts(
    borrowers: int, count: int, zones: list[tuple[str, ...]], seed: int
) -> list[tuple[Attempt, ContactProfile]]:
    rng = random.Random(seed)
    profiles: dict[tuple[str, ...], dict[int, ContactProfile]] = {z: {} for z in zones}
    out = []
    for _ in range(count):
        i = rng.randrange(borrowers)
        zone = zones[rng.randrange(len(zones))]
        profile = profiles[zone].get(i) or ContactProfile(f"b{i}", zone)
        when = RUN_DAY + timedelta(seconds=rng.randrange(86400))
        attempt = Attempt(
            f"b{i}",
            rng.choice(["L1", "L2"]),
            rng.choice(CHANNELS),
            ActorRole.AGENCY,
            when,
            number=rng.choice(["N1", "N2"]),
        )
        out.append((attempt, profile))
    return out


def time_gate(
    code: str, ledger: InMemoryLedger, work: list[tuple[Attempt, ContactProfile]], repeat: int = 1
) -> dict[str, Any]:
    pack = compile_pack(load_pack(code))
    for attempt, profile in work[:2000]:  # warm caches (plans, zones, holiday years)
        check(attempt, ledger, profile, pack)
    latencies = []
    allowed = 0
    clock = time.perf_counter_ns
    for attempt, profile in work:
        t0 = clock()
        decision = check(attempt, ledger, profile, pack)
        latencies.append(clock() - t0)
        allowed += decision.allowed
    # Wall time counts the moments another process had the core; CPU time does not.
    seconds = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for attempt, profile in work:
            check(attempt, ledger, profile, pack)
        seconds = min(seconds, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    latencies.sort()
    return {
        "pack": code,
        "decisions": len(work),
        "allowed_share": round(allowed / len(work), 3),
        "decisions_per_second": round(len(work) / seconds),
        "decisions_per_cpu_second": round(len(work) / cpu),
        "p50_us": round(latencies[len(latencies) // 2] / 1000, 1),
        "p99_us": round(latencies[int(len(latencies) * 0.99)] / 1000, 1),
        "max_us": round(latencies[-1] / 1000, 1),
    }


ZH_CLEAN = [
    "【{org}】尊敬的{name}，您的借款本期应还{amt}元已逾期{d}天，请于{date}前通过{org}App内“我的账单”还款，以免影响您的信用记录。如有困难可在App内申请延期或分期，详询客服热线{tel}。回复TD退订",
    "【{org}】{name}您好，提醒您账单{amt}元将于{date}到期。您可登录App查看还款计划；若近期收入受影响，可申请困难帮扶，我们会为您评估减免或展期方案。",
    "{name}先生/女士，您好，这里是{org}贷后服务中心。您在我司的借款已逾期{d}天，当前应还{amt}元。请通过官方渠道还款，切勿向任何个人账户转账。",
]
ZH_BAD = [
    "【{org}】{name}，你这个老赖，再不还{amt}元我们就通知你单位和你父母，后果自负！",
    "{name}，欠{amt}元还不还？今天不转账到我个人账户，明天法院传票就到你家。",
    "{name}你听好，实在没钱就去借钱还或者卖车，{date}前必须结清{amt}元。",
]
EN_CLEAN = [
    "{org}: Hi {name}, your payment of ${amt} was due on {date}. You can pay in the app or "
    "call {tel} to discuss a payment plan that works for you. Reply STOP to opt out.",
    "Hello {name}, this is {org}. We noticed your account is {d} days past due. If you are "
    "facing hardship, we can pause interest or extend your term. Call {tel}. Reply STOP to "
    "opt out.",
    "{org} reminder: ${amt} is due on {date}. Pay securely in the app. Questions? Call {tel} "
    "Mon-Fri 9am-8pm. Text STOP to opt out.",
]
EN_BAD = [
    "{name}, pay ${amt} by {date} or we will tell your employer and your family about this debt.",
    "This is the police department. Pay ${amt} to my Venmo today or you will go to jail, {name}.",
    "{name}, you deadbeat. Sell your car or take out a payday loan, but pay ${amt} now.",
]


def messages(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        zh = rng.random() < 0.5
        bad = rng.random() < 0.2
        pool = (ZH_BAD if bad else ZH_CLEAN) if zh else (EN_BAD if bad else EN_CLEAN)
        text = rng.choice(pool).format(
            org=rng.choice(["星辰消费金融", "Acme Finance", "北辰小贷"]) if zh else "Acme Finance",
            name=rng.choice(["张伟", "李娜", "王芳"])
            if zh
            else rng.choice(["Jordan", "Sam", "Alex"]),
            amt=f"{rng.randrange(100, 99999)}.{rng.randrange(100):02d}",
            d=rng.randrange(1, 120),
            date=f"2026-0{rng.randrange(1, 10)}-{rng.randrange(10, 29)}",
            tel=f"400-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
        )
        out.append(("CN" if zh else "US", text))
    return out


def time_messages(count: int, seed: int) -> dict[str, Any]:
    texts = messages(count, seed)
    packs = {"CN": compile_pack(load_pack("CN")), "US": compile_pack(load_pack("US"))}
    check_message("warm up", packs["CN"])
    t0, c0 = time.perf_counter(), time.process_time()
    flagged = 0
    for code, text in texts:
        flagged += bool(check_message(text, packs[code], actor=ActorRole.AGENCY))
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    chars = sum(len(t) for _, t in texts)
    return {
        "messages": count,
        "mean_chars": round(chars / count),
        "flagged_share": round(flagged / count, 3),
        "messages_per_second": round(count / seconds),
        "messages_per_cpu_second": round(count / cpu),
        "mean_us": round(seconds / count * 1e6, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--borrowers", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=20_000_000)
    parser.add_argument("--decisions", type=int, default=200_000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20260603)
    parser.add_argument(
        "--repeat", type=int, default=1, help="throughput passes per row; the best is kept"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    ledger = build_ledger(args.borrowers, args.attempts, args.seed)
    build_seconds = time.perf_counter() - t0
    result: dict[str, Any] = {
        "borrowers": args.borrowers,
        "past_attempts": len(ledger),
        "ledger_build_seconds": round(build_seconds, 1),
        "python": platform.python_version(),
        "tideover": os.path.dirname(tideover.__file__),
        "load_1min": round(os.getloadavg()[0], 1),
    }
    cn_work = build_attempts(args.borrowers, args.decisions, [("Asia/Shanghai",)], args.seed)
    us_zones = [
        ("America/New_York",),
        ("America/Chicago",),
        ("America/New_York", "America/Los_Angeles"),
    ]
    us_work = build_attempts(args.borrowers, args.decisions, us_zones, args.seed + 1)
    us_one_zone = build_attempts(args.borrowers, args.decisions, us_zones[:1], args.seed + 2)
    us_two_zones = build_attempts(args.borrowers, args.decisions, us_zones[2:], args.seed + 3)
    r = args.repeat
    result["gate"] = [
        time_gate("CN", ledger, cn_work, r),
        time_gate("US", ledger, us_work, r),
        {**time_gate("US", ledger, us_one_zone, r), "pack": "US (one zone only)"},
        {**time_gate("US", ledger, us_two_zones, r), "pack": "US (two zones each)"},
    ]
    result["messages"] = time_messages(args.messages, args.seed)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
