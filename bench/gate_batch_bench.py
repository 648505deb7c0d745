"""The cycle's gate: the set-based batch path against the per-action path, side by side.

    .venv/bin/python bench/gate_batch_bench.py --actions 200000 [--history 0.3] [--json]

A day's planned actions (``--actions``, about 1.3 per borrower, so caps bind across
a borrower's loans) of the supportive policy's channels (SMS, robot call, human
call, e-mail, letter, legal referral), half of the borrowers in Shanghai, the rest
in US zones (a third of those with two candidate zones), under the CN and US packs
as an agency; ``--history`` of the borrowers have 1–12 past contacts in the
contact ledger over the 30 days before the date (calls, conversations, texts), and
1 % a stored hold.  Both paths decide the same actions with their own copy of the
ledger; the script checks that every decision agrees (exit status 1 otherwise) and
prints actions per second of wall and of CPU time, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from tideover.batch.cycle.gate import GateSettings, PlannedAction, gate_actions
from tideover.batch.cycle.gate_batch import gate_actions_batch
from tideover.compliance.contacts import ActorRole, Hold, HoldKind
from tideover.compliance.gate import compile_pack
from tideover.compliance.ledger import InMemoryLedger, StoredRow
from tideover.compliance.loader import load_pack

AS_OF = date(2026, 6, 3)
ZONES = ["Asia/Shanghai", "America/New_York", "America/Los_Angeles", "America/Chicago"]
CHANNELS = ["sms", "sms", "robot_call", "human_call", "email", "letter", "legal_referral"]


def build(n: int, history: float, seed: int) -> tuple[list[PlannedAction], list[StoredRow], Any]:
    rng = np.random.default_rng(seed)
    borrowers = max(1, int(n / 1.3))
    owner = np.sort(rng.integers(0, borrowers, n))
    zone_of = []
    for b in range(borrowers):
        if b % 2 == 0:
            zone_of.append(("Asia/Shanghai",))
        elif b % 6 == 1:
            zone_of.append(("America/New_York", "America/Los_Angeles"))
        else:
            zone_of.append((ZONES[1 + b % 3],))
    channels = rng.choice(np.array(CHANNELS), n)
    actions = [
        PlannedAction(
            account_id=f"L{i:09d}",
            borrower_id=f"B{int(b):09d}",
            time_zones=zone_of[int(b)],
            step=f"t#{i % 3}",
            channel=str(c),
            template=None,
            tone="neutral",
            queue="q",
            priority=50,
            segment="s",
            arm="",
            treatment="t",
            offers=None,
            dpd=40,
            bucket="M2",
            overdue_minor=1_000,
            balance_minor=100_000,
            score=None,
            band=None,
        )
        for i, (b, c) in enumerate(zip(owner.tolist(), channels.tolist(), strict=True))
    ]
    rows: list[StoredRow] = []
    end = int(datetime.combine(AS_OF, datetime.min.time(), UTC).timestamp())
    start = int((datetime.fromtimestamp(end, UTC) - timedelta(days=30)).timestamp())
    for b in np.flatnonzero(rng.random(borrowers) < history).tolist():
        for _ in range(int(rng.integers(1, 13))):
            channel = str(rng.choice(["call", "call", "sms", "email"]))
            outcome = str(rng.choice(["connected", "no_answer", "conversation", "delivered"]))
            at = int(rng.integers(start, end))
            rows.append((f"B{b:09d}", "L0", channel, "debtor", None, None, False, outcome, at))
    holds = {
        f"B{b:09d}": (Hold(HoldKind.CEASE_CONTACT),)
        for b in np.flatnonzero(rng.random(borrowers) < 0.01).tolist()
    }
    packs = (compile_pack(load_pack("CN")), compile_pack(load_pack("US")))
    settings = GateSettings(packs, actor=ActorRole.AGENCY, holds=holds)
    return actions, rows, settings


def _ledger(rows: list[StoredRow]) -> InMemoryLedger:
    ledger = InMemoryLedger()
    ledger.load_rows(rows)
    return ledger


def timed(fn: Any, actions: list[PlannedAction], rows: list[StoredRow], settings: Any) -> Any:
    ledger = _ledger(rows)
    wall, cpu = time.perf_counter(), time.process_time()
    gated = fn(actions, as_of=AS_OF, ledger=ledger, settings=settings)
    return gated, time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=200_000)
    parser.add_argument("--history", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261208)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    actions, rows, settings = build(args.actions, args.history, args.seed)
    report: dict[str, Any] = {
        "actions": len(actions),
        "ledger_rows": len(rows),
        "holds": len(settings.holds),
        "load_before": os.getloadavg()[0],
    }
    results = {}
    for name, fn in (("per_action", gate_actions), ("batch", gate_actions_batch)):
        best: tuple[float, float] | None = None
        for _ in range(args.repeat):
            gated, wall, cpu = timed(fn, actions, rows, settings)
            best = (wall, cpu) if best is None or wall < best[0] else best
        assert best is not None
        results[name] = gated
        report[name] = {
            "seconds": round(best[0], 3),
            "cpu_seconds": round(best[1], 3),
            "actions_per_s": round(len(actions) / best[0]),
            "actions_per_cpu_s": round(len(actions) / max(best[1], 1e-9)),
        }
    same = results["per_action"] == results["batch"]
    states = [g.state for g in results["batch"]]
    report["identical"] = same
    report["states"] = {s: states.count(s) for s in ("allowed", "rescheduled", "dropped")}
    report["speed_up"] = round(report["per_action"]["seconds"] / report["batch"]["seconds"], 1)
    report["load_after"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
