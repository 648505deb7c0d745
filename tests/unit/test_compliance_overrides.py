"""Platform rule overrides (stricter only, through overlays) and stored holds in the gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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
)
from tideover.compliance.errors import LooserOverride, RulePackError
from tideover.compliance.gate import check
from tideover.compliance.holds import HoldRecord
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack, pack_chain
from tideover.compliance.overrides import check_rule_overrides, effective_pack
from tideover.compliance.rules import FrequencyCapParams, TimeWindowParams
from tideover.domain.errors import ValidationError
from tideover.domain.platforms import PlatformSettings

NEW_YORK, SHANGHAI = "America/New_York", "Asia/Shanghai"
CAP = "US-7IN7-ATTEMPTS"


def at(zone: str, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 6, d, hh, mm, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def call(when: datetime, zone_borrower: str = "b1") -> Attempt:
    return Attempt(zone_borrower, "d1", Channel.CALL, ActorRole.AGENCY, when)


def cap_limit(code: str, overrides: Any) -> int:
    rule = next(r for r in effective_pack(code, overrides).rules if r.id == CAP)
    assert isinstance(rule.params, FrequencyCapParams)
    return rule.params.limit


def test_pack_chains_run_base_first() -> None:
    assert pack_chain("US-MA") == ("US", "US-MA")
    assert pack_chain("IE") == ("EU", "IE")
    assert pack_chain("CN") == ("CN",)


def test_base_overrides_reach_the_overlays_and_overlays_tighten_again() -> None:
    overrides = {"US": {CAP: {"limit": 5}}, "US-NYC": {CAP: {"limit": 4}}}
    assert check_rule_overrides(overrides) == overrides
    assert (cap_limit("US", overrides), cap_limit("US-MA", overrides)) == (5, 5)
    assert cap_limit("US-NYC", overrides) == 4
    assert cap_limit("US", None) == 7
    assert effective_pack("US", overrides).version != load_pack("US").version


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"US": {CAP: {"limit": 8}}}, r"US-7IN7-ATTEMPTS would become looser \(limit 8"),
        ({"US": {CAP: {"limit": 5}}, "US-MA": {CAP: {"limit": 6}}}, "rule_overrides.US-MA"),
        ({"CN": {"CN-HOURS": {"start": "07:59"}}}, "CN-HOURS would become looser"),
        ({"UK": {"UK-TIME": {"closed_weekdays": []}}}, "UK-TIME would become looser"),
        ({"XX": {}}, "unknown rule pack 'XX'"),
        ({"US": {"US-NOPE": {"limit": 1}}}, "has no rule US-NOPE"),
        ({"US": {CAP: {}}}, "non-empty mapping"),
        ({"US": [CAP]}, "mapping of rule id"),
        (["US"], "mapping of pack code"),
        ({"CN": {"CN-HOURS": {"start": "soon"}}}, "CN-HOURS"),
    ],
)
def test_looser_or_malformed_overrides_are_refused(overrides: Any, message: str) -> None:
    with pytest.raises(RulePackError, match=message) as raised:
        check_rule_overrides(overrides)
    assert raised.value.zh != raised.value.en


def test_a_looser_value_is_a_looser_override_error() -> None:
    with pytest.raises(LooserOverride):
        check_rule_overrides({"US": {CAP: {"limit": 8}}})


def test_the_window_edge_moves_with_a_narrower_window() -> None:
    pack = effective_pack("CN", {"CN": {"CN-HOURS": {"start": "09:00", "end": "20:00"}}})
    rule = next(r for r in pack.rules if r.id == "CN-HOURS")
    assert isinstance(rule.params, TimeWindowParams)
    profile = ContactProfile("b1", (SHANGHAI,))
    ledger = InMemoryLedger()
    before = check(call(at(SHANGHAI, 3, 8, 59)), ledger, profile, pack)
    assert before.rule_ids == ("CN-HOURS",)
    assert before.earliest_allowed == at(SHANGHAI, 3, 9)
    assert check(call(at(SHANGHAI, 3, 9)), ledger, profile, pack).allowed
    assert check(call(at(SHANGHAI, 3, 19, 59)), ledger, profile, pack).allowed
    assert not check(call(at(SHANGHAI, 3, 20)), ledger, profile, pack).allowed
    assert check(call(at(SHANGHAI, 3, 20)), ledger, profile, load_pack("CN")).allowed


def test_a_lower_cap_denies_the_call_after_the_new_limit() -> None:
    pack = effective_pack("US", {"US": {CAP: {"limit": 3}}})
    profile = ContactProfile("b1", (NEW_YORK,))
    ledger = InMemoryLedger()
    for day in (1, 2):
        ledger.record(call(at(NEW_YORK, day, 10)), Outcome.NO_ANSWER)
    assert check(call(at(NEW_YORK, 3, 10)), ledger, profile, pack).allowed  # the 3rd
    ledger.record(call(at(NEW_YORK, 3, 10)), Outcome.NO_ANSWER)
    fourth = check(call(at(NEW_YORK, 4, 10)), ledger, profile, pack)
    assert fourth.rule_ids == (CAP,)
    assert check(call(at(NEW_YORK, 4, 10)), ledger, profile, load_pack("US")).allowed


# -- platform settings -------------------------------------------------------------------


def test_settings_keep_their_overrides_through_the_stored_form() -> None:
    overrides = {"US": {CAP: {"limit": 5}}, "CN": {"CN-HOURS": {"start": "09:00"}}}
    settings = PlatformSettings(rule_overrides=overrides)
    stored = settings.to_dict()
    assert stored["rule_overrides"] == overrides
    assert PlatformSettings.from_dict(stored) == settings


def test_settings_without_overrides_are_stored_as_before() -> None:
    assert "rule_overrides" not in PlatformSettings().to_dict()
    assert PlatformSettings.from_dict({"rule_overrides": {}}) == PlatformSettings()


def test_a_looser_override_is_refused_by_the_check_the_platform_service_runs() -> None:
    with pytest.raises(LooserOverride, match=CAP):
        check_rule_overrides({"US": {CAP: {"limit": 10}}})


# -- stored holds in the gate ------------------------------------------------------------


def hold(**changes: Any) -> HoldRecord:
    fields: dict[str, Any] = {
        "hold_id": "h1",
        "borrower_id": "b1",
        "kind": HoldKind.BREATHING_SPACE,
        "starts_at": at(NEW_YORK, 5, 0),
        "reason": "moratorium",
        "raised_by": "agent 7",
    }
    return HoldRecord(**(fields | changes))


def test_a_hold_applies_from_its_start_to_the_first_of_its_end_and_its_lifting() -> None:
    start, end = at(NEW_YORK, 5, 0), at(NEW_YORK, 20, 0)
    record = hold(ends_at=end, lifted_at=at(NEW_YORK, 10, 0), lifted_by="sup", lift_reason="x")
    assert record.until == at(NEW_YORK, 10, 0)
    assert not record.in_force(start - timedelta(seconds=1))
    assert record.in_force(start)
    assert not record.in_force(at(NEW_YORK, 10, 0))
    assert record.as_gate_hold() == Hold(HoldKind.BREATHING_SPACE, None, at(NEW_YORK, 10, 0), start)


def test_a_future_hold_pushes_the_earliest_allowed_time_past_it() -> None:
    # 07:00 on the 4th is too early (12 CFR 1006.6(b)(1)(i)); 08:00 on the 4th is fine,
    profile = ContactProfile(
        "b1", (NEW_YORK,), holds=(hold(starts_at=at(NEW_YORK, 4, 0)).as_gate_hold(),)
    )
    # but a hold starts at midnight on the 4th, so the 3rd at 08:00 is the last chance ...
    decision = check(call(at(NEW_YORK, 3, 7)), InMemoryLedger(), profile, load_pack("US"))
    assert decision.rule_ids == ("US-TIME",)
    assert decision.earliest_allowed == at(NEW_YORK, 3, 8)
    # ... and from 07:00 on the 4th no later time would do: the hold has no end.
    later = check(call(at(NEW_YORK, 4, 7)), InMemoryLedger(), profile, load_pack("US"))
    assert later.rule_ids == ("US-BASE-HOLD",)
    assert later.earliest_allowed is None
    before = check(call(at(NEW_YORK, 3, 12)), InMemoryLedger(), profile, load_pack("US"))
    assert before.allowed


def test_a_hold_ending_during_the_night_allows_the_next_morning() -> None:
    ends = at(NEW_YORK, 6, 2)
    profile = ContactProfile(
        "b1", (NEW_YORK,), holds=(hold(starts_at=at(NEW_YORK, 1, 0), ends_at=ends).as_gate_hold(),)
    )
    decision = check(call(at(NEW_YORK, 5, 12)), InMemoryLedger(), profile, load_pack("US"))
    assert decision.rule_ids == ("US-BASE-HOLD",)
    assert decision.earliest_allowed == at(NEW_YORK, 6, 8)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": at(NEW_YORK, 5, 0)}, "ends before it starts"),
        ({"reason": " "}, "reason must be"),
        ({"raised_by": "x" * 201}, "raised by must be"),
        ({"starts_at": at(NEW_YORK, 5, 0).replace(tzinfo=None)}, "no time zone"),
        ({"lifted_at": at(NEW_YORK, 6, 0)}, "lifted by must be"),
    ],
)
def test_a_bad_hold_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        hold(**changes)
