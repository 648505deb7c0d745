"""Pricing a loan from a re-aged schedule: only installments due from the re-aging age.

``services.plans.options.plan_options(ages_from=...)`` is what a stored loan on a
re-aged schedule is priced with (``services.plans.position``); the daily cycle
ages the same account with ``domain.delinquency.delinquency_of(ages_from=...)``.
The database paths are in ``tests/integration/test_plans_position.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from test_plans_helpers import application, loan, paid

from tideover.domain.allocation import position_as_of
from tideover.domain.delinquency import delinquency_of
from tideover.domain.platforms import PlatformSettings
from tideover.services.plans.options import plan_options

LOAN = loan()  # 12 monthly installments from 2025-02-15
APPLICATION = application()


def test_arrears_before_the_re_aging_do_not_age() -> None:
    payments = paid(LOAN, 2)  # the third (2025-04-15) and later ones unpaid
    as_of = date(2025, 6, 20)
    plain = plan_options(
        loan=LOAN, payments=payments, settings=PlatformSettings(), application=APPLICATION,
        as_of=as_of,
    )  # fmt: skip
    aged = plan_options(
        loan=LOAN, payments=payments, settings=PlatformSettings(), application=APPLICATION,
        as_of=as_of, ages_from=date(2025, 6, 1),
    )  # fmt: skip
    assert plain.snapshot.dpd == (as_of - date(2025, 4, 15)).days
    assert aged.snapshot.dpd == (as_of - date(2025, 6, 15)).days  # the first due from June
    # Nothing is forgiven: the same balance, the same arrears in the plans.
    assert replace(aged.snapshot, dpd=plain.snapshot.dpd) == plain.snapshot


@settings(max_examples=60, deadline=None)
@given(
    paid_count=st.integers(0, 12),
    as_of_days=st.integers(0, 420),
    ages_days=st.integers(0, 420),
)
def test_a_re_aged_position_ages_as_the_daily_cycle_does(
    paid_count: int, as_of_days: int, ages_days: int
) -> None:
    as_of = date(2025, 2, 1) + timedelta(days=as_of_days)
    ages_from = date(2025, 2, 1) + timedelta(days=ages_days)
    payments = [p for p in paid(LOAN, paid_count) if p.paid_on <= as_of]
    aged = plan_options(
        loan=LOAN, payments=payments, settings=PlatformSettings(), application=APPLICATION,
        as_of=as_of, ages_from=ages_from,
    )  # fmt: skip
    plain = plan_options(
        loan=LOAN, payments=payments, settings=PlatformSettings(), application=APPLICATION,
        as_of=as_of,
    )  # fmt: skip
    cycle = delinquency_of(position_as_of(LOAN, payments, as_of), ages_from=ages_from)
    assert aged.snapshot.dpd == cycle.dpd
    assert 0 <= aged.snapshot.dpd <= plain.snapshot.dpd
    assert replace(aged.snapshot, dpd=plain.snapshot.dpd) == plain.snapshot
