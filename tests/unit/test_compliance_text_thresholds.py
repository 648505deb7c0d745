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


def _units(lawful_weight: float = 1.0) -> train._Units:
    """The build's logistic units (C = 4), lawful rows weighing ``lawful_weight``."""
    settings = train.Settings(
        train.FEATURES, c=4.0, min_df=1, word_weight=1, frame_weight=1, lawful_weight=lawful_weight
    )
    units: train._Units = train._make("logistic", settings)
    return units


def _units_data() -> tuple[np.ndarray, np.ndarray]:
    """Two features and the classes' columns: abusive rows (each of one category, in turn)
    high on the first feature, lawful rows high on the second, and a band where the two
    overlap."""
    rng = np.random.default_rng(11)
    lawful = rng.normal((0.3, 1.0), 0.35, size=(200, 2))
    abusive = rng.normal((1.0, 0.3), 0.35, size=(120, 2))
    x = np.vstack([lawful, abusive])
    y = np.zeros((len(x), len(train.CLASSES)), dtype=int)
    for k in range(120):
        y[200 + k, k % (len(train.CLASSES) - 1)] = 1
    y[200:, -1] = 1  # ANY: every abusive row
    return x, y


def test_the_units_with_lawful_rows_at_weight_one_are_scikit_learns_one_vs_rest() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    x, y = _units_data()
    ours = _units().fit(x, y)
    theirs = OneVsRestClassifier(
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, solver="liblinear")
    ).fit(x, y)
    assert np.array_equal(ours.predict_proba(x), theirs.predict_proba(x))
    for mine, other in zip(ours.estimators_, theirs.estimators_, strict=True):
        assert np.array_equal(mine.coef_, other.coef_)
        assert np.array_equal(mine.intercept_, other.intercept_)


def test_each_unit_is_fitted_with_the_lawful_rows_weighted() -> None:
    from sklearn.linear_model import LogisticRegression

    x, y = _units_data()
    units = _units(8.0).fit(x, y)
    weight = np.where(y[:, -1] == 0, 8.0, 1.0)
    for k, unit in enumerate(units.estimators_):
        alone = LogisticRegression(
            C=4.0, class_weight="balanced", max_iter=2000, solver="liblinear"
        ).fit(x, y[:, k], sample_weight=weight)
        assert np.array_equal(unit.coef_, alone.coef_)


def test_with_lawful_rows_weighted_a_unit_learns_its_category_against_lawful_text() -> None:
    """Among a unit's negatives, lawful rows then outweigh the other categories' rows: a
    text like another category's abuse scores higher on the unit than before, a lawful
    one no higher."""
    rng = np.random.default_rng(5)
    lawful = rng.normal((0.2, 1.0, 0.5), 0.3, size=(300, 3))
    threat = rng.normal((1.0, 0.2, 1.0), 0.3, size=(60, 3))
    insult = rng.normal((1.0, 0.2, 0.0), 0.3, size=(60, 3))
    x = np.vstack([lawful, threat, insult])
    y = np.zeros((len(x), len(train.CLASSES)), dtype=int)
    for k in range(len(train.CLASSES) - 1):  # every unit has rows (two of them, many)
        y[300 + k, k] = 1
    y[300:360, train.CLASSES.index("threat")] = 1
    y[360:, train.CLASSES.index("insult")] = 1
    y[300:, -1] = 1
    unit = train.CLASSES.index("threat")
    texts = np.array([[1.0, 0.2, 0.3], [0.2, 1.0, 0.5]])  # an insult-like text, a lawful one
    scores = {weight: _units(weight).fit(x, y).predict_proba(texts)[:, unit] for weight in (1, 8)}
    assert scores[8][0] > scores[1][0] + 0.1
    assert scores[8][1] <= scores[1][1] + 0.01
