"""Local days as epoch seconds: the cached bounds must read exactly as the clock does.

The gate decides from per-zone day tables and per-day bounds instead of
``astimezone`` on every call; these tests compare them with the direct reading
in zones with every kind of offset change (DST at 00:00 or 24:00, half-hour
DST, negative DST, odd offsets), near the changes and at random instants.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.compliance.calendars import calendar_for
from tideover.compliance.contacts import ActorRole, AgreedTime, Attempt, Channel, ContactProfile
from tideover.compliance.evaluators import CapCheck, Context, WindowCheck
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.localdays import ZoneDays, zone_days
from tideover.compliance.rules import FrequencyCapParams, Rule, TimeWindowParams

ZONES = [
    "Asia/Shanghai",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Dublin",  # DST written as a negative offset in winter
    "America/Santiago",  # changes at 24:00 / 00:00
    "America/Havana",  # changes at 00:00 / 01:00
    "Asia/Beirut",  # changes at 00:00
    "America/Asuncion",
    "Atlantic/Azores",  # changes at 00:00 / 01:00 local
    "Australia/Lord_Howe",  # half-hour DST
    "Asia/Kathmandu",  # +05:45: local midnight is not on a UTC hour
    "Pacific/Chatham",
]
START = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
END = int(datetime(2028, 1, 1, tzinfo=UTC).timestamp())


def transitions(zone: ZoneInfo) -> list[int]:
    """Epoch seconds (to the hour) at which the zone's offset changes, 2024-2027."""
    found = []
    at = START
    before = datetime.fromtimestamp(at, zone).utcoffset()
    while at < END:
        at += 3600
        offset = datetime.fromtimestamp(at, zone).utcoffset()
        if offset != before:
            found.append(at)
            before = offset
    return found


@pytest.mark.parametrize("name", ZONES)
def test_days_and_midnights_match_the_clock_around_every_offset_change(name: str) -> None:
    zone, days = ZoneInfo(name), ZoneDays(ZoneInfo(name))
    for change in transitions(zone):
        for delta in range(-2 * 86400, 2 * 86400, 900):
            at = change + delta
            local = datetime.fromtimestamp(at, zone)
            assert days.day(at) == local.toordinal(), (name, local)
        ordinal = datetime.fromtimestamp(change, zone).toordinal()
        for day in range(ordinal - 2, ordinal + 3):
            midnight = datetime.combine(date.fromordinal(day), time(0), tzinfo=zone)
            assert days.midnight(day) == int(midnight.timestamp())


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ZONES), st.integers(START - 400 * 86400, END + 400 * 86400))
def test_the_day_of_any_instant_is_the_clocks(name: str, at: int) -> None:
    assert zone_days(name).day(at) == datetime.fromtimestamp(at, ZoneInfo(name)).toordinal()


def test_the_table_grows_both_ways() -> None:
    days = ZoneDays(ZoneInfo("Asia/Shanghai"))
    late, early = int(datetime(2090, 1, 1, tzinfo=UTC).timestamp()), 0
    assert days.day(late) == date(2090, 1, 1).toordinal()
    assert days.day(early) == date(1970, 1, 1).toordinal()
    assert days.midnight(date(2030, 5, 5).toordinal()) == int(
        datetime(2030, 5, 5, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    )


# -- the window and cap checks against the direct reading -------------------------------


def _rule(kind: str, params: object) -> Rule:
    return Rule.model_validate(
        {
            "id": "XX-PROBE",
            "kind": kind,
            "title_en": "probe",
            "title_zh": "探针",
            "params": params,
            "sources": [{"document": "test", "article": "-"}],
            "confidence": "C",
        }
    )


WINDOW = TimeWindowParams(
    start=time(8),
    end=time(21),
    closed_weekdays=frozenset({6}),
    closed_on_public_holidays=True,
    agreed_time_exempts=True,
)


def _context(names: tuple[str, ...], agreed: tuple[AgreedTime, ...] = ()) -> Context:
    attempt = Attempt("b1", "d1", Channel.CALL, ActorRole.AGENCY, datetime(2026, 6, 3, tzinfo=UTC))
    profile = ContactProfile("b1", names, agreed_times=agreed)
    return Context(attempt, profile, InMemoryLedger(), tuple(zone_days(n) for n in names))


def _open_by_the_clock(at: int, names: tuple[str, ...], country: str) -> bool:
    calendar = calendar_for(country)
    for name in names:
        local = datetime.fromtimestamp(at, ZoneInfo(name))
        day = local.date()
        closed = calendar.is_public_holiday(day) or (
            day.weekday() == 6 and not calendar.is_adjusted_working_day(day)
        )
        if closed or not time(8) <= local.time() < time(21):
            return False
    return True


ZONE_SETS = [
    ("America/New_York",),
    ("America/New_York", "America/Los_Angeles"),
    ("America/Santiago", "America/New_York"),
    ("Asia/Kathmandu",),
    ("Australia/Lord_Howe", "Pacific/Chatham"),
    ("Europe/Dublin", "Atlantic/Azores"),
]


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(ZONE_SETS), st.integers(START, END), st.sampled_from(["US", "CN", "IE"]))
def test_the_window_is_open_exactly_when_the_clock_says_so(
    names: tuple[str, ...], at: int, country: str
) -> None:
    check = WindowCheck(_rule("time_window", WINDOW.model_dump()), WINDOW, calendar_for(country))
    instant = datetime.fromtimestamp(at, UTC)
    denial = check.evaluate(_context(names), instant, at)
    assert (denial is None) == _open_by_the_clock(at, names, country)
    if denial is not None:
        # The retry instant is a lower bound: nothing before it is open in every zone.
        assert denial.retry_at is not None
        assert denial.retry_at > at
        for probe in range(at, denial.retry_at, max(60, (denial.retry_at - at) // 50)):
            assert not _open_by_the_clock(probe, names, country)


def test_agreed_times_are_read_by_the_clock() -> None:
    agreed = (AgreedTime(time(7), time(8), frozenset({2})),)  # Wednesdays 07:00-08:00
    check = WindowCheck(_rule("time_window", WINDOW.model_dump()), WINDOW, calendar_for("US"))
    ny = ZoneInfo("America/New_York")
    for hh, mm, allowed in ((6, 59, False), (7, 0, True), (7, 59, True), (8, 0, True)):
        at = datetime(2026, 6, 3, hh, mm, tzinfo=ny)
        denial = check.evaluate(_context(("America/New_York",), agreed), at, int(at.timestamp()))
        assert (denial is None) is allowed, (hh, mm)


class SpyLedger:
    """Records the span each count asks for; holds no contacts."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []

    def count(self, borrower_id: str, since: int, until: int, **_: object) -> int:
        self.spans.append((since, until))
        return 0

    def last_conversation(self, *_: object, **__: object) -> int | None:
        return None

    def recipient_contacts(self, *_: object) -> int:
        return 0


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ZONE_SETS),
    st.integers(START, END),
    st.sampled_from([("day", 1), ("day", 7), ("month", 1), ("month", 2)]),
)
def test_cap_windows_are_the_local_days_and_months(
    names: tuple[str, ...], at: int, shape: tuple[str, int]
) -> None:
    period, length = shape
    first: list[int] = []
    nxt: list[int] = []
    for name in names:
        zone = ZoneInfo(name)
        day = datetime.fromtimestamp(at, zone).date()
        if period == "day":
            start, end = day - timedelta(days=length - 1), day + timedelta(days=1)
        else:
            month = day.month - length + 1
            year = day.year + (month - 1) // 12
            start = date(year, (month - 1) % 12 + 1, 1)
            end = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        first.append(int(datetime.combine(start, time(0), tzinfo=zone).timestamp()))
        nxt.append(int(datetime.combine(end, time(0), tzinfo=zone).timestamp()))
    for limit in (1, 0):
        params = FrequencyCapParams.model_validate(
            {
                "limit": limit,
                "period": period,
                "length": length,
                "count": "attempts",
                "per": "person",
            }
        )
        check = CapCheck(_rule("frequency_cap", params.model_dump()), params)
        spy = SpyLedger()
        base = _context(names)
        ctx = Context(base.attempt, base.profile, spy, base.zones)
        denial = check.evaluate(ctx, datetime.fromtimestamp(at, UTC), at)
        # With several zones the union of their windows is counted.
        assert spy.spans == [(min(first), max(nxt))]
        if limit:
            assert denial is None
        else:
            # A limit of 0 always denies; the count first changes at the earliest rollover.
            assert denial is not None
            assert denial.retry_at == min(nxt)
