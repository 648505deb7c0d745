"""A large stored portfolio from a smaller one: copies of every row with fresh ids, in SQL.

    .venv/bin/python bench/stored_copies.py --url 'postgresql+psycopg://…' --times 10
    .venv/bin/python bench/stored_copies.py --db /work/stored.db --times 10

``stored_portfolio.py`` writes through the repositories (domain objects, about 10 s per
10,000 loans on a quiet machine: hours for a million).  This takes the ``bench``
platform as it is (borrowers, phones, loans, installments, payments, pauses, schedule
versions and the bucket history) and appends ``times - 1`` copies of it inside the
database with ``INSERT … SELECT``: copy *c* adds c × (the table's largest key + 1) to
every key and ``-c<c>`` to every external id (a reversal's ``reverses`` too), so the
copies are whole portfolios of their own, loan for loan the same mix.  Not timed by
the benchmarks.

On PostgreSQL, as a superuser, the copies are written the way a bulk load is (the
manual's "Populating a Database", https://www.postgresql.org/docs/current/populate.html):
the tables' secondary indexes and the unique constraints no foreign key refers to are
dropped first and built again after, once, by sorting; the foreign-key triggers are not
fired (``session_replication_role = replica``: every key of a copy is its original's
plus an offset, so it refers to a row of the same copy).  Each copy is appended whole
before the next, so a table stays in key order on disk as a long-lived one is.  All of
it is one transaction: stopped half-way, the database is as it was.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import psycopg

# In foreign-key order; each with its key-bearing columns.
TABLES = (
    "borrowers",
    "borrower_phones",
    "loans",
    "installments",
    "payments",
    "loan_pauses",
    "schedule_versions",
    "delinquency_snapshots",
)
EXTERNAL_IDS = ("borrower_id", "loan_id", "payment_id")


def _columns(cursor: Any, table: str, postgres: bool) -> list[str]:
    if postgres:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = %s ORDER BY ordinal_position",
            (table,),
        )
    else:
        cursor.execute(f"SELECT name FROM pragma_table_info('{table}')")
    return [row[0] for row in cursor.fetchall()]


def copy(
    cursor: Any, platform_id: int, times: int, postgres: bool, suffix: str = "c"
) -> dict[str, int]:
    offsets: dict[str, int] = {}
    for table in TABLES:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
        offsets[table] = int(cursor.fetchone()[0])
    written: dict[str, int] = {}
    for table in TABLES:
        columns = _columns(cursor, table, postgres)
        for c in range(1, times):
            values = []
            for name in columns:
                if name == "id":
                    values.append(f"id + {c * offsets[table]}")
                elif name == "borrower_pk":
                    values.append(f"borrower_pk + {c * offsets['borrowers']}")
                elif name == "loan_pk":
                    values.append(f"loan_pk + {c * offsets['loans']}")
                elif name in EXTERNAL_IDS:
                    values.append(f"{name} || '-{suffix}{c}'")
                elif name == "reverses":
                    values.append(
                        f"CASE WHEN reverses IS NULL THEN NULL ELSE reverses || '-{suffix}{c}' END"
                    )
                else:
                    values.append(name)
            listed = ", ".join(columns)
            cursor.execute(
                f"INSERT INTO {table} ({listed}) SELECT {', '.join(values)} FROM {table} "
                f"WHERE platform_id = {platform_id} AND id < {offsets[table]}"
            )
            written[table] = written.get(table, 0) + cursor.rowcount
        if postgres:
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            cursor.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")
    return written


def _bulk_load(cursor: Any) -> list[str] | None:
    """Drops what the copies would otherwise keep up to date row by row and gives the
    statements that build it again; None (nothing dropped) unless a superuser."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not cursor.fetchone()[0]:
        return None
    cursor.execute(
        """
        SELECT t.relname, i.relname, c.conname IS NOT NULL,
               coalesce(pg_get_constraintdef(c.oid), pg_get_indexdef(x.indexrelid))
          FROM pg_index x
          JOIN pg_class i ON i.oid = x.indexrelid
          JOIN pg_class t ON t.oid = x.indrelid
          LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype = 'u'
         WHERE t.relnamespace = current_schema()::regnamespace
           AND t.relname = ANY(%s)
           AND NOT x.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint f
                            WHERE f.contype = 'f' AND f.conindid = x.indexrelid)
        """,
        (list(TABLES),),
    )
    rebuild: list[str] = []
    for table, name, is_constraint, definition in cursor.fetchall():
        if is_constraint:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        else:
            cursor.execute(f'DROP INDEX "{name}"')
            rebuild.append(definition)
    cursor.execute("SET LOCAL session_replication_role = replica")
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    return rebuild


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--times", type=int, required=True)
    parser.add_argument(
        "--suffix",
        default="c",
        help="letter of the copies' external ids (-c1, -c2, …); another one to copy a copy again",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.url:
        plain, _, query = args.url.replace("postgresql+psycopg://", "postgresql://").partition("?")
        options = dict(part.split("=", 1) for part in query.split("&") if part)
        schema = options.get("options", "").replace("%3D", "=").removeprefix("-csearch_path=")
        with psycopg.connect(plain) as connection, connection.cursor() as cursor:
            if schema:
                cursor.execute(f'SET search_path TO "{schema}"')
            cursor.execute("SELECT id FROM platforms WHERE code = 'bench'")
            platform_id = int(cursor.fetchone()[0])
            rebuild = _bulk_load(cursor)
            written = copy(cursor, platform_id, args.times, True, args.suffix)
            for statement in rebuild or ():
                cursor.execute(statement)
            connection.commit()
            cursor.execute("ANALYZE")
    else:
        connection = sqlite3.connect(args.db)
        cursor = connection.cursor()
        cursor.execute("SELECT id FROM platforms WHERE code = 'bench'")
        written = copy(cursor, int(cursor.fetchone()[0]), args.times, False, args.suffix)
        connection.commit()
        connection.close()
    print(json.dumps({"written": written, "seconds": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()
