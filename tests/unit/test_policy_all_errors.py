"""A policy's errors all at once, each at its line and column, with "did you mean"."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.policy.document import parse_policy
from tideover.policy.model import Policy
from tideover.policy.problems import PolicyRejected, Problem
from tideover.policy.suggest import SQL_WORDS, closest, fields_at, sql_word

EXAMPLE = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"


def _edited(*edits: tuple[str, str]) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _problems(text: str) -> list[Problem]:
    with pytest.raises(PolicyRejected) as caught:
        parse_policy(text, source="p.yaml")
    return list(caught.value.problems)


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_schema_condition_and_enum_errors_come_in_one_run_in_file_order() -> None:
    text = _edited(
        ("schema_version: 1", "schema_version: one\npolicyy: x"),
        ("condition: dpd BETWEEN 1 AND 30", "condition: dpd BETWEN 1 AND 30"),
        ("    treatment: courtesy", "    treatment: courtesy\n    colour: red"),
        (
            "channel: sms, template: sms_soft_reminder,",
            "channel: smss, template: sms_soft_reminder,",
        ),
    )
    problems = _problems(text)
    assert [(p.where, p.line) for p in problems] == [
        ("schema_version", _line_of(text, "schema_version: one")),
        ("policyy", _line_of(text, "policyy: x")),
        ("segments[3].condition", _line_of(text, "BETWEN")),
        ("segments[5].colour", _line_of(text, "colour: red")),
        ("treatments.soft_reminders.steps[1].channel", _line_of(text, "channel: smss")),
    ]
    by_where = {p.where: p for p in problems}
    assert "did you mean policy?" in by_where["policyy"].en
    assert "是否应为 policy？" in by_where["policyy"].zh
    between = by_where["segments[3].condition"]
    assert "did you mean BETWEEN?" in between.en
    line = text.splitlines()[between.line - 1]  # type: ignore[operator]
    assert line[between.column - 1 :].startswith("BETWEN")  # type: ignore[operator]
    assert "did you mean sms?" in by_where["treatments.soft_reminders.steps[1].channel"].en
    for problem in problems:
        assert "Input should" not in problem.zh
        assert "Extra inputs" not in problem.zh


def test_references_and_features_are_checked_even_when_the_shape_is_wrong() -> None:
    text = _edited(
        ("schema_version: 1", "schema_version: 1\npolicyy: x"),
        ("condition: dpd > 30\n", "condition: dpd > 30 AND scroe > 0.5\n"),
        ("    treatment: recovery\n", "    treatment: recovry\n"),
    )
    problems = _problems(text)
    messages = {p.where: p.en for p in problems}
    assert "did you mean score?" in messages["segments[4].condition"]
    assert (
        "unknown treatment 'recovry'; did you mean recovery?" in messages["segments[4].treatment"]
    )
    assert "policyy" in messages


def test_a_valid_shape_gets_the_same_suggestions() -> None:
    problems = _problems(_edited(("condition: dpd > 30\n", "condition: dpd > 30 ANDD dpd < 90\n")))
    assert any("did you mean AND?" in p.en for p in problems)
    problems = _problems(_edited(("condition: dpd > 30\n", "condition: dpd > 30 AND scroe > 1\n")))
    assert [p.where for p in problems if "did you mean score?" in p.en] == ["segments[4].condition"]


@given(st.sampled_from([w for w in SQL_WORDS if len(w) >= 4]), st.data())
def test_a_keyword_missing_a_letter_is_recognised(keyword: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=len(keyword) - 1))
    typo = keyword[:cut] + keyword[cut + 1 :]
    assert sql_word(typo.lower()) == keyword


def test_nothing_is_suggested_for_a_word_like_no_other() -> None:
    assert sql_word("zzzz") is None
    assert closest("colour", fields_at(Policy, ("segments", 0))) is None
    assert "treatment" in fields_at(Policy, ("segments", 5))
    assert "channel" in fields_at(Policy, ("treatments", "care", "steps", 0))
