"""Rule packs: loading, sources, versions, overlays and overrides that may only tighten."""

from __future__ import annotations

from typing import Any

import pytest

from tideover.compliance.errors import LooserOverride, RulePackError
from tideover.compliance.loader import (
    PACK_CODES,
    load_pack,
    merge_overlay,
    read_pack_file,
    validate_pack,
)
from tideover.compliance.rules import FrequencyCapParams, RuleKind, TimeWindowParams


@pytest.mark.parametrize("code", PACK_CODES)
def test_every_rule_has_a_source_a_confidence_and_both_languages(code: str) -> None:
    pack = load_pack(code)
    assert pack.rules
    for rule in pack.rules:
        assert rule.sources
        assert all(s.document and s.article for s in rule.sources)
        assert rule.confidence in {"A", "B", "C", "A/B", "A/C"}
        assert rule.title_en
        assert rule.title_zh


def test_reference_parameters_are_carried_as_written() -> None:
    cn, us = load_pack("CN"), load_pack("US")
    hours = cn.rule("CN-HOURS").params
    assert isinstance(hours, TimeWindowParams)
    assert (hours.start.hour, hours.end.hour, hours.agreed_time_exempts) == (8, 22, True)
    connected = cn.rule("CN-FREQ-CONNECTED").params
    assert isinstance(connected, FrequencyCapParams)
    assert (connected.limit, connected.count, connected.per) == (3, "connected", "person")
    seven = us.rule("US-7IN7-ATTEMPTS").params
    assert isinstance(seven, FrequencyCapParams)
    assert (seven.limit, seven.length, seven.per) == (7, 7, "debt")
    assert us.rule("US-TIME").confidence == "A"


def test_overlays_keep_the_base_rules_and_add_their_own() -> None:
    us, ma, nyc, ie = (load_pack(c) for c in ("US", "US-MA", "US-NYC", "IE"))
    assert {r.id for r in us.rules} < {r.id for r in ma.rules}
    assert {"US-MA-CALLS", "US-MA-VISITS"} <= {r.id for r in ma.rules}
    assert "US-NYC-FREQ" in {r.id for r in nyc.rules}
    assert {"EU-SERVICER", "IE-TIME", "IE-FREQ"} <= {r.id for r in ie.rules}


def test_version_is_a_content_hash() -> None:
    assert load_pack("CN").version == load_pack("CN").version
    assert load_pack("CN").version != load_pack("US").version
    tighter = load_pack("CN", {"CN-FREQ-CONNECTED": {"limit": 2}})
    assert tighter.version != load_pack("CN").version
    assert tighter.version.startswith("sha256:")


@pytest.mark.parametrize(
    ("rule_id", "values"),
    [
        ("CN-FREQ-CONNECTED", {"limit": 2}),
        ("CN-HOURS", {"start": "09:00", "end": "20:00"}),
        ("CN-HOURS", {"closed_weekdays": [6], "closed_on_public_holidays": True}),
        (
            "CN-LANG",
            {
                "categories": [
                    "threat",
                    "insult",
                    "impersonation",
                    "false_legal",
                    "notify_contacts",
                    "pressure_borrow_sell",
                ]
            },
        ),
        ("CN-RECORD", {"min_retention_years": 7}),
    ],
)
def test_stricter_platform_overrides_are_accepted(rule_id: str, values: dict[str, Any]) -> None:
    pack = load_pack("CN", {rule_id: values})
    assert pack.rule(rule_id).params.model_dump(mode="json") != (
        load_pack("CN").rule(rule_id).params.model_dump(mode="json")
    )


@pytest.mark.parametrize(
    ("code", "rule_id", "values", "why"),
    [
        ("US", "US-TIME", {"start": "07:59"}, "earlier than 08:00"),
        ("US", "US-TIME", {"end": "21:01"}, "later than 21:00"),
        ("CN", "CN-FREQ-CONNECTED", {"limit": 4}, "limit 4 is higher than 3"),
        ("US", "US-7IN7-ATTEMPTS", {"length": 6}, "shorter"),
        ("US", "US-7IN7-ATTEMPTS", {"count": "connected"}, "counts connected"),
        ("US", "US-7IN7-QUIET", {"days": 6}, "shorter than 7"),
        ("UK", "UK-TIME", {"closed_weekdays": []}, "opens a weekday"),
        ("US", "US-TIME", {"agreed_time_exempts": True}, "agreed times"),
        ("CN", "CN-BASE-HOLD", {"blocks": ["dispute"]}, "blocks fewer holds"),
        ("US", "US-3P", {"max_contacts_per_recipient": 2}, "more contacts"),
        ("CN", "CN-RECORD", {"min_retention_years": 3}, "lower than 5"),
        ("CN", "CN-RESTRUCTURE", {"max_installments": 72}, "higher than 60"),
        ("IE", "IE-TIME", {"closed_on_public_holidays": False}, "opens public holidays"),
    ],
)
def test_looser_overrides_are_rejected_naming_the_rule(
    code: str, rule_id: str, values: dict[str, Any], why: str
) -> None:
    with pytest.raises(LooserOverride) as caught:
        load_pack(code, {rule_id: values})
    assert rule_id in caught.value.en
    assert why in caught.value.en
    assert rule_id in caught.value.zh
    assert "放宽" in caught.value.zh


def test_override_of_an_unknown_rule_or_bad_value_is_a_clear_error() -> None:
    with pytest.raises(RulePackError, match="no rule CN-NOPE"):
        load_pack("CN", {"CN-NOPE": {"limit": 1}})
    with pytest.raises(RulePackError, match="CN-HOURS"):
        load_pack("CN", {"CN-HOURS": {"start": "25:00"}})
    with pytest.raises(RulePackError, match="unknown rule pack"):
        load_pack("XX")


def test_an_overlay_that_loosens_a_base_rule_is_rejected() -> None:
    base = load_pack("US")
    raw = read_pack_file("US-MA")
    loosened = dict(base.rule("US-TIME").model_dump(mode="json"))
    loosened["params"] = {**loosened["params"], "end": "22:00"}
    raw = {**raw, "rules": [*raw["rules"], loosened]}
    with pytest.raises(LooserOverride, match=r"us-ma\.yaml.*US-TIME.*later than 21:00"):
        merge_overlay(base, validate_pack(raw, "us-ma.yaml"), "us-ma.yaml")


def test_an_overlay_may_tighten_a_base_rule() -> None:
    base = load_pack("US")
    raw = read_pack_file("US-MA")
    tighter = dict(base.rule("US-TIME").model_dump(mode="json"))
    tighter["params"] = {**tighter["params"], "end": "20:00"}
    merged = merge_overlay(base, validate_pack({**raw, "rules": [tighter]}, "us-ma.yaml"), "x")
    params = merged.rule("US-TIME").params
    assert isinstance(params, TimeWindowParams)
    assert params.end.hour == 20


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda r: r.update(kind="teleport"), "CN-HOURS"),
        (lambda r: r["params"].update(limit_per_day=3), "CN-HOURS"),
        (lambda r: r.pop("sources"), "sources"),
        (lambda r: r.update(confidence="D"), "confidence"),
        (lambda r: r["params"].update(start="23:00"), "must be before end"),
    ],
)
def test_a_bad_pack_names_file_and_rule(mutate: Any, expected: str) -> None:
    raw = read_pack_file("CN")
    rules = [dict(r, params=dict(r.get("params") or {})) for r in raw["rules"]]
    hours = next(r for r in rules if r["id"] == "CN-HOURS")
    mutate(hours)
    with pytest.raises(RulePackError) as caught:
        validate_pack({**raw, "rules": rules}, "cn.yaml")
    assert "cn.yaml" in caught.value.en
    assert "CN-HOURS" in caught.value.en
    assert expected in caught.value.en
    assert "规则 CN-HOURS" in caught.value.zh


def test_gate_kinds_are_all_used_by_some_pack() -> None:
    kinds = {r.kind for code in PACK_CODES for r in load_pack(code).rules}
    assert kinds == set(RuleKind)
