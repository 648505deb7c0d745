"""One loan's rows made ready for the replay: its schedule in due order, its standing payments.

Fast path of the domain's rules (the references: ``domain.allocation.effective_payments``
of ``domain.schedule_in_force.payments_in_window``, the book sorted by due
date), on plain ints; None where the domain would refuse the data, so the
caller leaves the loan to the domain code.  Differential tests:
``tests/unit/test_stored_delinquency_replay.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from tideover.batch.portfolio_rows import Dues, InstallmentRows, ScheduleInForce
from tideover.domain.days import NO_DATE


def contract_dues(rows: InstallmentRows, low: int, high: int) -> Dues | None:
    """The contract installments of rows ``low..high`` (one loan) in due order."""
    return in_due_order(
        ints(rows.due, low, high),
        ints(rows.principal, low, high),
        ints(rows.interest, low, high),
        ints(rows.fees, low, high),
    )


def ints(column: Sequence[int], low: int, high: int) -> list[int]:
    """Python ints of a column slice (numpy scalars would slow the replay and fail ``Money``)."""
    part = column[low:high]
    return part.tolist() if isinstance(part, np.ndarray) else list(part)


def version_dues(version: ScheduleInForce) -> Dues | None:
    """A schedule version's installments in due order."""
    if not version.installments:
        return [], [], [], []
    due, principal, interest, fees = (list(c) for c in zip(*version.installments, strict=True))
    return in_due_order(due, principal, interest, fees)


def in_due_order(
    due: list[int], principal: list[int], interest: list[int], fees: list[int]
) -> Dues | None:
    """The installments by due date (stable, as the domain sorts them); None if one is negative."""
    if min(principal, default=0) < 0 or min(interest, default=0) < 0 or min(fees, default=0) < 0:
        return None
    if any(a > b for a, b in pairwise(due)):
        order = sorted(range(len(due)), key=due.__getitem__)
        return (
            [due[k] for k in order],
            [principal[k] for k in order],
            [interest[k] for k in order],
            [fees[k] for k in order],
        )
    return due, principal, interest, fees


def standing_payments(
    ids: Sequence[str],
    amounts: Sequence[int],
    days: Sequence[int],
    reverses: Sequence[str | None],
    today: int,
    since: int | None,
) -> list[tuple[int, int]] | None:
    """(day, amount) of the standing payments in (day, id) order (``effective_payments`` of
    ``payments_in_window``); None when a reversal is one the domain refuses."""
    if all(r is None for r in reverses):
        start = -NO_DATE if since is None else since
        chosen = sorted(
            (d, i, a) for d, i, a in zip(days, ids, amounts, strict=True) if start <= d <= today
        )
        return [(d, a) for d, _, a in chosen]
    index = {payment_id: k for k, payment_id in enumerate(ids)}
    window = []
    for k, reversed_id in enumerate(reverses):
        anchor = k if reversed_id is None else index.get(reversed_id, k)
        if since is None or days[anchor] >= since:
            window.append(k)
    kept = {ids[k]: k for k in window}
    dropped: set[str] = set()
    for k in window:
        reversed_id = reverses[k]
        if reversed_id is None or days[k] > today:
            continue
        original = kept.get(reversed_id)
        if original is None or reverses[original] is not None or amounts[original] != amounts[k]:
            return None
        dropped.add(reversed_id)
    chosen = sorted(
        (days[k], ids[k], amounts[k])
        for k in window
        if reverses[k] is None and days[k] <= today and ids[k] not in dropped
    )
    return [(d, a) for d, _, a in chosen]


def last_payment(
    ids: Sequence[str], days: Sequence[int], reverses: Sequence[str | None], today: int
) -> int:
    """Latest day a payment that stands was made by ``today`` (reversals known later too).

    The domain has no function for it: the differential test computes it from the
    payments themselves."""
    if all(r is None for r in reverses):
        return max((d for d in days if d <= today), default=NO_DATE)
    reversed_ids = {r for r in reverses if r}
    standing = (
        d
        for i, d, r in zip(ids, days, reverses, strict=True)
        if not r and i not in reversed_ids and d <= today
    )
    return max(standing, default=NO_DATE)
