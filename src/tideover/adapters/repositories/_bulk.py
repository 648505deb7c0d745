"""Bulk reads for the daily cycle: dates as day numbers, rows as the driver's plain tuples.

A whole platform's installments and payments are millions of rows.  Parsing a
``date`` per row (SQLite keeps ISO text) and wrapping every row in a result
``Row`` cost more than the database takes to produce them, so these reads
have the database compute day numbers and fetch the driver's own tuples.
"""

from __future__ import annotations

import typing
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    cast,
    func,
    literal_column,
    type_coerce,
)
from sqlalchemy.orm import Session


def day_number(session: Session, column: ColumnElement[date]) -> ColumnElement[int]:
    """Days since 1970-01-01 of a stored date (Arrow ``date32``), as an integer column."""
    if session.get_bind().dialect.name == "postgresql":
        # date - date is an integer number of days in PostgreSQL.
        return type_coerce(column - literal_column("DATE '1970-01-01'"), Integer)
    # SQLite keeps ISO text; julianday('1970-01-01') is 2440587.5, so the difference is whole.
    return cast(func.julianday(column) - 2440587.5, Integer)


def json_text(session: Session, column: ColumnElement[Any], key: str) -> ColumnElement[str]:
    """The text of a JSON document's top-level ``key`` (NULL when missing), with the key
    written into the SQL (a plain identifier), so the statement has no bind to process."""
    if not key.isidentifier():
        raise ValueError(f"not a plain JSON key: {key!r}")
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(column.op("->>")(literal_column(f"'{key}'")), String)
    return type_coerce(func.json_extract(column, literal_column(f"'$.{key}'")), String)


def plain_rows(session: Session, query: Select[Any]) -> list[tuple[Any, ...]]:
    """All rows of ``query`` as the DB-API driver returns them (tuples), in the session's
    transaction.

    No result processing is applied: only for columns the driver already returns as
    plain ``int`` and ``str`` (day numbers, minor units, ids).  The statement's values
    (a platform id, a date) are rendered into it by the dialect, so there is no
    parameter to convert either.
    """
    session.flush()
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled))
        # sqlite3 and psycopg both return a list of tuples.
        rows = typing.cast("list[tuple[Any, ...]]", cursor.fetchall())
    finally:
        cursor.close()
    return rows
