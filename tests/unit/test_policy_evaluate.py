"""One account's decision, the portable hash, and agreement with the SQL the engines run."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch.assign import arm_case_sql, segment_case_sql
from tideover.domain.errors import ValidationError
from tideover.policy import assignment_bucket, assignment_hash, decide, load_policy
from tideover.policy.conditions import Value
from tideover.policy.evaluate import arm_bounds, choose_arm
from tideover.policy.hashing import BUCKETS, bucket_sql
from tideover.policy.model import Arm, ArmRole, Experiment
from tideover.policy.sql_text import quote_literal

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
SUPPORTIVE = load_policy(EXAMPLES / "supportive.yaml")


def account(**changes: Value) -> dict[str, Value]:
    row: dict[str, Value] = {
        "dpd": 0,
        "days_in_segment": 0,
        "score": Decimal("0.10"),
        "band": "B",
        "broken_promises": 0,
        "hardship_flag": False,
        "vulnerable_flag": False,
        "dispute_flag": False,
        "promise_active": False,
    }
    row.update(changes)
    return row


def test_first_matching_segment_wins() -> None:
    both = account(dpd=20, hardship_flag=True, band="E")
    assert decide(SUPPORTIVE, both, platform="demo", account_id="L1").segment == "hardship"
    risky = account(dpd=20, band="E")
    assert decide(SUPPORTIVE, risky, platform="demo", account_id="L1").segment == "high_risk"
    current = decide(SUPPORTIVE, account(), platform="demo", account_id="L1")
    assert (current.segment, current.actions, current.offers) == ("current", (), None)


def test_hardship_gets_a_call_and_relief_on_its_clock() -> None:
    row = account(dpd=40, hardship_flag=True, days_in_segment=1)
    decision = decide(SUPPORTIVE, row, platform="demo", account_id="L1")
    assert [(a.channel.value, a.queue) for a in decision.actions] == [("human_call", "hardship")]
    assert decision.offers is not None
    assert decision.offers.max_extension_months == 12


def test_repeating_steps_and_stop_conditions() -> None:
    day_28 = account(hardship_flag=True, days_in_segment=28)
    decision = decide(SUPPORTIVE, day_28, platform="demo", account_id="L1")
    assert [a.template for a in decision.actions] == ["sms_hardship_check_in"]
    stopped = decide(SUPPORTIVE, {**day_28, "promise_active": True}, platform="d", account_id="L")
    assert stopped.stopped
    assert stopped.actions == ()


def test_the_experiment_splits_by_weight() -> None:
    arms = Counter(
        decide(SUPPORTIVE, account(dpd=2), platform="demo", account_id=f"L{i}").arm
        for i in range(4000)
    )
    assert set(arms) == {"champion", "warm", "holdout"}
    assert abs(arms["holdout"] / 4000 - 0.10) < 0.02
    assert abs(arms["champion"] / 4000 - 0.45) < 0.03


def test_the_same_account_always_gets_the_same_arm() -> None:
    first = decide(SUPPORTIVE, account(dpd=2), platform="demo", account_id="L7")
    again = decide(SUPPORTIVE, account(dpd=9), platform="demo", account_id="L7")
    assert (
        (first.experiment, first.arm) == (again.experiment, again.arm) == ("early-tone", first.arm)
    )


def test_missing_features_are_refused_not_taken_as_null() -> None:
    row = account()
    del row["broken_promises"]
    with pytest.raises(ValidationError) as caught:
        decide(SUPPORTIVE, row, platform="demo", account_id="L1")
    assert "broken_promises" in caught.value.en


def test_bad_features_are_refused() -> None:
    for bad in ({"dpd": 1.5}, {"balance": 12.5}, {"colour": "red"}, {"dpd": None}, {"dpd": True}):
        with pytest.raises(ValidationError):
            decide(SUPPORTIVE, account(**bad), platform="demo", account_id="L1")


# Known vectors: md5("demo:early-tone:L000001") = 2943c15c…, 0x2943c15c = 692306268.
@pytest.mark.parametrize(
    ("key", "value"),
    [
        (("demo", "early-tone", "L000001"), 692306268),
        (("demo", "early-tone", "L000002"), 1949615725),
        (("acme-cn", "tone", "借据-42"), 3079588205),
        (("p", "e", ""), 1126922041),
    ],
)
def test_known_hash_vectors(key: tuple[str, str, str], value: int) -> None:
    assert assignment_hash(*key) == value
    assert assignment_bucket(*key) == value % BUCKETS
    assert 0 <= value < 2**32


def test_ids_with_the_separator_are_refused() -> None:
    with pytest.raises(ValidationError):
        assignment_hash("a:b", "e", "x")


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_compiled_sql_parses_in_both_engines(dialect: str) -> None:
    experiment = SUPPORTIVE.policy.experiments[0]
    for sql in (segment_case_sql(SUPPORTIVE), arm_case_sql(experiment, platform="demo")):
        spark = sqlglot.transpile(sql, read="duckdb", write=dialect)[0]
        assert sqlglot.parse_one(spark, read=dialect).find(sqlglot.exp.Case) is not None


def test_sql_hash_is_bit_for_bit_the_python_hash() -> None:
    duckdb = pytest.importorskip("duckdb")
    ids = ["L000001", "L000002", "借据-42", "", "x' OR 1=1 --"]
    sql = f"SELECT {bucket_sql('demo', 'early-tone', 'id')} FROM (SELECT unnest(?) AS id)"
    got = [row[0] for row in duckdb.execute(sql, [ids]).fetchall()]
    assert got == [assignment_bucket("demo", "early-tone", i) for i in ids]


def test_sql_engine_agrees_with_the_python_evaluator() -> None:
    duckdb = pytest.importorskip("duckdb")
    rng = random.Random(4)
    rows = [
        account(
            dpd=rng.randint(0, 90),
            score=rng.choice([None, Decimal(rng.randint(0, 100)) / 100]),
            band=rng.choice(["A", "C", "D", "E"]),
            broken_promises=rng.randint(0, 3),
            hardship_flag=rng.random() < 0.1,
            vulnerable_flag=rng.random() < 0.05,
            dispute_flag=rng.random() < 0.05,
        )
        for _ in range(300)
    ]
    experiment = SUPPORTIVE.policy.experiments[0]
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE accounts (account_id VARCHAR, dpd INTEGER, score DECIMAL(4,2), band VARCHAR,"
        " broken_promises INTEGER, hardship_flag BOOLEAN, vulnerable_flag BOOLEAN,"
        " dispute_flag BOOLEAN)"
    )
    names = [
        "dpd",
        "score",
        "band",
        "broken_promises",
        "hardship_flag",
        "vulnerable_flag",
        "dispute_flag",
    ]
    con.executemany(
        "INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [[f"L{i}", *(row[n] for n in names)] for i, row in enumerate(rows)],
    )
    query = (
        f"SELECT {segment_case_sql(SUPPORTIVE)}, {arm_case_sql(experiment, platform='demo')}"
        " FROM accounts ORDER BY CAST(substr(account_id, 2) AS INTEGER)"
    )
    in_sql = con.execute(query).fetchall()
    for i, (row, (segment, arm)) in enumerate(zip(rows, in_sql, strict=True)):
        decision = decide(SUPPORTIVE, row, platform="demo", account_id=f"L{i}")
        assert decision.segment == segment
        if segment == experiment.segment:
            assert decision.arm == arm


# -- the experiment split, written once (arm_bounds) and read by Python and SQL ------------


@lru_cache(maxsize=1)
def ids_by_bucket() -> dict[int, str]:
    """An account id in every bucket of experiment "tone" on platform "demo"."""
    found: dict[int, str] = {}
    n = 0
    while len(found) < BUCKETS:
        found.setdefault(assignment_bucket("demo", "tone", f"L{n}"), f"L{n}")
        n += 1
    return found


@st.composite
def splits(draw: st.DrawFn) -> tuple[Experiment, list[str]]:
    """2 to 5 arms whose weights (multiples of 0.0001) sum to 1, and accounts on both sides
    of every boundary between two arms."""
    n = draw(st.integers(2, 5))
    cut = st.integers(1, BUCKETS - 1)
    cuts = sorted(draw(st.lists(cut, min_size=n - 1, max_size=n - 1, unique=True)))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, BUCKETS], strict=True)]
    arms = [
        Arm(id=f"arm{i}", role=ArmRole.CHALLENGER, treatment=f"t{i}", weight=Decimal(s) / BUCKETS)
        for i, s in enumerate(sizes)
    ]
    buckets = {0, BUCKETS - 1, *cuts, *(c - 1 for c in cuts)}
    buckets |= set(draw(st.lists(st.integers(0, BUCKETS - 1), max_size=20)))
    return Experiment(id="tone", segment="s", arms=arms), [ids_by_bucket()[b] for b in buckets]


@settings(max_examples=100, deadline=None)
@given(splits())
def test_sql_arms_are_the_python_arms_for_any_split(split: tuple[Experiment, list[str]]) -> None:
    duckdb = pytest.importorskip("duckdb")
    experiment, ids = split
    case = arm_case_sql(experiment, platform="demo")
    rows = duckdb.execute(f"SELECT {case} FROM (SELECT unnest(?) AS account_id)", [ids])
    got = [row[0] for row in rows.fetchall()]
    assert got == [choose_arm(experiment, platform="demo", account_id=i)[0] for i in ids]


def test_arm_bounds_give_each_arm_its_weight_and_the_last_the_rest() -> None:
    experiment = SUPPORTIVE.policy.experiments[0]
    bounds = arm_bounds(experiment)
    assert [arm.id for arm, _ in bounds] == [arm.id for arm in experiment.arms]
    ends = [end for _, end in bounds]
    assert ends[-1] == BUCKETS
    widths = [b - a for a, b in zip([0, *ends], ends, strict=False)]
    assert widths == [int(arm.weight * BUCKETS) for arm in experiment.arms]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
def test_a_quoted_literal_reads_back_as_its_text(text: str) -> None:
    duckdb = pytest.importorskip("duckdb")
    assert duckdb.execute(f"SELECT {quote_literal(text)}").fetchall() == [(text,)]
    spark = sqlglot.transpile(f"SELECT {quote_literal(text)}", read="duckdb", write="spark")[0]
    assert sqlglot.parse_one(spark, read="spark").expressions[0].this == text
