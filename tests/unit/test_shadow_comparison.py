"""Shadow scoring: challengers beside the champion, the comparison, the staged scores file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tideover.batch.cycle import CycleConfig, CycleInputs, GateSettings, run_stages
from tideover.batch.cycle.shadow import (
    SCORES_SCHEMA,
    StagedScores,
    compare_models,
    score_models,
    scores_path,
)
from tideover.compliance.gate import compile_pack
from tideover.compliance.loader import load_pack
from tideover.policy.document import load_policy
from tideover.scoring.artefact import Artefact
from tideover.scoring.scaling import Bands, PointsScale
from tideover.scoring.scorecard import Characteristic, ScorecardModel

POLICY = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
AS_OF = date(2026, 11, 30)
# 600 points at 50:1, 20 to double: 600 → 2% bad (A), 540 → 13.7% (C), 487 → 50% (E).
SCALE = PointsScale(600, 50, 20)


def _scorecard(version: str, points: tuple[float, float, float, float]) -> Artefact:
    """One characteristic on the cycle's ``dpd``: current, 1-30, 31+, missing."""
    dpd = Characteristic(
        "dpd", "numeric", (1.0, 31.0), (), ("<1", "1-30", "31+", "missing"), (0, 0, 0, 0), points
    )
    return Artefact(version, ScorecardModel((dpd,), SCALE, 0.0), (), Bands(), {})


CHAMPION = _scorecard("scorecard-champion", (600, 540, 487, 520))
CALM = _scorecard("scorecard-calm", (600, 600, 600, 600))  # everyone in band A
CLOSE = _scorecard("scorecard-close", (600, 545, 480, 520))


def _accounts(dpds: list[int]) -> pa.Table:
    n = len(dpds)
    buckets = ["M0" if d == 0 else "M1" if d <= 30 else "M2" if d <= 60 else "M3" for d in dpds]
    return pa.table(
        {
            "account_id": [f"L{i}" for i in range(n)],
            "borrower_id": [f"B{i}" for i in range(n)],
            "is_open": [True] * n,
            "time_zones": ["Asia/Shanghai"] * n,
            "dpd": pa.array(dpds, pa.int32()),
            "bucket": buckets,
            "overdue_minor": pa.array([d * 100 for d in dpds], pa.int64()),
            "balance_minor": pa.array([100_000] * n, pa.int64()),
            "product": ["cash"] * n,
            "months_on_book": pa.array([6] * n, pa.int32()),
            "installments_overdue": pa.array([(d + 29) // 30 for d in dpds], pa.int32()),
        }
    )


def _config() -> CycleConfig:
    return CycleConfig(
        platform="demo",
        as_of=AS_OF,
        currency="CNY",
        minor_digits=2,
        bucket_labels=("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+"),
        gate=GateSettings((compile_pack(load_pack("CN")),)),
    )


def _scores(rows: list[tuple[str, str, str, str, str]]) -> pa.Table:
    """(account, version, role, probability, band) rows in ``SCORES_SCHEMA``."""
    return pa.Table.from_pylist(
        [
            {
                "account_id": a,
                "model_version": v,
                "role": r,
                "probability": Decimal(p),
                "band": b,
                "reason_code": None,
            }
            for a, v, r, p, b in rows
        ],
        schema=SCORES_SCHEMA,
    )


def test_each_challenger_is_compared_on_the_accounts_both_scored() -> None:
    scores = _scores(
        [
            ("a", "v0", "champion", "0.000001", "A"),
            ("b", "v0", "champion", "0.000002", "A"),
            ("c", "v0", "champion", "0.300000", "D"),
            ("a", "v2", "challenger", "0.000002", "A"),
            ("b", "v2", "challenger", "0.000003", "A"),
            ("c", "v2", "challenger", "0.500000", "E"),
            ("a", "v1", "challenger", "0.100000", "C"),
            ("zz", "v1", "challenger", "0.900000", "E"),  # not scored by the champion
        ]
    )
    v2, v1 = compare_models(scores)  # in the order the challengers appear
    assert (v2.challenger, v2.champion, v2.accounts) == ("v2", "v0", 3)
    assert v2.band_differs == 1
    assert v2.band_agreement == Decimal("0.6667")  # 2/3, 4 places half-up
    assert v2.champion_mean_probability == Decimal("0.100001")  # 0.300003/3, exact
    assert v2.challenger_mean_probability == Decimal("0.166668")  # 0.500005/3 = 0.1666683…
    assert (v1.accounts, v1.band_differs, v1.band_agreement) == (1, 1, Decimal("0.0000"))
    assert v1.champion_mean_probability == Decimal("0.000001")
    assert v1.to_json()["band_agreement"] == "0.0000"


def test_the_mean_rounds_half_up_not_to_even() -> None:
    scores = _scores(
        [
            ("a", "v0", "champion", "0.000001", "A"),
            ("b", "v0", "champion", "0.000002", "A"),
            ("a", "v1", "challenger", "0.000001", "A"),
            ("b", "v1", "challenger", "0.000004", "B"),
        ]
    )
    (only,) = compare_models(scores)
    assert only.champion_mean_probability == Decimal("0.000002")  # 0.0000015 up
    assert only.challenger_mean_probability == Decimal("0.000003")  # 0.0000025 up, not even
    assert only.band_agreement == Decimal("0.5000")


def test_without_challengers_there_is_nothing_to_compare() -> None:
    assert compare_models(_scores([("a", "v0", "champion", "0.1", "C")])) == []
    with pytest.raises(ValueError, match="one champion"):
        compare_models(_scores([("a", "v1", "challenger", "0.1", "C")]))


def test_models_score_the_same_features_with_six_place_probabilities() -> None:
    features = pa.table({"account_id": ["x", "y", "z"], "dpd": pa.array([0, 12, 45], pa.int32())})
    scores = score_models(features, CHAMPION, [CALM, CLOSE])
    assert scores.schema == SCORES_SCHEMA
    assert scores.num_rows == 9
    rows = scores.to_pylist()
    assert [r["role"] for r in rows] == ["champion"] * 3 + ["challenger"] * 6
    assert [r["model_version"] for r in rows[:3]] == ["scorecard-champion"] * 3
    assert [r["band"] for r in rows[:3]] == ["A", "C", "E"]
    assert [r["band"] for r in rows[3:6]] == ["A", "A", "A"]
    for r in rows:
        assert r["probability"].as_tuple().exponent == -6
    assert rows[0]["reason_code"] is None  # best bin: nothing pulled the score down
    assert rows[2]["reason_code"] == "R-DPD"


def test_challengers_never_change_segments_actions_or_queues() -> None:
    dpds = [0, 3, 12, 20, 45, 70, 1, 2]
    compiled = load_policy(POLICY)
    alone = run_stages(compiled, CHAMPION, CycleInputs(_accounts(dpds)), _config())
    shadowed = run_stages(
        compiled, CHAMPION, CycleInputs(_accounts(dpds), challengers=(CALM, CLOSE)), _config()
    )
    # The calm challenger puts everyone in band A: had it leaked into the policy's
    # score, the high-risk segment (band D/E beyond 15 days) would empty.
    assert alone.segments["high_risk"] > 0
    assert shadowed.segments == alone.segments
    assert shadowed.outbox == alone.outbox
    assert shadowed.queue == alone.queue
    assert shadowed.kpis == alone.kpis
    assert alone.scores is not None
    assert shadowed.scores is not None
    assert alone.scores.num_rows == len(dpds)
    assert shadowed.scores.num_rows == 3 * len(dpds)
    champion = {
        r["account_id"]: (r["probability"], r["band"])
        for r in shadowed.scores.to_pylist()
        if r["role"] == "champion"
    }
    for item in shadowed.queue:  # what the collector sees is the champion's score
        summary = item["summary"]
        assert (Decimal(summary["score"]), summary["band"]) == champion[item["account_id"]]


def test_without_a_champion_nothing_is_scored() -> None:
    result = run_stages(load_policy(POLICY), None, CycleInputs(_accounts([0, 5])), _config())
    assert result.scores is None


def test_a_staged_file_appears_only_when_published(tmp_path: Path) -> None:
    final = scores_path(tmp_path, "demo-cn", AS_OF)
    old = _scores([("a", "v0", "champion", "0.1", "C")])
    StagedScores.write(old, final, run_id=1).publish()
    assert (final.parent.name, final.name) == ("demo-cn", "2026-11-30.parquet")
    new = _scores([("a", "v9", "champion", "0.2", "D")])
    staged = StagedScores.write(new, final, run_id=2)
    assert staged.partial.exists()
    assert pq.read_table(final).equals(old)  # not visible before publish
    staged.discard()
    assert not staged.partial.exists()
    assert pq.read_table(final).equals(old)
    killed = StagedScores.write(new, final, run_id=3)  # a killed run leaves its partial
    StagedScores.write(new, final, run_id=4).publish()
    assert pq.read_table(final).equals(new)
    assert not killed.partial.exists()
    assert sorted(p.name for p in final.parent.iterdir()) == [final.name]
