"""Bounded YAML: the billion laughs and other costly documents are refused, fast (issue #14)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tideover.compliance.loader import PACK_CODES, load_pack
from tideover.domain.safe_yaml import YamlLimits, YamlRejected, load_yaml, load_yaml_node
from tideover.policy.document import parse_policy
from tideover.policy.problems import PolicyRejected

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "tideover" / "policy" / "examples"

# The classic: nine levels of nine aliases each, 9^9 = 387,420,489 "lol"s once expanded.
BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)


def _rejected(text: str, limits: YamlLimits | None = None) -> YamlRejected:
    with pytest.raises(YamlRejected) as caught:
        load_yaml(text) if limits is None else load_yaml(text, limits=limits)
    return caught.value


def test_the_billion_laughs_is_refused_in_well_under_a_second() -> None:
    started = time.process_time()  # CPU of this process: the refusal is cheap whatever the load
    error = _rejected(BILLION_LAUGHS)
    assert time.process_time() - started < 0.5
    assert error.reason == "too_many_nodes"
    assert error.line is not None
    assert "50,000" in error.en
    assert "50,000" in error.zh


def test_policy_validate_refuses_the_billion_laughs_with_a_coded_problem() -> None:
    started = time.process_time()  # CPU of this process: the refusal is cheap whatever the load
    with pytest.raises(PolicyRejected) as caught:
        parse_policy(BILLION_LAUGHS, source="laughs.yaml")
    assert time.process_time() - started < 0.5
    (problem,) = caught.value.problems
    assert problem.code == "yaml_too_many_nodes"
    assert problem.line is not None
    assert "别名" in problem.zh
    assert caught.value.code == "policy_rejected"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 5000, "too_deep"),
        ("".join(" " * i + "a:\n" for i in range(100)), "too_deep"),
        ("a: &a 1\nb: [" + ",".join(["*a"] * 101) + "]\n", "too_many_aliases"),
        ("a: &a [1, *a]\n", "recursive_alias"),
        ("x: " + "y" * (256 * 1024), "too_large"),
        ("[" + ",".join(["1"] * 50_001) + "]", "too_many_nodes"),
        ("when: 2026-13-45\n", "invalid"),
        ("n: " + "9" * 5000 + "\n", "invalid"),
        ("a: \x00\n", "invalid"),
        ("a: [1\n", "invalid"),
        ("--- 1\n--- 2\n", "invalid"),
        ("x: !!python/object:os.system {}\n", "invalid"),
    ],
)
def test_costly_or_malformed_documents_are_refused_with_a_reason(text: str, reason: str) -> None:
    started = time.process_time()  # CPU, not wall: other processes do not count
    assert _rejected(text).reason == reason
    assert time.process_time() - started < 5


def test_a_few_aliases_are_still_allowed() -> None:
    text = "base: &cadence {channel: sms, day: 1}\nsteps: [*cadence, *cadence]\n"
    assert load_yaml(text)["steps"] == [{"channel": "sms", "day": 1}] * 2


def test_limits_can_be_tightened() -> None:
    assert _rejected("a: [[1]]", YamlLimits(max_depth=3)).reason == "too_deep"
    assert load_yaml("a: [[1]]", limits=YamlLimits(max_depth=4)) == {"a": [[1]]}  # 4 levels


def test_an_empty_document_is_none_with_no_node() -> None:
    assert load_yaml_node("# nothing\n") == (None, None)


@pytest.mark.parametrize("name", ["aggressive.yaml", "supportive.yaml"])
def test_the_shipped_policies_pass_the_limits(name: str) -> None:
    assert parse_policy((EXAMPLES / name).read_text(encoding="utf-8")).policy is not None


def test_the_shipped_rule_packs_pass_the_limits() -> None:
    for code in PACK_CODES:
        assert load_pack(code).rules
