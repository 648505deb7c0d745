"""The platform's model registry as the daily cycle and the assignment read it."""

from __future__ import annotations

from pathlib import Path

from tideover.scoring.artefact import Artefact
from tideover.scoring.registry import ModelRegistry


def platform_registry(data_dir: Path, platform: str) -> Path | None:
    """``<data dir>/models`` when it holds a champion for ``platform`` (the default registry)."""
    folder = data_dir / "models"
    if not folder.is_dir():
        return None
    return folder if ModelRegistry(folder).state(platform).champion is not None else None


def champion_model(registry: Path | None, platform: str) -> tuple[Artefact | None, str | None]:
    """The platform's champion and its version; none without a registry."""
    if registry is None:
        return None, None
    artefact = ModelRegistry(registry).load(platform)  # NotFound without a champion
    return artefact, artefact.version


def challenger_models(registry: Path | None, platform: str) -> list[Artefact]:
    """The platform's challengers (``Artefact``), each checked against its hash; none
    without a registry."""
    if registry is None:
        return []
    models = ModelRegistry(registry)
    return [models.load(platform, version) for version in models.state(platform).challengers]
