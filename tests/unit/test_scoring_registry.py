"""The on-disk registry: immutable versions, champion/challengers, promote, roll back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tideover.domain.errors import Conflict, InputRejected, NotFound, ValidationError
from tideover.scoring.artefact import model_text
from tideover.scoring.registry import EVENTS, LATEST, ModelRegistry
from tideover.scoring.scaling import Bands, PointsScale
from tideover.scoring.scorecard import Characteristic, ScorecardModel

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def card(points: tuple[float, float, float]) -> ScorecardModel:
    c = Characteristic("x", "numeric", (10.0,), (), ("[-inf, 10)", "[10, inf)", "missing"),
                       (0.5, -0.5, 0.0), points)  # fmt: skip
    return ScorecardModel((c,), PointsScale(), 0.0)


def register(registry: ModelRegistry, points: float, minutes: int, platform: str = "p1") -> str:
    model = card((points, points + 40, points + 20))
    return registry.register(
        platform=platform,
        kind="scorecard",
        model_text=model_text(model),
        metadata={"features": [{"name": "x", "kind": "numeric"}], "bands": Bands().to_dict()},
        created_by="ana",
        created_at=T0 + timedelta(minutes=minutes),
    )


@pytest.fixture
def registry(tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(tmp_path / "models")


def test_a_registered_version_is_read_only_and_loads_back(registry: ModelRegistry) -> None:
    version = register(registry, 500, 0)
    assert version.startswith("scorecard-20260301T090000Z-")
    folder = registry.root / "p1" / version
    assert {p.name for p in folder.iterdir()} == {"model.json", "metadata.json"}
    assert all(not p.stat().st_mode & 0o222 for p in folder.iterdir())
    artefact = registry.load("p1", version)
    assert artefact.version == version
    assert artefact.metadata["created_by"] == "ana"
    assert artefact.model.features[0].name == "x"


def test_the_same_model_at_the_same_instant_cannot_be_registered_twice(
    registry: ModelRegistry,
) -> None:
    register(registry, 500, 0)
    with pytest.raises(Conflict):
        register(registry, 500, 0)


def test_an_altered_model_file_is_refused(registry: ModelRegistry) -> None:
    version = register(registry, 500, 0)
    path = registry.root / "p1" / version / "model.json"
    path.chmod(0o644)
    path.write_text(path.read_text().replace("540", "940"))
    with pytest.raises(Conflict, match="altered"):
        registry.load("p1", version)


def test_promote_roll_back_and_challengers(registry: ModelRegistry) -> None:
    first, second, third = (register(registry, 500 + i, i) for i in range(3))
    with pytest.raises(NotFound, match="no champion"):
        registry.load("p1")
    registry.promote(platform="p1", version=first, role="champion", by="ana", at=T0)
    registry.promote(platform="p1", version=second, role="challenger", by="ana", at=T0)
    registry.promote(platform="p1", version=third, role="challenger", by="ana", at=T0)
    state = registry.promote(platform="p1", version=second, role="champion", by="bo", at=T0)
    assert (state.champion, state.challengers, state.previous) == (second, [third], [first])
    assert registry.load("p1").version == second
    state = registry.rollback(platform="p1", by="bo", at=T0)
    assert (state.champion, state.previous) == (first, [])
    with pytest.raises(InputRejected, match="no earlier champion"):
        registry.rollback(platform="p1", by="bo", at=T0)
    assert registry.retire(platform="p1", version=third, by="bo", at=T0).challengers == []
    events = [json.loads(line) for line in (registry.root / EVENTS).read_text().splitlines()]
    assert [e["event"] for e in events] == [
        *["registered"] * 3, "promoted", "promoted", "promoted", "promoted",
        "rolled_back", "retired",
    ]  # fmt: skip
    assert events[6]["previous"] == first
    assert events[7]["previous"] == second


def test_promoting_twice_or_an_unknown_version_is_refused(registry: ModelRegistry) -> None:
    version = register(registry, 500, 0)
    registry.promote(platform="p1", version=version, role="champion", by="ana", at=T0)
    with pytest.raises(Conflict, match="already"):
        registry.promote(platform="p1", version=version, role="champion", by="ana", at=T0)
    with pytest.raises(NotFound):
        registry.promote(platform="p1", version="gbm-nope", role="champion", by="ana", at=T0)
    with pytest.raises(NotFound):
        registry.promote(platform="p1", version="../p1", role="champion", by="ana", at=T0)
    with pytest.raises(ValidationError, match="role"):
        registry.promote(platform="p1", version=version, role="king", by="ana", at=T0)


def test_platforms_do_not_see_each_other(registry: ModelRegistry) -> None:
    mine = register(registry, 500, 0, platform="p1")
    register(registry, 600, 0, platform="p2")
    registry.promote(platform="p1", version=mine, role="champion", by="ana", at=T0)
    assert registry.state("p2").champion is None
    assert [m["version"] for m in registry.versions("p1")] == [mine]
    with pytest.raises(NotFound):
        registry.promote(platform="p2", version=mine, role="champion", by="ana", at=T0)
    with pytest.raises(ValidationError, match="platform code"):
        registry.state("../etc")


def test_latest_names_the_version_registered_last(registry: ModelRegistry) -> None:
    with pytest.raises(NotFound, match="no model version yet"):
        registry.promote(platform="p1", version=LATEST, role="champion", by="ana", at=T0)
    # Registered later in the log but stamped earlier: the log's order decides, not the name.
    first = register(registry, 500, 5)
    second = register(registry, 510, 1)
    register(registry, 520, 9, platform="p2")
    assert registry.latest("p1") == second
    state = registry.promote(platform="p1", version=LATEST, role="champion", by="ana", at=T0)
    assert state.champion == second
    assert registry.load("p1", LATEST).version == second
    assert registry.events("p1")[-1]["version"] == second  # the log names the version itself
    third = register(registry, 530, 2)
    state = registry.promote(platform="p1", version=LATEST, role="challenger", by="ana", at=T0)
    assert (state.champion, state.challengers) == (second, [third])
    assert first not in (state.champion, *state.challengers)
    with pytest.raises(ValidationError, match="platform code"):
        registry.latest("../p1")
