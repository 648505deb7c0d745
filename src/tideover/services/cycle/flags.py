"""The cycle's account flags: hardship, vulnerability, disputes, promises and last contact.

The policy catalogue's flags (``docs/policy.md``) come from the working tables
(applications, plans, holds, promises, the contact ledger) as of the business
date, and are added to the accounts table as columns, so the features stage
uses them instead of the "nothing happened" defaults.  Everything is set-based
(Arrow compute over the accounts' ids); the only per-item Python is one local
date per borrower ever reached.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from tideover.adapters.repositories import AccountFlags
from tideover.services.unit_of_work import UnitOfWork

FLAG_COLUMNS = (
    "hardship_flag",
    "vulnerable_flag",
    "dispute_flag",
    "promise_active",
    "broken_promises",
    "days_since_last_contact",
)


def load_flags(uow: UnitOfWork, platform: str, as_of: date, time_zone: str) -> AccountFlags:
    """The flags on ``as_of``; the date's bounds are midnights in the platform's zone."""
    zone = ZoneInfo(time_zone)
    day_start = datetime.combine(as_of, clock_time.min, zone)
    day_end = datetime.combine(as_of + timedelta(days=1), clock_time.min, zone)
    with uow:
        return uow.account_flags(platform).flags(as_of=as_of, day_start=day_start, day_end=day_end)


def _member(ids: pa.ChunkedArray | pa.Array, values: Collection[str]) -> pa.Array:
    if not values:
        return pa.array([False] * len(ids), pa.bool_())
    found = pc.is_in(ids, value_set=pa.array(sorted(values), pa.string()))
    return pc.fill_null(found, False)


def _looked_up(
    ids: pa.ChunkedArray | pa.Array, values: Mapping[str, int], missing: int | None
) -> pa.Array:
    keys = sorted(values)
    index = pc.index_in(ids, value_set=pa.array(keys, pa.string()))
    taken = pc.take(pa.array([values[k] for k in keys], pa.int32()), index)
    if missing is None:
        return taken
    return pc.fill_null(taken, missing)


def with_flags(accounts: pa.Table, flags: AccountFlags, *, as_of: date, time_zone: str) -> pa.Table:
    """``accounts`` with the six flag columns (replacing any it already had)."""
    ids, borrowers = accounts["account_id"], accounts["borrower_id"]
    disputed = pc.or_(
        _member(ids, flags.disputed_loans), _member(borrowers, flags.disputed_borrowers)
    )
    zone = ZoneInfo(time_zone)
    # Days between the business date and the local date of the last contact that reached
    # the borrower (about any of their debts); NULL when nobody ever reached them.
    days = {b: (as_of - at.astimezone(zone).date()).days for b, at in flags.last_reached.items()}
    columns = {
        "hardship_flag": _member(ids, flags.hardship),
        "vulnerable_flag": _member(ids, flags.vulnerable),
        "dispute_flag": disputed,
        "promise_active": _member(ids, flags.promise_active),
        "broken_promises": _looked_up(ids, flags.broken_promises, 0),
        "days_since_last_contact": _looked_up(borrowers, days, None),
    }
    table = accounts.drop_columns([c for c in FLAG_COLUMNS if c in accounts.column_names])
    for name, values in columns.items():
        table = table.append_column(name, values)
    return table
