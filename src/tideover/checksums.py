"""Checksums of files: data fetched from wheels, imported files, model artefacts."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The lower-case hex SHA-256 of the file at ``path``, read in chunks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
