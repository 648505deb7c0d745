"""The replay's penalty sum in exact integers rounds as the domain's ``Decimal`` sum does.

The domain adds ``penalty_interest_exact`` amounts (``Decimal``) and rounds the
total half-up once; ``batch.replay`` keeps the total as an exact fraction and falls
back to the domain's sum on an exact half.  Random accruals under rates and day
counts whose fractions do not terminate (ACT/365, odd rates), and sums built to land
exactly on a half, must give the same penalty to the fen.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch.replay import ReplayRules, _Accrual
from tideover.domain.allocation import Waterfall
from tideover.domain.money import Money, round_half_up
from tideover.domain.penalty import DayCount, PenaltyPolicy, penalty_interest_exact

RATES = ["0.18", "0.24", "0.5", "0.365", "0.1825", "0.0005", "1.5", "0.123456789"]


def domain_total(terms: list[tuple[int, int]], policy: PenaltyPolicy) -> int:
    exact = Decimal(0)
    for base, days in terms:
        exact += penalty_interest_exact(Money(base), days, policy)
    return int(round_half_up(exact))


def replay_total(terms: list[tuple[int, int]], rules: ReplayRules) -> int:
    state = _Accrual(1)
    for base, days in terms:
        state.numerator[0] += base * days * rules.rate_num
        state.terms[0].append((base, days))
    return state._rounded(0, rules)


@settings(max_examples=500, deadline=None)
@given(
    rate=st.sampled_from(RATES),
    count=st.sampled_from(list(DayCount)),
    terms=st.lists(
        st.tuples(st.integers(1, 10**12), st.integers(1, 4000)), min_size=1, max_size=12
    ),
)
def test_the_exact_sum_rounds_as_the_domain(
    rate: str, count: DayCount, terms: list[tuple[int, int]]
) -> None:
    policy = PenaltyPolicy(annual_rate=Decimal(rate), day_count=count)
    rules = ReplayRules.of(Waterfall(), policy)
    assert replay_total(terms, rules) == domain_total(terms, policy)


@settings(max_examples=300, deadline=None)
@given(
    rate=st.sampled_from(["0.5", "1.5", "0.25"]),
    first=st.integers(1, 729),
    whole=st.integers(0, 50),
)
def test_sums_that_land_on_a_half_round_as_the_domain(rate: str, first: int, whole: int) -> None:
    """Two accruals of one day under ACT/365 whose exact total is ``whole + 0.5``."""
    policy = PenaltyPolicy(annual_rate=Decimal(rate), day_count=DayCount.ACT_365)
    rules = ReplayRules.of(Waterfall(), policy)
    num, den = Decimal(rate).as_integer_ratio()
    # base × num / (den × 365) summed over both terms = whole + 1/2
    total_bases = (2 * whole + 1) * den * 365
    if total_bases % (2 * num):
        return
    bases = total_bases // (2 * num)
    if not 0 < first < bases:
        return
    terms = [(first, 1), (bases - first, 1)]
    assert replay_total(terms, rules) == domain_total(terms, policy)


# Totals that are exactly a half, where the domain's Decimal sum (28 digits) comes out
# just below it and rounds down: the exact fraction alone would round up.
DECIMAL_HALVES = [
    ("0.5", [(608217439, 17), (965477764, 10), (692, 1)], 27389691),
    ("0.75", [(317720193, 23), (2082334, 23), (709, 1)], 15113956),
    ("0.25", [(857008002, 35), (271413336, 26), (473761675, 31), (1039, 1)], 35437424),
]


def test_exact_halves_follow_the_domains_decimal_sum() -> None:
    for rate, terms, expected in DECIMAL_HALVES:
        policy = PenaltyPolicy(annual_rate=Decimal(rate), day_count=DayCount.ACT_365)
        rules = ReplayRules.of(Waterfall(), policy)
        assert domain_total(terms, policy) == expected
        assert replay_total(terms, rules) == expected
