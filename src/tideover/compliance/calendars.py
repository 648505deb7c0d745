"""Public holidays and adjusted working days, from the ``holidays`` library.

``holidays`` is chosen over ``chinesecalendar``: one maintained library covers
every pack (CN, US and its states, GB, IE), releases follow each year's State
Council announcement, and it knows China's adjusted working days (调休上班),
e.g. Sunday 2025-09-28, which a weekend rule must treat as a working day.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Protocol

import holidays


class HolidayCalendar(Protocol):
    def is_public_holiday(self, day: date) -> bool: ...

    def is_adjusted_working_day(self, day: date) -> bool:
        """A weekend day declared a working day (China's 调休)."""
        ...


class NoHolidays:
    """For packs without a country (EU): no public holidays, no adjusted days."""

    def is_public_holiday(self, day: date) -> bool:
        return False

    def is_adjusted_working_day(self, day: date) -> bool:
        return False


class LibraryCalendar:
    """Holidays of one country (and optional subdivision), loaded a year at a time."""

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        self._table = holidays.country_holidays(country, subdiv=subdivision)
        self._years: set[int] = set()
        self._workdays: set[date] = set()

    def _load(self, year: int) -> None:
        if year not in self._years:
            _ = date(year, 1, 1) in self._table  # membership loads the whole year
            self._years.add(year)
            self._workdays = set(self._table.weekend_workdays)

    def is_public_holiday(self, day: date) -> bool:
        self._load(day.year)
        return day in self._table

    def is_adjusted_working_day(self, day: date) -> bool:
        self._load(day.year)
        return day in self._workdays


@lru_cache(maxsize=64)
def calendar_for(country: str | None, subdivision: str | None = None) -> HolidayCalendar:
    if not country:
        return NoHolidays()
    return LibraryCalendar(country, subdivision)
