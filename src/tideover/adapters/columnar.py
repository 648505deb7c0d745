"""Bulk reads as Arrow columns: the daily cycle's big tables without a Python object per row.

A platform's installments and payments are tens of millions of rows at a
large lender.  Fetched as driver tuples they cost far more than the database
takes to produce them (bench/RESULTS.md); read through an ADBC driver they
arrive as Arrow columns built in C: PostgreSQL's driver streams a binary
``COPY … TO STDOUT``.  The read runs on its own connection to the same database (the same URL,
credentials and ``search_path``), outside the session's transaction: it sees
what is committed, which is all the cycle reads (its run record and the
inbox's imports commit before the delinquency stage).

:func:`columnar_reader` gives None for SQLite; callers then read rows as
before.  ADBC's SQLite driver carries its own copy of the SQLite library, and
two copies of SQLite in one process on the same file do not see each other's
POSIX locks: closing one releases the other's, and a reader can keep seeing
a WAL snapshot older than the last commit (https://www.sqlite.org/howtocorrupt.html,
§2.2 "Multiple copies of SQLite linked into the same application").
A repaired payment then stayed invisible to the next run; the embedded
database keeps to the one library Python's ``sqlite3`` uses.

Reads of a range of loan keys (a part of the book) ask for ``key_ranges``: the
connection then plans without sequential and bitmap scans, so that the range is
read through the index that starts with the platform and the loan key, in the
order asked, touching only its own rows.  PostgreSQL's planner undervalues such an
index scan: it takes the correlation of the index's first column, the platform,
times 0.75 for an index of several columns, and prices most pages as random reads.
It then prefers a parallel scan of the whole table and a sort, for every part: at
ten million loans a part's installments took 6.6 s that way against 1.6 s through
the index, its payments 6.3 s against 1.2 s and its accounts 2.1 s against 0.4 s,
and the whole table is read once a part (bench/RESULTS.md).  This is what a
partitioned read of a database table by key ranges assumes (Spark's JDBC source
reads its partitions by ranges of ``partitionColumn``): an index on the key.
Whole-table reads keep the planner's choice.

A connection lost mid-read, or a server that went away, raises
:class:`tideover.domain.errors.DataUnavailable` in en and zh, without SQL or
parameters: the cycle then fails cleanly and keeps nothing of the run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from sqlalchemy import Select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from tideover.adapters.db_errors import DatabaseError
from tideover.domain.errors import DataUnavailable
from tideover.domain.redact import scrub
from tideover.i18n import N_

# Connection options libpq understands in a URI; SQLAlchemy's own ones are left out.
_LIBPQ_OPTIONS = frozenset(
    {"options", "sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout",
     "application_name", "target_session_attrs", "keepalives", "keepalives_idle"}
)  # fmt: skip


class ColumnarReader:
    """Reads statements as Arrow tables on one ADBC connection (open until ``close``)."""

    def __init__(self, dialect: str, connection: Any) -> None:
        self.dialect = dialect
        self._connection = connection

    def read(self, session: Session, query: Select[Any]) -> pa.Table:
        """All rows of ``query`` (rendered with its values, as ``_bulk.plain_rows`` does)."""
        compiled = query.compile(
            dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
        )
        return self.read_sql(str(compiled))

    def read_sql(self, sql: str) -> pa.Table:
        try:
            with contextlib.closing(self._connection.cursor()) as cursor:
                cursor.execute(sql)
                table: pa.Table = cursor.fetch_arrow_table()
                return table
        except Exception as exc:
            raise read_error(exc) from exc

    def batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        """The rows of ``sql`` a batch at a time, as the driver streams them: memory
        follows a batch, not the result."""
        try:
            with contextlib.closing(self._connection.cursor()) as cursor:
                cursor.execute(sql)
                yield from cursor.fetch_record_batch()
        except Exception as exc:
            raise read_error(exc) from exc

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._connection.close()


def read_error(exc: BaseException) -> Exception:
    """The driver's error as one coded line: a lost or unreachable server is unavailable
    data; anything else a database error.  Neither quotes the statement."""
    import adbc_driver_manager

    if isinstance(exc, DataUnavailable | DatabaseError):
        return exc
    lines = str(exc).strip().splitlines()
    reason = scrub(lines[0])[:300] if lines else type(exc).__name__
    lost = (
        isinstance(
            exc,
            adbc_driver_manager.OperationalError | adbc_driver_manager.InterfaceError | OSError,
        )
        or "connection" in reason.lower()
    )
    if lost:
        return DataUnavailable(
            N_(
                "the database connection was lost while reading the portfolio "
                "(%(reason)s); nothing of the unfinished work was kept — rerun once the "
                "database is back"
            ),
            reason=reason,
        )
    return DatabaseError(
        N_("the database refused a bulk read of the portfolio (%(reason)s)"),
        reason=reason,
    )


# What a key-range read sets on its connection (module doc).
_KEY_RANGE_PLANNING = ("SET enable_seqscan = off", "SET enable_bitmapscan = off")


def columnar_reader(session: Session, *, key_ranges: bool = False) -> ColumnarReader | None:
    """A reader on a second connection to the session's database, or None (see module doc);
    ``key_ranges``: its statements each read a range of an index's keys."""
    url = session.get_bind().engine.url
    backend = url.get_backend_name()
    try:
        if backend == "postgresql":
            import adbc_driver_postgresql.dbapi as postgresql  # type: ignore[import-untyped]

            reader = ColumnarReader("postgresql", postgresql.connect(_libpq_uri(url)))
            if key_ranges:
                try:
                    for setting in _KEY_RANGE_PLANNING:
                        reader.read_sql(setting)
                except Exception:
                    reader.close()
                    raise
            return reader
    except ImportError:  # pragma: no cover - the driver is a dependency
        return None
    except Exception as exc:
        raise read_error(exc) from exc
    return None


@contextlib.contextmanager
def columnar_reads(
    session: Session, *, key_ranges: bool = False
) -> Iterator[ColumnarReader | None]:
    """:func:`columnar_reader` for a block, closed after it."""
    reader = columnar_reader(session, key_ranges=key_ranges)
    try:
        yield reader
    finally:
        if reader is not None:
            reader.close()


def _libpq_uri(url: URL) -> str:
    plain = url.set(drivername="postgresql")
    query = {k: v for k, v in plain.query.items() if k in _LIBPQ_OPTIONS}
    return plain.set(query=query).render_as_string(hide_password=False)
