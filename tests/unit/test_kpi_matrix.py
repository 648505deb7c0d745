"""The roll-rate matrix (``domain.kpis.transition_figures``) adds detail to the roll and cure
rates, never a second definition: on any pair of dates, a row's worse buckets sum to the
bucket's roll figure and its first bucket plus ``closed`` to its cure count."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tideover.domain.kpis import (
    CLOSED,
    MISSING,
    AccountState,
    Figure,
    cure_figures,
    roll_figures,
    transition_figures,
)

LABELS = ("C", "M1", "M2", "M3+")
STATES = st.builds(
    AccountState.from_history,
    bucket=st.sampled_from(LABELS),
    balance_minor=st.integers(min_value=0, max_value=10**9),
)
BOOKS = st.dictionaries(st.sampled_from([f"L{i}" for i in range(40)]), STATES, max_size=40)


def test_a_small_case_read_by_hand() -> None:
    earlier = {
        "a": AccountState.from_history("M1", 100_000),
        "b": AccountState.from_history("M1", 50_000),
        "c": AccountState.from_history("M1", 20_000),
        "d": AccountState.from_history("C", 0),  # closed then: in no base
    }
    later = {
        "a": AccountState.from_history("M2", 60_000),
        "b": AccountState.from_history("C", 0),  # paid off
        "d": AccountState.from_history("M1", 5_000),
    }  # c is missing
    row = transition_figures(earlier, later, LABELS)["M1"]
    assert row["M2"] == Figure(1, 60_000, 3, 170_000)
    assert row[CLOSED] == Figure(1, 0, 3, 170_000)
    assert row[MISSING] == Figure(1, 0, 3, 170_000)
    assert row["M1"].accounts == row["C"].accounts == 0
    assert transition_figures(earlier, later, LABELS)["C"]["M1"].base_accounts == 0


@given(BOOKS, BOOKS)
def test_rows_agree_with_the_roll_and_cure_rates(
    earlier: dict[str, AccountState], later: dict[str, AccountState]
) -> None:
    matrix = transition_figures(earlier, later, LABELS)
    rolls = roll_figures(earlier, later, LABELS)
    cures = cure_figures(earlier, later, LABELS)
    for rank, label in enumerate(LABELS):
        row = matrix[label]
        worse = sum((row[to] for to in LABELS[rank + 1 :]), Figure())
        assert (worse.accounts, worse.amount_minor) == (
            rolls[label].accounts,
            rolls[label].amount_minor,
        )
        bases = {(f.base_accounts, f.base_amount_minor) for f in row.values()}
        assert bases == {(rolls[label].base_accounts, rolls[label].base_amount_minor)}
        assert sum(f.accounts for f in row.values()) == rolls[label].base_accounts
        if rank > 0:
            assert row[LABELS[0]].accounts + row[CLOSED].accounts == cures[label].accounts
