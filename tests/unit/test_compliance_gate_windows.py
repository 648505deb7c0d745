"""Contact gate: time windows in local time, candidate zones, DST, holidays, agreed times."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tideover.compliance.contacts import (
    ActorRole,
    AgreedTime,
    Attempt,
    Channel,
    ContactProfile,
    Decision,
)
from tideover.compliance.gate import check
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack
from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.domain.errors import ValidationError

SHANGHAI, NEW_YORK, LOS_ANGELES = "Asia/Shanghai", "America/New_York", "America/Los_Angeles"


def at(zone: str, y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    """A local wall time as a UTC instant."""
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def attempt(
    when: datetime, channel: Channel = Channel.CALL, actor: ActorRole = ActorRole.AGENCY
) -> Attempt:
    return Attempt("b1", "d1", channel, actor, when, number="n1")


def decide(
    code: str,
    when: datetime,
    zones: tuple[str, ...],
    *,
    channel: Channel = Channel.CALL,
    actor: ActorRole = ActorRole.AGENCY,
    agreed: tuple[AgreedTime, ...] = (),
    overrides: dict[str, dict[str, Any]] | None = None,
) -> Decision:
    profile = ContactProfile("b1", zones, agreed_times=agreed)
    return check(
        attempt(when, channel, actor), InMemoryLedger(), profile, load_pack(code, overrides)
    )


@pytest.mark.parametrize(
    ("hh", "mm", "allowed"),
    [(7, 59, False), (8, 0, True), (20, 59, True), (21, 0, False), (21, 1, False)],
)
def test_us_window_edges_in_consumer_local_time(hh: int, mm: int, allowed: bool) -> None:
    # 12 CFR 1006.6(b)(1)(i): before 08:00 and after 21:00 are inconvenient.
    decision = decide("US", at(NEW_YORK, 2026, 6, 3, hh, mm), (NEW_YORK,))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule_ids == ("US-TIME",)


@pytest.mark.parametrize(
    ("hh", "mm", "allowed"), [(7, 59, False), (8, 0, True), (21, 59, True), (22, 0, False)]
)
def test_cn_window_edges(hh: int, mm: int, allowed: bool) -> None:
    decision = decide("CN", at(SHANGHAI, 2026, 6, 3, hh, mm), (SHANGHAI,))
    assert decision.allowed is allowed


def test_denied_for_hours_gives_next_opening_and_pack_version() -> None:
    pack = load_pack("CN")
    decision = check(
        attempt(at(SHANGHAI, 2026, 6, 3, 22, 30)),
        InMemoryLedger(),
        ContactProfile("b1", (SHANGHAI,)),
        pack,
    )
    assert not decision.allowed
    assert decision.earliest_allowed == at(SHANGHAI, 2026, 6, 4, 8, 0)
    assert decision.pack_version == pack.version
    assert "22:30" in decision.explain("en")
    assert "不在允许时段" in decision.explain("zh")


def test_uncertain_zone_must_be_convenient_in_every_candidate() -> None:
    # 08:30 in New York is 05:30 in Los Angeles: inconvenient there.
    when = at(NEW_YORK, 2026, 6, 3, 8, 30)
    assert decide("US", when, (NEW_YORK,)).allowed
    both = decide("US", when, (NEW_YORK, LOS_ANGELES))
    assert not both.allowed
    assert both.earliest_allowed == at(LOS_ANGELES, 2026, 6, 3, 8, 0)
    # 20:30 in Los Angeles is 23:30 in New York.
    late = decide("US", at(LOS_ANGELES, 2026, 6, 3, 20, 30), (NEW_YORK, LOS_ANGELES))
    assert not late.allowed


def test_profile_zones_come_from_the_domain_borrower() -> None:
    phone = PhoneNumber("+12125550100", "US", (NEW_YORK, LOS_ANGELES))
    borrower = Borrower("p1", "b1", "A. Person", phones=(phone,))
    assert ContactProfile.for_borrower(borrower).time_zones == (NEW_YORK, LOS_ANGELES)
    with pytest.raises(ValidationError, match="no candidate time zone"):
        ContactProfile("b1", ())


def test_naive_planned_time_is_refused() -> None:
    with pytest.raises(ValidationError, match="UTC-aware"):
        attempt(datetime(2026, 6, 3, 12, 0))  # noqa: DTZ001 - the point of the test


def test_window_follows_daylight_saving_changes() -> None:
    # US clocks spring forward on 2026-03-08: 08:00 local is 13:00 UTC before, 12:00 after.
    assert not decide("US", datetime(2026, 3, 7, 12, 59, tzinfo=UTC), (NEW_YORK,)).allowed
    assert decide("US", datetime(2026, 3, 7, 13, 0, tzinfo=UTC), (NEW_YORK,)).allowed
    assert decide("US", datetime(2026, 3, 9, 12, 0, tzinfo=UTC), (NEW_YORK,)).allowed
    night = decide("US", datetime(2026, 3, 8, 6, 0, tzinfo=UTC), (NEW_YORK,))  # 01:00 EST
    assert night.earliest_allowed == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def test_uk_closes_sundays_and_opens_at_nine() -> None:
    london = "Europe/London"
    sunday = decide("UK", at(london, 2026, 6, 7, 12), (london,))
    assert not sunday.allowed
    assert sunday.rule_ids == ("UK-TIME",)
    assert sunday.earliest_allowed == at(london, 2026, 6, 8, 9)
    assert not decide("UK", at(london, 2026, 6, 8, 8, 59), (london,)).allowed


def test_ireland_closes_public_holidays_for_calls_but_not_letters() -> None:
    dublin = "Europe/Dublin"
    patricks_day = at(dublin, 2026, 3, 17, 12)  # a Tuesday and a public holiday
    call = decide("IE", patricks_day, (dublin,))
    assert not call.allowed
    assert call.rule_ids == ("IE-TIME",)
    assert call.earliest_allowed == at(dublin, 2026, 3, 18, 9)
    assert decide("IE", patricks_day, (dublin,), channel=Channel.LETTER).allowed


def test_china_adjusted_working_days_open_a_closed_weekend() -> None:
    strict = {"CN-HOURS": {"closed_weekdays": [5, 6], "closed_on_public_holidays": True}}
    # Saturday 2026-02-14 is a working day (调休上班) before the Spring Festival break.
    assert decide("CN", at(SHANGHAI, 2026, 2, 14, 10), (SHANGHAI,), overrides=strict).allowed
    assert not decide("CN", at(SHANGHAI, 2026, 2, 7, 10), (SHANGHAI,), overrides=strict).allowed
    holiday = decide("CN", at(SHANGHAI, 2026, 2, 16, 10), (SHANGHAI,), overrides=strict)
    assert not holiday.allowed
    # Closed: holidays 16-20 and 23 February, the weekend 21-22: next opening Tuesday 24th.
    assert holiday.earliest_allowed == at(SHANGHAI, 2026, 2, 24, 8)


def test_agreed_time_opens_the_cn_night_but_not_the_us_window() -> None:
    agreed = (AgreedTime(time(22, 0), time(23, 0)),)
    assert decide("CN", at(SHANGHAI, 2026, 6, 3, 22, 30), (SHANGHAI,), agreed=agreed).allowed
    assert not decide("CN", at(SHANGHAI, 2026, 6, 3, 23, 0), (SHANGHAI,), agreed=agreed).allowed
    assert not decide("US", at(NEW_YORK, 2026, 6, 3, 22, 30), (NEW_YORK,), agreed=agreed).allowed


def test_us_time_rule_reaches_collectors_not_creditors() -> None:
    night = at(NEW_YORK, 2026, 6, 3, 22, 30)
    assert decide("US", night, (NEW_YORK,), actor=ActorRole.CREDITOR).allowed
    assert not decide("US", night, (NEW_YORK,), actor=ActorRole.DEBT_BUYER).allowed
