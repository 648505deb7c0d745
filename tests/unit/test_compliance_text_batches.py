"""The batch-fold judge (``textcheck.batches``) on a slice of the English training split:
its figures agree with the rows it names, and a stricter choice never blocks more."""

from __future__ import annotations

import numpy as np
import pytest

from tideover.compliance.textcheck import batches, train
from tideover.compliance.textcheck.corpus import batch_of, load_corpus

BLOCK = 25  # ids per writing batch
SPREAD = 5  # one batch in this many


@pytest.fixture(scope="module")
def data() -> train.Training:
    # every fifth writing batch of English rows (a batch is all lawful or all abusive),
    # variants with their rows
    rows = [
        row
        for row in load_corpus("train", "en")
        if int(batch_of(row, BLOCK).split(":")[1]) % SPREAD == 0
    ]
    lawful = {batch_of(row, BLOCK) for row in rows if row.lawful}
    abusive = {batch_of(row, BLOCK) for row in rows if not row.lawful}
    assert len(lawful) >= 10
    assert len(abusive) >= 10
    return train.training_of(rows, english_words=0)


@pytest.fixture(scope="module")
def judged(data: train.Training) -> dict[str, batches.Judged]:
    choices = {"build": (train.FPR_TARGET["en"], train.STEP_FLOOR["en"]), "strict": (0.0, 0.99)}
    return batches.judge(data, "en", BLOCK, None, choices)


def test_every_method_and_choice_is_judged(judged: dict[str, batches.Judged]) -> None:
    assert set(judged) == {"row build", "row strict", "batch build", "batch strict"}


def test_the_rows_named_are_the_figures(
    data: train.Training, judged: dict[str, batches.Judged]
) -> None:
    lawful = np.array([row.lawful for row in data.rows])
    for j in judged.values():
        named = batches.mistakes(data, "en", j)
        blocked = [m for m in named if m["mistake"] == "blocked"]
        through = [m for m in named if m["mistake"] == "let through"]
        assert len(blocked) == j.lawful_blocked
        assert j.lawful == int(lawful.sum())
        assert len(through) == round((1 - j.recall) * int((~lawful).sum()))
        assert all(m["categories"] for m in through)
        assert not any(m["categories"] for m in blocked)
        assert {m["id"] for m in named} <= {row.id for row in data.rows}


def test_the_lexicon_alone_is_a_floor(
    data: train.Training, judged: dict[str, batches.Judged]
) -> None:
    # the lexicon's matches the model cannot doubt stand whatever the thresholds
    abusive = ~np.array([row.lawful for row in data.rows])
    for j in judged.values():
        assert not (data.firm & ~j.blocked).any()
        assert j.recall >= float(data.firm[abusive].mean())


def test_a_stricter_choice_never_blocks_more(judged: dict[str, batches.Judged]) -> None:
    # no budget and every threshold at the top of its range: each unit's threshold is at
    # least the build's, so it blocks a subset of the rows the build blocks
    for method in batches.METHODS:
        build, strict = judged[f"{method} build"], judged[f"{method} strict"]
        assert not (strict.blocked & ~build.blocked).any()
        assert strict.recall < build.recall
        assert strict.lawful_blocked <= build.lawful_blocked
