"""Training and scoring a file tell their progress: every fold, then the fit; every chunk."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tideover.domain.clock import FixedClock
from tideover.services.scoring.models import score_file, train_model

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
TARGET = "default-payment-next-month"


def test_training_and_scoring_report_each_step(tmp_path: Path) -> None:
    heard: list[tuple[str, int, int]] = []

    def listen(label: str, done: int, total: int) -> None:
        heard.append((label, done, total))

    registry = tmp_path / "registry"
    trained = train_model(
        registry_dir=registry, platform="tw", data_path=SAMPLE, target=TARGET, id_column="ID",
        folds=3, created_by="ana", clock=FixedClock(datetime(2026, 3, 1, tzinfo=UTC)),
        progress=listen,
    )  # fmt: skip
    assert [(done, total) for _, done, total in heard] == [(n, 4) for n in range(5)]
    assert len({label for label, _, _ in heard}) == 1
    heard.clear()
    score_file(
        registry_dir=registry, platform="tw", data_path=SAMPLE, out_path=tmp_path / "s.parquet",
        version=trained.version, chunk_rows=64, progress=listen,
    )  # fmt: skip
    assert [(done, total) for _, done, total in heard] == [
        (0, 300),
        (64, 300),
        (128, 300),
        (192, 300),
        (256, 300),
        (300, 300),
    ]
