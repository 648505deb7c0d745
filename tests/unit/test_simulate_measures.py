"""The simulator's vectorised month counts against the reference KPI definitions (domain.kpis).

Each account of a random month is turned into the reference records — its bucket
and days past due at ``30·k`` for ``k`` payments missed, its balance, open while
it owes anything, its money — and every figure must be identical.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.domain.delinquency import DEFAULT_BUCKETS
from tideover.domain.kpis import (
    AccountState,
    DayMoney,
    Figure,
    cure_figures,
    delinquency_figures,
    recovery_figures,
    roll_figures,
)
from tideover.simulate.measures import COUNT, COUNTS, KPIS, figures, month_kpis, portfolio_counts

LABELS = DEFAULT_BUCKETS.labels

ACCOUNTS = st.lists(
    st.tuples(
        st.booleans(),  # open at the start
        st.integers(0, 12),  # missed at the start
        st.integers(0, 12),  # missed at the end
        st.integers(0, 500_000),  # balance at the start
        st.integers(0, 500_000),  # balance at the end (0: paid off)
        st.integers(1, 20_000),  # installment
        st.integers(0, 100_000),  # received
    ),
    min_size=1,
    max_size=40,
)


def _state(missed: int, balance: int) -> AccountState:
    dpd = 30 * missed
    return AccountState(DEFAULT_BUCKETS.bucket_for(dpd).label, dpd, balance, balance > 0)


@settings(max_examples=300, deadline=None)
@given(accounts=ACCOUNTS)
def test_the_counts_are_the_reference_figures(accounts: list[tuple]) -> None:
    live, before, after, start, end, installment, received = (
        np.array(c) for c in zip(*accounts, strict=True)
    )
    start = np.where(live, np.maximum(start, 1), start)  # an open account owes something
    end = np.where(live, end, start)
    counts = portfolio_counts(
        live=live,
        before=before,
        after=after,
        balance_start=start,
        balance_end=end,
        installment=installment,
        received=received,
    )
    row = np.zeros(len(COUNTS))
    for name, value in counts.items():
        row[COUNT[name]] = value
    mine = figures(row)

    earlier = {
        str(i): _state(int(before[i]), int(start[i])) for i in range(len(accounts)) if live[i]
    }
    later = {str(i): _state(int(after[i]), int(end[i])) for i in range(len(accounts)) if live[i]}
    delinquency = delinquency_figures(later.values())
    assert mine["30+"] == delinquency["30+"]
    assert mine["90+"] == delinquency["90+"]
    assert mine["roll"] == sum(roll_figures(earlier, later, LABELS).values(), Figure())
    assert mine["cure"] == sum(cure_figures(earlier, later, LABELS).values(), Figure())
    days = [
        DayMoney(earlier[str(i)].bucket, int(before[i] * installment[i]), int(received[i]))
        for i in range(len(accounts))
        if live[i]
    ]
    assert mine["recovery"] == sum(recovery_figures(days).values(), Figure())


def test_kpis_are_the_figures_rates() -> None:
    row = np.zeros(len(COUNTS))
    row[COUNT["open_end"]], row[COUNT["dq30_end"]], row[COUNT["dq90_end"]] = 200, 20, 5
    row[COUNT["contacts"]], row[COUNT["complaints"]] = 4000, 6
    row[COUNT["recovered"]], row[COUNT["cost"]] = 1_000_000, 50_000
    kpis = dict(zip(KPIS, month_kpis(row[None, None, :])[0, 0], strict=True))
    assert kpis["dq30_rate"] == 0.1
    assert kpis["dq90_rate"] == 0.025
    assert kpis["complaints_per_1000_contacts"] == 1.5
    assert kpis["cost_to_collect"] == 0.05
    assert np.isnan(kpis["cure_rate"])  # nobody was delinquent at the start: no rate, not zero
