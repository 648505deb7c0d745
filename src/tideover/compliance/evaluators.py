"""One compiled check per gate rule kind; each says why it denies and when to retry.

A check returns ``None`` when the attempt passes, else a :class:`Denial` whose
``retry_at`` (epoch seconds) is the first instant worth trying again, or
``None`` when waiting alone will not help (a hold without end, an opt-out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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
from tideover.compliance.rules import (
    ConsentParams,
    FrequencyCapParams,
    HoldParams,
    QuietPeriodParams,
    Rule,
    ThirdPartyParams,
    TimeWindowParams,
)

_MIDNIGHT = time(0)
_DAY = timedelta(days=1)
_KIND = {
    "attempts": CountKind.ATTEMPTS,
    "connected": CountKind.CONNECTED,
    "unanswered": CountKind.UNANSWERED,
}
_KIND_ZH = {"attempts": "次联系尝试", "connected": "次接通", "unanswered": "次未接通呼叫"}


@dataclass(frozen=True, slots=True)
class Denial:
    """``explain`` builds the en/zh text only when a decision needs it (not while searching)."""

    rule_id: str
    retry_at: int | None
    explain: Callable[[], tuple[str, str]]

    @property
    def reason(self) -> Reason:
        en, zh = self.explain()
        return Reason(self.rule_id, en, zh)


@dataclass(frozen=True, slots=True)
class Context:
    attempt: Attempt
    profile: ContactProfile
    ledger: ContactLedger
    zones: tuple[ZoneInfo, ...]


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, _MIDNIGHT, tzinfo=zone)


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

    def deny(self, retry_at: int | None, explain: Callable[[], tuple[str, str]]) -> Denial:
        return Denial(self.rule_id, retry_at, explain)


class HoldCheck(Check):
    __slots__ = ("blocks",)

    def __init__(self, rule: Rule, params: HoldParams) -> None:
        super().__init__(rule)
        self.blocks = params.blocks

    def evaluate(self, ctx: Context, at: datetime) -> Denial | None:
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
        kinds = ", ".join(sorted(h.kind.value for h in found))
        return self.deny(retry, lambda: (f"hold in force: {kinds}", f"存在冻结事项：{kinds}"))


class ConsentCheck(Check):
    __slots__ = ("needs_consent", "opt_out")

    def __init__(self, rule: Rule, params: ConsentParams) -> None:
        super().__init__(rule)
        self.opt_out = params.honour_opt_out
        self.needs_consent = params.automated_needs_consent

    def evaluate(self, ctx: Context, at: datetime) -> Denial | None:
        channel = ctx.attempt.channel
        if self.opt_out and channel in ctx.profile.opted_out:
            return self.deny(
                None,
                lambda: (
                    f"the borrower opted out of {channel}",
                    f"借款人已退订该渠道（{channel}）",
                ),
            )
        if (
            ctx.attempt.automated
            and channel in self.needs_consent
            and channel not in ctx.profile.automated_consent
        ):
            return self.deny(
                None,
                lambda: (
                    f"automated {channel} without prior express consent",
                    f"未经事先明确同意，不得使用自动{channel}",
                ),
            )
        return None


class WindowCheck(Check):
    __slots__ = ("calendar", "p")

    def __init__(self, rule: Rule, params: TimeWindowParams, calendar: HolidayCalendar) -> None:
        super().__init__(rule)
        self.p = params
        self.calendar = calendar

    def _closed(self, day: date) -> bool:
        p = self.p
        if p.closed_on_public_holidays and self.calendar.is_public_holiday(day):
            return True
        return day.weekday() in p.closed_weekdays and not self.calendar.is_adjusted_working_day(day)

    def _agreed(self, ctx: Context, local: datetime) -> bool:
        clock = local.time()
        return any(
            a.start <= clock < a.end and local.weekday() in a.weekdays
            for a in ctx.profile.agreed_times
        )

    def _explain(self, local: datetime, zone: ZoneInfo) -> tuple[str, str]:
        stamp = f"{local:%Y-%m-%d %a %H:%M} ({zone.key})"
        window = f"{self.p.start:%H:%M}-{self.p.end:%H:%M}"
        return (
            f"{stamp} is outside the allowed local window {window} or on a closed day",
            f"当地时间 {stamp} 不在允许时段 {window} 内或属于禁止联系日",
        )

    def _next_open(self, local: datetime, zone: ZoneInfo) -> int:
        day = local.date()
        if local.time() >= self.p.start:
            day += _DAY
        for _ in range(366):
            if not self._closed(day):
                break
            day += _DAY
        return int(datetime.combine(day, self.p.start, tzinfo=zone).timestamp())

    def evaluate(self, ctx: Context, at: datetime) -> Denial | None:
        p = self.p
        for zone in ctx.zones:
            local = at.astimezone(zone)
            if p.agreed_time_exempts and self._agreed(ctx, local):
                continue
            clock = local.time()
            if p.start <= clock < p.end and not self._closed(local.date()):
                continue
            return self.deny(self._next_open(local, zone), partial(self._explain, local, zone))
        return None


class CapCheck(Check):
    __slots__ = ("kind", "mask", "p")

    def __init__(self, rule: Rule, params: FrequencyCapParams) -> None:
        super().__init__(rule)
        self.p = params
        self.kind = _KIND[params.count]
        counted = params.counted_channels or rule.scope.channels
        self.mask = sum(CHANNEL_BIT[c] for c in counted)

    def _bounds(self, local: datetime) -> tuple[datetime, datetime]:
        """Local start of the window and of the next period after ``local``."""
        zone = local.tzinfo
        assert isinstance(zone, ZoneInfo)
        day = local.date()
        if self.p.period == "day":
            first = day - timedelta(days=self.p.length - 1)
            return local_midnight(first, zone), local_midnight(day + _DAY, zone)
        month = day.month - self.p.length + 1
        year = day.year + (month - 1) // 12
        first = date(year, (month - 1) % 12 + 1, 1)
        nxt = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return local_midnight(first, zone), local_midnight(nxt, zone)

    def evaluate(self, ctx: Context, at: datetime) -> Denial | None:
        # With several candidate zones the union of their windows is counted (stricter).
        bounds = [self._bounds(at.astimezone(zone)) for zone in ctx.zones]
        since = int(min(b[0] for b in bounds).timestamp())
        until = int(max(b[1] for b in bounds).timestamp())
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
        change = int(min(b[1] for b in bounds).timestamp())
        return self.deny(change, lambda: self._explain(used))

    def _explain(self, used: int) -> tuple[str, str]:
        p = self.p
        return (
            f"{used} {p.count} per {p.per} in the last {p.length} {p.period}(s) already reach "
            f"the limit of {p.limit}",
            f"最近 {p.length} 个{'日' if p.period == 'day' else '月'}内已有 {used} "
            f"{_KIND_ZH[p.count]}，达到上限 {p.limit}",
        )


class QuietCheck(Check):
    __slots__ = ("p",)

    def __init__(self, rule: Rule, params: QuietPeriodParams) -> None:
        super().__init__(rule)
        self.p = params

    def evaluate(self, ctx: Context, at: datetime) -> Denial | None:
        attempt = ctx.attempt
        now = int(at.timestamp())
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
        instant = datetime.fromtimestamp(last, UTC)
        # The conversation's local day is day 1; calls resume on day days + 1.
        ends = [
            int(
                local_midnight(instant.astimezone(z).date() + timedelta(self.p.days), z).timestamp()
            )
            for z in ctx.zones
        ]
        resume = max(ends)
        if now >= resume:
            return None
        days = self.p.days
        return self.deny(
            resume,
            lambda: (
                f"a telephone conversation on {instant:%Y-%m-%d %H:%M} UTC starts a "
                f"{days}-day quiet period",
                f"{instant:%Y-%m-%d %H:%M}（UTC）已通话，{days} 天内不得再致电",
            ),
        )


class ThirdPartyCheck(Check):
    __slots__ = ("p",)

    def __init__(self, rule: Rule, params: ThirdPartyParams) -> None:
        super().__init__(rule)
        self.p = params

    def evaluate(self, ctx: Context, at: datetime) -> Denial | None:
        attempt, p = ctx.attempt, self.p
        is_contact_person = attempt.target is Target.CONTACT_PERSON
        if is_contact_person and p.only_when_debtor_unreachable and ctx.profile.debtor_reachable:
            return self.deny(
                None,
                lambda: (
                    "a contact person may be contacted only when the debtor cannot be reached",
                    "仅在无法联系债务人时才可联系其联系人",
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
                lambda: (
                    f"this third party ({role}) may not be contacted",
                    f"不得联系该第三人（{role}）",
                ),
            )
        done = ctx.ledger.recipient_contacts(attempt.borrower_id, attempt.recipient_id or "")
        if done < limit:
            return None
        return self.deny(
            None,
            lambda: (
                f"the location contact with this person was already used ({done} of {limit})",
                f"与此人的查找下落联系次数已用完（{done}/{limit}）",
            ),
        )
