"""One compiled check per gate rule kind; each says why it denies and when to retry.

A check returns ``None`` when the attempt passes, else a :class:`Denial` whose
``retry_at`` (epoch seconds) is the first instant worth trying again, or
``None`` when waiting alone will not help (a hold without end, an opt-out).

Checks are given the instant twice: as the aware ``datetime`` (holds compare
it to their own instants exactly) and as whole epoch seconds ``now``, which
the time-dependent checks compare with local-day bounds cached per zone and day
(:mod:`tideover.compliance.localdays`).  The bounds are whole seconds, so
``floor(instant)`` falls on the same side of each as the instant itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from tideover.compliance.calendars import HolidayCalendar
from tideover.compliance.contacts import (
    Attempt,
    ContactProfile,
    HoldKind,
    Reason,
    Target,
    ThirdPartyRole,
)
from tideover.compliance.ledger import CHANNEL_BIT, ContactLedger, CountKind
from tideover.compliance.localdays import ZoneDays
from tideover.compliance.rules import (
    COUNTED,
    PER,
    ConsentParams,
    FrequencyCapParams,
    HoldParams,
    QuietPeriodParams,
    Rule,
    ThirdPartyParams,
    TimeWindowParams,
)
from tideover.i18n import N_, Wording

_OPEN, _CLOSED, _IRREGULAR = 0, 1, 2  # a window's state on one local day
_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
_KIND = {
    "attempts": CountKind.ATTEMPTS,
    "connected": CountKind.CONNECTED,
    "unanswered": CountKind.UNANSWERED,
}


@dataclass(frozen=True, slots=True)
class Denial:
    """``explain`` builds the wording only when a decision needs it (not while searching)."""

    rule_id: str
    retry_at: int | None
    explain: Callable[[], Wording]

    @property
    def reason(self) -> Reason:
        return Reason(self.rule_id, self.explain())


class Context:
    """One attempt being decided; remembers the local day in each zone of the last instant."""

    __slots__ = ("_days", "_now", "attempt", "ledger", "profile", "zones")

    def __init__(
        self,
        attempt: Attempt,
        profile: ContactProfile,
        ledger: ContactLedger,
        zones: tuple[ZoneDays, ...],  # the borrower's candidate zones, with their day tables
    ) -> None:
        self.attempt = attempt
        self.profile = profile
        self.ledger = ledger
        self.zones = zones
        self._now = -1
        self._days: list[int] = []

    def days(self, now: int) -> list[int]:
        """The local day (ordinal) of epoch second ``now`` in each candidate zone."""
        if now != self._now:
            self._days = [zone.day(now) for zone in self.zones]
            self._now = now
        return self._days


class Check:
    """Scope matching shared by every compiled rule."""

    __slots__ = ("actors", "channels", "debt_types", "rule_id", "targets")

    def __init__(self, rule: Rule) -> None:
        self.rule_id = rule.id
        self.channels = rule.scope.channels
        self.actors = rule.scope.actor_roles
        self.targets = rule.scope.targets
        self.debt_types = rule.scope.debt_types

    def applies(self, attempt: Attempt) -> bool:
        return (
            attempt.channel in self.channels
            and attempt.actor in self.actors
            and attempt.target in self.targets
            and (not self.debt_types or attempt.debt_type in self.debt_types)
        )

    def deny(self, retry_at: int | None, explain: Callable[[], Wording]) -> Denial:
        return Denial(self.rule_id, retry_at, explain)


class HoldCheck(Check):
    __slots__ = ("blocks",)

    def __init__(self, rule: Rule, params: HoldParams) -> None:
        super().__init__(rule)
        self.blocks = params.blocks

    def evaluate(self, ctx: Context, at: datetime, now: int) -> Denial | None:
        attempt = ctx.attempt
        found = [
            hold
            for hold in ctx.profile.holds
            if hold.kind in self.blocks
            and (hold.debt_id is None or hold.debt_id == attempt.debt_id)
            and (hold.until is None or at < hold.until)
            and (hold.since is None or at >= hold.since)
            # A represented consumer's attorney may still be contacted (15 USC 1692c(a)(2)).
            and not (
                hold.kind is HoldKind.LEGAL_REPRESENTATION
                and attempt.target is Target.THIRD_PARTY
                and attempt.third_party_role is ThirdPartyRole.ATTORNEY
            )
        ]
        if not found:
            return None
        ends = [h.until for h in found]
        retry = None if None in ends else int(max(e for e in ends if e).timestamp())
        return self.deny(
            retry,
            lambda: Wording(
                N_("hold in force: %(kinds)s"), kinds=tuple(sorted(h.kind.value for h in found))
            ),
        )


class ConsentCheck(Check):
    __slots__ = ("needs_consent", "opt_out")

    def __init__(self, rule: Rule, params: ConsentParams) -> None:
        super().__init__(rule)
        self.opt_out = params.honour_opt_out
        self.needs_consent = params.automated_needs_consent

    def evaluate(self, ctx: Context, at: datetime, now: int) -> Denial | None:
        channel = ctx.attempt.channel
        if self.opt_out and channel in ctx.profile.opted_out:
            return self.deny(
                None,
                lambda: Wording(N_("the borrower opted out of %(channel)s"), channel=channel),
            )
        if (
            ctx.attempt.automated
            and channel in self.needs_consent
            and channel not in ctx.profile.automated_consent
        ):
            return self.deny(
                None,
                lambda: Wording(
                    N_("automated %(channel)s without prior express consent"), channel=channel
                ),
            )
        return None


class WindowCheck(Check):
    """The local window ``[start, end)``; its bounds are computed once per zone and day."""

    __slots__ = ("_closed_days", "_days", "calendar", "p")

    def __init__(self, rule: Rule, params: TimeWindowParams, calendar: HolidayCalendar) -> None:
        super().__init__(rule)
        self.p = params
        self.calendar = calendar
        self._days: dict[int, tuple[int, int, int]] = {}  # ZoneDays.key -> open, close, state
        self._closed_days: dict[int, bool] = {}  # day ordinal -> closed

    def _closed(self, ordinal: int) -> bool:
        closed = self._closed_days.get(ordinal)
        if closed is None:
            day = date.fromordinal(ordinal)
            p = self.p
            closed = (p.closed_on_public_holidays and self.calendar.is_public_holiday(day)) or (
                day.weekday() in p.closed_weekdays
                and not self.calendar.is_adjusted_working_day(day)
            )
            self._closed_days[ordinal] = closed
        return closed

    def _bounds(self, zone: ZoneDays, ordinal: int) -> tuple[int, int, int]:
        """Epoch seconds of the window's start and end on that local day, and its state.

        Irregular: an offset change inside the window, or a start or end the local
        clock never shows (a DST gap), so wall-clock and epoch order could differ.
        """
        key = ordinal << 20 | zone.ident
        found = self._days.get(key)
        if found is None:
            p = self.p
            opens, closes = zone.at(ordinal, p.start), zone.at(ordinal, p.end)
            regular = (
                zone.reads(opens, ordinal, p.start)
                and zone.reads(closes, ordinal, p.end)
                and _offset(zone, opens) == _offset(zone, closes)
            )
            state = _IRREGULAR if not regular else _CLOSED if self._closed(ordinal) else _OPEN
            found = self._days[key] = (opens, closes, state)
        return found

    def _agreed(self, ctx: Context, local: datetime) -> bool:
        clock = local.time()
        return any(
            a.start <= clock < a.end and local.weekday() in a.weekdays
            for a in ctx.profile.agreed_times
        )

    def _explain(self, now: int, zone: ZoneInfo) -> Wording:
        t = datetime.fromtimestamp(now, zone)
        # The weekday in the reader's language: "周二", never "Tue", in a Chinese sentence.
        return Wording(
            N_(
                "%(day)s %(weekday)s %(clock)s is outside the allowed local window %(window)s "
                "or on a closed day"
            ),
            day=f"{t.year:04d}-{t.month:02d}-{t.day:02d}",
            weekday=Wording(_WEEKDAYS[t.weekday()]),
            clock=f"{t.hour:02d}:{t.minute:02d} ({zone.key})",
            window=f"{self.p.start:%H:%M}-{self.p.end:%H:%M}",
        )

    def _next_open(self, zone: ZoneDays, ordinal: int, past_start: bool) -> int:
        """The window's next start: today's if it is still ahead, else the next open day's."""
        day = ordinal + 1 if past_start else ordinal
        for _ in range(366):
            if not self._closed(day):
                break
            day += 1
        return self._bounds(zone, day)[0]

    def _open_exactly(self, ctx: Context, zone: ZoneDays, at: datetime) -> int | None:
        """The per-instant reading (agreed times, irregular days): None if open, else retry."""
        p = self.p
        local = at.astimezone(zone.zone)
        if p.agreed_time_exempts and self._agreed(ctx, local):
            return None
        clock = local.time()
        ordinal = local.toordinal()
        if p.start <= clock < p.end and not self._closed(ordinal):
            return None
        return self._next_open(zone, ordinal, clock >= p.start)

    def evaluate(self, ctx: Context, at: datetime, now: int) -> Denial | None:
        """Open only if open in every zone; retry at the latest next start of the closed ones.

        No zone can open before its own next start, so that latest one is the
        earliest instant worth trying again.
        """
        exact = self.p.agreed_time_exempts and bool(ctx.profile.agreed_times)
        retry, shut = -1, None
        for zone, ordinal in zip(ctx.zones, ctx.days(now), strict=True):
            if exact:
                later = self._open_exactly(ctx, zone, at)
            else:
                opens, closes, state = self._days.get(ordinal << 20 | zone.ident) or self._bounds(
                    zone, ordinal
                )
                if state == _OPEN and opens <= now < closes:
                    continue
                if state == _IRREGULAR:
                    later = self._open_exactly(ctx, zone, at)
                else:
                    later = self._next_open(zone, ordinal, now >= opens)
            if later is None:
                continue
            retry = max(retry, later)
            shut = shut or zone.zone
        if shut is None:
            return None
        return self.deny(retry, partial(self._explain, now, shut))


def _offset(zone: ZoneDays, at: int) -> timedelta | None:
    return datetime.fromtimestamp(at, zone.zone).utcoffset()


class CapCheck(Check):
    __slots__ = ("_spans", "kind", "mask", "p")

    def __init__(self, rule: Rule, params: FrequencyCapParams) -> None:
        super().__init__(rule)
        self.p = params
        self.kind = _KIND[params.count]
        counted = params.counted_channels or rule.scope.channels
        self.mask = sum(CHANNEL_BIT[c] for c in counted)
        self._spans: dict[int, tuple[int, int]] = {}  # ZoneDays.key -> since, next period

    def _span(self, zone: ZoneDays, ordinal: int) -> tuple[int, int]:
        """Epoch seconds of the window's local start and of the next period, for that day."""
        key = ordinal << 20 | zone.ident
        span = self._spans.get(key)
        if span is None:
            p = self.p
            if p.period == "day":
                first, nxt = ordinal - p.length + 1, ordinal + 1
            else:
                day = date.fromordinal(ordinal)
                month = day.month - p.length + 1
                year = day.year + (month - 1) // 12
                first = date(year, (month - 1) % 12 + 1, 1).toordinal()
                nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1).toordinal()
            span = self._spans[key] = (zone.midnight(first), zone.midnight(nxt))
        return span

    def evaluate(self, ctx: Context, at: datetime, now: int) -> Denial | None:
        # With several candidate zones the union of their windows is counted (stricter).
        zones, days = ctx.zones, ctx.days(now)
        since, until = self._span(zones[0], days[0])
        change = until
        for i in range(1, len(zones)):
            low, high = self._span(zones[i], days[i])
            since, until, change = min(since, low), max(until, high), min(change, high)
        attempt = ctx.attempt
        per = self.p.per
        used = ctx.ledger.count(
            attempt.borrower_id,
            since,
            until,
            channels=self.mask,
            kind=self.kind,
            debt_id=attempt.debt_id if per == "debt" else None,
            number=attempt.number if per == "number" else None,
        )
        if used < self.p.limit:
            return None
        # The counted span first changes when any zone's period rolls over.
        return self.deny(change, lambda: self._explain(used))

    def _explain(self, used: int) -> Wording:
        p = self.p
        return Wording(
            N_(
                "%(used)s %(count)s %(per)s in the last %(length)s day(s) already reach the "
                "limit of %(limit)s"
            )
            if p.period == "day"
            else N_(
                "%(used)s %(count)s %(per)s in the last %(length)s month(s) already reach the "
                "limit of %(limit)s"
            ),
            used=used,
            count=Wording(COUNTED[p.count]),
            per=Wording(PER[p.per]),
            length=p.length,
            limit=p.limit,
        )


class QuietCheck(Check):
    __slots__ = ("p",)

    def __init__(self, rule: Rule, params: QuietPeriodParams) -> None:
        super().__init__(rule)
        self.p = params

    def evaluate(self, ctx: Context, at: datetime, now: int) -> Denial | None:
        attempt = ctx.attempt
        horizon = now - (self.p.days + 2) * 86400  # covers any zone's day boundary
        last = ctx.ledger.last_conversation(
            attempt.borrower_id,
            horizon,
            now,
            debt_id=attempt.debt_id if self.p.per == "debt" else None,
            include_inbound=self.p.include_inbound,
        )
        if last is None:
            return None
        # The conversation's local day is day 1; calls resume on day days + 1.
        days = self.p.days
        resume = max(zone.midnight(zone.day(last) + days) for zone in ctx.zones)
        if now >= resume:
            return None
        instant = datetime.fromtimestamp(last, UTC)
        return self.deny(
            resume,
            lambda: Wording(
                N_(
                    "a telephone conversation on %(instant)s UTC starts a %(days)s-day quiet period"
                ),
                instant=format(instant, "%Y-%m-%d %H:%M"),
                days=days,
            ),
        )


class ThirdPartyCheck(Check):
    __slots__ = ("p",)

    def __init__(self, rule: Rule, params: ThirdPartyParams) -> None:
        super().__init__(rule)
        self.p = params

    def evaluate(self, ctx: Context, at: datetime, now: int) -> Denial | None:
        attempt, p = ctx.attempt, self.p
        is_contact_person = attempt.target is Target.CONTACT_PERSON
        if is_contact_person and p.only_when_debtor_unreachable and ctx.profile.debtor_reachable:
            return self.deny(
                None,
                lambda: Wording(
                    N_("a contact person may be contacted only when the debtor cannot be reached")
                ),
            )
        if attempt.third_party_role in p.allowed_roles:
            return None
        limit = p.max_contacts_per_recipient
        if limit is None:
            if is_contact_person:
                return None
            role = attempt.third_party_role or "unnamed"
            return self.deny(
                None,
                lambda: Wording(N_("this third party (%(role)s) may not be contacted"), role=role),
            )
        done = ctx.ledger.recipient_contacts(attempt.borrower_id, attempt.recipient_id or "")
        if done < limit:
            return None
        return self.deny(
            None,
            lambda: Wording(
                N_(
                    "the location contact with this person was already used (%(done)s of %(limit)s)"
                ),
                done=done,
                limit=limit,
            ),
        )
