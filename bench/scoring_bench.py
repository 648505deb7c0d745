"""Scorecard batch scoring and single-account latency.

    .venv/bin/python bench/scoring_bench.py --cache /tmp/tcache --rows 1000000 [--json]

A scorecard and a boosting model are trained on the Taiwan data (from the data
cache; the committed 300-row sample if the cache is empty). The scoring table
is the Taiwan rows resampled with replacement to ``--rows`` accounts.

Batch, accounts per second:
(a) naive: a Python loop over rows and characteristics (bisect + dict look-ups),
    timed on ``--naive-rows`` rows and extrapolated;
(b) points only: ``ScorecardModel.total_points`` on typed columns;
(c) NumPy reference: one ``searchsorted`` + ``take`` per characteristic, the
    least a vectorised engine can do for the same points;
(d) full: ``score_frame`` - type checks, derivations, score, probability, band,
    top-3 reason codes with values, model version;
(e) file: the service ``score_file``, Parquet in, Parquet out, a million rows
    at a time (the input file is written beforehand, not timed).
(a), (b) and (c) must agree on every score; exit status 1 if not.

Single account: ``score_account`` (score, band and three reasons in en and zh)
on ``--single`` accounts, one call each; median and p99 latency.
"""

from __future__ import annotations

import argparse
import bisect
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tideover.scoring import (
    Artefact,
    Bands,
    GbmSettings,
    ModelRegistry,
    ScorecardModel,
    score_account,
    train,
)
from tideover.scoring.inputs import coerce
from tideover.scoring.scoring import score_frame

SAMPLE = Path(__file__).parents[1] / "tests" / "data" / "taiwan_sample.csv"
TARGET = "default-payment-next-month"


def load(cache: Path) -> tuple[pd.DataFrame, str]:
    try:
        from tideover.adapters.datasets import load_taiwan

        return load_taiwan(cache), "taiwan (30,000 rows)"
    except Exception:  # an empty cache: fall back to the committed sample
        return pd.read_csv(SAMPLE), "taiwan sample (300 rows)"


def naive(model: ScorecardModel, records: list[dict[str, Any]]) -> np.ndarray:
    lookups = [
        (c.feature, c.splits, c.points, c.missing_bin)
        for c in model.characteristics
        if c.kind == "numeric"
    ]
    scores = np.empty(len(records))
    for i, record in enumerate(records):
        total = 0.0
        for feature, splits, points, missing in lookups:
            value = record[feature]
            total += points[missing if value != value else bisect.bisect_right(splits, value)]
        scores[i] = total
    return scores


def numpy_reference(model: ScorecardModel, columns: dict[str, np.ndarray]) -> np.ndarray:
    total = np.zeros(len(next(iter(columns.values()))))
    for c in model.characteristics:
        x = columns[c.feature]
        index = np.searchsorted(np.asarray(c.splits), x, side="right")
        index[np.isnan(x)] = c.missing_bin
        total += np.asarray(c.points).take(index)
    return total


def timed(function: Any, *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def latency(artefact: Artefact, records: list[dict[str, Any]]) -> dict[str, float]:
    samples = []
    for record in records:
        started = time.perf_counter_ns()
        score_account(artefact, record)
        samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 4),
        "p99_ms": round(samples[int(0.99 * (len(samples) - 1))], 4),
        "calls": len(samples),
    }


def score_whole_file(card: ScorecardModel, accounts: pd.DataFrame) -> float:
    from datetime import UTC, datetime

    from tideover.scoring.artefact import model_text
    from tideover.services.scoring.models import score_file

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        registry = ModelRegistry(root / "registry")
        version = registry.register(
            platform="bench",
            kind="scorecard",
            model_text=model_text(card),
            metadata={
                "features": [{"name": f.name, "kind": f.kind} for f in card.features],
                "bands": Bands().to_dict(),
                "id_column": "ID",
            },
            created_by="bench",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        source = root / "accounts.parquet"
        accounts.to_parquet(source, index=False)
        started = time.perf_counter()
        score_file(
            registry_dir=registry.root,
            platform="bench",
            data_path=source,
            out_path=root / "scores.parquet",
            version=version,
        )
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/tcache"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=200_000)
    parser.add_argument("--single", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    frame, source = load(args.cache)
    card_result, card_seconds = timed(
        lambda: train(frame, TARGET, "scorecard", id_column="ID", folds=2)
    )
    gbm_result, gbm_seconds = timed(
        lambda: train(frame, TARGET, "gbm", id_column="ID", folds=2, gbm=GbmSettings())
    )
    card = card_result.model
    assert isinstance(card, ScorecardModel)
    card_artefact = Artefact("bench-scorecard", card, (), Bands(), {})
    gbm_artefact = Artefact("bench-gbm", gbm_result.model, (), Bands(), {})

    rng = np.random.default_rng(args.seed)
    accounts = frame.iloc[rng.integers(0, len(frame), args.rows)].reset_index(drop=True)
    typed = coerce(accounts, card.features)
    columns = {f.name: typed[f.name].to_numpy() for f in card.features}
    head = min(args.naive_rows, args.rows)
    records = typed.head(head).to_dict("records")

    naive_scores, naive_seconds = timed(naive, card, records)
    points, points_seconds = timed(card.total_points, typed)
    reference, reference_seconds = timed(numpy_reference, card, columns)
    full, full_seconds = timed(lambda: score_frame(card_artefact, accounts, id_column="ID"))
    agree = bool(
        np.allclose(naive_scores, points[:head]) and np.allclose(points, reference)
    ) and np.allclose(full["score"].to_numpy(), np.round(points, 1))

    file_seconds = score_whole_file(card, accounts)

    single = frame.drop(columns=[TARGET]).head(args.single).to_dict("records")
    results = {
        "source": source,
        "rows": args.rows,
        "train_seconds": {
            "scorecard_2fold": round(card_seconds, 1),
            "gbm_2fold": round(gbm_seconds, 1),
        },
        "accounts_per_second": {
            "naive_python": round(head / naive_seconds),
            "points_only": round(args.rows / points_seconds),
            "numpy_reference": round(args.rows / reference_seconds),
            "score_frame_with_reasons": round(args.rows / full_seconds),
            "score_file_parquet": round(args.rows / file_seconds),
        },
        "seconds": {
            "naive_python_extrapolated": round(naive_seconds * args.rows / head, 2),
            "points_only": round(points_seconds, 3),
            "numpy_reference": round(reference_seconds, 3),
            "score_frame_with_reasons": round(full_seconds, 3),
            "score_file_parquet": round(file_seconds, 3),
        },
        "single_account": {
            "scorecard": latency(card_artefact, single),
            "gbm": latency(gbm_artefact, single[:500]),
        },
        "all_paths_agree": agree,
        "machine": f"{platform.machine()} {platform.python_version()} numpy {np.__version__}",
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key}: {value}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
