"""The structural diff a reviewer reads before approving a new version."""

from __future__ import annotations

from pathlib import Path

from tideover.policy import parse_policy
from tideover.policy.diff import diff_policies
from tideover.policy.model import Policy

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
TEXT = (EXAMPLES / "supportive.yaml").read_text(encoding="utf-8")


def policy(text: str) -> Policy:
    return parse_policy(text).policy


def test_no_change_and_respelled_conditions_are_not_changes() -> None:
    respelled = TEXT.replace("condition: dpd > 30", "condition: DPD   >   30")
    assert diff_policies(policy(TEXT), policy(respelled)) == []


def test_a_changed_condition_step_offer_and_weight() -> None:
    new = (
        TEXT.replace("condition: dpd > 30", "condition: dpd > 45")
        .replace("{at: 45, channel: letter", "{at: 50, channel: letter")
        .replace("max_extension_months: 12", "max_extension_months: 9")
        .replace("weight: 0.45}\n      - {id: warm", "weight: 0.40}\n      - {id: warm")
        .replace(
            "treatment: soft_reminders_warm, weight: 0.45",
            "treatment: soft_reminders_warm, weight: 0.50",
        )
    )
    found = {(c.kind, c.area, c.path) for c in diff_policies(policy(TEXT), policy(new))}
    assert found == {
        ("changed", "condition", "late"),
        ("removed", "step", "recovery@45:letter"),
        ("added", "step", "recovery@50:letter"),
        ("changed", "offers", "hardship_relief.max_extension_months"),
        ("changed", "experiment", "early-tone.arms"),
    }


def test_moving_a_segment_is_a_change_because_first_match_wins() -> None:
    old = policy(TEXT)
    segments = [old.segments[1], old.segments[0], *old.segments[2:]]
    new = old.model_copy(update={"segments": segments})
    moved = [(c.path, c.before, c.after) for c in diff_policies(old, new) if c.kind == "moved"]
    assert moved == [("hardship", 2, 1), ("dispute", 1, 2)]


def test_added_and_removed_segments_with_both_languages() -> None:
    old = policy(TEXT)
    new = old.model_copy(update={"segments": [s for s in old.segments if s.id != "late"]})
    (change,) = diff_policies(old, new)
    assert (change.kind, change.path, change.after) == ("removed", "late", None)
    assert change.before["condition"] == "dpd > 30"
    assert "late" in change.en
    assert "删除" in change.zh
    (back,) = diff_policies(new, old)
    assert back.kind == "added"
