"""Dates as day numbers: the form the replay and the set-based engines compute on.

A day number is the count of days since 1970-01-01, which is what Arrow's
``date32`` and numpy's ``datetime64[D]`` hold, so columns read from Parquet or
a database need no conversion.  :data:`NO_DATE` is the one "no date" value of
every such column and loop (no unpaid due date, not settled, no payment): the
largest ``int32``, so it fits a ``date32`` column and sorts after every real
day, and ``-NO_DATE`` before every real day.
"""

from __future__ import annotations

from datetime import date

EPOCH = date(1970, 1, 1)
NO_DATE = 2**31 - 1
"""Day number meaning "no date"; the largest ``int32``."""


def day_number(value: date) -> int:
    """Days since 1970-01-01 (the Arrow ``date32`` value of ``value``)."""
    return (value - EPOCH).days
