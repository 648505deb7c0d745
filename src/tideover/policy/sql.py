"""Compile a policy's choices to SQL expressions for the set-based engines.

DuckDB is the dialect written here; sqlglot transpiles it for Spark.  The
conditions are the checked sqlglot trees, so what runs is what was validated.
"""

from __future__ import annotations

from tideover.policy.document import CompiledPolicy
from tideover.policy.hashing import BUCKETS, bucket_sql
from tideover.policy.model import Experiment


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def segment_case_sql(compiled: CompiledPolicy, *, dialect: str = "duckdb") -> str:
    """One CASE expression giving each row its segment id (first match wins)."""
    whens = []
    default = None
    for segment in compiled.policy.segments:
        if segment.default:
            default = segment.id
            continue
        condition = compiled.segment_conditions[segment.id].sql(dialect)
        # CASE, like WHERE, takes a NULL condition as not matching: as the Python evaluator.
        whens.append(f"WHEN {condition} THEN {_quote(segment.id)}")
    return f"CASE {' '.join(whens)} ELSE {_quote(str(default))} END"


def arm_case_sql(
    experiment: Experiment, *, platform: str, account_column: str = "account_id"
) -> str:
    """A CASE giving the arm id from the portable bucket (DuckDB SQL)."""
    bucket = bucket_sql(platform, experiment.id, account_column)
    whens, upper = [], 0
    for arm in experiment.arms[:-1]:
        upper += int(arm.weight * BUCKETS)
        whens.append(f"WHEN {bucket} < {upper} THEN {_quote(arm.id)}")
    return f"CASE {' '.join(whens)} ELSE {_quote(experiment.arms[-1].id)} END"
