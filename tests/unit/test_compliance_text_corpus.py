"""The corpus, its splits, the shipped model, and the documented held-out figures."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import yaml

from tideover.compliance.text import MessageChecker, default_lexicon, normalise, verdict_for
from tideover.compliance.textcheck.corpus import LEARNED, Row, load_corpus
from tideover.compliance.textcheck.evaluate import evaluate
from tideover.compliance.textcheck.model import (
    ANY,
    LANGUAGES,
    SHORT,
    SHORT_HAN,
    default_classifier,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "compliance-text.md"
PACKAGE = resources.files("tideover.compliance.textcheck")


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return load_corpus()


def test_the_corpus_has_both_languages_every_category_and_a_large_lawful_share(
    rows: list[Row],
) -> None:
    assert len(rows) >= 3000
    for lang in ("zh", "en"):
        for split in ("train", "heldout"):
            mine = [r for r in rows if r.lang == lang and r.split == split]
            labels = Counter(c for r in mine for c in r.categories)
            assert set(labels) == set(LEARNED), (lang, split)
            assert sum(r.lawful for r in mine) >= 0.35 * len(mine)
            assert {r.variant for r in mine if not r.lawful} > {"", "hand"}  # evasions


def test_ids_are_unique_and_every_variant_comes_from_its_own_split(rows: list[Row]) -> None:
    assert len({r.id for r in rows}) == len(rows)
    by_id = {r.id: r for r in rows}
    for row in rows:
        if row.source:
            source = by_id[row.source]
            assert (source.split, source.lang, source.categories) == (
                row.split,
                row.lang,
                row.categories,
            )


def _grams(text: str) -> set[str]:
    norm = normalise(text)[0]
    return {norm[i : i + 4] for i in range(len(norm) - 3)} or {norm}


def test_held_out_messages_were_written_apart_from_training_ones(rows: list[Row]) -> None:
    """No held-out message shares more than 60 % of its character 4-grams (Jaccard) with
    any training message: the overlaps of every pair at once, as a sparse product."""
    from scipy.sparse import csr_matrix

    written = [r for r in rows if r.variant in ("", "hand")]
    held = [r for r in written if r.split == "heldout"]
    train = [r for r in written if r.split == "train"]
    index: dict[str, int] = {}

    def indicator(part: list[Row]) -> csr_matrix:
        cols = [[index.setdefault(g, len(index)) for g in _grams(r.text)] for r in part]
        indptr = np.cumsum([0] + [len(c) for c in cols])
        data = np.ones(int(indptr[-1]))
        flat = np.fromiter((c for cs in cols for c in cs), dtype=np.int64, count=int(indptr[-1]))
        return csr_matrix((data, flat, indptr), shape=(len(part), 1 << 24))

    h, t = indicator(held), indicator(train)
    shared = (h @ t.T).tocoo()  # |A ∩ B| for every pair that shares a 4-gram
    sizes_h, sizes_t = np.diff(h.indptr), np.diff(t.indptr)
    jaccard = shared.data / (sizes_h[shared.row] + sizes_t[shared.col] - shared.data)
    too_close = sorted({int(i) for i in shared.row[jaccard > 0.6]})
    assert not too_close, [held[i].text for i in too_close]


def test_most_held_out_abuse_is_phrased_outside_the_lexicon(rows: list[Row]) -> None:
    lexicon = MessageChecker(default_lexicon())
    held = [r for r in rows if r.split == "heldout" and not r.lawful and not r.variant]
    caught = sum(bool(lexicon.verdict(r.text).categories & r.blocking) for r in held)
    assert caught / len(held) < 0.5


def test_concept_words_all_occur_in_training_text_or_the_lexicon(rows: list[Row]) -> None:
    train = " ".join(r.text.lower() for r in rows if r.split == "train")
    terms = " | ".join(
        str(t).lower()
        for spec in default_lexicon()["categories"].values()
        for t in spec.get("terms", [])
    )
    concepts = yaml.safe_load(PACKAGE.joinpath("data", "concepts.yaml").read_text("utf-8"))
    for spec in concepts["concepts"].values():
        for word in spec.get("en", []):
            pattern = re.compile(rf"\b{re.escape(str(word).lower())}\b")
            assert pattern.search(train) or pattern.search(terms), word
        for word in spec.get("zh", []):
            assert str(word) in train or str(word) in terms, word


def test_the_model_is_small_plain_arrays_and_matches_its_card() -> None:
    npz = PACKAGE.joinpath("model", "text-model.npz")
    card = json.loads(PACKAGE.joinpath("model", "text-model.json").read_text("utf-8"))
    assert len(npz.read_bytes()) < 2_000_000
    with npz.open("rb") as handle:
        arrays = np.load(handle, allow_pickle=False)  # nothing is unpickled
        # one model per language ("<lang>.<array>"), or one for both (the card before)
        prefixes = [f"{lang}." for lang in LANGUAGES] if "languages" in card else [""]
        for prefix in prefixes:
            vocab = arrays[f"{prefix}vocab"]
            assert arrays[f"{prefix}weights"].shape == (vocab.shape[0], len(card["classes"]))
            assert arrays[f"{prefix}idf"].shape == vocab.shape
            assert arrays[f"{prefix}bias"].shape == (len(card["classes"]),)
    assert card["classes"] == [*LEARNED, ANY]
    if "languages" in card:
        assert set(card["languages"]) == set(LANGUAGES)
        assert set(card["languages"]["zh"]["thresholds"]) == {"zh", SHORT}
        assert set(card["languages"]["en"]["thresholds"]) == {"en"}
    else:
        assert set(card["thresholds"]) == {"zh", SHORT, "en"}
    assert card["short_han"] == SHORT_HAN
    classifier = default_classifier()
    assert classifier is not None
    assert classifier.version == card["version"]


def _documented() -> dict[str, tuple[float, float]]:
    """The figures of docs/compliance-text.md's measured table: language -> (recall, FPR)."""
    table = DOC.read_text("utf-8").split("<!-- measured -->", 1)[1]
    found = re.findall(r"^\| (zh|en) \| ([0-9.]+) \| ([0-9.]+) \|", table, re.MULTILINE)
    return {lang: (float(recall), float(fpr)) for lang, recall, fpr in found}


@pytest.mark.slow
def test_held_out_figures_do_not_fall_below_the_documented_ones(rows: list[Row]) -> None:
    documented = _documented()
    assert set(documented) == {"zh", "en"}
    report = evaluate([r for r in rows if r.split == "heldout"], verdict_for)
    for lang, (recall, fpr) in documented.items():
        tally = report.by_language[lang]
        assert round(tally.recall, 3) >= recall, (lang, tally.recall)
        assert round(tally.false_positive_rate, 4) <= fpr, (lang, tally.false_positive_rate)
