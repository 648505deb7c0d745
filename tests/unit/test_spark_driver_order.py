"""The Spark engine's planned actions are put in order on the driver: DuckDB's order.

:func:`tideover.batch.cycle.spark._unordered` drops a statement's ``ORDER BY`` and
selects its keys; :func:`tideover.batch.cycle.spark._sorted` sorts by them.  Both
are pure (sqlglot and Arrow, no Spark), so they are held to DuckDB's own
``ORDER BY`` over text that sorts differently by bytes, by code point or by locale.
"""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa
import pytest

from tideover.batch.cycle.spark import _sorted, _unordered
from tideover.batch.cycle.stages import PLANNED_SQL

IDS = ["借据-7", "O'Brien", "a b", "L" * 40, "Z1", "z1", "é", "e", "10", "9", "", "ＡＢ", "𝔸"]


def test_the_planned_statement_loses_its_order_and_selects_its_keys() -> None:
    sql, keys = _unordered(PLANNED_SQL)
    assert "ORDER BY" not in sql.upper()
    assert keys == ("_order_0", "_order_1")
    assert "a.account_id AS _order_0" in sql
    assert "s.step_index AS _order_1" in sql


def test_a_statement_without_order_is_left_as_it_is() -> None:
    assert _unordered("SELECT 1 AS x") == ("SELECT 1 AS x", ())


def test_a_descending_key_is_refused() -> None:
    with pytest.raises(ValueError, match="ascending"):
        _unordered("SELECT x FROM t ORDER BY x DESC")


def test_rows_sorted_on_the_driver_come_in_duckdbs_order() -> None:
    rng = random.Random(7)
    rows = [(rng.choice(IDS), rng.randrange(5), rng.random()) for _ in range(500)]
    table = pa.table(
        {
            "account_id": [r[0] for r in rows],
            "step_index": pa.array([r[1] for r in rows], pa.int32()),
            "payload": [r[2] for r in rows],
        }
    )
    con = duckdb.connect()
    con.register("t", table)
    expected = con.sql("SELECT payload FROM t ORDER BY account_id, step_index, payload")
    sql, keys = _unordered("SELECT payload FROM t ORDER BY account_id, step_index, payload")
    got = _sorted(con.sql(sql).to_arrow_table(), keys)
    assert got.column_names == ["payload"]
    assert got.column("payload").to_pylist() == expected.to_arrow_table()["payload"].to_pylist()
    # Not already in order: the sort did the work.
    assert table.column("payload").to_pylist() != got.column("payload").to_pylist()
