"""Driver errors as one short, coded line: no SQL, no parameters, no credentials.

SQLAlchemy's message for a failed statement is the driver's text followed by
``[SQL: ...]`` and ``[parameters: ...]`` — the values being written: names,
addresses, ID numbers.  :func:`database_error` reads what kind of failure it
was from the driver's own codes (PostgreSQL SQLSTATE, SQLite's extended error
name) and says it in a sentence of its own, in English and Chinese, with that
code for whoever must look further.  The CLI's error handler calls it for any
exception that is not already a :class:`TideoverError`.

SQLSTATE classes: PostgreSQL documentation, appendix A "PostgreSQL Error Codes";
SQLite codes: https://www.sqlite.org/rescode.html.
"""

from __future__ import annotations

import sqlite3
import sys
from types import TracebackType
from typing import TYPE_CHECKING, TypeGuard

from sqlalchemy import exc as sa_exc

from tideover.domain.errors import (
    ConfigurationError,
    Conflict,
    DataUnavailable,
    TideoverError,
)
from tideover.i18n import N_, Wording

if TYPE_CHECKING:
    import psycopg


class DatabaseError(TideoverError):
    """The database failed in a way the other kinds do not name."""

    code = "database_error"
    http_status = 500


class DatabaseReadOnly(DatabaseError):
    code = "database_read_only"
    http_status = 503


class DatabaseFull(DatabaseError):
    code = "database_full"
    http_status = 507


class DatabaseBusy(DatabaseError):
    code = "database_busy"
    http_status = 503


class DatabaseUnreachable(DataUnavailable):
    code = "database_unreachable"


class DatabaseSchemaOutdated(ConfigurationError):
    code = "database_schema_outdated"


class ConstraintViolated(Conflict):
    code = "database_constraint"


class ValueNotStorable(DatabaseError):
    code = "database_value_rejected"
    http_status = 422


def _read_only(ref: str) -> TideoverError:
    return DatabaseReadOnly(
        N_(
            "the database is read-only (%(ref)s): nothing of the unfinished work was kept; "
            "check the file's permissions, or that the server is not a read-only replica"
        ),
        ref=ref,
    )


def _full(ref: str) -> TideoverError:
    return DatabaseFull(
        N_(
            "the database's disk is full (%(ref)s): nothing of the unfinished work was kept; "
            "free some space and rerun"
        ),
        ref=ref,
    )


def _busy(ref: str) -> TideoverError:
    return DatabaseBusy(
        N_(
            "the database is busy: locked by another process or a conflicting transaction "
            "(%(ref)s); nothing of the unfinished work was kept — rerun when it is free"
        ),
        ref=ref,
    )


def _unreachable(ref: str) -> TideoverError:
    return DatabaseUnreachable(
        N_(
            "the database cannot be reached or opened (%(ref)s); check TIDEOVER_DATABASE_URL "
            "and that the server is running"
        ),
        ref=ref,
    )


def _schema(ref: str) -> TideoverError:
    return DatabaseSchemaOutdated(
        N_("the database schema is missing or out of date (%(ref)s); run `tideover init`"),
        ref=ref,
    )


# The kinds of constraint, as the message names them.
_KINDS = {
    "unique": Wording(N_("unique constraint")),
    "foreign key": Wording(N_("foreign key constraint")),
    "not-null": Wording(N_("not-null constraint")),
    "check": Wording(N_("check constraint")),
    "integrity": Wording(N_("integrity constraint")),
}


def _constraint(ref: str, kind: str) -> TideoverError:
    return ConstraintViolated(
        N_(
            "the database refused the data: a %(kind)s was broken (%(ref)s); nothing of the "
            "unfinished work was kept"
        ),
        kind=_KINDS[kind],
        ref=ref,
    )


def _value(ref: str) -> TideoverError:
    return ValueNotStorable(
        N_(
            "a value could not be stored (%(ref)s): text with a NUL or an unpaired surrogate "
            "character, or a number out of range; nothing of the unfinished work was kept"
        ),
        ref=ref,
    )


def _other(ref: str) -> TideoverError:
    return DatabaseError(
        N_("the database reported an error (%(ref)s); nothing of the unfinished work was kept"),
        ref=ref,
    )


def database_error(exc: BaseException) -> TideoverError | None:
    """The short coded error for a database failure, or None if ``exc`` is not one.

    Recognises SQLAlchemy's wrapped driver errors, bare ``sqlite3``/``psycopg``
    errors, and the encoding or overflow errors a driver raises for a value it
    cannot send (they carry no SQLSTATE, so they are told by where they were raised).
    """
    if isinstance(exc, sa_exc.TimeoutError):
        return _busy("connection pool timeout")
    orig: BaseException | None = exc
    if isinstance(exc, sa_exc.StatementError):
        orig = exc.orig
        if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
            return _unreachable(_ref(orig) or "connection lost")
    if _is_psycopg_error(orig):
        return _postgres(orig)
    if isinstance(orig, sqlite3.Error):
        return _sqlite(orig)
    if isinstance(exc, sa_exc.DBAPIError):
        return _other(type(exc).__name__)
    # UnicodeEncodeError (a lone surrogate) is a ValueError; OverflowError is SQLite's
    # "Python int too large to convert to SQLite INTEGER".
    if isinstance(exc, ValueError | OverflowError) and _raised_by_driver(exc.__traceback__):
        return _value(type(exc).__name__)
    return None


def _is_psycopg_error(orig: BaseException | None) -> TypeGuard[psycopg.Error]:
    # A psycopg error exists only once psycopg is imported (by the PostgreSQL dialect):
    # a SQLite database never loads the driver just to tell its errors apart.
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(orig, psycopg.Error)


def _ref(orig: BaseException | None) -> str:
    if _is_psycopg_error(orig) and orig.sqlstate:
        return f"SQLSTATE {orig.sqlstate}"
    if isinstance(orig, sqlite3.Error):
        return getattr(orig, "sqlite_errorname", None) or type(orig).__name__
    return type(orig).__name__ if orig is not None else ""


def _postgres(orig: psycopg.Error) -> TideoverError:
    import psycopg

    state = orig.sqlstate or ""
    ref = _ref(orig)
    if state == "25006":
        return _read_only(ref)
    if state == "53100":
        return _full(ref)
    if state in ("40001", "40P01", "55P03", "57014"):
        return _busy(ref)
    if state.startswith(("08", "28", "3D", "57P")) or (
        not state and isinstance(orig, psycopg.OperationalError)
    ):
        return _unreachable(ref)
    if state in ("42P01", "42703"):
        return _schema(ref)
    if state.startswith("23"):
        kinds = {"23505": "unique", "23503": "foreign key", "23502": "not-null", "23514": "check"}
        # The constraint's name is schema, never data (the DETAIL line holds the values).
        name = orig.diag.constraint_name
        return _constraint(f"{ref}, {name}" if name else ref, kinds.get(state, "integrity"))
    if state.startswith("22") or isinstance(orig, psycopg.DataError):
        return _value(ref)
    return _other(ref)


def _sqlite(orig: sqlite3.Error) -> TideoverError:
    name: str = getattr(orig, "sqlite_errorname", None) or ""
    ref = _ref(orig)
    text = str(orig).lower()
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return _read_only(ref)
    if name == "SQLITE_FULL" or "disk is full" in text:
        return _full(ref)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return _busy(ref)
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_NOTADB", "SQLITE_PERM", "SQLITE_AUTH")):
        return _unreachable(ref)
    if "no such table" in text or "no such column" in text:
        return _schema(ref)
    if name.startswith("SQLITE_CONSTRAINT") or isinstance(orig, sqlite3.IntegrityError):
        kinds = {
            "SQLITE_CONSTRAINT_UNIQUE": "unique",
            "SQLITE_CONSTRAINT_PRIMARYKEY": "unique",
            "SQLITE_CONSTRAINT_FOREIGNKEY": "foreign key",
            "SQLITE_CONSTRAINT_NOTNULL": "not-null",
            "SQLITE_CONSTRAINT_CHECK": "check",
        }
        return _constraint(ref, kinds.get(name, "integrity"))
    if name == "SQLITE_TOOBIG" or isinstance(orig, sqlite3.DataError):
        return _value(ref)
    return _other(ref)


def _raised_by_driver(tb: TracebackType | None) -> bool:
    """True when the traceback passes through SQLAlchemy or a database driver."""
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        if module.startswith(("sqlalchemy.", "psycopg", "sqlite3")):
            return True
        tb = tb.tb_next
    return False
