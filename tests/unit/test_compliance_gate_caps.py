"""Contact gate: frequency caps over local days, the US 7-in-7 rule and its quiet period."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tideover.compliance.contacts import (
    ActorRole,
    Attempt,
    Channel,
    ContactProfile,
    Decision,
    Outcome,
)
from tideover.compliance.gate import check
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack

SHANGHAI, NEW_YORK, DUBLIN = "Asia/Shanghai", "America/New_York", "Europe/Dublin"


def at(zone: str, y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def call(
    when: datetime,
    *,
    debt: str = "d1",
    number: str = "n1",
    channel: Channel = Channel.CALL,
    actor: ActorRole = ActorRole.AGENCY,
) -> Attempt:
    return Attempt("b1", debt, channel, actor, when, number=number)


def decide(code: str, ledger: InMemoryLedger, attempt: Attempt, zone: str) -> Decision:
    return check(attempt, ledger, ContactProfile("b1", (zone,)), load_pack(code))


def test_cn_fourth_connected_call_of_the_local_day_is_denied_across_agencies() -> None:
    ledger = InMemoryLedger()
    # NIFA 2024: 3 connected calls per debtor per day, the lender and its agencies together.
    ledger.record(call(at(SHANGHAI, 2026, 6, 3, 9), actor=ActorRole.CREDITOR), Outcome.CONNECTED)
    ledger.record(call(at(SHANGHAI, 2026, 6, 3, 10), debt="d2"), Outcome.CONVERSATION)
    third = call(at(SHANGHAI, 2026, 6, 3, 11), number="n2")
    assert decide("CN", ledger, third, SHANGHAI).allowed
    ledger.record(third, Outcome.CONNECTED)
    fourth = decide("CN", ledger, call(at(SHANGHAI, 2026, 6, 3, 15)), SHANGHAI)
    assert not fourth.allowed
    assert fourth.rule_ids == ("CN-FREQ-CONNECTED",)
    # The counter resets at local midnight, but 00:00-08:00 is outside CN-HOURS.
    assert fourth.earliest_allowed == at(SHANGHAI, 2026, 6, 4, 8)


def test_cn_day_boundary_is_local_midnight_not_utc() -> None:
    ledger = InMemoryLedger()
    for hour in (21, 21, 21):  # 21:xx Shanghai on 3 June = 13:xx UTC on 3 June
        ledger.record(call(at(SHANGHAI, 2026, 6, 3, hour)), Outcome.CONNECTED)
    # 08:30 Shanghai on 4 June is 00:30 UTC on 4 June: a new local day.
    assert decide("CN", ledger, call(at(SHANGHAI, 2026, 6, 4, 8, 30)), SHANGHAI).allowed
    assert not decide("CN", ledger, call(at(SHANGHAI, 2026, 6, 3, 21, 30)), SHANGHAI).allowed


def test_cn_seventh_unanswered_attempt_to_one_number_is_denied() -> None:
    ledger = InMemoryLedger()
    for minute in range(6):
        ledger.record(call(at(SHANGHAI, 2026, 6, 3, 9, minute)), Outcome.NO_ANSWER)
    seventh = decide("CN", ledger, call(at(SHANGHAI, 2026, 6, 3, 12)), SHANGHAI)
    assert seventh.rule_ids == ("CN-FREQ-ATTEMPTS",)
    assert decide("CN", ledger, call(at(SHANGHAI, 2026, 6, 3, 12), number="n2"), SHANGHAI).allowed


def test_a_planned_attempt_with_unknown_outcome_counts_as_connected() -> None:
    ledger = InMemoryLedger()
    for hour in (9, 10, 11):
        ledger.record(call(at(SHANGHAI, 2026, 6, 3, hour)), Outcome.PLANNED)
    assert not decide("CN", ledger, call(at(SHANGHAI, 2026, 6, 3, 12)), SHANGHAI).allowed


def _seven_calls(ledger: InMemoryLedger, first_day: int) -> None:
    outcomes = [Outcome.NO_ANSWER, Outcome.VOICEMAIL] * 4
    for i in range(7):  # one a day, 3-9 June: voicemails count as attempts
        ledger.record(call(at(NEW_YORK, 2026, 6, first_day + i, 10)), outcomes[i])


def test_us_seventh_call_in_seven_days_is_allowed_and_eighth_denied() -> None:
    ledger = InMemoryLedger()
    for i in range(6):
        ledger.record(call(at(NEW_YORK, 2026, 6, 3 + i, 10)), Outcome.NO_ANSWER)
    seventh = call(at(NEW_YORK, 2026, 6, 9, 10))
    assert decide("US", ledger, seventh, NEW_YORK).allowed
    ledger.record(seventh, Outcome.VOICEMAIL)
    eighth = decide("US", ledger, call(at(NEW_YORK, 2026, 6, 9, 15)), NEW_YORK)
    assert eighth.rule_ids == ("US-7IN7-ATTEMPTS",)
    # The call of 3 June leaves the window at local midnight starting 10 June.
    assert eighth.earliest_allowed == at(NEW_YORK, 2026, 6, 10, 8)
    assert decide("US", ledger, call(at(NEW_YORK, 2026, 6, 10, 8)), NEW_YORK).allowed


def test_us_cap_is_per_debt_and_ignores_inbound_calls() -> None:
    ledger = InMemoryLedger()
    _seven_calls(ledger, 3)
    assert decide("US", ledger, call(at(NEW_YORK, 2026, 6, 9, 15), debt="d2"), NEW_YORK).allowed
    inbound = InMemoryLedger()
    for i in range(7):
        inbound.record(call(at(NEW_YORK, 2026, 6, 3 + i, 10)), Outcome.NO_ANSWER, inbound=True)
    assert decide("US", inbound, call(at(NEW_YORK, 2026, 6, 9, 15)), NEW_YORK).allowed


def test_us_conversation_quiet_period_ends_exactly_seven_days_later() -> None:
    ledger = InMemoryLedger()
    ledger.record(call(at(NEW_YORK, 2026, 6, 3, 20, 30)), Outcome.CONVERSATION)
    # Conversation day 3 June is day 1; day 7 is 9 June.
    day_seven = decide("US", ledger, call(at(NEW_YORK, 2026, 6, 9, 20, 59)), NEW_YORK)
    assert day_seven.rule_ids == ("US-7IN7-QUIET",)
    assert day_seven.earliest_allowed == at(NEW_YORK, 2026, 6, 10, 8)
    exactly_seven_days = call(at(NEW_YORK, 2026, 6, 10, 20, 30))
    assert decide("US", ledger, exactly_seven_days, NEW_YORK).allowed
    # A text is not a call: the quiet period does not reach it.
    assert decide(
        "US", ledger, call(at(NEW_YORK, 2026, 6, 4, 12), channel=Channel.SMS), NEW_YORK
    ).allowed


def test_inbound_conversation_starts_the_quiet_period_and_spans_dst() -> None:
    ledger = InMemoryLedger()
    ledger.record(call(at(NEW_YORK, 2026, 3, 3, 9)), Outcome.CONVERSATION, inbound=True)
    decision = decide("US", ledger, call(at(NEW_YORK, 2026, 3, 9, 10)), NEW_YORK)
    assert decision.rule_ids == ("US-7IN7-QUIET",)
    # 10 March 08:00 is EDT (UTC-4) after the 8 March change: 12:00 UTC.
    assert decision.earliest_allowed == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_massachusetts_allows_two_calls_or_texts_per_seven_days() -> None:
    ledger = InMemoryLedger()
    ledger.record(call(at(NEW_YORK, 2026, 6, 3, 10)), Outcome.NO_ANSWER)
    ledger.record(call(at(NEW_YORK, 2026, 6, 4, 10), channel=Channel.SMS), Outcome.DELIVERED)
    third = call(at(NEW_YORK, 2026, 6, 5, 10), actor=ActorRole.CREDITOR)
    assert decide("US", ledger, third, NEW_YORK).allowed
    denied = decide("US-MA", ledger, third, NEW_YORK)
    assert denied.rule_ids == ("US-MA-CALLS",)
    assert denied.earliest_allowed == at(NEW_YORK, 2026, 6, 10, 0)


def test_new_york_city_counts_every_channel() -> None:
    ledger = InMemoryLedger()
    for day, channel in ((3, Channel.EMAIL), (4, Channel.SMS), (5, Channel.LETTER)):
        ledger.record(call(at(NEW_YORK, 2026, 6, day, 10), channel=channel), Outcome.DELIVERED)
    assert decide("US", ledger, call(at(NEW_YORK, 2026, 6, 6, 10)), NEW_YORK).allowed
    assert decide("US-NYC", ledger, call(at(NEW_YORK, 2026, 6, 6, 10)), NEW_YORK).rule_ids == (
        "US-NYC-FREQ",
    )


def test_ireland_caps_a_calendar_month_in_local_time() -> None:
    ledger = InMemoryLedger()
    for day in (2, 9, 16):
        ledger.record(call(at(DUBLIN, 2026, 3, day, 10), channel=Channel.LETTER), Outcome.DELIVERED)
    fourth = decide(
        "IE", ledger, call(at(DUBLIN, 2026, 3, 31, 23, 30), channel=Channel.LETTER), DUBLIN
    )
    assert fourth.rule_ids == ("IE-FREQ",)
    assert fourth.earliest_allowed == at(DUBLIN, 2026, 4, 1, 0)
    # For a call the window also applies: 1 April 2026 is a Wednesday, 09:00 Dublin time.
    phone = decide("IE", ledger, call(at(DUBLIN, 2026, 3, 30, 10)), DUBLIN)
    assert phone.earliest_allowed == at(DUBLIN, 2026, 4, 1, 9)


def test_several_zones_count_the_union_of_their_days() -> None:
    ledger = InMemoryLedger()
    for hour in (9, 10, 11):  # 01:00-03:00 UTC on 3 June
        ledger.record(call(at(SHANGHAI, 2026, 6, 3, hour)), Outcome.CONNECTED)
    profile = ContactProfile("b1", (SHANGHAI, "America/Los_Angeles"))
    # 21:00 Shanghai is 06:00 in Los Angeles: too early there, and the cap is used up.
    decision = check(call(at(SHANGHAI, 2026, 6, 3, 21)), ledger, profile, load_pack("CN"))
    assert set(decision.rule_ids) == {"CN-HOURS", "CN-FREQ-CONNECTED"}
    # 4 June 08:00 Shanghai = 3 June 17:00 Los Angeles: inside both windows, and the union of
    # both local days (from 3 June 07:00 UTC) no longer holds the three calls.
    assert decision.earliest_allowed == at(SHANGHAI, 2026, 6, 4, 8)
