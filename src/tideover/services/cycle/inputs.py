"""The daily cycle's delinquency stage over stored loans: the accounts table and its inputs.

Every disbursed loan's position on the business date is computed in bulk
(``services.stored_delinquency``: plain rows, the schedule in force, the exact
replay of the platform's waterfall and penalty) and turned into the accounts
table of ``tideover.batch.cycle`` column by column; yesterday's buckets and
the contact ledger are read beside it.  No per-row ORM object is built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from tideover.batch.cycle import CycleInputs
from tideover.batch.portfolio_rows import columns_of
from tideover.domain.days import NO_DATE, day_number
from tideover.domain.delinquency import DelinquencyStatus
from tideover.domain.platforms import PlatformSettings
from tideover.services.portfolio.positions import (
    PortfolioDelinquency,
    collector_paused,
    portfolio_delinquency,
)
from tideover.services.unit_of_work import UnitOfWork

ACCOUNTS_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("borrower_id", pa.string()),
        ("is_open", pa.bool_()),
        ("time_zones", pa.string()),
        ("dpd", pa.int32()),
        ("bucket", pa.string()),
        ("overdue_minor", pa.int64()),
        ("balance_minor", pa.int64()),
        ("product", pa.string()),
        ("region", pa.string()),
        ("months_on_book", pa.int32()),
        ("installments_overdue", pa.int32()),
        ("days_since_last_payment", pa.int32()),
    ]
)
PREVIOUS_SCHEMA = pa.schema(
    [("account_id", pa.string()), ("bucket", pa.string()), ("balance_minor", pa.int64())]
)


@dataclass(frozen=True)
class Loaded:
    """The cycle's inputs and the positions its write stage stores as bucket history
    (``book.snapshot()``, as columns)."""

    inputs: CycleInputs
    book: PortfolioDelinquency

    @property
    def statuses(self) -> list[DelinquencyStatus]:
        """The bucket history's rows as the domain's objects (built when asked for)."""
        return self.book.statuses


def load_cycle_inputs(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    settings: PlatformSettings,
    *,
    packs_horizon: timedelta,
) -> Loaded:
    """Positions of every disbursed loan on ``as_of`` on its schedule in force, as columns."""
    with collector_paused(), uow, ThreadPoolExecutor(max_workers=1) as pool:
        history = uow.delinquency(platform)
        previous_date = history.previous_date(as_of)
        # Yesterday's buckets are read as columns beside the book (a connection of its own).
        reading = (
            None if previous_date is None else pool.submit(history.bucket_columns, previous_date)
        )
        book = portfolio_delinquency(uow, platform, as_of, settings, start_of_day=True)
        phone_zones = uow.loans(platform).phone_zones()
        previous = None if reading is None else reading.result()
        if previous_date is not None and previous is None:  # no columnar read (SQLite)
            previous = _previous(history.buckets_on(previous_date))
        since = datetime.combine(as_of, clock_time(0), UTC) - packs_horizon
        ledger = uow.contacts(platform).load_ledger(since=since)
    previous = None if previous is None else previous.cast(PREVIOUS_SCHEMA)
    accounts = accounts_table(book, phone_zones, settings)
    return Loaded(CycleInputs(accounts, previous, ledger), book)


def accounts_table(
    book: PortfolioDelinquency,
    phone_zones: Mapping[int, tuple[str, ...]],
    settings: PlatformSettings,
) -> pa.Table:
    """The accounts table (``ACCOUNTS_SCHEMA``) of ``book``, built column by column."""
    positions = book.positions
    overdue = positions.overdue.sum(axis=1)
    principal = positions.outstanding_principal
    # Balance: principal still outstanding plus the overdue interest, fees and penalty.
    balance = principal + overdue - positions.overdue[:, 0]
    today = day_number(book.as_of)
    last = positions.last_payment
    labels = np.array(settings.buckets.labels, dtype=object)
    columns = {
        "account_id": pa.array(book.loan_ids, pa.string()),
        "borrower_id": pa.array(book.borrower_ids, pa.string()),
        "is_open": pa.array((principal != 0) | (overdue != 0)),
        "time_zones": pa.array(
            _time_zones(book.address_zones, book.borrower_keys, phone_zones, settings.time_zone),
            pa.string(),
        ),
        "dpd": pa.array(book.dpd.astype(np.int32)),
        "bucket": pa.array(labels[book.bucket_code], pa.string()),
        "overdue_minor": pa.array(overdue.astype(np.int64)),
        "balance_minor": pa.array(balance.astype(np.int64)),
        "product": pa.array([p or "" for p in book.products], pa.string()),
        "region": pa.array(book.regions, pa.string()),
        "months_on_book": pa.array(_months_on_book(book.start_days, book.as_of)),
        "installments_overdue": pa.array(positions.installments_overdue.astype(np.int32)),
        "days_since_last_payment": pa.array(
            (today - last).astype(np.int32), mask=last == NO_DATE, type=pa.int32()
        ),
    }
    return pa.table(columns, schema=ACCOUNTS_SCHEMA)


def _time_zones(
    address_zones: Sequence[str | None],
    borrower_keys: Sequence[int],
    phone_zones: Mapping[int, tuple[str, ...]],
    platform_zone: str,
) -> list[str]:
    """Each borrower's candidate zones (address, else phones); without any, the platform's."""
    out = []
    for zone, key in zip(address_zones, borrower_keys, strict=True):
        zones = (zone,) if zone else phone_zones.get(key, ())
        out.append(",".join(zones or (platform_zone,)))
    return out


def _months_on_book(start_days: NDArray[np.int64], as_of: date) -> NDArray[np.int32]:
    """Whole months from each start to ``as_of`` (a month counts once its day is reached)."""
    start = start_days.astype("datetime64[D]")
    month = start.astype("datetime64[M]")
    day = (start - month.astype("datetime64[D]")).astype(np.int64) + 1
    months = as_of.year * 12 + as_of.month - 1 - (month.astype(np.int64) + 1970 * 12)
    whole: NDArray[np.int32] = (months - (as_of.day < day)).astype(np.int32)
    return whole


def _previous(rows: Sequence[tuple[str, str, int]]) -> pa.Table:
    loan_ids, buckets, balances = columns_of(rows, 3)
    return pa.table(
        {"account_id": list(loan_ids), "bucket": list(buckets), "balance_minor": list(balances)},
        schema=PREVIOUS_SCHEMA,
    )
