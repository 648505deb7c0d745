"""When a message may go: the platform's quiet hours in the reader's time, retries, rates.

Quiet hours are the platform's own, on top of the rule packs' windows: from
``start`` to ``end`` in the *borrower's* local time (``21:00``–``08:00`` wraps
midnight), in every zone the borrower may be in — as the gate does when the
zone is uncertain (12 CFR 1006.6(b)(1)(i) reasoning).  A message due inside
them waits for the first instant that is outside them in every zone.
"""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Quiet:
    start: time
    end: time

    def covers(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # wraps midnight


def quiet_until(at: datetime, zones: Sequence[str], quiet: Quiet | None) -> datetime | None:
    """``None`` when ``at`` is outside the quiet hours in every zone; else the first later
    instant (to the minute) that is outside them in every zone."""
    if quiet is None or not zones:
        return None
    probe = at.astimezone(UTC)
    for _ in range(2 * 24 * 60 // 15):  # two days in quarter hours is always enough
        inside = [z for z in zones if quiet.covers(probe.astimezone(ZoneInfo(z)).time())]
        if not inside:
            return None if probe == at.astimezone(UTC) else probe
        # jump to the end of the quiet hours in the first zone still inside them
        local = probe.astimezone(ZoneInfo(inside[0]))
        end = datetime.combine(local.date(), quiet.end, ZoneInfo(inside[0]))
        if end <= local:
            end += timedelta(days=1)
        probe = max(end.astimezone(UTC), probe + timedelta(minutes=1))
    return probe


# --- retries -----------------------------------------------------------------------------------

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=2)
MAX_ATTEMPTS = 6


def next_retry(at: datetime, attempts: int) -> datetime | None:
    """When a message that failed for a passing reason ``attempts`` times is tried again:
    1, 2, 4, 8 ... minutes later (at most two hours); ``None`` after ``MAX_ATTEMPTS``."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay: timedelta = min(RETRY_BASE * int(2 ** max(attempts - 1, 0)), RETRY_CAP)
    return at + delay


# --- rates -------------------------------------------------------------------------------------


class RateLimiter:
    """At most ``per_second`` sends a second on one channel, with bursts of ``burst``
    (a token bucket).  ``clock`` and ``sleep`` are injected so tests need not wait."""

    def __init__(
        self,
        per_second: float,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = _time.monotonic,
        sleep: Callable[[float], None] = _time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("a rate must be positive")
        self.rate = per_second
        self.capacity = float(burst if burst is not None else max(1, int(per_second)))
        self.tokens = self.capacity
        self._clock, self._sleep = clock, sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Takes one token, sleeping until there is one; the seconds slept."""
        with self._lock:
            now = self._clock()
            self.tokens = min(self.capacity, self.tokens + (now - self._last) * self.rate)
            self._last = now
            wait = 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate
            if wait:
                self._sleep(wait)
                self._last = self._clock()
                self.tokens = 0.0
            else:
                self.tokens -= 1
            return wait
