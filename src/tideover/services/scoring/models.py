"""Risk-model use cases: train and register, list, promote, roll back, score.

The CLI (and later the API and the daily batch) call these; they read and
write files, the maths is in ``tideover.scoring``.
"""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from tideover.checksums import file_sha256
from tideover.domain.clock import Clock
from tideover.domain.errors import InputRejected, NotFound
from tideover.i18n import N_, Wording
from tideover.scoring.artefact import model_text, reason_catalogue
from tideover.scoring.derive import Derivation
from tideover.scoring.gbm import GbmModel
from tideover.scoring.inputs import DEFAULT_PROTECTED
from tideover.scoring.monitoring import training_baselines
from tideover.scoring.registry import ModelRegistry
from tideover.scoring.report import write_report
from tideover.scoring.scaling import Bands, PointsScale
from tideover.scoring.scorecard import ScorecardSettings
from tideover.scoring.scoring import score_account, score_frame
from tideover.scoring.training import train
from tideover.services.common import ProgressFn, no_progress
from tideover.services.scoring.results import (
    ModelList,
    ModelRoles,
    ModelSummary,
    ScoredAccount,
    ScoredFile,
    TrainedModel,
)

CHUNK_ROWS = 1_000_000
LIBRARIES = ("optbinning", "lightgbm", "scikit-learn", "numpy", "pandas")


def read_table(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file as a table, refusing anything else."""
    if not path.is_file():
        raise NotFound(N_("file %(path)s does not exist"), path=path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except (ValueError, OSError) as exc:
        raise InputRejected(
            N_("file %(path)s could not be read as %(suffix)s: %(exc)s"),
            path=path,
            suffix=suffix[1:],
            exc=exc,
        ) from exc
    raise InputRejected(
        N_("file %(path)s: expected .csv or .parquet, not %(suffix)s")
        if suffix
        else N_("file %(path)s: expected .csv or .parquet, not a name without an extension"),
        path=path,
        suffix=suffix,
    )


def train_model(
    *,
    registry_dir: Path,
    platform: str,
    data_path: Path,
    target: str,
    kind: str = "scorecard",
    id_column: str | None = None,
    exclude: Sequence[str] = (),
    derivations: Sequence[str] = (),
    protected: Sequence[str] = DEFAULT_PROTECTED,
    allow_protected: bool = False,
    scale: PointsScale | None = None,
    bands: Bands | None = None,
    folds: int = 5,
    created_by: str,
    clock: Clock,
    scorecard: ScorecardSettings | None = None,
    progress: ProgressFn | None = None,
    language: str = "en",
) -> TrainedModel:
    """Train on a file, write the report (``report.md`` in ``language``, the reader's) and
    register an immutable version (not promoted); ``progress`` hears each cross-validation
    fold and the final fit."""
    parsed = [Derivation.parse(text) for text in derivations]
    frame = read_table(data_path)
    started = time.perf_counter()
    result = train(
        frame,
        target,
        kind,
        id_column=id_column,
        protected=protected,
        allow_protected=allow_protected,
        exclude=exclude,
        derivations=parsed,
        scale=scale,
        folds=folds,
        scorecard=scorecard,
        progress=progress,
    )
    seconds = time.perf_counter() - started
    summary = result.summary()
    model = result.model
    metadata: dict[str, Any] = {
        "features": [{"name": f.name, "kind": f.kind} for f in model.features],
        "derivations": summary["derivations"],
        "excluded": summary["excluded"],
        "protected": list(protected),
        "allow_protected": allow_protected,
        "target": target,
        "id_column": id_column,
        "training_data": {
            "file": data_path.name,
            "sha256": file_sha256(data_path),
            "rows": summary["rows"],
            "bad_rate": summary["bad_rate"],
        },
        "metrics": summary["cross_validation"],
        "calibration": summary["calibration"],
        "scale": model.scale.to_dict(),
        "bands": (bands or Bands()).to_dict(),
        "reason_codes": reason_catalogue(model),
        "training_seconds": round(seconds, 2),
        "libraries": {name: _version(name) for name in LIBRARIES},
    }
    if isinstance(model, GbmModel):
        metadata["category_levels"] = model.levels
    # Bins and shares of the training sample, for population stability later on.
    metadata["monitoring"] = training_baselines(
        result.data.frame,
        {f.name: f.kind for f in model.features},
        model.scale.score(model.bad_log_odds(result.data.frame)),
    )
    registry = ModelRegistry(registry_dir)
    version = registry.register(
        platform=platform,
        kind=kind,
        model_text=model_text(model),
        metadata=metadata,
        created_by=created_by,
        created_at=clock.now(),
        write_extras=lambda folder: write_report(
            result,
            folder,
            title=Wording(
                N_("%(kind)s model for %(platform)s (%(file)s)"),
                kind=kind,
                platform=platform,
                file=data_path.name,
            ),
            language=language,
        ),
    )
    return TrainedModel.model_validate(
        {
            "version": version,
            "platform": platform,
            "directory": str(registry_dir / platform / version),
            "training_seconds": round(seconds, 2),
            **summary,
        }
    )


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def list_models(*, registry_dir: Path, platform: str) -> ModelList:
    """Every version of a platform with its headline metrics and role."""
    registry = ModelRegistry(registry_dir)
    state = registry.state(platform)
    models = []
    for meta in registry.versions(platform):
        version = meta["version"]
        role = (
            "champion"
            if version == state.champion
            else "challenger"
            if version in state.challengers
            else ""
        )
        models.append(ModelSummary.of(meta, role))
    return ModelList.model_validate({**ModelRoles.fields_of(state), "models": models})


def promote_model(
    *, registry_dir: Path, platform: str, version: str, role: str, by: str, clock: Clock
) -> ModelRoles:
    state = ModelRegistry(registry_dir).promote(
        platform=platform, version=version, role=role, by=by, at=clock.now()
    )
    return ModelRoles.of(state)


def rollback_model(*, registry_dir: Path, platform: str, by: str, clock: Clock) -> ModelRoles:
    state = ModelRegistry(registry_dir).rollback(platform=platform, by=by, at=clock.now())
    return ModelRoles.of(state)


def score_file(
    *,
    registry_dir: Path,
    platform: str,
    data_path: Path,
    out_path: Path,
    version: str | None = None,
    id_column: str | None = None,
    top: int = 3,
    chunk_rows: int = CHUNK_ROWS,
    progress: ProgressFn | None = None,
) -> ScoredFile:
    """Score a CSV/Parquet file into a Parquet file; the champion unless ``version`` is given.

    Read, scored and written ``chunk_rows`` at a time, so memory stays flat; the
    output appears only when every chunk has been scored.  ``progress`` hears the rows
    scored after each chunk, of the file's rows (a CSV's counted by its lines).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    artefact = ModelRegistry(registry_dir).load(platform, version)
    counts = dict.fromkeys(artefact.bands.names, 0)
    rows = 0
    started = time.perf_counter()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    writer: Any = None
    tell = progress or no_progress
    expected = _row_count(data_path)
    tell(_SCORING, 0, expected)
    try:
        for chunk in _chunks(data_path, chunk_rows):
            if writer is None:
                id_column = id_column or _default_id(artefact.metadata, chunk)
            scored = score_frame(artefact, chunk, id_column=id_column, top=top)
            if writer is None:
                schema = _output_schema(pa, pa.Schema.from_pandas(scored, preserve_index=False))
                writer = pq.ParquetWriter(partial, schema)
            writer.write_table(pa.Table.from_pandas(scored, schema=schema, preserve_index=False))
            for band, count in scored["band"].value_counts().items():
                counts[str(band)] += int(count)
            rows += len(scored)
            tell(_SCORING, rows, max(rows, expected))
        if writer is None:
            raise InputRejected(N_("file %(data_path)s has no rows"), data_path=data_path)
        writer.close()
        partial.replace(out_path)
    finally:
        if partial.exists():
            if writer is not None:
                writer.close()
            partial.unlink()
    return ScoredFile(
        platform=platform,
        model_version=artefact.version,
        rows=rows,
        out=str(out_path),
        seconds=round(time.perf_counter() - started, 3),
        bands=counts,
    )


_SCORING = N_("scoring accounts")


def _row_count(path: Path) -> int:
    """The rows of a file, for progress only: a Parquet file's metadata, a CSV's lines."""
    try:
        if path.suffix.lower() == ".csv":
            with path.open("rb") as handle:
                lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
            return max(lines - 1, 0)
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    except (OSError, ValueError):
        return 0  # the read that follows says what is wrong with the file


def _chunks(path: Path, rows: int) -> Iterator[pd.DataFrame]:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        read_table(path)  # raises the error naming the accepted formats
    if not path.is_file():
        raise NotFound(N_("file %(path)s does not exist"), path=path)
    try:
        if suffix == ".csv":
            with pd.read_csv(path, chunksize=rows) as reader:
                yield from reader
        else:
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(path).iter_batches(batch_size=rows):
                yield batch.to_pandas()
    except (ValueError, OSError) as exc:
        raise InputRejected(
            N_("file %(path)s could not be read: %(exc)s"), path=path, exc=exc
        ) from exc


def _output_schema(pa: Any, inferred: Any) -> Any:
    """Text columns as nullable strings: a chunk where a reason is always absent stays text."""
    fields = [
        pa.field(f.name, pa.string())
        if f.name.startswith("reason_") or f.name in ("band", "model_version")
        else f
        for f in inferred
    ]
    return pa.schema(fields)


def _default_id(metadata: Mapping[str, Any], frame: pd.DataFrame) -> str | None:
    candidate = metadata.get("id_column")
    return candidate if candidate in frame.columns else None


def score_one(
    *,
    registry_dir: Path,
    platform: str,
    record: Mapping[str, object],
    version: str | None = None,
    top: int = 3,
) -> ScoredAccount:
    """Score one account given as column -> value."""
    artefact = ModelRegistry(registry_dir).load(platform, version)
    return ScoredAccount.of(platform, score_account(artefact, record, top=top))
