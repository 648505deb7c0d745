"""The month's counts per run, and the KPIs computed from them by ``tideover.domain.kpis``.

The simulator adds up counts and amounts (integer minor units) per run and
month, vectorised; :func:`figures` turns one month's into the reference
:class:`~tideover.domain.kpis.Figure` of each KPI, and :func:`month_kpis` takes
their rates.  The definitions are those of ``domain.kpis`` read on month-end
snapshots at each account's due date, where ``k`` missed payments are ``30·k``
days past due and the bucket is ``min(k, 7)`` of the default scheme (M0 … M6+):

- 30+ / 90+ delinquency: open accounts *more than* 30 / 90 days past due — two /
  four or more payments missed — over open accounts (and by balance);
- roll rate: accounts open in a bucket at the start and open in a worse one at the
  end, over accounts open at the start (all buckets together; the last, M6+,
  cannot roll); cure rate: accounts delinquent at the start and current or closed
  at the end, over those delinquent at the start;
- recovery rate: money received from accounts overdue at the start, over what
  they had overdue;
- cost to collect: the cost of the month's attempts per unit recovered;
- complaints per 1,000 contacts; plans taken, kept (ran their term) and broken.

``tests/unit/test_simulate_measures.py`` holds the vectorised counts to the
reference functions account by account.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tideover.domain.kpis import DELINQUENCY_THRESHOLDS, Figure
from tideover.simulate.states import DAYS_PER_MONTH

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
LAST_BUCKET = 7  # M6+ in the default scheme: more than 180 days past due


def missed_over(days: int) -> int:
    """Fewest missed payments (at ``30·k`` days past due) that are *more than* ``days`` past due."""
    return days // DAYS_PER_MONTH + 1


DQ30 = missed_over(DELINQUENCY_THRESHOLDS["30+"])
DQ90 = missed_over(DELINQUENCY_THRESHOLDS["90+"])

# Counts the engine adds up per run and month (amounts in minor units).
COUNTS: tuple[str, ...] = (
    "open_start",
    "open_start_balance",
    "arrears_start",  # delinquent (at least one payment missed) at the start
    "arrears_start_balance",
    "open_end",
    "open_end_balance",
    "dq30_end",
    "dq30_end_balance",
    "dq90_end",
    "dq90_end_balance",
    "rolled",
    "rolled_end_balance",
    "cured",
    "cured_start_balance",
    "overdue_start",  # amount overdue at the start, of the accounts delinquent then
    "recovered_accounts",
    "recovered",  # received from those accounts
    "collected",  # received from every account
    "waived",
    "cost",
    "contacts",
    "reached",
    "denied",
    "complaints",
    "plans_taken",
    "plans_kept",
    "plans_broken",
    "plans_active",
    "vulnerable_open",
    "vulnerable_dq30",
)
COUNT = {name: i for i, name in enumerate(COUNTS)}

KPIS: tuple[str, ...] = (
    "dq30_rate",
    "dq90_rate",
    "dq30_balance_rate",
    "roll_rate",
    "cure_rate",
    "recovery_rate",
    "cost_to_collect",
    "complaints_per_1000_contacts",
    "contacts_per_account",
    "recovered",
    "cost",
    "plans_taken",
    "plans_kept",
    "plans_broken",
    "vulnerable_dq30_rate",
)
# Direction in which a KPI is better: +1 higher, -1 lower, 0 neither.
BETTER: dict[str, int] = {
    "dq30_rate": -1,
    "dq90_rate": -1,
    "dq30_balance_rate": -1,
    "roll_rate": -1,
    "cure_rate": 1,
    "recovery_rate": 1,
    "cost_to_collect": -1,
    "complaints_per_1000_contacts": -1,
    "contacts_per_account": 0,
    "recovered": 1,
    "cost": -1,
    "plans_taken": 0,
    "plans_kept": 1,
    "plans_broken": -1,
    "vulnerable_dq30_rate": -1,
}


def portfolio_counts(
    *,
    live: BoolArray,
    before: npt.NDArray[np.integer],
    after: npt.NDArray[np.integer],
    balance_start: IntArray,
    balance_end: IntArray,
    installment: IntArray,
    received: IntArray,
) -> dict[str, int]:
    """Counts and amounts of the delinquency, roll, cure and recovery figures of one month.

    Per account: open at the start (``live``), payments missed at the start and
    the end, balance at the start and the end, the installment and the money
    received in the month; an account is open at the end while it owes anything.
    """
    still = live & (balance_end > 0)
    arrears = live & (before > 0)
    rolled = still & (np.minimum(after, LAST_BUCKET) > np.minimum(before, LAST_BUCKET))
    cured = arrears & (~still | (after == 0))
    dq30 = still & (after >= DQ30)
    dq90 = still & (after >= DQ90)
    overdue = before.astype(np.int64) * installment

    def total(values: IntArray, mask: BoolArray) -> int:
        return int(np.sum(values, where=mask))

    return {
        "open_start": int(np.count_nonzero(live)),
        "open_start_balance": total(balance_start, live),
        "arrears_start": int(np.count_nonzero(arrears)),
        "arrears_start_balance": total(balance_start, arrears),
        "open_end": int(np.count_nonzero(still)),
        "open_end_balance": total(balance_end, still),
        "dq30_end": int(np.count_nonzero(dq30)),
        "dq30_end_balance": total(balance_end, dq30),
        "dq90_end": int(np.count_nonzero(dq90)),
        "dq90_end_balance": total(balance_end, dq90),
        "rolled": int(np.count_nonzero(rolled)),
        "rolled_end_balance": total(balance_end, rolled),
        "cured": int(np.count_nonzero(cured)),
        "cured_start_balance": total(balance_start, cured),
        "overdue_start": total(overdue, arrears),
        "recovered_accounts": int(np.count_nonzero(arrears & (received > 0))),
        "recovered": total(received, arrears),
        "collected": total(received, live),
    }


def figures(row: FloatArray) -> dict[str, Figure]:
    """The reference figures of one run-month from its counts (in COUNTS order)."""
    c = {name: round(float(row[i])) for name, i in COUNT.items()}
    return {
        "30+": Figure(c["dq30_end"], c["dq30_end_balance"], c["open_end"], c["open_end_balance"]),
        "90+": Figure(c["dq90_end"], c["dq90_end_balance"], c["open_end"], c["open_end_balance"]),
        "roll": Figure(
            c["rolled"], c["rolled_end_balance"], c["open_start"], c["open_start_balance"]
        ),
        "cure": Figure(
            c["cured"], c["cured_start_balance"], c["arrears_start"], c["arrears_start_balance"]
        ),
        "recovery": Figure(
            c["recovered_accounts"], c["recovered"], c["arrears_start"], c["overdue_start"]
        ),
    }


def _rate(value: object) -> float:
    return float(value) if value is not None else float("nan")  # type: ignore[arg-type]


def _ratio(top: float, bottom: float, scale: float = 1.0) -> float:
    return scale * top / bottom if bottom > 0 else float("nan")


def month_kpis(counts: FloatArray) -> FloatArray:
    """KPIs (last axis, in KPIS order) from counts (last axis, in COUNTS order)."""
    flat = counts.reshape(-1, len(COUNTS))
    result = np.empty((len(flat), len(KPIS)))
    for i, row in enumerate(flat):
        f = figures(row)
        c = {name: float(row[j]) for name, j in COUNT.items()}
        values = {
            "dq30_rate": _rate(f["30+"].account_rate),
            "dq90_rate": _rate(f["90+"].account_rate),
            "dq30_balance_rate": _rate(f["30+"].amount_rate),
            "roll_rate": _rate(f["roll"].account_rate),
            "cure_rate": _rate(f["cure"].account_rate),
            "recovery_rate": _rate(f["recovery"].amount_rate),
            "cost_to_collect": _ratio(c["cost"], c["recovered"]),
            "complaints_per_1000_contacts": _ratio(c["complaints"], c["contacts"], 1000.0),
            "contacts_per_account": _ratio(c["contacts"], c["open_start"]),
            "recovered": c["recovered"],
            "cost": c["cost"],
            "plans_taken": c["plans_taken"],
            "plans_kept": c["plans_kept"],
            "plans_broken": c["plans_broken"],
            "vulnerable_dq30_rate": _ratio(c["vulnerable_dq30"], c["vulnerable_open"]),
        }
        result[i] = [values[name] for name in KPIS]
    shaped: FloatArray = result.reshape(*counts.shape[:-1], len(KPIS))
    return shaped
