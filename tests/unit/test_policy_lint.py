"""Whole-document checks: each mistake is an error with its place, in en and zh."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from tideover.policy import PolicyRejected, parse_policy

BASE: dict[str, Any] = {
    "policy": "mini",
    "names": {"en": "Mini", "zh": "迷你"},
    "jurisdiction": "CN",
    "templates": ["sms_a", "sms_b", "script"],
    "segments": [
        {
            "id": "late",
            "names": {"en": "Late", "zh": "后期"},
            "condition": "dpd > 30",
            "treatment": "calls",
        },
        {
            "id": "early",
            "names": {"en": "Early", "zh": "早期"},
            "condition": "dpd >= 1",
            "treatment": "texts",
            "offers": "relief",
        },
        {
            "id": "rest",
            "names": {"en": "Rest", "zh": "其他"},
            "default": True,
            "treatment": "nothing",
        },
    ],
    "treatments": {
        "nothing": {"steps": []},
        "texts": {
            "steps": [
                {"at": 1, "channel": "sms", "template": "sms_a", "tone": "supportive"},
                {"at": 5, "channel": "sms", "template": "sms_b"},
            ]
        },
        "texts_b": {"steps": [{"at": 1, "channel": "sms", "template": "sms_b"}]},
        "calls": {
            "stop_when": "promise_active",
            "steps": [
                {
                    "at": 31,
                    "channel": "human_call",
                    "template": "script",
                    "queue": "late",
                    "priority": 50,
                },
            ],
        },
    },
    "offers": {"relief": {"options": ["extension"], "max_extension_months": 3}},
    "experiments": [
        {
            "id": "tone",
            "segment": "early",
            "arms": [
                {"id": "a", "role": "champion", "treatment": "texts", "weight": 0.5},
                {"id": "b", "role": "challenger", "treatment": "texts_b", "weight": 0.5},
            ],
        }
    ],
}


def problems_of(doc: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(PolicyRejected) as caught:
        parse_policy(yaml.safe_dump(doc, allow_unicode=True), source="mini.yaml")
    found = caught.value.problems
    assert all(p.zh and p.en for p in found)
    assert all(p.line is not None for p in found)
    return [(p.code, p.where) for p in found if p.severity == "error"]


def changed(**edits: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc.update(edits)
    return doc


def test_the_base_document_is_valid() -> None:
    assert parse_policy(yaml.safe_dump(BASE)).policy.policy == "mini"


def test_a_missing_default_segment() -> None:
    doc = changed(segments=BASE["segments"][:2])
    assert ("no_default", "segments") in problems_of(doc)


def test_a_default_that_is_not_last_hides_what_follows() -> None:
    doc = changed(segments=[BASE["segments"][2], *BASE["segments"][:2]])
    assert ("default_not_last", "segments[0].default") in problems_of(doc)


def test_a_segment_shadowed_by_a_wider_earlier_one() -> None:
    segments = copy.deepcopy(BASE["segments"])
    segments[0]["condition"], segments[1]["condition"] = "dpd >= 1", "dpd > 30"
    assert problems_of(changed(segments=segments)) == [("unreachable", "segments[1].condition")]


def test_a_segment_after_an_always_true_condition() -> None:
    segments = copy.deepcopy(BASE["segments"])
    segments[0]["condition"] = "1 = 1"
    assert ("unreachable", "segments[1].condition") in problems_of(changed(segments=segments))


def test_a_narrower_segment_first_is_fine() -> None:
    segments = copy.deepcopy(BASE["segments"])
    segments[1]["condition"] = "dpd > 30 OR hardship_flag"
    parse_policy(yaml.safe_dump(changed(segments=segments)))


def test_weights_must_sum_to_one() -> None:
    doc = copy.deepcopy(BASE)
    doc["experiments"][0]["arms"][1]["weight"] = 0.4
    assert problems_of(doc) == [("weights", "experiments[0].arms")]


def test_an_experiment_needs_one_champion() -> None:
    doc = copy.deepcopy(BASE)
    doc["experiments"][0]["arms"][0]["role"] = "challenger"
    assert problems_of(doc) == [("champion", "experiments[0].arms")]


def test_unknown_templates_treatments_offers_and_segments() -> None:
    doc = copy.deepcopy(BASE)
    doc["treatments"]["texts"]["steps"][0]["template"] = "sms_zzz"
    doc["segments"][0]["treatment"] = "visits"
    doc["segments"][1]["offers"] = "gifts"
    doc["experiments"][0]["segment"] = "nowhere"
    assert sorted(problems_of(doc)) == [
        ("unknown_offers", "segments[1].offers"),
        ("unknown_segment", "experiments[0].segment"),
        ("unknown_template", "treatments.texts.steps[0].template"),
        ("unknown_treatment", "segments[0].treatment"),
    ]


def test_steps_out_of_order() -> None:
    doc = copy.deepcopy(BASE)
    doc["treatments"]["texts"]["steps"].reverse()
    assert problems_of(doc) == [("steps_out_of_order", "treatments.texts.steps[1].at")]


def test_human_work_needs_a_queue_and_automatic_channels_refuse_one() -> None:
    doc = copy.deepcopy(BASE)
    del doc["treatments"]["calls"]["steps"][0]["queue"]
    doc["treatments"]["texts"]["steps"][0]["priority"] = 5
    assert sorted(problems_of(doc)) == [
        ("queue", "treatments.calls.steps[0]"),
        ("queue", "treatments.texts.steps[0]"),
    ]


def test_a_repeat_needs_every_and_until_in_order() -> None:
    doc = copy.deepcopy(BASE)
    doc["treatments"]["texts"]["steps"][1].update(every=2, until=3)
    assert problems_of(doc) == [("repeat", "treatments.texts.steps[1].until")]


def test_offer_limits_must_match_the_options() -> None:
    doc = copy.deepcopy(BASE)
    doc["offers"]["relief"] = {
        "options": ["extension", "settlement", "penalty_waiver"],
        "max_waiver_pct": 40,
        "approval_levels": [{"role": "lead", "max_waiver_pct": 30}],
    }
    assert sorted(problems_of(doc)) == [
        ("approval_levels", "offers.relief.approval_levels"),
        ("offer_limit", "offers.relief.max_extension_months"),
        ("offer_limit", "offers.relief.settlement_floor_pct"),
    ]


def test_bad_conditions_point_into_the_file() -> None:
    doc = copy.deepcopy(BASE)
    doc["segments"][0]["condition"] = "dpd > 30 AND colour = 'red'"
    text = yaml.safe_dump(doc)
    with pytest.raises(PolicyRejected) as caught:
        parse_policy(text)
    (problem,) = caught.value.problems
    assert problem.where == "segments[0].condition"
    assert problem.line is not None
    assert problem.column is not None
    assert text.split("\n")[problem.line - 1][problem.column - 1 :].startswith("colour")


def test_block_conditions_point_at_the_right_line() -> None:
    text = yaml.safe_dump(BASE).replace(
        "condition: dpd > 30\n", "condition: |\n    dpd > 30\n    AND bogus\n"
    )
    with pytest.raises(PolicyRejected) as caught:
        parse_policy(text)
    (problem,) = caught.value.problems
    assert problem.line is not None
    assert problem.column is not None
    assert text.split("\n")[problem.line - 1][problem.column - 1 :] == "bogus"


def test_an_unused_treatment_is_only_a_warning() -> None:
    doc = copy.deepcopy(BASE)
    doc["treatments"]["spare"] = {"steps": []}
    compiled = parse_policy(yaml.safe_dump(doc))
    assert [(w.code, w.severity) for w in compiled.warnings] == [("unused", "warning")]
