"""Reading policy files: the shipped examples, the schema, and bad input located in the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tideover.policy import PolicyRejected, load_policy, parse_policy
from tideover.policy.document import SCHEMA_FILE, json_schema, json_schema_text
from tideover.policy.features import FEATURES

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"


def rejected(text: str) -> list[tuple[str, str, int | None, int | None]]:
    with pytest.raises(PolicyRejected) as caught:
        parse_policy(text, source="test.yaml")
    return [(p.code, p.where, p.line, p.column) for p in caught.value.problems]


@pytest.mark.parametrize("name", ["supportive", "aggressive"])
def test_the_shipped_examples_validate(name: str) -> None:
    compiled = load_policy(EXAMPLES / f"{name}.yaml")
    assert compiled.policy.policy == name
    assert compiled.policy.segments[-1].default
    assert not compiled.warnings


def test_supportive_has_what_the_issue_asks_for() -> None:
    policy = load_policy(EXAMPLES / "supportive.yaml").policy
    hardship = next(s for s in policy.segments if s.id == "hardship")
    assert hardship.offers is not None
    assert policy.experiments[0].segment == "early"
    assert {a.role.value for a in policy.experiments[0].arms} >= {"champion", "challenger"}


def test_aggressive_offers_no_relief_and_calls_from_day_one() -> None:
    policy = load_policy(EXAMPLES / "aggressive.yaml").policy
    assert not policy.offers
    assert all(s.offers is None for s in policy.segments)
    first = policy.treatments["daily_pressure"].steps
    assert any(s.at == 1 and s.channel.value == "human_call" for s in first)


def test_json_documents_are_read_too() -> None:
    data = yaml.safe_load((EXAMPLES / "aggressive.yaml").read_text(encoding="utf-8"))
    compiled = parse_policy(json.dumps(data, ensure_ascii=False), source="a.json")
    assert [s.id for s in compiled.policy.segments] == ["dispute", "late", "overdue", "current"]


def test_the_committed_schema_is_current() -> None:
    # If this fails, regenerate: python -c "from tideover.policy.document import *;
    # SCHEMA_FILE.write_text(json_schema_text())"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text()
    assert json_schema()["properties"]["segments"]["type"] == "array"


def test_invalid_yaml_is_located() -> None:
    assert rejected("policy: x\nsegments: [a, b\n") == [("yaml", "(document)", 3, 1)]


def test_empty_file_is_rejected() -> None:
    assert rejected("")[0][0] == "empty"


def test_duplicate_keys_are_rejected_not_silently_overwritten() -> None:
    problems = rejected("policy: a\npolicy: b\n")
    assert problems == [("duplicate_key", "policy", 2, 1)]


def test_schema_violations_are_all_reported_with_their_line() -> None:
    text = (EXAMPLES / "aggressive.yaml").read_text(encoding="utf-8")
    text = text.replace("channel: letter", "channel: carrier_pigeon")
    text = text.replace("jurisdiction: CN", "jurisdiction: china")
    problems = rejected(text)
    lines = text.split("\n")
    assert {p[0] for p in problems} == {"schema"}
    where = {p[1] for p in problems}
    assert where == {"jurisdiction", "treatments.escalation.steps[1].channel"}
    for _, _, line, column in problems:
        assert line is not None
        assert column is not None
        assert lines[line - 1][column - 1 :].startswith(("carrier_pigeon", "china"))


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyRejected) as caught:
        load_policy(tmp_path / "missing.yaml")
    assert caught.value.problems[0].code == "unreadable"
    assert caught.value.zh


def test_every_feature_is_documented() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "policy.md").read_text(encoding="utf-8")
    missing = [name for name in FEATURES if f"| `{name}` |" not in docs]
    assert missing == []
