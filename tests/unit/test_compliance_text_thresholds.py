"""How the build chooses the classifier's thresholds from out-of-fold scores (``train``)."""

from __future__ import annotations

import numpy as np

from tideover.compliance.textcheck import train
from tideover.compliance.textcheck.corpus import Row


def _row(number: int, category: str | None) -> Row:
    return Row(
        id=f"en-tr-{number:04d}",
        lang="en",
        split="train",
        channel="sms",
        stage="mid",
        target="debtor",
        categories=(category,) if category else (),
        variant="",
        source="",
        text="",
    )


def _book(abusive_score: float) -> tuple[np.ndarray, list[Row]]:
    """300 lawful English rows: one at 0.97 on every unit (the budget's one row), one at
    0.95 on every unit but the threat unit, which sets the shared threshold at about
    0.95, the rest at 0.1; and two abusive threats: one at 0.99, one at
    ``abusive_score`` on the threat unit alone."""
    classes = len(train.CLASSES)
    threat = train.CLASSES.index("threat")
    rows = [_row(k, None) for k in range(300)] + [_row(300, "threat"), _row(301, "threat")]
    scores = np.full((len(rows), classes), 0.1)
    scores[0, :] = 0.97
    scores[1, :] = 0.95
    scores[1, threat] = 0.1
    scores[300, threat] = 0.99
    scores[301, threat] = abusive_score
    return scores, rows


def test_a_greedy_step_lowers_one_english_unit_no_further_than_the_floor() -> None:
    floor = train.STEP_FLOOR["en"]
    for score, caught in ((floor + 0.02, True), (floor - 0.05, False)):
        scores, rows = _book(score)
        groups = np.array(["en"] * len(rows))
        lexicon = np.zeros(len(rows), dtype=bool)
        chosen = train.thresholds_for(scores, rows, lexicon, groups)["en"]
        assert min(t for unit, t in chosen.items() if unit != "threat") >= 0.95  # shared
        # a step lowers the threat unit to the abusive row only above the floor
        assert (chosen["threat"] <= score) is caught
        assert chosen["threat"] >= floor


def test_a_floor_and_a_budget_can_be_given_for_one_choice() -> None:
    scores, rows = _book(0.6)
    groups = np.array(["en"] * len(rows))
    lexicon = np.zeros(len(rows), dtype=bool)
    threat = "threat"
    # no floor: a step reaches the abusive row at 0.6
    low = train.thresholds_for(scores, rows, lexicon, groups, floor={"en": 0.2})["en"]
    assert low[threat] <= 0.6
    # no budget: the lawful row at 0.97 may not be blocked, so every unit stays above it
    none = train.thresholds_for(scores, rows, lexicon, groups, target={"en": 0.0})["en"]
    assert min(none.values()) > 0.97


def test_a_row_and_its_variants_fall_in_the_batch_it_was_written_in() -> None:
    from dataclasses import replace

    from tideover.compliance.textcheck.corpus import batch_of

    written = [_row(n, None) for n in (1, 50, 51, 100, 101)]
    assert [batch_of(r, 50) for r in written] == ["en:0", "en:0", "en:1", "en:1", "en:2"]
    variant = replace(_row(4130, "threat"), id="en-tr-4130-leet", variant="leet")
    variant = replace(variant, source="en-tr-0051")
    assert batch_of(variant, 50) == "en:1"
