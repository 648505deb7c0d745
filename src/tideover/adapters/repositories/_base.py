"""What every platform-scoped repository shares: the platform check, id look-ups, bulk writes."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Date,
    Enum,
    Integer,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from tideover.adapters.orm import PlatformRow
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.i18n import N_, Wording

if TYPE_CHECKING:
    import psycopg
    import pyarrow as pa

# psycopg and Arrow are imported where rows are copied: a command that reads a few rows
# (most of them) starts without them.

T = TypeVar("T")
K = TypeVar("K", str, int, date)
# Keeps IN (...) lists well under every driver's bound-parameter limit.
CHUNK = 500
# Above this many ids, look-ups read all the platform's keys in one query.
SCAN_THRESHOLD = 5 * CHUNK
# ``Session.info`` key of the platform keys (by code) looked up in a session.
PLATFORM_IDS = "platform_ids"
# Above this many rows PostgreSQL is fed through COPY, an order of magnitude
# faster than multi-row INSERTs for the 300k-installment demo portfolio.
COPY_THRESHOLD = 1000
# Rows per Arrow batch of a column-wise write.
COPY_BATCH = 100_000


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def key_batches(session: Session, keys: Iterable[K]) -> Iterator[Sequence[K]]:
    """``keys`` sorted, in batches for :func:`among`: all at once on PostgreSQL, which takes
    them as one array parameter, and chunks elsewhere (bound-parameter limits)."""
    ordered = sorted(set(keys))
    if session.get_bind().dialect.name == "postgresql":
        return iter([ordered] if ordered else [])
    return chunks(ordered)


def among(
    session: Session, column: ColumnElement[K] | InstrumentedAttribute[K], keys: Sequence[K]
) -> ColumnElement[bool]:
    """``column`` is one of ``keys`` (a batch of :func:`key_batches`): ``= ANY(array)`` on
    PostgreSQL, one parameter whatever its length — neither SQLAlchemy nor the driver then
    writes out (and parses) a placeholder per key — and ``IN (...)`` elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(keys), type_=ARRAY(column.type)))
    return column.in_(keys)


# --- statements built once ---------------------------------------------------------------------
#
# A read that runs on every request (the borrower 360, the session check) builds its
# statement once, with named parameters, in a function cached on the dialect and the shape
# of the query (``functools.cache``); each call only binds values.  Building a SELECT of a
# dozen columns and conditions anew costs about as much CPU as executing it: measured on one
# indexed read of a few rows, 225 µs built each time, 119 µs built once.


def dialect_of(session: Session) -> str:
    """The session's database, for the statement builders: ``postgresql`` or ``sqlite``."""
    return session.get_bind().dialect.name


def platform_param() -> BindParameter[int]:
    """The platform's key in a statement built once, bound as ``platform_id``."""
    return bindparam("platform_id", type_=BigInteger)


def among_param(
    dialect: str, column: ColumnElement[Any] | InstrumentedAttribute[Any], name: str
) -> ColumnElement[bool]:
    """:func:`among` in a statement built once: the keys bound later as ``name`` (a batch of
    :func:`key_batches`) — one array parameter on PostgreSQL, an expanding ``IN`` elsewhere."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def bulk_insert(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Writes ``rows`` set-based, in the session's transaction; a duplicate is a ``Conflict``.

    Every row must have the same keys.  Columns left out take their server defaults.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    try:
        if dialect == "postgresql" and len(rows) >= COPY_THRESHOLD:
            _copy(session, model.__table__.name, rows)
        elif not (dialect == "sqlite" and _executed_plain(session, model.__table__, rows)):
            session.execute(insert(model.__table__), rows)
    except (IntegrityError, sqlite3.IntegrityError) as exc:
        raise conflict(model.__table__.name, exc) from exc


def _executed_plain(session: Session, table: Table, rows: list[dict[str, Any]]) -> bool:
    """On SQLite, ``rows`` written by the driver's ``executemany`` of plain tuples, when
    the table's columns need no conversion the ORM's would do (integers, text, dates as ISO
    text) and no Python-side default fills a column left out; False (nothing written)
    otherwise.  The same rows, the same transaction, without SQLAlchemy's per-row
    parameter processing (most of writing a 300k-installment book)."""
    names = list(rows[0])
    given = set(names)
    if len(rows) < COPY_THRESHOLD or any(
        c.default is not None for c in table.columns if c.name not in given
    ):
        return False
    dates: list[int] = []
    for index, name in enumerate(names):
        kind = table.columns[name].type
        if isinstance(kind, Date):
            dates.append(index)
        elif not isinstance(kind, Integer | String) or isinstance(kind, Enum):
            return False
    values = [[row[name] for name in names] for row in rows]
    for index in dates:
        for row_values in values:
            day = row_values[index]
            if day is not None:
                if not isinstance(day, date):
                    return False  # SQLAlchemy refuses it, in its words
                row_values[index] = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    _executemany(session, table.name, names, [values])
    return True


def _executemany(
    session: Session, table: str, names: Sequence[str], batches: Iterable[Sequence[Sequence[Any]]]
) -> None:
    """Each batch of value rows (in the order of ``names``) into ``table`` by the driver's
    ``executemany``, in the session's transaction."""
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    statement = f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})'
    cursor = session.connection().connection.cursor()
    try:
        for values in batches:
            cursor.executemany(statement, values)
    finally:
        cursor.close()


def _copy(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    import psycopg

    try:
        _copy_rows(session, table, rows)
    except psycopg.IntegrityError as exc:
        raise conflict(table, exc) from exc


def _copy_rows(session: Session, table: str, rows: list[dict[str, Any]]) -> None:
    from psycopg.types.json import Jsonb

    columns = list(rows[0])
    documents = [i for i, c in enumerate(columns) if isinstance(rows[0][c], dict | list)]
    quoted = ", ".join(f'"{column}"' for column in columns)
    # Only reached on the psycopg dialect, whose driver connection is a psycopg Connection.
    raw = cast("psycopg.Connection[Any]", session.connection().connection.driver_connection)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            values = [row[column] for column in columns]
            for index in documents:  # JSON goes in as jsonb, not as a PostgreSQL array
                values[index] = Jsonb(values[index])
            copy.write_row(values)


def copy_csv(session: Session, table: str, rows: pa.Table) -> None:
    """All of ``rows`` into ``table`` (its columns by name) by one ``COPY … FROM STDIN`` in
    CSV, written by Arrow in C a batch at a time, in the session's transaction; a
    duplicate or broken reference is a ``Conflict``.  Null values go as NULL."""
    import psycopg
    import pyarrow as pa
    from pyarrow import csv

    quoted = ", ".join(f'"{column}"' for column in rows.column_names)
    raw = cast("psycopg.Connection[Any]", session.connection().connection.driver_connection)
    options = csv.WriteOptions(include_header=False, quoting_style="needed")
    statement = f'COPY "{table}" ({quoted}) FROM STDIN (FORMAT csv)'
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for batch in rows.to_batches(max_chunksize=COPY_BATCH):
                sink = pa.BufferOutputStream()
                csv.write_csv(batch, sink, options)
                copy.write(memoryview(sink.getvalue()))
    except psycopg.IntegrityError as exc:
        raise conflict(table, exc) from exc


def insert_columns(session: Session, model: type[Any], rows: pa.Table) -> None:
    """All of ``rows`` into ``model``'s table by one ``executemany`` of plain tuples (where
    there is no ``COPY``); a duplicate or broken reference is a ``Conflict``."""
    batches = (
        list(zip(*[_plain(column) for column in batch.columns], strict=True))
        for batch in rows.to_batches(max_chunksize=COPY_BATCH)
    )
    try:
        _executemany(session, model.__table__.name, rows.column_names, batches)
    except sqlite3.IntegrityError as exc:
        raise conflict(model.__table__.name, exc) from exc


def _plain(column: pa.Array) -> list[Any]:
    """A column as values SQLite stores as the ORM does: dates as ISO text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_date(column.type):
        return pc.strftime(column, "%Y-%m-%d").to_pylist()  # type: ignore[no-any-return]
    return column.to_pylist()  # type: ignore[no-any-return]


# What a refusal calls each kind of record: words inside its message, translated with it.
BORROWERS = Wording(N_("borrowers"))
LOANS = Wording(N_("loans"))
PAYMENTS = Wording(N_("payments"))
PLANS = Wording(N_("relief plans"))
APPLICATIONS = Wording(N_("hardship applications"))
COLLECTORS = Wording(N_("collectors"))
CONTACT_ATTEMPTS = Wording(N_("contact attempts"))
HOLDS = Wording(N_("contact holds"))

_TABLE_NAMES = {
    "borrowers": BORROWERS,
    "borrower_phones": Wording(N_("phone numbers")),
    "loans": LOANS,
    "installments": Wording(N_("installments")),
    "payments": PAYMENTS,
    "loan_pauses": Wording(N_("pauses")),
    "delinquency_snapshots": Wording(N_("delinquency snapshots")),
}


def conflict(
    table: str, exc: IntegrityError | psycopg.IntegrityError | sqlite3.IntegrityError
) -> Conflict:
    """The database refused rows of ``table``: said in words, with the database's reason."""
    cause = exc.orig if isinstance(exc, IntegrityError) else exc
    detail = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return Conflict(
        N_("cannot store %(kind)s: an id already exists or a reference is broken (%(detail)s)"),
        kind=_TABLE_NAMES.get(table, table),
        detail=detail,
    )


class PlatformScoped:
    """Base of the repositories that see one platform only."""

    def __init__(self, session: Session, platform_code: str) -> None:
        self._session = session
        self.platform_code = platform_code
        # A platform's key never changes: looked up once per session, not per repository
        # (a use case that reads ten kinds of record would otherwise ask ten times).
        known: dict[str, int] = session.info.setdefault(PLATFORM_IDS, {})
        platform_id = known.get(platform_code)
        if platform_id is None:
            platform_id = session.scalar(
                select(PlatformRow.id).where(PlatformRow.code == platform_code)
            )
        if platform_id is None:
            raise NotFound(
                N_("unknown platform %(platform_code)s; create it first"),
                platform_code=repr(platform_code),
            )
        known[platform_code] = platform_id
        self._platform_id: int = platform_id

    def _own(self, kind: Wording, item_id: str, platform: str) -> None:
        """Refuses to write another platform's object through this repository."""
        if platform != self.platform_code:
            raise ValidationError(
                N_("%(kind)s: %(item_id)s belongs to platform %(platform)s, not %(platform_code)s"),
                kind=kind,
                item_id=repr(item_id),
                platform=repr(platform),
                platform_code=repr(self.platform_code),
            )

    def _pks(self, column: InstrumentedAttribute[str], ids: Iterable[str]) -> dict[str, int]:
        """Surrogate keys of this platform's rows whose external id is in ``ids``."""
        table = column.class_
        wanted = sorted(set(ids))
        scoped = select(column, table.id).where(table.platform_id == self._platform_id)
        if len(wanted) > SCAN_THRESHOLD:
            # One scan of the platform's keys beats hundreds of IN (...) round trips.
            every = self._session.execute(scoped).all()
            keep = set(wanted)
            return {ext: pk for ext, pk in every if ext in keep}
        found: dict[str, int] = {}
        for chunk in chunks(wanted):
            found.update(dict(self._session.execute(scoped.where(column.in_(chunk))).all()))
        return found

    def _require(
        self, column: InstrumentedAttribute[str], ids: Iterable[str], kind: Wording
    ) -> dict[str, int]:
        """Like ``_pks``, but every id must exist (``NotFound`` lists the first missing)."""
        wanted = set(ids)
        found = self._pks(column, wanted)
        missing = sorted(wanted - found.keys())
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise NotFound(
                N_("unknown %(kind)s on platform %(platform_code)s (%(count)s): %(shown)s"),
                kind=kind,
                platform_code=repr(self.platform_code),
                count=len(missing),
                shown=shown,
            )
        return found

    def _refuse_duplicates(
        self, column: InstrumentedAttribute[str], ids: Sequence[str], kind: Wording
    ) -> None:
        """``Conflict`` naming the ids repeated in ``ids`` or already stored on this platform."""
        counts = Counter(ids)
        repeated = {i for i, n in counts.items() if n > 1}
        clashes = sorted(repeated | self._pks(column, counts).keys())
        if clashes:
            shown = ", ".join(clashes[:5]) + (" …" if len(clashes) > 5 else "")
            raise Conflict(
                N_(
                    "%(kind)s already on platform %(platform_code)s or repeated in the batch "
                    "(%(count)s): %(shown)s"
                ),
                kind=kind,
                platform_code=repr(self.platform_code),
                count=len(clashes),
                shown=shown,
            )

    def _insert_new(
        self,
        model: type[Any],
        column: InstrumentedAttribute[str],
        rows: list[dict[str, Any]],
    ) -> dict[str, int]:
        """Inserts parent rows and returns their surrogate keys by external id.

        Keys are read back rather than RETURNed: SQLite cannot order RETURNING
        of a multi-row insert and would fall back to one statement per row.
        """
        bulk_insert(self._session, model, rows)
        return self._pks(column, (row[column.key] for row in rows))

    def _count(self, model: type[Any]) -> int:
        query = (
            select(func.count()).select_from(model).where(model.platform_id == self._platform_id)
        )
        return int(self._session.scalar(query) or 0)
