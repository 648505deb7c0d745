"""The policy loader: any text, any JSON, any mutation of the examples — a policy or a problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.common import FUZZ, json_values, result_or_coded_error
from tideover.policy.document import CompiledPolicy, parse_policy
from tideover.policy.problems import PolicyRejected

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "tideover" / "policy" / "examples"
EXAMPLE_TEXTS = tuple(p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.yaml")))

yaml_syntax = st.text(
    alphabet=st.sampled_from([*"[]{}:-&*!|>'\"#%@`,? \n\tabc019.=<()", "\u202e", "\x00"]),
    max_size=80,
)


def _parse(text: str) -> CompiledPolicy | Any:
    outcome = result_or_coded_error(lambda: parse_policy(text, source="fuzz.yaml"))
    if isinstance(outcome, PolicyRejected):
        assert outcome.problems, "a rejected policy names at least one problem"
        for problem in outcome.problems:
            assert problem.code
            assert problem.en
            assert problem.zh
    return outcome


@FUZZ
@given(st.one_of(st.text(max_size=200), yaml_syntax))
def test_any_text(text: str) -> None:
    _parse(text)


@FUZZ
@given(json_values)
def test_any_json_document(value: Any) -> None:
    _parse(json.dumps(value))


_ACTIONS = ["drop", "repeat", "swap", "replace", "indent", "insert"]


def _mutate(text: str, data: st.DataObject) -> str:
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, max(len(lines) - 1, 0)))
        action = data.draw(st.sampled_from(_ACTIONS))
        if action == "drop" and lines:
            del lines[at]
        elif action == "repeat" and lines:
            lines.insert(at, lines[at])
        elif action == "swap" and len(lines) > 1:
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif action == "replace" and lines:
            line = lines[at]
            start = data.draw(st.integers(0, len(line)))
            end = data.draw(st.integers(start, len(line)))
            lines[at] = line[:start] + data.draw(yaml_syntax) + line[end:]
        elif action == "indent" and lines:
            lines[at] = " " * data.draw(st.integers(0, 6)) + lines[at].lstrip()
        else:
            lines.insert(at, data.draw(yaml_syntax))
    return "\n".join(lines)


@FUZZ
@given(example=st.sampled_from(EXAMPLE_TEXTS), data=st.data())
def test_any_mutation_of_the_examples(example: str, data: st.DataObject) -> None:
    _parse(_mutate(example, data))


def test_the_examples_themselves_are_policies() -> None:
    for text in EXAMPLE_TEXTS:
        assert isinstance(_parse(text), CompiledPolicy)
