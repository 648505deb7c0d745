"""Shadow scoring: the champion and every challenger on the same feature frame.

Only the champion's score and band reach the policy (the score stage's
``cycle_scores``); challengers are scored beside it for comparison and never
influence a segment, an action or a queue.  Both engines use these functions:
they take a feature table (Arrow or a DuckDB relation) and artefacts and return
Arrow, so the DuckDB score stage and a Spark worker give identical rows.

The day's scores go to ``<scores_dir>/<platform>/<as_of>.parquet`` through
:class:`StagedScores`: written beside the final name, and renamed over it only
once the run has committed, so a reader never sees half a file and a failed run
leaves the previous file as it was.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tideover.scoring.artefact import Artefact
from tideover.scoring.derive import derive
from tideover.scoring.inputs import coerce
from tideover.scoring.scoring import score_frame

CHAMPION, CHALLENGER = "champion", "challenger"
# A column with one value per model, dictionary-encoded: a version string repeated
# on ten million rows would take 400 MB, its one-byte codes 10 MB.
CONSTANT = pa.dictionary(pa.int8(), pa.string())
# One row per account and model.  The probability is a model output, not money:
# rounded once to 6 places by ``ROUNDED_PROBABILITY``, the very expression the
# score stage has always used, so the champion's rows equal the policy's ``score``.
SCORES_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("model_version", CONSTANT),
        ("role", CONSTANT),
        ("probability", pa.decimal128(9, 6)),
        ("band", pa.string()),
        # The top reason code; NULL when nothing pulled the score down, or not
        # computed (a gradient-boosting challenger, see ``model_scores``).
        ("reason_code", pa.string()),
    ]
)
ROUNDED_PROBABILITY = "CAST(round(probability, 6) AS DECIMAL(9,6))"
SHARE_PLACES = Decimal("0.0001")
PROBABILITY_PLACES = Decimal("0.000001")


def feature_frame(
    features: pa.Table | duckdb.DuckDBPyRelation, con: duckdb.DuckDBPyConnection
) -> pd.DataFrame:
    """The features as the models see them: DuckDB's conversion to pandas (DECIMAL as
    float64), the conversion the score stage and demo training use."""
    relation = con.from_arrow(features) if isinstance(features, pa.Table) else features
    return relation.df()


def model_scores(
    artefact: Artefact,
    frame: pd.DataFrame,
    *,
    role: str,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """One model's rows of ``SCORES_SCHEMA`` for every account of ``frame``.

    The top reason code comes with the scorecard's bin look-ups at no extra cost,
    and the champion's is always computed (collectors see it).  A gradient-boosting
    challenger is scored without reasons (``reason_code`` NULL): on the demo's
    LightGBM (500 trees) TreeSHAP took 0.42 ms an account, its prediction 0.018 ms.
    """
    con = con or duckdb.connect()
    if role == CHAMPION or artefact.model.kind == "scorecard":
        scored = score_frame(artefact, frame, id_column="account_id", top=1)
        probability = scored["probability"].to_numpy()
        band, reasons = scored["band"].astype(str), scored.get("reason_1_code")
    else:
        inputs = coerce(derive(frame, artefact.derivations), artefact.model.features)
        probability = 1.0 / (1.0 + np.exp(-artefact.model.bad_log_odds(inputs)))
        band, reasons = artefact.bands.assign(probability), None
    raw = pa.table(
        {
            "account_id": pa.array(frame["account_id"].astype(str), pa.string()),
            "probability": pa.array(probability, pa.float64()),
            "band": pa.array(band, pa.string()),
            "reason_code": pa.array(
                [None] * len(frame) if reasons is None else reasons, pa.string()
            ),
        }
    )
    con.register("shadow_raw_scores", raw)
    try:
        rounded = con.sql(
            f"SELECT account_id, {ROUNDED_PROBABILITY} AS probability, band, reason_code "
            "FROM shadow_raw_scores"
        ).to_arrow_table()
    finally:
        con.unregister("shadow_raw_scores")
    columns = {
        "account_id": rounded["account_id"],
        "model_version": _constant(artefact.version, rounded.num_rows),
        "role": _constant(role, rounded.num_rows),
        "probability": rounded["probability"],
        "band": rounded["band"],
        "reason_code": rounded["reason_code"],
    }
    return pa.table(columns).cast(SCORES_SCHEMA)


def _constant(value: str, rows: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, np.int8)), pa.array([value]))


def score_models(
    features: pa.Table | duckdb.DuckDBPyRelation,
    champion: Artefact,
    challengers: Sequence[Artefact] = (),
    *,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """The champion's rows, then each challenger's, on the same features (``SCORES_SCHEMA``).

    ``features``: an Arrow table or a DuckDB relation with ``account_id`` and the
    models' inputs (the cycle's ``cycle_features``).
    """
    con = con or duckdb.connect()
    frame = feature_frame(features, con)
    tables = [model_scores(champion, frame, role=CHAMPION, con=con)]
    tables += [model_scores(c, frame, role=CHALLENGER, con=con) for c in challengers]
    return pa.concat_tables(tables)


# --- comparison ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShadowComparison:
    """How one challenger scored the day's accounts against the champion."""

    challenger: str
    champion: str
    accounts: int  # scored by both
    band_agreement: Decimal | None  # share of those accounts in the same band, 4 places
    band_differs: int
    champion_mean_probability: Decimal | None  # 6 places, half-up
    challenger_mean_probability: Decimal | None

    def to_json(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "challenger": self.challenger,
            "champion": self.champion,
            "accounts": self.accounts,
            "band_agreement": text(self.band_agreement),
            "band_differs": self.band_differs,
            "champion_mean_probability": text(self.champion_mean_probability),
            "challenger_mean_probability": text(self.challenger_mean_probability),
        }


def _mean(column: pa.ChunkedArray | pa.Array, count: int) -> Decimal | None:
    """Exact decimal mean, rounded half-up to 6 places (the sum of decimals is exact)."""
    if count == 0:
        return None
    total = pc.sum(column).as_py()
    return (Decimal(total) / count).quantize(PROBABILITY_PLACES, rounding=ROUND_HALF_UP)


def compare_models(scores: pa.Table) -> list[ShadowComparison]:
    """Each challenger against the champion, on the accounts both scored (``SCORES_SCHEMA``)."""
    role = scores["role"]
    champion = scores.filter(pc.equal(role, CHAMPION))
    versions = pc.unique(champion["model_version"]).to_pylist()
    if len(versions) != 1:
        raise ValueError(f"the scores must hold one champion, not {len(versions)}")
    base = champion.select(["account_id", "probability", "band"]).rename_columns(
        ["account_id", "champion_probability", "champion_band"]
    )
    challengers = scores.filter(pc.equal(role, CHALLENGER))
    comparisons = []
    for version in dict.fromkeys(challengers["model_version"].to_pylist()):
        mine = challengers.filter(pc.equal(challengers["model_version"], version))
        joined = mine.select(["account_id", "probability", "band"]).join(
            base, "account_id", join_type="inner"
        )
        n = joined.num_rows
        same = pc.sum(pc.equal(joined["band"], joined["champion_band"])).as_py() or 0
        comparisons.append(
            ShadowComparison(
                challenger=str(version),
                champion=str(versions[0]),
                accounts=n,
                band_agreement=(
                    (Decimal(same) / n).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)
                    if n
                    else None
                ),
                band_differs=n - same,
                champion_mean_probability=_mean(joined["champion_probability"], n),
                challenger_mean_probability=_mean(joined["probability"], n),
            )
        )
    return comparisons


# --- the day's scores file ------------------------------------------------------------------


def scores_path(scores_dir: Path, platform: str, as_of: date) -> Path:
    """``<scores_dir>/<platform>/<as_of>.parquet`` (a platform code is a safe path part)."""
    return scores_dir / platform / f"{as_of.isoformat()}.parquet"


@dataclass(frozen=True)
class StagedScores:
    """A scores file written in full under a hidden name, waiting to replace the final one."""

    partial: Path
    final: Path

    @classmethod
    def write(cls, scores: pa.Table, final: Path, *, run_id: int) -> StagedScores:
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = final.with_name(f".{final.name}.{run_id}.partial")
        try:
            pq.write_table(scores.cast(SCORES_SCHEMA), partial)
            with partial.open("rb") as written:
                os.fsync(written.fileno())  # on disk before the rename makes it visible
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return cls(partial, final)

    def publish(self) -> Path:
        """Replace the final file (one atomic rename); drop partials of killed runs of the date."""
        os.replace(self.partial, self.final)
        for stale in self.final.parent.glob(f".{self.final.name}.*.partial"):
            stale.unlink(missing_ok=True)
        return self.final

    def discard(self) -> None:
        self.partial.unlink(missing_ok=True)
