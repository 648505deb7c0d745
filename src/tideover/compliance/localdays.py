"""Local calendar days of a time zone as epoch seconds, built once per zone.

The gate asks, for one instant and each candidate zone, which local day it is
and when that day (or a rule's window on it) begins and ends.  Answering with
``astimezone`` and ``datetime.combine`` for every rule, zone and search step
was most of the cost of a decision for a borrower with two candidate zones
(bench/RESULTS.md, "Contact gate").  A :class:`ZoneDays` keeps the epoch second
of each local midnight over a span of days around the instants asked about, so
the local day of an instant is one bisect, and the checks cache their bounds
per zone and day.

Each midnight is computed as before (``datetime.combine(day, 00:00, zone)``,
fold 0), so every bound is the same number the per-call code produced.  Only a
UTC-offset change near a local midnight (a few zones put their DST change at
00:00) could make "the day whose midnight came last" differ from the day
``astimezone`` reads; the two days around such a midnight are marked irregular
and :meth:`ZoneDays.day` reads them the exact, slow way.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import count
from zoneinfo import ZoneInfo

_MIDNIGHT = time(0)
_SPAN = 400  # days built beyond the day asked about, each time the table grows
# No offset change moves a clock by 4 hours or more (the largest today is 2 hours), so
# offsets 4 hours either side of a midnight that agree mean no change near it.
_NEAR = 4 * 3600
_FIRST = date(1, 1, 2).toordinal()
_LAST = date(9999, 12, 30).toordinal()
_UNIX_DAY = date(1970, 1, 1).toordinal()
_IDENTS = count(1)


class ZoneDays:
    """Epoch second of each local midnight of one zone, grown on demand."""

    __slots__ = ("first", "ident", "irregular", "starts", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.ident = next(_IDENTS)  # distinct small number: cache keys are plain ints
        self.first = 0  # ordinal of the day that starts[0] begins
        self.starts: list[int] = []
        self.irregular: set[int] = set()

    def key(self, ordinal: int) -> int:
        """An int naming (this zone, that day), for the checks' caches."""
        return ordinal << 20 | self.ident

    def day(self, at: int) -> int:
        """Ordinal of the local day containing epoch second ``at``."""
        starts = self.starts
        i = bisect_right(starts, at) - 1
        if i < 0 or i >= len(starts) - 1:
            utc_day = _UNIX_DAY + at // 86400
            self._cover(utc_day - 2)
            self._cover(utc_day + 2)
            starts = self.starts
            i = bisect_right(starts, at) - 1
        ordinal = self.first + i
        if ordinal in self.irregular:
            return datetime.fromtimestamp(at, self.zone).toordinal()
        return ordinal

    def midnight(self, ordinal: int) -> int:
        """Epoch second at which local day ``ordinal`` begins."""
        i = ordinal - self.first
        if not 0 <= i < len(self.starts):
            self._cover(ordinal)
            i = ordinal - self.first
        return self.starts[i]

    def at(self, ordinal: int, clock: time) -> int:
        """Epoch second of wall time ``clock`` on local day ``ordinal`` (fold 0, as ``combine``)."""
        moment = datetime.combine(date.fromordinal(ordinal), clock, tzinfo=self.zone)
        return int(moment.timestamp())

    def reads(self, at: int, ordinal: int, clock: time) -> bool:
        """Whether the local clock at ``at`` shows exactly ``clock`` on day ``ordinal``."""
        local = datetime.fromtimestamp(at, self.zone)
        return local.toordinal() == ordinal and local.time() == clock

    def _cover(self, ordinal: int) -> None:
        """Grow the table so that it holds ``ordinal`` and the day after it."""
        if not self.starts:
            self._build(ordinal - _SPAN, ordinal + _SPAN)
            return
        last = self.first + len(self.starts) - 1
        if ordinal < self.first:
            self._build(ordinal - _SPAN, self.first - 1, prepend=True)
        elif ordinal + 1 > last:
            self._build(last + 1, ordinal + _SPAN)

    def _build(self, low: int, high: int, *, prepend: bool = False) -> None:
        low, high = max(low, _FIRST), min(high, _LAST)
        if low > high:
            return
        zone = self.zone
        starts = []
        for ordinal in range(low, high + 1):
            midnight = datetime.combine(date.fromordinal(ordinal), _MIDNIGHT, tzinfo=zone)
            starts.append(int(midnight.timestamp()))
            before = (midnight - timedelta(seconds=_NEAR)).utcoffset()
            after = (midnight + timedelta(seconds=_NEAR)).utcoffset()
            if before != after:
                self.irregular.update((ordinal - 1, ordinal))
        if prepend:
            self.starts = starts + self.starts
            self.first = low
        else:
            if not self.starts:
                self.first = low
            self.starts.extend(starts)


@lru_cache(maxsize=1024)
def zone_days(name: str) -> ZoneDays:
    """The shared day table of IANA zone ``name``."""
    return ZoneDays(ZoneInfo(name))
