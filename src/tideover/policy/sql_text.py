"""SQL text shared by the policy's SQL forms and the engines that run them.

A policy becomes SQL in two places: the portable assignment hash
(:mod:`tideover.policy.hashing`) and the assignment engine that compiles a
whole policy (``tideover.batch.assign``, whose DuckDB SQL sqlglot transpiles
for Spark).  Both, and every engine statement that names a value, quote string
literals here, the one place that does it.
"""

from __future__ import annotations


def quote_literal(text: str) -> str:
    """``text`` as an SQL string literal: in single quotes, each quote doubled (SQL-92).

    The same in DuckDB and Spark SQL; ids and labels never need more, since a
    literal is never read as anything but text.
    """
    return "'" + text.replace("'", "''") + "'"
