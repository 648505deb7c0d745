"""Clocks: the only place that reads the time; logic receives dates from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, time-zone aware, in UTC."""
        ...


class SystemClock:
    """The real clock, always in UTC (never the server's zone)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at one instant, for tests and reproducible runs."""

    instant: datetime

    def now(self) -> datetime:
        return self.instant.astimezone(UTC)


def business_date(clock: Clock, time_zone: str) -> date:
    """Today's date where the platform is (``time_zone`` is an IANA name)."""
    return clock.now().astimezone(ZoneInfo(time_zone)).date()
