"""Priors: distributions with sources; a prior without a source is refused before any work."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import yaml

from tideover.simulate.errors import PriorRejected
from tideover.simulate.priors import REQUIRED, Evidence, load_priors, parse_priors

DOCS = Path(__file__).parents[2] / "docs" / "simulation.md"


def _shipped() -> dict:
    text = resources.files("tideover.simulate").joinpath("priors").joinpath("treatment.yaml")
    data: dict = yaml.safe_load(text.read_text(encoding="utf-8"))
    return data


def _text(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True)


def test_the_shipped_priors_load_and_each_has_a_source() -> None:
    priors = load_priors()
    assert set(priors.ids) == set(REQUIRED)
    for prior_id in priors.ids:
        prior = priors[prior_id]
        assert prior.sources
        assert all(s.citation and s.finding for s in prior.sources)
        low, high = prior.interval()
        assert low < prior.centre() < high


def test_a_prior_without_a_source_is_refused() -> None:
    data = _shipped()
    data["priors"][0]["sources"] = []
    with pytest.raises(PriorRejected) as caught:
        parse_priors(_text(data))
    assert "source" in caught.value.en
    assert "来源" in caught.value.zh
    del data["priors"][0]["sources"]
    with pytest.raises(PriorRejected):
        parse_priors(_text(data))


def test_an_empty_citation_is_no_source() -> None:
    data = _shipped()
    data["priors"][4]["sources"][0]["citation"] = ""
    with pytest.raises(PriorRejected):
        parse_priors(_text(data))


def test_an_assumption_must_say_so_and_a_measured_prior_must_cite() -> None:
    data = _shipped()
    assumed = next(p for p in data["priors"] if p["evidence"] == Evidence.NONE.value)
    assumed["sources"] = [{"citation": "Somebody (2020)", "finding": "nothing"}]
    with pytest.raises(PriorRejected):
        parse_priors(_text(data))
    data = _shipped()
    measured = next(p for p in data["priors"] if p["evidence"] == Evidence.MEASURED.value)
    measured["sources"] = [{"citation": "assumption", "finding": "a guess"}]
    with pytest.raises(PriorRejected):
        parse_priors(_text(data))


def test_a_missing_or_unknown_prior_is_refused() -> None:
    data = _shipped()
    removed = data["priors"].pop()
    with pytest.raises(PriorRejected) as caught:
        parse_priors(_text(data))
    assert removed["id"] in caught.value.en
    data = _shipped()
    data["priors"].append({**data["priors"][0], "id": "effect.magic"})
    with pytest.raises(PriorRejected) as unknown:
        parse_priors(_text(data))
    assert "effect.magic" in unknown.value.en


def test_a_prior_file_that_cannot_be_read_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PriorRejected):
        load_priors(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\npriors: [", encoding="utf-8")
    with pytest.raises(PriorRejected):
        load_priors(bad)
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    with pytest.raises(PriorRejected):  # an alias bomb is refused, not expanded
        parse_priors(laughs)


def test_draws_are_reproducible_and_follow_the_distribution() -> None:
    priors = load_priors()
    a = priors.draw(np.random.default_rng(5), 4000)
    b = priors.draw(np.random.default_rng(5), 4000)
    assert a.shape == (4000, len(priors.ids))
    assert np.array_equal(a, b)
    for column, prior_id in enumerate(priors.ids):
        low, high = priors[prior_id].interval()
        inside = ((a[:, column] >= low) & (a[:, column] <= high)).mean()
        assert 0.87 < inside < 0.93  # a 90 % interval holds about 90 % of the draws


def test_the_documentation_lists_every_prior_with_its_sources() -> None:
    text = " ".join(DOCS.read_text(encoding="utf-8").split())  # lines wrap anywhere
    priors = load_priors()
    for prior_id in priors.ids:
        assert f"`{prior_id}`" in text, prior_id
        for source in priors[prior_id].sources:
            if source.citation != "assumption":
                author = source.citation.split(",")[0].split("(")[0].strip()
                assert author in text, (prior_id, author)
