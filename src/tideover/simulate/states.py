"""Delinquency states of the behaviour model and how they map to days past due.

The states are those the Taiwan card data support (``../shared/reference/data.md``):
C (current), D1 (one or two payments missed), D3 (three) and D4 (four or more).
Codes 1 and 2 of the data are merged into D1 because April-August code a first
missed payment as 2 while code 1 appears almost only in September.

Month-end snapshots follow the cycle-delinquency convention of card issuers: an
account with ``k`` missed payments on its due date is ``30·k`` days past due.  So
30+ means "at least one payment missed" (D1, D3, D4) and 90+ means "three or more"
(D3, D4).  Within a month an account with ``k`` missed payments that misses the
next due date passes days ``30·k + 1`` to ``30·k + 30``: its collection window.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

STATES: tuple[str, ...] = ("C", "D1", "D3", "D4")
C, D1, D3, D4 = 0, 1, 2, 3
N_STATES = len(STATES)
MAX_MISSED = 12  # deeper arrears are counted as twelve missed payments
DAYS_PER_MONTH = 30

IntArray = npt.NDArray[np.int64]
SmallArray = npt.NDArray[np.int8]


def state_of_missed(missed: npt.NDArray[np.integer]) -> SmallArray:
    """State index per missed-payment count: 0 → C, 1-2 → D1, 3 → D3, 4+ → D4."""
    table = np.array([C, D1, D1, D3] + [D4] * (MAX_MISSED - 2), dtype=np.int8)
    result: SmallArray = table[np.clip(missed, 0, MAX_MISSED)]
    return result


def missed_from_codes(codes: npt.NDArray[np.integer]) -> SmallArray:
    """Missed payments from repayment-status codes (-2, -1, 0 paid; k months late)."""
    result: SmallArray = np.clip(codes, 0, MAX_MISSED).astype(np.int8)
    return result


def states_from_codes(codes: npt.NDArray[np.integer]) -> SmallArray:
    """State index per repayment-status code, codes 1 and 2 merged into D1."""
    return state_of_missed(missed_from_codes(codes))


def window_start(missed: npt.NDArray[np.integer]) -> IntArray:
    """First DPD of the collection window of an account with ``missed`` payments missed."""
    result: IntArray = DAYS_PER_MONTH * missed.astype(np.int64) + 1
    return result


def _missed_after(before: int, state: int) -> int:
    start = (C, D1, D1, D3)[before] if before < 4 else D4
    if state == C:
        return 0
    if state == D1:
        return 1 if start == C else (2 if start > D1 else before)
    if state == D3:
        return 3
    return min(before + 1, MAX_MISSED) if start == D4 else 4


# Missed payments after a month, by (payments missed before, state drawn).
_AFTER = np.array(
    [[_missed_after(b, e) for e in range(N_STATES)] for b in range(MAX_MISSED + 1)],
    dtype=np.int8,
).ravel()


def missed_after(before: SmallArray, state: SmallArray) -> SmallArray:
    """Missed payments after a month that ended in ``state``, from ``before`` at its start.

    A state names a range of missed payments; within it the count follows the
    plainest story: back to current clears the arrears, staying in D1 or D3
    means this month's installment was paid (the count stays), staying in D4
    means nothing was paid (one more missed), and a move lands on the state's
    nearest count (D1 from current: one missed; D1 from worse: two; D3: three;
    D4 from better: four).
    """
    result: SmallArray = _AFTER[before.astype(np.int64) * N_STATES + state]
    return result


def installments_paid(before: SmallArray, after: SmallArray) -> SmallArray:
    """Installments paid in the month: the one falling due plus arrears cleared, never negative."""
    result: SmallArray = np.maximum(0, before.astype(np.int16) + 1 - after).astype(np.int8)
    return result
