"""Model registry on disk: immutable version directories and an append-only event log.

Layout under the registry root::

    <platform>/<version>/model.json|model.txt, metadata.json, report.md, metrics.json, *.png
    events.jsonl   one JSON object per line: registered, promoted, retired, rolled_back

A version directory is written under a temporary name and renamed into place,
its files made read-only, and its model file's sha256 checked on every load.
The champion and challengers of a platform are what replaying the log gives.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tideover.checksums import file_sha256
from tideover.domain.errors import Conflict, InputRejected, NotFound, ValidationError
from tideover.i18n import N_, Wording
from tideover.scoring.artefact import MODEL_FILES, Artefact, model_from_text
from tideover.scoring.derive import Derivation
from tideover.scoring.scaling import Bands

EVENTS = "events.jsonl"
_ROLES = {"champion": N_("champion"), "challenger": N_("challenger")}
METADATA = "metadata.json"
# Names the version registered last, wherever a version is asked for by name: a version
# itself is always ``<kind>-<time>-<hash>``, so the word cannot be one.
LATEST = "latest"
_PLATFORM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass
class PlatformModels:
    """A platform's champion, challengers and the champions before it (oldest first)."""

    platform: str
    champion: str | None = None
    challengers: list[str] = field(default_factory=list)
    previous: list[str] = field(default_factory=list)


def _check_platform(platform: str) -> str:
    if not _PLATFORM.match(platform):
        raise ValidationError(
            N_("platform code %(platform)s must be 1-64 letters, digits, '.', '_' or '-'"),
            platform=repr(platform),
        )
    return platform


class ModelRegistry:
    """The models of every platform under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # --- writing -------------------------------------------------------------------

    def register(
        self,
        *,
        platform: str,
        kind: str,
        model_text: str,
        metadata: dict[str, Any],
        created_by: str,
        created_at: datetime,
        write_extras: Callable[[Path], object] | None = None,
    ) -> str:
        """Store a new version (model file, metadata, report) and log it; returns the version."""
        _check_platform(platform)
        digest = hashlib.sha256(model_text.encode()).hexdigest()
        version = f"{kind}-{created_at:%Y%m%dT%H%M%SZ}-{digest[:8]}"
        final = self.root / platform / version
        if final.exists():
            raise Conflict(
                N_("model version %(version)s already exists for platform %(platform)s"),
                version=version,
                platform=platform,
            )
        staging = self.root / platform / f".staging-{version}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            model_file = MODEL_FILES[kind]
            (staging / model_file).write_bytes(model_text.encode())
            record = {
                **metadata,
                "version": version,
                "platform": platform,
                "kind": kind,
                "model_file": model_file,
                "model_sha256": digest,
                "created_by": created_by,
                "created_at": created_at.isoformat(),
            }
            (staging / METADATA).write_text(json.dumps(record, indent=2, ensure_ascii=False))
            if write_extras is not None:
                write_extras(staging)
            for item in staging.iterdir():
                item.chmod(0o444)  # a registered version is never edited in place
            staging.rename(final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._log("registered", platform, version, created_by, created_at)
        return version

    def promote(
        self, *, platform: str, version: str, role: str, by: str, at: datetime
    ) -> PlatformModels:
        """Make ``version`` (or :data:`LATEST`) the champion, or add it as a challenger."""
        if role not in ("champion", "challenger"):
            raise ValidationError(
                N_("role %(role)s is unknown; use champion or challenger"),
                role=repr(role),
            )
        version = self.resolve(platform, version)
        self.metadata(platform, version)  # must exist and be intact
        state = self.state(platform)
        if version == state.champion or (role == "challenger" and version in state.challengers):
            raise Conflict(
                N_("model %(version)s is already the %(role)s of platform %(platform)s"),
                version=version,
                role=Wording(_ROLES[role]),
                platform=platform,
            )
        self._log("promoted", platform, version, by, at, role=role, previous=state.champion)
        return self.state(platform)

    def retire(self, *, platform: str, version: str, by: str, at: datetime) -> PlatformModels:
        """Stop using a challenger."""
        if version not in self.state(platform).challengers:
            raise NotFound(
                N_("model %(version)s is not a challenger of platform %(platform)s"),
                version=version,
                platform=platform,
            )
        self._log("retired", platform, version, by, at)
        return self.state(platform)

    def rollback(self, *, platform: str, by: str, at: datetime) -> PlatformModels:
        """Put the previous champion back."""
        state = self.state(platform)
        if state.champion is None or not state.previous:
            raise InputRejected(
                N_("platform %(platform)s has no earlier champion to roll back to"),
                platform=platform,
            )
        self._log("rolled_back", platform, state.previous[-1], by, at, previous=state.champion)
        return self.state(platform)

    def _log(
        self, event: str, platform: str, version: str, by: str, at: datetime, **extra: Any
    ) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "event": event,
                "platform": platform,
                "version": version,
                "by": by,
                "at": at.isoformat(),
                **extra,
            },
            ensure_ascii=False,
        )
        # One write of one line in append mode: earlier lines are never rewritten.
        descriptor = os.open(self.root / EVENTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, (line + "\n").encode())
        finally:
            os.close(descriptor)

    # --- reading -------------------------------------------------------------------

    def events(self, platform: str | None = None) -> list[dict[str, Any]]:
        path = self.root / EVENTS
        if not path.exists():
            return []
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return [r for r in rows if platform is None or r["platform"] == platform]

    def state(self, platform: str) -> PlatformModels:
        """Replay the platform's events."""
        state = PlatformModels(_check_platform(platform))
        for e in self.events(platform):
            version = e["version"]
            if e["event"] == "promoted" and e["role"] == "champion":
                if state.champion is not None:
                    state.previous.append(state.champion)
                state.champion = version
                state.challengers = [c for c in state.challengers if c != version]
            elif e["event"] == "promoted":
                state.challengers.append(version)
            elif e["event"] == "retired":
                state.challengers.remove(version)
            elif e["event"] == "rolled_back":
                state.champion = state.previous.pop()
        return state

    def versions(self, platform: str) -> list[dict[str, Any]]:
        """Metadata of every version of a platform, oldest first."""
        folder = self.root / _check_platform(platform)
        if not folder.is_dir():
            return []
        found = [
            json.loads((d / METADATA).read_text())
            for d in folder.iterdir()
            if d.is_dir() and not d.name.startswith(".") and (d / METADATA).exists()
        ]
        return sorted(found, key=lambda m: (m["created_at"], m["version"]))

    def latest(self, platform: str) -> str:
        """The version registered last (the model just trained), by the event log's order."""
        _check_platform(platform)
        registered = [e["version"] for e in self.events(platform) if e["event"] == "registered"]
        if not registered:
            raise NotFound(
                N_("platform %(platform)s has no model version yet; train one first"),
                platform=platform,
            )
        return str(registered[-1])

    def resolve(self, platform: str, version: str) -> str:
        """``version`` itself, or the version registered last when it is :data:`LATEST`."""
        return self.latest(platform) if version == LATEST else version

    def metadata(self, platform: str, version: str) -> dict[str, Any]:
        path = self.root / _check_platform(platform) / version / METADATA
        if "/" in version or version.startswith(".") or not path.exists():
            raise NotFound(
                N_("platform %(platform)s has no model version %(version)s"),
                platform=platform,
                version=repr(version),
            )
        data: dict[str, Any] = json.loads(path.read_text())
        return data

    def load(self, platform: str, version: str | None = None) -> Artefact:
        """A version (default: the platform's champion; :data:`LATEST`: the version registered
        last), its model file checked against its hash."""
        if version is not None:
            version = self.resolve(platform, version)
        else:
            version = self.state(platform).champion
            if version is None:
                raise NotFound(
                    N_("platform %(platform)s has no champion model; promote one first"),
                    platform=platform,
                )
        meta = self.metadata(platform, version)
        model_path = self.root / platform / version / meta["model_file"]
        if file_sha256(model_path) != meta["model_sha256"]:
            raise Conflict(
                N_("model file of %(version)s does not match its recorded sha256; it was altered"),
                version=version,
            )
        model = model_from_text(model_path.read_text(), meta)
        return Artefact(
            version=version,
            model=model,
            derivations=tuple(Derivation.parse(t) for t in meta.get("derivations", [])),
            bands=Bands.from_dict(meta["bands"]) if "bands" in meta else Bands(),
            metadata=meta,
        )
