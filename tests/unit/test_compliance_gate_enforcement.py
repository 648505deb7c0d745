"""Contact gate: time-barred debts, the place of work and visit teams, from each rule's text."""

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
    LegalReferral,
    Target,
    ThirdPartyRole,
)
from tideover.compliance.errors import LooserOverride, RulePackError
from tideover.compliance.gate import check, check_message, check_referral
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack, tighten
from tideover.compliance.rules import TimeBarredParams, VisitParams, WorkplaceParams
from tideover.domain.errors import ValidationError

SHANGHAI, NEW_YORK, DUBLIN = "Asia/Shanghai", "America/New_York", "Europe/Dublin"


def at(zone: str, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 6, d, hh, mm, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def attempt(when: datetime, **kw: Any) -> Attempt:
    fields: dict[str, Any] = {"channel": Channel.CALL, "actor": ActorRole.AGENCY, "debt_id": "d1"}
    fields.update(kw)
    return Attempt(borrower_id="b1", planned_at=when, **fields)


def decide(code: str, zone: str, a: Attempt, **profile: Any) -> Any:
    return check(a, InMemoryLedger(), ContactProfile("b1", (zone,), **profile), load_pack(code))


# -- 12 CFR 1006.26(b): no suit and no threat of suit on a time-barred debt -------------


@pytest.mark.parametrize(
    "text",
    [
        "If you do not pay by Friday we will sue you.",
        "We are preparing a lawsuit against you.",
        "If you won't pay, we'll take legal action.",
        "不还款我们将起诉你。",
        "我们会通过法律程序追讨。",
    ],
)
def test_a_threat_of_suit_about_a_time_barred_debt_is_refused(text: str) -> None:
    message = f"Acme Finance: {text} Reply STOP to opt out."
    barred = attempt(at(NEW_YORK, 3, 12), channel=Channel.SMS, message=message, time_barred=True)
    decision = decide("US", NEW_YORK, barred)
    assert "US-TBD" in decision.rule_ids
    assert decision.earliest_allowed is None  # waiting does not make the threat lawful
    (finding,) = [f for f in decision.findings if "US-TBD" in f.rule_ids]
    assert finding.category == "suit_threat"
    assert message[finding.start : finding.end] == finding.matched
    assert "legal action" in decision.explain("en") or "sue" in decision.explain("en").lower()
    assert "起诉" in decision.explain("zh")
    # The same words about a debt still within its limitation period are not this rule's.
    live = attempt(at(NEW_YORK, 3, 12), channel=Channel.SMS, message=message)
    assert "US-TBD" not in decide("US", NEW_YORK, live).rule_ids


@pytest.mark.parametrize(
    "text",
    [
        "Because of the age of your debt, we will not sue you for it.",
        "The law limits how long you can be sued on a debt; you can no longer be sued on it.",
        "由于时间较久，我们不会起诉您。",
    ],
)
def test_saying_a_time_barred_debt_cannot_be_sued_on_is_allowed(text: str) -> None:
    message = f"Acme Finance: {text} Reply STOP to opt out."
    barred = attempt(at(NEW_YORK, 3, 12), channel=Channel.SMS, message=message, time_barred=True)
    assert decide("US", NEW_YORK, barred).allowed


def test_the_time_barred_rule_reaches_creditors_and_overlays_but_not_other_packs() -> None:
    threat = "We will sue you. Reply STOP to opt out."
    for actor in ActorRole:
        found = check_message(
            threat, load_pack("US"), channel=Channel.SMS, actor=actor, time_barred=True
        )
        assert any("US-TBD" in f.rule_ids for f in found), actor
    for code in ("US-MA", "US-NYC"):
        found = check_message(threat, load_pack(code), time_barred=True)
        assert any("US-TBD" in f.rule_ids for f in found)
    for code in ("CN", "UK", "EU", "IE"):
        found = check_message(threat, load_pack(code), time_barred=True)
        assert not any(f.category == "suit_threat" for f in found)


def test_a_time_barred_debt_may_not_be_referred_for_suit() -> None:
    when = at(NEW_YORK, 3, 12)
    barred = LegalReferral("b1", "d1", ActorRole.AGENCY, when, time_barred=True)
    decision = check_referral(barred, load_pack("US"))
    assert not decision.allowed
    assert decision.rule_ids == ("US-TBD",)
    assert decision.earliest_allowed is None
    assert "time-barred" in decision.explain("en")
    assert "诉讼时效" in decision.explain("zh")
    assert decision.pack_version == load_pack("US").version
    assert check_referral(barred, load_pack("US-MA")).rule_ids == ("US-TBD",)
    creditor = LegalReferral("b1", "d1", ActorRole.CREDITOR, when, time_barred=True)
    assert not check_referral(creditor, load_pack("US")).allowed  # applied to creditors too
    live = LegalReferral("b1", "d1", ActorRole.AGENCY, when)
    assert check_referral(live, load_pack("US")).allowed
    assert check_referral(live, load_pack("US")).earliest_allowed == when
    for code in ("CN", "UK", "EU", "IE"):
        assert check_referral(barred, load_pack(code)).allowed


def test_a_referral_needs_an_aware_instant() -> None:
    with pytest.raises(ValidationError) as caught:
        LegalReferral("b1", "d1", ActorRole.AGENCY, datetime(2026, 6, 3, 12))  # noqa: DTZ001
    assert "no time zone" in caught.value.en
    assert "时区" in caught.value.zh


def test_time_barred_parameters_only_tighten() -> None:
    with pytest.raises(LooserOverride, match="allows legal referral"):
        load_pack("US", {"US-TBD": {"no_legal_referral": False}})
    with pytest.raises(LooserOverride, match="checks fewer categories"):
        load_pack("US", {"US-TBD": {"categories": []}})
    wider = load_pack("US", {"US-TBD": {"categories": ["suit_threat", "impersonation"]}})
    params = wider.rule("US-TBD").params
    assert isinstance(params, TimeBarredParams)
    assert params.categories == {"suit_threat", "impersonation"}


# -- 15 USC 1692c(a)(3); Consumer Credit Act 1995 s.46: the place of work -------------


@pytest.mark.parametrize("channel", [Channel.CALL, Channel.VISIT, Channel.LETTER, Channel.EMAIL])
def test_us_no_contact_at_work_once_the_employer_is_known_to_prohibit_it(channel: Channel) -> None:
    work = attempt(at(NEW_YORK, 3, 12), channel=channel, at_workplace=True)
    decision = decide("US", NEW_YORK, work, employer_prohibits_contact=True)
    assert decision.rule_ids == ("US-WORK",)
    assert decision.earliest_allowed is None
    assert "employer prohibits" in decision.explain("en")
    assert "雇主禁止" in decision.explain("zh")
    # The boundaries of the rule's text: not known to prohibit, not at work, not a collector.
    assert decide("US", NEW_YORK, work).allowed
    home = attempt(at(NEW_YORK, 3, 12), channel=channel)
    assert decide("US", NEW_YORK, home, employer_prohibits_contact=True).allowed
    creditor = attempt(at(NEW_YORK, 3, 12), channel=channel, actor=ActorRole.CREDITOR)
    assert decide("US", NEW_YORK, creditor, employer_prohibits_contact=True).allowed


def test_us_consent_does_not_lift_the_workplace_bar_in_the_pack() -> None:
    # The statute's consent exception is not in the reference: the pack stays stricter.
    work = attempt(at(NEW_YORK, 3, 12), at_workplace=True)
    decision = decide("US", NEW_YORK, work, employer_prohibits_contact=True, workplace_consent=True)
    assert decision.rule_ids == ("US-WORK",)


def test_ie_no_calls_or_visits_at_work_without_consent() -> None:
    for channel in (Channel.CALL, Channel.VISIT):
        work = attempt(at(DUBLIN, 3, 12), channel=channel, at_workplace=True)
        decision = decide("IE", DUBLIN, work)
        assert decision.rule_ids == ("IE-WORK",)
        assert "consent" in decision.explain("en")
        assert "同意" in decision.explain("zh")
        assert decide("IE", DUBLIN, work, workplace_consent=True).allowed
    # s.46 names calls and visits; a letter to the office is not this rule's.
    letter = attempt(at(DUBLIN, 3, 12), channel=Channel.LETTER, at_workplace=True)
    assert decide("IE", DUBLIN, letter).allowed
    assert decide("EU", DUBLIN, attempt(at(DUBLIN, 3, 12), at_workplace=True)).allowed


def test_workplace_parameters_only_tighten() -> None:
    with pytest.raises(LooserOverride, match="no longer barred always"):
        load_pack("IE", {"IE-WORK": {"when": "employer_prohibits"}})
    with pytest.raises(LooserOverride, match="consent lift"):
        load_pack("US", {"US-WORK": {"consent_exempts": True}})
    stricter = load_pack("US", {"US-WORK": {"when": "always"}})
    params = stricter.rule("US-WORK").params
    assert isinstance(params, WorkplaceParams)
    work = attempt(at(NEW_YORK, 3, 12), at_workplace=True)
    assert decide("US", NEW_YORK, work).allowed
    denied = check(work, InMemoryLedger(), ContactProfile("b1", (NEW_YORK,)), stricter)
    assert denied.rule_ids == ("US-WORK",)


def test_the_employer_itself_is_a_third_party() -> None:
    # NIFA 2018 Art. 13-14 and CN-TARGET: no unrelated third party, an employer included.
    employer = attempt(
        at(SHANGHAI, 3, 12),
        target=Target.THIRD_PARTY,
        recipient_id="boss",
        third_party_role=ThirdPartyRole.EMPLOYER,
    )
    decision = decide("CN", SHANGHAI, employer, debtor_reachable=False)
    assert "CN-CONTACT-PERSON" in decision.rule_ids
    assert "employer" in decision.explain("en")
    assert "第三人" in decision.explain("zh")
    # 15 USC 1692b: one location contact, never mentioning the debt.
    us = attempt(
        at(NEW_YORK, 3, 12),
        target=Target.THIRD_PARTY,
        recipient_id="boss",
        third_party_role=ThirdPartyRole.EMPLOYER,
    )
    assert "US-3P" not in decide("US", NEW_YORK, us).rule_ids  # a first location contact
    us_text = attempt(
        at(NEW_YORK, 3, 12),
        channel=Channel.SMS,
        target=Target.THIRD_PARTY,
        recipient_id="boss",
        third_party_role=ThirdPartyRole.EMPLOYER,
        message="Please ask Ann to call us about her overdue loan.",
    )
    assert "US-3P" in decide("US", NEW_YORK, us_text).rule_ids  # never with the debt


# -- NIFA 2018 Art. 15 and recording: the team of a field visit ------------------------


def visit(when: datetime, **kw: Any) -> Attempt:
    return attempt(when, channel=Channel.VISIT, actor=ActorRole.CREDITOR, **kw)


def test_a_visit_by_credentialled_recorded_staff_is_allowed() -> None:
    ok = visit(at(SHANGHAI, 3, 15), visitors=("WK-0031", "WK-0107"), recorded=True)
    assert decide("CN", SHANGHAI, ok).allowed


@pytest.mark.parametrize(
    ("kw", "en", "zh"),
    [
        ({"visitors": (), "recorded": True}, "no visitor", "未列明"),
        ({"visitors": ("WK-0031", "  "), "recorded": True}, "1 of 2 visitors", "有 1 名"),
        ({"visitors": ("WK-0031",)}, "not recorded", "未录音录像"),
        ({}, "no visitor", "未列明"),  # an attempt that names no team has none
    ],
)
def test_a_visit_without_credentials_or_recording_is_refused(
    kw: dict[str, Any], en: str, zh: str
) -> None:
    decision = decide("CN", SHANGHAI, visit(at(SHANGHAI, 3, 15), **kw))
    assert decision.rule_ids == ("CN-VISIT",)
    assert decision.earliest_allowed is None  # another team, not another time
    assert en in decision.explain("en")
    assert zh in decision.explain("zh")


def test_a_queued_visit_without_its_team_is_checked_when_the_team_is_known() -> None:
    queued = visit(at(SHANGHAI, 3, 15), visitors=None)
    assert decide("CN", SHANGHAI, queued).allowed


def test_visits_keep_cn_hours_and_report_every_rule() -> None:
    team = {"visitors": ("WK-0031",), "recorded": True}
    assert decide("CN", SHANGHAI, visit(at(SHANGHAI, 3, 21, 59), **team)).allowed
    late = decide("CN", SHANGHAI, visit(at(SHANGHAI, 3, 22), **team))
    assert late.rule_ids == ("CN-HOURS",)
    both = decide("CN", SHANGHAI, visit(at(SHANGHAI, 3, 22), visitors=("",)))
    assert both.rule_ids == ("CN-HOURS", "CN-VISIT")


def test_other_packs_have_no_visit_team_rule() -> None:
    for code, zone in (("US", NEW_YORK), ("UK", "Europe/London"), ("IE", DUBLIN)):
        assert "VISIT" not in " ".join(decide(code, zone, visit(at(zone, 3, 12))).rule_ids)


def test_a_platform_may_cap_the_team_and_only_tighten_the_visit_rule() -> None:
    capped = load_pack("CN", {"CN-VISIT": {"max_visitors": 2}})
    params = capped.rule("CN-VISIT").params
    assert isinstance(params, VisitParams)
    profile = ContactProfile("b1", (SHANGHAI,))
    two = visit(at(SHANGHAI, 3, 15), visitors=("A1", "A2"), recorded=True)
    three = visit(at(SHANGHAI, 3, 15), visitors=("A1", "A2", "A3"), recorded=True)
    assert check(two, InMemoryLedger(), profile, capped).allowed
    denied = check(three, InMemoryLedger(), profile, capped)
    assert denied.rule_ids == ("CN-VISIT",)
    assert "3 visitors, more than the 2 allowed" in denied.explain("en")
    assert "超过允许的 2 名" in denied.explain("zh")
    assert check(three, InMemoryLedger(), profile, load_pack("CN")).allowed  # no size by default
    for values, why in (
        ({"credentials_required": False}, "need no credentials"),
        ({"recording_required": False}, "need not be recorded"),
    ):
        with pytest.raises(LooserOverride, match=why):
            load_pack("CN", {"CN-VISIT": values})
    for looser in (3, None):
        with pytest.raises(LooserOverride, match="more visitors allowed than 2"):
            tighten(capped, {"CN-VISIT": {"max_visitors": looser}})
    with pytest.raises(RulePackError, match="CN-VISIT"):
        load_pack("CN", {"CN-VISIT": {"max_visitors": 0}})


def test_an_attempt_refuses_a_voicemail_off_a_call() -> None:
    with pytest.raises(ValidationError) as caught:
        attempt(at(NEW_YORK, 3, 12), channel=Channel.SMS, voicemail=True)
    assert "voicemail" in caught.value.en
    assert "语音留言" in caught.value.zh
