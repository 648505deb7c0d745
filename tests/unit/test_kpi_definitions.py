"""The reference KPI definitions (``domain.kpis``): each rule on a case small enough to read.

The headline case is the one of the issue: a loan that rolls M1 → M2 while its
balance falls from 1,000.00 to 600.00 rolls 0.6 of its bucket's balance in the
reference, in the portfolio report and in the daily cycle's SQL alike.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from tideover.batch.cycle.kpis import portfolio_kpis
from tideover.domain.allocation import Component
from tideover.domain.delinquency import (
    DEFAULT_BUCKETS,
    DelinquencyStatus,
    account_state,
    balance_of,
    cure_counts,
    roll_rates,
)
from tideover.domain.errors import ValidationError
from tideover.domain.kpis import (
    AccountState,
    DayMoney,
    Figure,
    bucket_figures,
    cure_figures,
    cured,
    delinquency_figures,
    recovery_figures,
    roll_figures,
    rolled,
)
from tideover.domain.money import Money, currency

LABELS = DEFAULT_BUCKETS.labels
CNY = currency("CNY")
D0, D1 = date(2026, 10, 31), date(2026, 11, 30)


def open_in(bucket: str, balance: int, dpd: int | None = None) -> AccountState:
    low = DEFAULT_BUCKETS.buckets[DEFAULT_BUCKETS.index_of(bucket)].min_dpd
    return AccountState(bucket, low if dpd is None else dpd, balance, True)


CLOSED = AccountState("M0", 0, 0, False)


# -- the case, three ways --------------------------------------------------------------


def status(loan_id: str, as_of: date, bucket: str, principal: int) -> DelinquencyStatus:
    dpd = DEFAULT_BUCKETS.buckets[DEFAULT_BUCKETS.index_of(bucket)].min_dpd
    return DelinquencyStatus(
        loan_id=loan_id,
        as_of=as_of,
        dpd=dpd,
        bucket=bucket,
        oldest_unpaid_due=None,
        overdue={},
        outstanding_principal=Money(principal, CNY),
    )


def test_a_loan_rolling_while_its_balance_falls_rolls_the_same_share_everywhere() -> None:
    # Reference: 600.00 today over 1,000.00 then.
    figure = roll_figures({"L": open_in("M1", 100_000)}, {"L": open_in("M2", 60_000)}, LABELS)
    assert figure["M1"] == Figure(1, 60_000, 1, 100_000)
    assert figure["M1"].amount_rate == Decimal("0.6")
    # The portfolio report (``tideover delinquency``).
    report = roll_rates({"L": status("L", D0, "M1", 100_000)}, {"L": status("L", D1, "M2", 60_000)})
    assert report["M1"].balance_rate == Decimal("0.6")
    assert report["M1"].account_rate == 1
    # The daily cycle's KPI statement (``roll/M1``).
    con = duckdb.connect()
    con.register(
        "assigned",
        pa.table(
            {
                "account_id": ["L"],
                "segment": ["s"],
                "arm": [""],
                "is_open": [True],
                "dpd": pa.array([31], pa.int32()),
                "bucket": ["M2"],
                "balance_minor": pa.array([60_000], pa.int64()),
            }
        ),
    )
    con.register(
        "previous",
        pa.table(
            {
                "account_id": ["L"],
                "bucket": ["M1"],
                "balance_minor": pa.array([100_000], pa.int64()),
            }
        ),
    )
    rows = portfolio_kpis(
        con, assigned="assigned", previous="previous", labels=LABELS, currency="CNY"
    )
    (roll,) = [r for r in rows if r["metric"] == "roll"]
    assert (roll["accounts"], roll["amount_minor"]) == (1, 60_000)
    assert (roll["base_accounts"], roll["base_amount_minor"]) == (1, 100_000)


# -- the balance -------------------------------------------------------------------------------


def test_the_balance_is_principal_plus_overdue_interest_fees_and_penalty() -> None:
    s = DelinquencyStatus(
        loan_id="L",
        as_of=D1,
        dpd=40,
        bucket="M2",
        oldest_unpaid_due=date(2026, 10, 21),
        overdue={
            Component.PRINCIPAL: Money(30_000, CNY),  # already inside the outstanding principal
            Component.INTEREST: Money(2_000, CNY),
            Component.FEES: Money(500, CNY),
            Component.PENALTY: Money(120, CNY),
        },
        outstanding_principal=Money(90_000, CNY),
    )
    assert balance_of(s) == Money(92_620, CNY)
    assert account_state(s) == AccountState("M2", 40, 92_620, True)


def test_an_account_owing_only_a_penalty_is_open_and_one_owing_nothing_is_closed() -> None:
    penalty_only = DelinquencyStatus(
        loan_id="L",
        as_of=D1,
        dpd=0,
        bucket="M0",
        oldest_unpaid_due=None,
        overdue={Component.PENALTY: Money(15, CNY)},
        outstanding_principal=Money(0, CNY),
    )
    assert account_state(penalty_only).is_open
    assert not account_state(status("P", D1, "M0", 0)).is_open
    assert AccountState.from_history("M0", 0) == CLOSED
    assert AccountState.from_history("M3", 1).is_open


# -- delinquency rates and the bucket mix --------------------------------------------------------


def test_delinquency_rates_count_open_accounts_more_than_30_and_90_days_past_due() -> None:
    accounts = [
        open_in("M1", 100, dpd=30),  # thirty days: not yet 30+
        open_in("M2", 200, dpd=31),
        open_in("M4", 400, dpd=90),  # M4 starts at 91 under the default buckets; 90 is not 90+
        open_in("M4", 800, dpd=91),
        open_in("M0", 1_600),
        AccountState("M0", 0, 0, False),  # closed: in no base
    ]
    figures = delinquency_figures(accounts)
    assert figures["30+"] == Figure(3, 1_400, 5, 3_100)
    assert figures["90+"] == Figure(1, 800, 5, 3_100)


def test_the_bucket_mix_is_over_open_accounts_only() -> None:
    mix = bucket_figures([open_in("M0", 300), open_in("M1", 100), CLOSED], LABELS)
    assert mix["M0"] == Figure(1, 300, 2, 400)
    assert mix["M1"] == Figure(1, 100, 2, 400)
    assert mix["M6+"] == Figure(0, 0, 2, 400)


# -- roll and cure: which accounts, which balance -------------------------------------------------


def test_closed_then_is_in_no_base_and_closed_now_is_cured_not_rolled() -> None:
    earlier = {"paid-off": CLOSED, "repaid": open_in("M2", 500), "current": open_in("M0", 700)}
    later = {"paid-off": CLOSED, "repaid": CLOSED, "current": open_in("M0", 650)}
    rolls = roll_figures(earlier, later, LABELS)
    assert rolls["M0"] == Figure(0, 0, 1, 700)  # the paid-off loan is not an M0 account
    assert rolls["M2"] == Figure(0, 0, 1, 500)
    assert cure_figures(earlier, later, LABELS)["M2"] == Figure(1, 500, 1, 500)


def test_missing_now_stays_in_the_base_and_new_accounts_are_in_none() -> None:
    earlier = {"gone": open_in("M1", 300)}
    later = {"new": open_in("M2", 900)}
    assert roll_figures(earlier, later, LABELS)["M1"] == Figure(0, 0, 1, 300)
    assert roll_figures(earlier, later, LABELS)["M2"] == Figure()
    assert cure_figures(earlier, later, LABELS)["M1"] == Figure(0, 0, 1, 300)
    assert not rolled(open_in("M1", 300), None, LABELS)
    assert not cured(open_in("M1", 300), None, LABELS)


def test_skipping_a_bucket_is_a_roll_and_the_last_bucket_cannot_roll() -> None:
    earlier = {"a": open_in("M1", 100), "b": open_in("M6+", 100)}
    later = {"a": open_in("M3", 150), "b": open_in("M6+", 180)}  # b: written off, still owed
    rolls = roll_figures(earlier, later, LABELS)
    assert rolls["M1"] == Figure(1, 150, 1, 100)
    assert rolls["M6+"] == Figure(0, 0, 1, 100)


def test_a_cure_counts_the_delinquent_balance_that_came_back() -> None:
    earlier = {"a": open_in("M1", 1_000), "b": open_in("M1", 3_000)}
    later = {"a": open_in("M0", 200), "b": open_in("M1", 3_100)}
    cures = cure_figures(earlier, later, LABELS)
    assert cures["M1"] == Figure(1, 1_000, 2, 4_000)
    assert "M0" not in cures


def test_the_report_cure_counts_are_the_reference() -> None:
    earlier = {"a": status("a", D0, "M1", 100), "b": status("b", D0, "M2", 100)}
    later = {"a": status("a", D1, "M0", 0), "b": status("b", D1, "M0", 90)}
    assert cure_counts(earlier, later) == dict.fromkeys(LABELS[1:], 0) | {"M1": 1, "M2": 1}


def test_unknown_buckets_are_refused() -> None:
    with pytest.raises(ValidationError):
        roll_figures({"a": open_in("M1", 1)}, {}, ("A", "B"))
    with pytest.raises(ValidationError):
        bucket_figures([AccountState("X", 0, 1, True)], LABELS)
    with pytest.raises(ValidationError):
        roll_figures({}, {}, ())


# -- recovery ---------------------------------------------------------------------------------


def test_recovery_is_the_days_money_over_the_overdue_amount_at_the_start_of_the_day() -> None:
    days = [
        DayMoney("M1", 1_000, 400),
        DayMoney("M1", 500, 0),  # overdue, paid nothing: in the base
        DayMoney("M1", 200, -50),  # a reversal took back an earlier payment
        DayMoney("M2", 300, 450),  # paid ahead: the rate passes 1
        DayMoney("M0", 0, 900),  # current, paying on its due date: not a recovery
    ]
    figures = recovery_figures(days)
    assert figures == {"M1": Figure(1, 350, 3, 1_700), "M2": Figure(1, 450, 1, 300)}
    assert figures["M2"].amount_rate == Decimal("1.5")


def test_rates_over_an_empty_base_are_none_and_figures_add() -> None:
    assert Figure().account_rate is None
    assert Figure().amount_rate is None
    assert Figure(1, 2, 3, 4) + Figure(1, 1, 1, 1) == Figure(2, 3, 4, 5)
