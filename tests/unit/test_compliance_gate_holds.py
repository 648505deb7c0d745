"""Contact gate: holds beat everything, consent and opt-outs, third parties, messages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tideover.compliance.contacts import (
    ActorRole,
    Attempt,
    Channel,
    ContactProfile,
    Hold,
    HoldKind,
    Outcome,
    Target,
    ThirdPartyRole,
)
from tideover.compliance.gate import check, check_message
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack

SHANGHAI, NEW_YORK, LONDON = "Asia/Shanghai", "America/New_York", "Europe/London"


def at(zone: str, y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(zone)).astimezone(UTC)


NOON_CN = at(SHANGHAI, 2026, 6, 3, 12)
NOON_US = at(NEW_YORK, 2026, 6, 3, 12)


def attempt(when: datetime, **kw: Any) -> Attempt:
    fields: dict[str, Any] = {
        "channel": Channel.CALL,
        "actor": ActorRole.AGENCY,
        "debt_id": "d1",
    }
    fields.update(kw)
    return Attempt(borrower_id="b1", planned_at=when, **fields)


@pytest.mark.parametrize("kind", list(HoldKind))
def test_every_hold_blocks_in_cn_and_us(kind: HoldKind) -> None:
    profile = ContactProfile("b1", (SHANGHAI,), holds=(Hold(kind),))
    decision = check(attempt(NOON_CN), InMemoryLedger(), profile, load_pack("CN"))
    assert decision.rule_ids == ("CN-BASE-HOLD",)
    assert decision.earliest_allowed is None
    us = check(
        attempt(NOON_US),
        InMemoryLedger(),
        ContactProfile("b1", (NEW_YORK,), holds=(Hold(kind),)),
        load_pack("US"),
    )
    assert not us.allowed


def test_a_hold_beats_everything_else() -> None:
    ledger = InMemoryLedger()
    for hour in (9, 10, 11):
        ledger.record(attempt(at(SHANGHAI, 2026, 6, 3, hour)), Outcome.CONNECTED)
    profile = ContactProfile(
        "b1", (SHANGHAI,), holds=(Hold(HoldKind.DISPUTE),), opted_out=frozenset({Channel.SMS})
    )
    night = attempt(at(SHANGHAI, 2026, 6, 3, 23), channel=Channel.SMS, message="弄死你")
    decision = check(night, ledger, profile, load_pack("CN"))
    assert decision.rule_ids == ("CN-BASE-HOLD",)
    assert decision.findings == ()
    assert "dispute" in decision.explain("en")
    assert "冻结" in decision.explain("zh")


def test_us_cease_and_representation_fire_both_hold_rules() -> None:
    profile = ContactProfile("b1", (NEW_YORK,), holds=(Hold(HoldKind.CEASE_CONTACT),))
    decision = check(attempt(NOON_US), InMemoryLedger(), profile, load_pack("US"))
    assert decision.rule_ids == ("US-BASE-HOLD", "US-3P-CEASE")


def test_a_hold_on_one_debt_leaves_the_other_alone() -> None:
    profile = ContactProfile("b1", (SHANGHAI,), holds=(Hold(HoldKind.DISPUTE, debt_id="d1"),))
    assert not check(attempt(NOON_CN), InMemoryLedger(), profile, load_pack("CN")).allowed
    assert check(attempt(NOON_CN, debt_id="d2"), InMemoryLedger(), profile, load_pack("CN")).allowed


def test_a_hold_that_ends_gives_the_first_allowed_time_after_it() -> None:
    # Breathing Space ends at 02:00 London on a Monday; UK-TIME opens at 09:00.
    ends = at(LONDON, 2026, 6, 8, 2)
    profile = ContactProfile("b1", (LONDON,), holds=(Hold(HoldKind.BREATHING_SPACE, until=ends),))
    decision = check(
        attempt(at(LONDON, 2026, 6, 3, 12)), InMemoryLedger(), profile, load_pack("UK")
    )
    assert decision.rule_ids == ("UK-BS",)
    assert decision.earliest_allowed == at(LONDON, 2026, 6, 8, 9)


def test_an_attorney_may_be_contacted_when_the_consumer_is_represented() -> None:
    profile = ContactProfile("b1", (NEW_YORK,), holds=(Hold(HoldKind.LEGAL_REPRESENTATION),))
    to_attorney = attempt(
        NOON_US,
        target=Target.THIRD_PARTY,
        recipient_id="law-1",
        third_party_role=ThirdPartyRole.ATTORNEY,
    )
    assert check(to_attorney, InMemoryLedger(), profile, load_pack("US")).allowed
    assert not check(attempt(NOON_US), InMemoryLedger(), profile, load_pack("US")).allowed


def test_opt_out_and_missing_automated_consent_deny_for_good() -> None:
    opted = ContactProfile("b1", (NEW_YORK,), opted_out=frozenset({Channel.EMAIL}))
    email = attempt(NOON_US, channel=Channel.EMAIL, message="Reply STOP to opt out")
    decision = check(email, InMemoryLedger(), opted, load_pack("US"))
    assert decision.rule_ids == ("US-BASE-OPTOUT",)
    assert decision.earliest_allowed is None
    robo = attempt(NOON_US, automated=True)
    denied = check(robo, InMemoryLedger(), ContactProfile("b1", (NEW_YORK,)), load_pack("US"))
    assert denied.rule_ids == ("US-TCPA",)
    consented = ContactProfile("b1", (NEW_YORK,), automated_consent=frozenset({Channel.CALL}))
    assert check(robo, InMemoryLedger(), consented, load_pack("US")).allowed


def test_cn_contact_person_only_when_the_debtor_is_unreachable_and_never_told_the_debt() -> None:
    to_contact = attempt(
        NOON_CN,
        target=Target.CONTACT_PERSON,
        recipient_id="c1",
        message="您好，这里是星辰消费金融，请转告张三尽快与我们联系。",
        sender_name="星辰消费金融",
    )
    reachable = ContactProfile("b1", (SHANGHAI,))
    assert check(to_contact, InMemoryLedger(), reachable, load_pack("CN")).rule_ids == (
        "CN-CONTACT-PERSON",
    )
    lost = ContactProfile("b1", (SHANGHAI,), debtor_reachable=False)
    assert check(to_contact, InMemoryLedger(), lost, load_pack("CN")).allowed
    telling = attempt(
        NOON_CN,
        target=Target.CONTACT_PERSON,
        recipient_id="c1",
        message="这里是星辰消费金融，张三的借款已逾期，请你代为还款。",
        sender_name="星辰消费金融",
    )
    decision = check(telling, InMemoryLedger(), lost, load_pack("CN"))
    assert set(decision.rule_ids) == {"CN-CONTACT-PERSON", "CN-DISCLOSE", "CN-TARGET"}
    assert decision.earliest_allowed is None
    assert {f.category for f in decision.findings} == {"disclosure", "payment_demand"}


def test_cn_never_contacts_unrelated_third_parties() -> None:
    stranger = attempt(
        NOON_CN, target=Target.THIRD_PARTY, recipient_id="x", third_party_role=ThirdPartyRole.OTHER
    )
    lost = ContactProfile("b1", (SHANGHAI,), debtor_reachable=False)
    assert check(stranger, InMemoryLedger(), lost, load_pack("CN")).rule_ids == (
        "CN-CONTACT-PERSON",
    )


def test_us_location_contact_once_and_spouse_freely() -> None:
    ledger = InMemoryLedger()
    profile = ContactProfile("b1", (NEW_YORK,))
    neighbour = attempt(
        NOON_US, target=Target.THIRD_PARTY, recipient_id="n9", third_party_role=ThirdPartyRole.OTHER
    )
    assert check(neighbour, ledger, profile, load_pack("US")).allowed
    ledger.record(neighbour, Outcome.CONVERSATION)
    second = check(neighbour, ledger, profile, load_pack("US"))
    assert second.rule_ids == ("US-3P",)
    assert second.earliest_allowed is None
    spouse = attempt(
        NOON_US,
        target=Target.THIRD_PARTY,
        recipient_id="s1",
        third_party_role=ThirdPartyRole.SPOUSE,
    )
    ledger.record(spouse, Outcome.CONVERSATION)
    assert check(spouse, ledger, profile, load_pack("US")).allowed
    mentions_debt = attempt(
        NOON_US,
        target=Target.THIRD_PARTY,
        recipient_id="n10",
        third_party_role=ThirdPartyRole.OTHER,
        message="Please ask John to call us about his overdue loan.",
    )
    assert check(mentions_debt, ledger, profile, load_pack("US")).rule_ids == ("US-3P",)


def test_message_rules_and_window_rules_are_all_reported() -> None:
    night_threat = attempt(
        at(SHANGHAI, 2026, 6, 3, 23),
        channel=Channel.SMS,
        message="再不还钱就通知你单位和家人，转账到我个人账户。",
    )
    decision = check(
        night_threat, InMemoryLedger(), ContactProfile("b1", (SHANGHAI,)), load_pack("CN")
    )
    assert decision.rule_ids == ("CN-HOURS", "CN-LANG", "CN-PAY-CHANNEL")
    assert decision.earliest_allowed is None  # the text must change, waiting will not do


def test_us_texts_need_an_opt_out_and_cn_calls_name_the_institution() -> None:
    us = load_pack("US")
    assert [
        f.rule_ids for f in check_message("Please call us back.", us, actor=ActorRole.AGENCY)
    ] == [("US-EOPT",)]
    assert (
        check_message("Please call us back. Reply STOP to opt out.", us, actor=ActorRole.AGENCY)
        == ()
    )
    cn = load_pack("CN")
    script = "您好，我是某某消费金融的客服，来电提醒您本期账单。"
    missing = check_message(script, cn, channel=Channel.CALL, sender_name="星辰消费金融")
    assert [f.category for f in missing] == ["missing_institution"]
    assert (
        check_message(
            script.replace("某某", "星辰"), cn, channel=Channel.CALL, sender_name="星辰消费金融"
        )
        == ()
    )


def test_uk_pressure_to_borrow_is_caught_in_english() -> None:
    findings = check_message(
        "You should borrow money from friends or sell your car today.", load_pack("UK")
    )
    assert {f.rule_ids for f in findings} == {("UK-PRESS",)}
    assert [f.matched for f in findings] == ["borrow money", "sell your car"]
