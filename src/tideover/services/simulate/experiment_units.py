"""An experiment's accounts and their cures, from the stored delinquency snapshots.

The KPI snapshot counts a move (a cure, a roll) under the segment and arm an
account is in *after* it, so an account that cures leaves a delinquent
segment's rows before its cure is counted: the snapshot cannot say which arm
cured it.  The experiment's cure rate is therefore read per account:

- an account's arm is the portable assignment hash of the platform, the
  experiment and the account (``batch.assign``), the very one the cycle used;
- whether it was in the experiment's segment on a cycle date is the policy's
  first-matching segment evaluated on that date's days past due and bucket
  (the stored delinquency snapshot) with the account's other features as they
  are today (score, band, flags, product: the cycle does not keep them per
  day); a loan repaid by today takes the "nothing happened" defaults;
- a **unit** is an account delinquent and in the segment on one cycle date;
  its outcome is whether it is current (or repaid) on the next cycle date —
  account-days at risk, as a log-rank test counts them;
- its **pre-period covariate** (CUPED) is the account's days past due on the
  experiment's first day, computed before that day's contacts: the treatment
  cannot have moved it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from tideover.batch.assign import Codebook, layered_sql
from tideover.domain.days import day_number
from tideover.policy.document import CompiledPolicy

FloatArray = npt.NDArray[np.float64]
# Features held at the cycle's "nothing happened" value for a loan repaid by today.
_DEFAULTS = {
    "hardship_flag": "FALSE",
    "vulnerable_flag": "FALSE",
    "dispute_flag": "FALSE",
    "time_barred": "FALSE",
    "promise_active": "FALSE",
    "broken_promises": "0",
}
_FROM_SNAPSHOT = ("dpd", "bucket", "days_in_segment", "installments_overdue")


@dataclass(frozen=True)
class CureUnits:
    """One row per unit (an account delinquent in the segment on a date, seen the next)."""

    arm: npt.NDArray[np.object_]
    day: npt.NDArray[np.int64]  # index of the date the outcome was seen
    cured: FloatArray  # 1 or 0
    covariate: FloatArray  # days past due on the experiment's first day
    vulnerable: npt.NDArray[np.bool_]
    accounts: dict[str, int]  # arm -> distinct accounts ever in the segment in that arm


def cure_units(
    compiled: CompiledPolicy,
    *,
    platform: str,
    experiment: str,
    segment: str,
    days: Sequence[date],
    paths: Sequence[tuple[Any, ...]],
    today: pa.Table,
) -> CureUnits:
    """The experiment's cure units over ``days`` (cycle dates, oldest first).

    ``paths``: (loan id, day number, days past due, bucket, outstanding principal) rows
    of the delinquency snapshots on ``days``; ``today``: the open accounts' features now.
    """
    con = duckdb.connect()
    snapshots = pa.table(
        {
            "account_id": pa.array([str(r[0]) for r in paths], pa.string()),
            "day": pa.array([int(r[1]) for r in paths], pa.int32()),
            "snapshot_dpd": pa.array([int(r[2]) for r in paths], pa.int32()),
            "snapshot_bucket": pa.array([str(r[3]) for r in paths], pa.string()),
        }
    )
    con.register("snapshots", snapshots)
    con.register("today_features", today)
    kept = [c for c in today.column_names if c not in (*_FROM_SNAPSHOT, "account_id")]
    static = ", ".join(
        f"COALESCE(t.{c}, {_DEFAULTS[c]}) AS {c}" if c in _DEFAULTS else f"t.{c}" for c in kept
    )
    con.execute(
        f"""CREATE TEMP TABLE experiment_days AS
        SELECT s.account_id, s.day, s.snapshot_dpd AS dpd, s.snapshot_bucket AS bucket,
               s.snapshot_dpd AS days_in_segment,
               CAST(ceil(s.snapshot_dpd / 30.0) AS INTEGER) AS installments_overdue,
               {static}
        FROM snapshots AS s LEFT JOIN today_features AS t USING (account_id)"""
    )
    book = Codebook.of(compiled, platform=platform)
    layered = layered_sql(compiled, platform=platform, relation="experiment_days", prefix="a_")
    segment_code = book.segments.index(segment)
    arm_codes = {i: arm for i, (e, arm) in enumerate(book.arms) if e == experiment}
    rows = con.execute(
        f"""SELECT account_id, day, dpd, COALESCE(vulnerable_flag, FALSE), a_seg, a_arm
        FROM {layered} AS assigned ORDER BY account_id, day"""
    ).fetchall()
    con.close()
    return _units(rows, [day_number(d) for d in days], segment_code, arm_codes)


def _units(
    rows: Sequence[tuple[Any, ...]],
    day_numbers: list[int],
    segment_code: int,
    arm_codes: dict[int, str],
) -> CureUnits:
    index = {d: i for i, d in enumerate(day_numbers)}
    first_day = day_numbers[0] if day_numbers else None
    start_dpd: dict[str, int] = {}
    arms, outcome_day, cured, covariate, vulnerable = [], [], [], [], []
    members: dict[str, set[str]] = {arm: set() for arm in arm_codes.values()}
    previous: tuple[Any, ...] | None = None
    for row in rows:
        account, day, dpd = str(row[0]), int(row[1]), int(row[2])
        if day == first_day:
            start_dpd[account] = dpd
        in_segment = row[4] == segment_code and row[5] in arm_codes
        if in_segment:
            members[arm_codes[int(row[5])]].add(account)
        if previous is not None and str(previous[0]) == account:
            was, then_dpd = previous, int(previous[2])
            then = int(was[1])
            consecutive = index.get(day, -1) == index.get(then, -2) + 1
            if consecutive and then_dpd > 0 and was[4] == segment_code and was[5] in arm_codes:
                arms.append(arm_codes[int(was[5])])
                outcome_day.append(index[day])
                cured.append(1.0 if dpd == 0 else 0.0)
                covariate.append(float(start_dpd.get(account, 0)))
                vulnerable.append(bool(was[3]))
        previous = row
    return CureUnits(
        arm=np.array(arms, dtype=object),
        day=np.array(outcome_day, dtype=np.int64),
        cured=np.array(cured),
        covariate=np.array(covariate),
        vulnerable=np.array(vulnerable, dtype=bool),
        accounts={arm: len(ids) for arm, ids in members.items()},
    )
