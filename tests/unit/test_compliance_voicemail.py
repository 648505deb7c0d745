"""Voicemails must be limited-content messages (12 CFR 1006.2(j)), part by part."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tideover.compliance.contacts import ActorRole, Attempt, Channel, ContactProfile
from tideover.compliance.errors import LooserOverride
from tideover.compliance.gate import check, check_message
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack
from tideover.compliance.voicemail import has_phone_number

NEW_YORK = "America/New_York"
NOON = datetime(2026, 6, 3, 12, tzinfo=ZoneInfo(NEW_YORK)).astimezone(UTC)
SENDER, CALLER = "Acme Services", "Jordan Lee"
GOOD = (
    "Hi, this is Jordan Lee from Acme Services. Please call me back at (212) 555-0123, "
    "any time after 9 am on Thursday. Thank you."
)


def voicemail(text: str | None, **kw: Any) -> Any:
    fields: dict[str, Any] = {"sender_name": SENDER, "caller_name": CALLER}
    fields.update(kw)
    a = Attempt(
        "b1", "d1", Channel.CALL, ActorRole.AGENCY, NOON, message=text, voicemail=True, **fields
    )
    return check(a, InMemoryLedger(), ContactProfile("b1", (NEW_YORK,)), load_pack("US"))


def categories(decision: Any) -> set[str]:
    return {f.category for f in decision.findings if "US-LCM" in f.rule_ids}


def test_a_message_with_exactly_the_permitted_parts_is_allowed() -> None:
    assert voicemail(GOOD).allowed
    # Optional parts do not spoil it: a salutation, the date and time, suggested times.
    stamped = "Good morning. It is 10 am on June 3. " + GOOD
    assert voicemail(stamped).allowed


@pytest.mark.parametrize(
    ("text", "kw", "missing"),
    [
        (GOOD.replace("Please call me back", "I tried to reach you"), {}, "missing_reply_request"),
        (GOOD.replace(" at (212) 555-0123", ""), {}, "missing_callback_number"),
        (GOOD.replace("Jordan Lee", "someone"), {}, "missing_caller_name"),
        (GOOD, {"caller_name": None}, "missing_caller_name"),
        (GOOD.replace("Acme Services", "our office"), {}, "missing_business_name"),
        (GOOD, {"sender_name": None}, "missing_business_name"),
    ],
)
def test_each_required_part_must_be_there(text: str, kw: dict[str, Any], missing: str) -> None:
    decision = voicemail(text, **kw)
    assert not decision.allowed
    assert categories(decision) == {missing}
    assert decision.rule_ids == ("US-LCM",)
    assert "limited-content" in decision.explain("en")
    assert "有限内容信息" in decision.explain("zh")


def test_a_business_name_that_says_collection_is_not_limited_content() -> None:
    text = GOOD.replace("Acme Services", "Acme Recovery")
    decision = voicemail(text, sender_name="Acme Recovery")
    assert categories(decision) == {"collection_business_name"}
    assert "indicates debt collection" in decision.explain("en")
    decision = voicemail(
        GOOD.replace("Acme Services", "Acme Collections"), sender_name="Acme Collections"
    )
    assert categories(decision) == {"collection_business_name", "disclosure"}


@pytest.mark.parametrize(
    ("extra", "category", "matched"),
    [
        ("It is about your overdue loan.", "disclosure", "overdue"),
        ("You owe $1,250.00 as of today.", "debt_amount", "$1,250.00"),
        ("The balance is 1250 dollars.", "debt_amount", "1250 dollars"),
        ("金额为 3000 元。", "debt_amount", "3000 元"),
        ("Amount: ＄１２０.", "debt_amount", "＄１２０"),
        ("It is about your o v e r d u e account.", "disclosure", "o v e r d u e"),
    ],
)
def test_nothing_about_the_debt(extra: str, category: str, matched: str) -> None:
    text = f"{GOOD} {extra}"
    decision = voicemail(text)
    assert not decision.allowed
    found = [f for f in decision.findings if f.category == category]
    assert matched in [f.matched for f in found]
    for finding in found:
        assert finding.rule_ids == ("US-LCM",)
        assert text[finding.start : finding.end] == finding.matched
    assert decision.earliest_allowed is None  # a different message, not a later time


def test_the_rule_reads_voicemails_only() -> None:
    # Spoken to the consumer, the same words are a communication, not a voicemail.
    text = f"{GOOD} It is about your overdue loan of $1,250.00."
    spoken = Attempt(
        "b1", "d1", Channel.CALL, ActorRole.AGENCY, NOON, message=text, sender_name=SENDER
    )
    decision = check(spoken, InMemoryLedger(), ContactProfile("b1", (NEW_YORK,)), load_pack("US"))
    assert decision.allowed


def test_a_voicemail_without_its_text_lacks_every_part() -> None:
    decision = voicemail(None)
    assert categories(decision) == {
        "missing_reply_request",
        "missing_callback_number",
        "missing_caller_name",
        "missing_business_name",
    }


def test_the_rule_binds_every_actor_and_the_overlays() -> None:
    for actor in ActorRole:
        found = check_message(
            GOOD + " Your payment is past due.",
            load_pack("US"),
            channel=Channel.CALL,
            actor=actor,
            sender_name=SENDER,
            voicemail=True,
            caller_name=CALLER,
        )
        assert {f.category for f in found} == {"disclosure"}, actor
    for code in ("US-MA", "US-NYC"):
        found = check_message(
            GOOD, load_pack(code), channel=Channel.CALL, voicemail=True, caller_name=CALLER
        )
        assert {f.category for f in found} == {"missing_business_name"}


def test_cn_has_no_voicemail_rule_but_still_wants_the_institution() -> None:
    found = check_message(
        "您好，请回电 4008001234。", load_pack("CN"), channel=Channel.CALL, voicemail=True
    )
    assert [f.category for f in found] == ["missing_institution"]


def test_voicemail_parameters_only_tighten() -> None:
    with pytest.raises(LooserOverride, match="requires fewer parts"):
        load_pack("US", {"US-LCM": {"required": ["business_name", "reply_request"]}})
    with pytest.raises(LooserOverride, match="forbids fewer categories"):
        load_pack("US", {"US-LCM": {"forbidden": ["disclosure"]}})
    stricter = load_pack(
        "US", {"US-LCM": {"forbidden": ["disclosure", "debt_amount", "pressure_borrow_sell"]}}
    )
    assert stricter.version != load_pack("US").version


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Call me back at (212) 555-0123.", True),
        ("请回电 400-800-1234。", True),
        ("Call +44 20 7946 0958.", True),
        ("Call 4008001234", True),
        ("Call us on 2026-06-03.", False),  # a date is not a number to call
        ("Call us on 03/06/2026.", False),
        ("Call us at 9 am.", False),
        ("Call extension 1234.", False),
    ],
)
def test_a_callback_number_is_told_from_dates_and_times(text: str, phone: bool) -> None:
    assert has_phone_number(text) is phone
