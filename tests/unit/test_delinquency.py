"""Days past due, pauses, buckets, delinquency status and roll rates."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.domain.allocation import Component, position_as_of
from tideover.domain.delinquency import (
    DEFAULT_BUCKETS,
    Bucket,
    BucketScheme,
    DelinquencyStatus,
    PausePeriod,
    cure_counts,
    days_past_due,
    delinquency_of,
    paused_days,
    roll_rates,
    transition_matrix,
)
from tideover.domain.errors import ValidationError
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.payments import Payment
from tideover.domain.penalty import PenaltyPolicy
from tideover.domain.schedules import build_schedule, terms_for

D0 = date(2024, 3, 1)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


# -- pauses and DPD ------------------------------------------------------------------------


def test_pause_must_not_end_before_it_starts() -> None:
    assert PausePeriod(day(1), day(1)).end == day(1)
    with pytest.raises(ValidationError):
        PausePeriod(day(2), day(1))


def test_paused_days_counts_after_exclusive_up_to_inclusive() -> None:
    pause = PausePeriod(day(1), day(10))
    assert paused_days(day(0), day(20), [pause]) == 10
    assert paused_days(day(1), day(20), [pause]) == 9  # day 1 itself is not after day 1
    assert paused_days(day(0), day(5), [pause]) == 5
    assert paused_days(day(10), day(20), [pause]) == 0
    assert paused_days(day(0), day(20), []) == 0


def test_overlapping_pauses_are_counted_once() -> None:
    pauses = [
        PausePeriod(day(1), day(10)),
        PausePeriod(day(5), day(12)),
        PausePeriod(day(3), day(4)),
    ]
    assert paused_days(day(0), day(30), pauses) == 12
    adjacent = [PausePeriod(day(1), day(2)), PausePeriod(day(3), day(4))]
    assert paused_days(day(0), day(30), adjacent) == 4


def test_days_past_due() -> None:
    assert days_past_due(None, day(10)) == 0
    assert days_past_due(day(10), day(10)) == 0
    assert days_past_due(day(10), day(5)) == 0
    assert days_past_due(day(10), day(11)) == 1
    assert days_past_due(day(0), day(30), [PausePeriod(day(5), day(14))]) == 20
    # A pause covering the whole period leaves the debt unaged.
    assert days_past_due(day(0), day(30), [PausePeriod(day(-5), day(40))]) == 0


pause_lists = st.lists(
    st.tuples(st.integers(-20, 80), st.integers(0, 30)).map(
        lambda t: PausePeriod(day(t[0]), day(t[0] + t[1]))
    ),
    max_size=5,
)


@given(st.integers(-10, 60), st.integers(-10, 90), pause_lists)
def test_paused_days_matches_counting_day_by_day(a: int, b: int, pauses: list[PausePeriod]) -> None:
    expected = sum(
        1 for n in range(a + 1, b + 1) if any(p.start <= day(n) <= p.end for p in pauses)
    )
    assert paused_days(day(a), day(b), pauses) == expected


@given(st.integers(-10, 60), st.integers(-10, 90), pause_lists)
def test_dpd_formula(due: int, as_of: int, pauses: list[PausePeriod]) -> None:
    dpd = days_past_due(day(due), day(as_of), pauses)
    assert 0 <= dpd <= max(0, as_of - due)
    if as_of > due:
        assert dpd == as_of - due - paused_days(day(due), day(as_of), pauses)


# -- buckets ---------------------------------------------------------------------------------


def test_default_buckets() -> None:
    assert DEFAULT_BUCKETS.labels == ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+")
    cases = {0: "M0", 1: "M1", 30: "M1", 31: "M2", 90: "M3", 91: "M4", 180: "M6", 181: "M6+"}
    for dpd, label in cases.items():
        assert DEFAULT_BUCKETS.bucket_for(dpd).label == label
    assert DEFAULT_BUCKETS.bucket_for(10_000).label == "M6+"
    assert DEFAULT_BUCKETS.index_of("M3") == 3


def test_negative_dpd_and_unknown_label_are_refused() -> None:
    with pytest.raises(ValidationError):
        DEFAULT_BUCKETS.bucket_for(-1)
    with pytest.raises(ValidationError):
        DEFAULT_BUCKETS.index_of("M9")


@pytest.mark.parametrize(
    "buckets",
    [
        (),
        (Bucket("A", 1, None),),  # does not start at 0
        (Bucket("A", 0, 10), Bucket("B", 12, None)),  # gap
        (Bucket("A", 0, 10), Bucket("B", 10, None)),  # overlap
        (Bucket("A", 0, 10), Bucket("B", 11, 20)),  # last is closed
        (Bucket("A", 0, None), Bucket("B", 1, None)),  # open-ended in the middle
        (Bucket("A", 0, 10), Bucket("A", 11, None)),  # repeated label
    ],
)
def test_bad_schemes_are_refused(buckets: tuple[Bucket, ...]) -> None:
    with pytest.raises(ValidationError) as info:
        BucketScheme(buckets)
    assert "bucket scheme" in info.value.en


def test_bad_buckets_are_refused() -> None:
    with pytest.raises(ValidationError):
        Bucket("", 0, None)
    with pytest.raises(ValidationError):
        Bucket("A", 5, 4)
    with pytest.raises(ValidationError):
        BucketScheme.from_upper_bounds(["A", "B"], [10, 20])


def test_from_upper_bounds() -> None:
    scheme = BucketScheme.from_upper_bounds(["current", "early", "late"], [0, 29])
    assert scheme.buckets == (
        Bucket("current", 0, 0),
        Bucket("early", 1, 29),
        Bucket("late", 30, None),
    )


def test_json_round_trip() -> None:
    text = json.dumps(DEFAULT_BUCKETS.to_dict())
    assert BucketScheme.from_dict(json.loads(text)) == DEFAULT_BUCKETS


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"buckets": [{"label": "M0"}]},
        {"buckets": [{"label": "M0", "min_dpd": "0", "max_dpd": None}]},
        {"buckets": [{"label": "M0", "min_dpd": 0, "max_dpd": 5}]},
    ],
)
def test_malformed_settings_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        BucketScheme.from_dict(data)


# -- status of a loan --------------------------------------------------------------------------


def make_loan() -> Loan:
    terms = terms_for(
        principal=Money.of("1200", CNY),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        start_date=date(2024, 1, 15),
    )
    return Loan("p1", "L1", "B1", terms, build_schedule(terms))


def test_delinquency_of_a_loan() -> None:
    loan = make_loan()
    as_of = date(2024, 3, 20)  # first due 02-15 unpaid (34 days), second due 03-15 (5 days)
    position = position_as_of(loan, [], as_of, penalty=PenaltyPolicy())
    status = delinquency_of(position)
    assert (status.loan_id, status.as_of, status.dpd, status.bucket) == ("L1", as_of, 34, "M2")
    assert status.oldest_unpaid_due == date(2024, 2, 15)
    assert status.overdue[Component.PRINCIPAL] == Money.of("200", CNY)
    assert status.overdue[Component.INTEREST] == Money.of("23", CNY)
    assert status.overdue[Component.FEES] == Money.zero(CNY)
    assert status.overdue_total == Money.of("223", CNY) + status.overdue[Component.PENALTY]
    assert status.outstanding_principal == Money.of("1200", CNY)
    paused = delinquency_of(position, pauses=[PausePeriod(date(2024, 2, 20), date(2024, 3, 1))])
    assert (paused.dpd, paused.bucket) == (23, "M1")


def test_paying_the_oldest_installment_moves_dpd_to_the_next_one() -> None:
    loan = make_loan()
    as_of = date(2024, 3, 20)
    payment = Payment("p1", "P1", "L1", Money.of("112", CNY), date(2024, 3, 1))
    status = delinquency_of(position_as_of(loan, [payment], as_of))
    assert (status.dpd, status.oldest_unpaid_due) == (5, date(2024, 3, 15))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 400), st.integers(1, 20_000)), max_size=5),
    st.integers(0, 500),
    st.integers(1, 200),
    pause_lists,
)
def test_dpd_only_grows_between_payments(
    raw_payments: list[tuple[int, int]], start: int, gap: int, pauses: list[PausePeriod]
) -> None:
    loan = make_loan()
    base = date(2024, 1, 15)
    payments = [
        Payment("p1", f"P{k}", "L1", Money(amount, CNY), base + timedelta(days=offset))
        for k, (offset, amount) in enumerate(raw_payments)
    ]
    first, second = base + timedelta(days=start), base + timedelta(days=start + gap)
    payments = [p for p in payments if not first < p.paid_on <= second]

    def dpd(as_of: date, with_pauses: list[PausePeriod]) -> int:
        return delinquency_of(position_as_of(loan, payments, as_of), pauses=with_pauses).dpd

    plain1, plain2 = dpd(first, []), dpd(second, [])
    assert plain2 >= plain1
    if plain1 > 0:
        assert plain2 == plain1 + gap
    paused1, paused2 = dpd(first, pauses), dpd(second, pauses)
    assert paused2 >= paused1
    if paused1 > 0:
        assert paused2 == paused1 + gap - paused_days(first, second, pauses)


# -- roll rates ------------------------------------------------------------------------------


def status(loan_id: str, bucket: str, principal: str) -> DelinquencyStatus:
    return DelinquencyStatus(
        loan_id=loan_id,
        as_of=D0,
        dpd=DEFAULT_BUCKETS.buckets[DEFAULT_BUCKETS.index_of(bucket)].min_dpd,
        bucket=bucket,
        oldest_unpaid_due=None,
        overdue={},
        outstanding_principal=Money.of(principal, CNY),
    )


PREVIOUS = {
    "a": status("a", "M0", "100"),
    "b": status("b", "M0", "300"),
    "c": status("c", "M1", "200"),
    "d": status("d", "M1", "400"),
    "e": status("e", "M1", "50"),  # closed by the next date
}
CURRENT = {
    "a": status("a", "M1", "90"),
    "b": status("b", "M0", "280"),
    "c": status("c", "M3", "200"),  # skipped a bucket: still a roll
    "d": status("d", "M0", "0"),
    "f": status("f", "M0", "500"),  # new account: not in any base
}


def test_roll_rates() -> None:
    rates = roll_rates(PREVIOUS, CURRENT, DEFAULT_BUCKETS)
    assert set(rates) == set(DEFAULT_BUCKETS.labels)
    m0, m1, m2 = rates["M0"], rates["M1"], rates["M2"]
    assert (m0.accounts, m0.rolled_accounts) == (2, 1)
    assert (m0.balance, m0.rolled_balance) == (Money.of("400", CNY), Money.of("90", CNY))
    assert m0.account_rate == Decimal("0.5")
    assert m0.balance_rate == Decimal("0.225")
    assert (m1.accounts, m1.rolled_accounts) == (3, 1)
    assert m1.balance_rate == Decimal(200) / Decimal(650)
    assert (m2.accounts, m2.account_rate, m2.balance_rate) == (0, None, None)


def test_roll_rates_of_nothing() -> None:
    rates = roll_rates({}, {}, DEFAULT_BUCKETS)
    assert all(r.accounts == 0 and r.balance == Money.zero(CNY) for r in rates.values())


def test_transition_matrix_and_cures() -> None:
    matrix = transition_matrix(PREVIOUS, CURRENT, DEFAULT_BUCKETS)
    assert matrix[("M0", "M1")] == 1
    assert matrix[("M0", "M0")] == 1
    assert matrix[("M1", "M3")] == 1
    assert matrix[("M1", "M0")] == 1
    assert sum(matrix.values()) == 4  # e closed, f new
    cures = cure_counts(PREVIOUS, CURRENT, DEFAULT_BUCKETS)
    assert cures["M1"] == 1
    assert "M0" not in cures


def test_unknown_bucket_in_statuses_is_refused() -> None:
    with pytest.raises(ValidationError):
        roll_rates(
            {"x": status("x", "M0", "1")}, {}, BucketScheme.from_upper_bounds(["A", "B"], [0])
        )
