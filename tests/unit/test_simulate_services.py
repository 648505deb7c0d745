"""The simulation use cases' pure parts: the stored book's columns, month-ends, figures,
the review's request and state, and the text a table shows."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.fakes.uow import InMemoryUnitOfWork, as_unit_of_work

from tideover.adapters.repositories import JobRecord, StoredSimulation
from tideover.domain.errors import ValidationError
from tideover.domain.identity import Role
from tideover.services.simulate.behaviour import (
    MONTH_END_SLACK_DAYS,
    Behaviour,
    behaviour_of,
    missed_of_dpd,
    month_ends,
)
from tideover.services.simulate.book import book_of, installment_after
from tideover.services.simulate.display import favours_text, value_text
from tideover.services.simulate.outcomes import favoured
from tideover.services.simulate.requests import queue_review_simulation, review_of
from tideover.services.simulate.results import KpiDifference, exact
from tideover.simulate.states import MAX_MISSED

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


# --- the book ---------------------------------------------------------------------------


def _rows(schedules: list[list[tuple[int, int]]]) -> np.ndarray:
    """Installment rows (loan key, due day, principal, interest, fees) from (due, amount)."""
    rows = [
        (key, due, amount, 0, 0)
        for key, schedule in enumerate(schedules, start=1)
        for due, amount in sorted(schedule)
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, 5)


@given(
    st.lists(
        st.lists(
            st.tuples(st.integers(0, 400), st.integers(1, 10**6)),
            min_size=1,
            max_size=8,
            unique_by=lambda r: r[0],
        ),
        min_size=1,
        max_size=6,
    ),
    st.integers(0, 400),
)
@settings(max_examples=200, deadline=None)
def test_the_next_installment_is_the_first_due_after_today_else_the_last(
    schedules: list[list[tuple[int, int]]], today: int
) -> None:
    rows = _rows(schedules)
    keys = list(range(1, len(schedules) + 1))
    found = installment_after(rows, keys, today)
    for key, schedule, amount in zip(keys, schedules, found.tolist(), strict=True):
        ordered = sorted(schedule)
        future = [a for due, a in ordered if due > today]
        assert amount == (future[0] if future else ordered[-1][1]), key


def test_a_loan_without_installments_owes_nothing_a_month() -> None:
    rows = _rows([[(10, 500)]])
    assert installment_after(rows, [1, 2], 0).tolist() == [500, 0]


def _features(**overrides: list[object]) -> pa.Table:
    columns: dict[str, list[object]] = {
        "account_id": ["A", "B", "C"],
        "installments_overdue": [0, 3, 20],
        "balance_minor": [100_000, 50_000, 900],
        "product": ["p36", "p60", None],
        "band": ["A", None, "E"],
        "region": ["110105", "", None],
        "months_on_book": [3, 12, 40],
        "score": [Decimal("0.104887"), None, Decimal("0.9")],
        "vulnerable_flag": [False, True, None],
        "dispute_flag": [False, False, True],
        "hardship_flag": [True, False, False],
    }
    columns.update(overrides)
    return pa.table(columns)


def test_the_book_takes_the_cycles_features_exactly() -> None:
    book = book_of(_features(), np.array([5_000, 7_000, 1_500]), minor_digits=2)
    assert book.account_ids == ("A", "B", "C")
    assert book.missed.tolist() == [0, 3, MAX_MISSED]  # deeper arrears count as the cap
    assert book.installment.tolist() == [5_000, 7_000, 900]  # never above the balance
    assert book.product_labels() == ["p36", "p60", "*"]
    assert book.band_labels() == ["A", "*", "E"]
    assert book.score.tolist() == [1048, 0, 9000]  # ten-thousandths, never a float
    assert book.score_known.tolist() == [True, False, True]
    assert book.vulnerable.tolist() == [False, True, False]
    assert book.dispute.tolist() == [False, False, True]
    assert book.hardship.tolist() == [True, False, False]
    assert not book.revolving.any()  # every stored loan has a schedule


# --- month-ends of the stored history ----------------------------------------------------


def _business_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_month_ends_walk_back_thirty_days_at_a_time_over_business_days() -> None:
    as_of = date(2026, 11, 30)
    ends = month_ends(_business_days(date(2026, 5, 1), as_of), as_of)
    assert ends[0] == as_of
    assert len(ends) == 8  # targets 0, 30, …, 210 days back: May 4 is the last
    for later, earlier in itertools.pairwise(ends):
        assert 24 <= (later - earlier).days <= 36


def test_month_ends_stop_at_the_first_month_without_a_snapshot() -> None:
    as_of = date(2026, 11, 30)
    days = [as_of, as_of - timedelta(days=30), as_of - timedelta(days=90)]
    assert month_ends(days, as_of) == days[:2]
    late = as_of - timedelta(days=30 + MONTH_END_SLACK_DAYS + 1)
    assert month_ends([as_of, late], as_of) == [as_of]
    assert month_ends([], as_of) == []


@given(st.integers(0, 10_000))
def test_missed_payments_follow_thirty_days_each(dpd: int) -> None:
    missed = missed_of_dpd(dpd)
    assert 0 <= missed <= MAX_MISSED
    if 0 < dpd <= 30 * MAX_MISSED:
        assert 30 * (missed - 1) < dpd <= 30 * missed
    assert (missed == 0) == (dpd == 0)


def test_an_unknown_behaviour_is_refused_in_both_languages() -> None:
    assert behaviour_of(" Normal ") is Behaviour.NORMAL
    with pytest.raises(ValidationError, match="optimistic") as caught:
        behaviour_of("optimistic")
    assert "optimistic" in str(caught.value)
    assert "未知的行为模型" in caught.value.zh


# --- figures and their text --------------------------------------------------------------


def test_figures_are_exact_decimals_money_in_whole_minor_units() -> None:
    assert exact(0.1234567, "dq30_rate") == Decimal("0.123457")
    assert exact(1234.5, "recovered") == Decimal("1235")  # half-up
    assert exact(float("nan"), "cure_rate") is None
    assert exact(None, "cure_rate") is None


@pytest.mark.parametrize(
    ("kpi", "low", "high", "expected"),
    [
        ("dq30_rate", "-0.02", "-0.01", "new"),  # lower delinquency is better
        ("dq30_rate", "0.01", "0.02", "old"),
        ("dq30_rate", "-0.01", "0.01", None),  # the interval straddles no difference
        ("recovery_rate", "0.01", "0.02", "new"),  # higher recovery is better
        ("contacts_per_account", "1", "2", None),  # neither direction is better
    ],
)
def test_a_difference_favours_a_policy_only_when_its_whole_interval_does(
    kpi: str, low: str, high: str, expected: str | None
) -> None:
    assert favoured(kpi, Decimal(low), Decimal(high), "new", "old") == expected


def test_table_text_of_rates_money_and_differences() -> None:
    assert value_text("dq30_rate", Decimal("0.006963")) == "0.70%"
    assert value_text("dq30_rate", Decimal("0.0012"), signed=True) == "+0.12 pp"
    assert value_text("recovered", Decimal("15250700"), minor_digits=2) == "152,507"
    assert value_text("cost_to_collect", Decimal("1.2079565")) == "1.208"
    assert value_text("plans_taken", None) == "—"
    row = KpiDifference(
        month=1, kpi="contacts_per_account", mean=None, low=None, median=None, high=None,
        favours=None,
    )  # fmt: skip
    assert favours_text(row, "en") == ""  # neither better nor worse
    row = row.model_copy(update={"kpi": "dq30_rate"})
    assert favours_text(row, "zh") == "不显著"


# --- the review's request -----------------------------------------------------------------


def _uow_with(users: list[str]) -> InMemoryUnitOfWork:
    fake = InMemoryUnitOfWork()
    with fake:
        fake.platforms.ensure("acme", name="Acme", currency="CNY", settings={})
        for name in users:
            fake.users("acme").add(
                username=name, display_name=name, roles=[Role.STRATEGY_MANAGER], created_by="x"
            )
        fake.commit()
    return fake


def test_a_stored_submitter_gets_a_queued_job_with_the_request() -> None:
    fake = _uow_with(["manager"])
    with fake:
        job = queue_review_simulation(
            as_unit_of_work(fake), platform="acme", version=3, by="manager", at=AT
        )
        fake.commit()
    assert job is not None
    with fake:
        stored = fake.simulations("acme").get(3)
        queued = fake.jobs.get("acme", job)
    assert stored is not None
    assert stored.job_id == job
    assert stored.against_version is None
    assert queued is not None
    assert (queued.kind, queued.params) == ("simulate", {"version": 3})
    assert review_of(3, stored, queued).state == "queued"


def test_a_submitter_who_is_not_a_stored_user_gets_a_request_without_a_job() -> None:
    fake = _uow_with([])
    with fake:
        job = queue_review_simulation(
            as_unit_of_work(fake), platform="acme", version=1, by="script", at=AT
        )
        stored = fake.simulations("acme").get(1)
    assert job is None
    assert review_of(1, stored, None).state == "not_started"
    assert review_of(1, None, None).state == "not_requested"


def _job(state: str, error: str | None = None) -> JobRecord:
    return JobRecord(
        job_pk=1, job_id="j", platform="acme", kind="simulate", params={"version": 2},
        state=state, progress_label="simulate", progress_done=2, progress_total=4, result=None,
        error=error, created_by=1, created_at=AT, started_at=AT, finished_at=None,
    )  # fmt: skip


def _stored(result: dict[str, object] | None = None) -> StoredSimulation:
    return StoredSimulation(
        version=2, against_version=1, settings={"months": 6}, job_id="j", requested_by="manager",
        requested_at=AT, result=result, finished_at=None,
    )  # fmt: skip


def test_the_reviews_state_follows_its_job_until_the_result_is_stored() -> None:
    assert review_of(2, _stored(), _job("running")).state == "running"
    assert review_of(2, _stored(), _job("running")).progress_done == 2
    failed = review_of(2, _stored(), _job("failed", "[not_enough_history] thin"))
    assert (failed.state, failed.error) == ("failed", "[not_enough_history] thin")
    # A job that ended without storing anything is a failure, said so.
    assert review_of(2, _stored(), _job("done")).state == "failed"
