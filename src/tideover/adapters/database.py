"""Engines, sessions and schema migrations for SQLite (embedded) and PostgreSQL.

SQLite is the embedded default; PostgreSQL (through psycopg 3) is the
production database.  The schema is owned by the Alembic migrations in
``adapters/migrations``; ``migrate`` runs them from code, so no
``alembic.ini`` is needed next to the project.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.orm import Session, sessionmaker

from tideover.adapters.db_errors import database_error as database_error
from tideover.domain.errors import ConfigurationError, DataUnavailable
from tideover.domain.redact import scrub
from tideover.i18n import N_

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# A pooled PostgreSQL connection idle this long is checked (``SELECT 1``) before it is
# handed out again; one in use more recently is not (see ``_ping_when_idle``).
IDLE_BEFORE_PING = 1.0  # seconds
_LAST_USED = "tideover_last_used"


def display_url(url: str | URL) -> str:
    """``url`` as it may be printed or logged: the password, and any password-like query
    value, replaced by ``***``.

    Works on text that does not parse too, and on a password holding an unescaped
    ``@`` or ``/`` (which SQLAlchemy would read partly as the host): everything up
    to the last ``@`` before the path is the user's.
    """
    text = url.render_as_string(hide_password=False) if isinstance(url, URL) else str(url)
    scheme, separator, rest = text.partition("://")
    if not separator:
        return "<unreadable database URL>"
    userinfo, at, location = rest.rpartition("@")
    if at:
        user, colon, _password = userinfo.partition(":")
        rest = f"{user}{':***' if colon else ''}@{location}"
    head, question, query = rest.partition("?")
    if question:
        head += "?" + "&".join(_hide_secret(pair) for pair in query.split("&"))
    return f"{scheme}://{head}"


_SECRET_KEYS = ("password", "passwd", "pwd", "sslpassword", "secret", "token")


def _hide_secret(pair: str) -> str:
    key, equals, _value = pair.partition("=")
    return f"{key}=***" if equals and key.lower() in _SECRET_KEYS else pair


def normalise_url(url: str) -> URL:
    """``url`` parsed, with plain ``postgresql://`` sent to the psycopg 3 driver."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(
            N_("invalid database URL %(display_url)s"),
            display_url=display_url(url),
        ) from exc
    if parsed.host and "@" in parsed.host:
        # "user:pa@ss@host": SQLAlchemy takes "ss@host" as the host, so connecting, and
        # any error naming the host, would print part of the password.
        raise ConfigurationError(
            N_(
                "invalid database URL %(display_url)s: the password holds an '@' or "
                "another reserved character; percent-encode it (@ is %%40)"
            ),
            display_url=display_url(url),
        )
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigurationError(
            N_(
                "unsupported database %(drivername)s in the database URL; use "
                "sqlite:///path or postgresql://user@host/db"
            ),
            drivername=repr(parsed.drivername),
        )
    return parsed


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` (SQLite file or PostgreSQL), tuned for Tideover.

    SQLite gets its parent directory created, foreign keys enforced, WAL
    journaling and ``synchronous=NORMAL`` (durable across application
    crashes, fast enough for bulk imports).  Extra ``kwargs`` go to
    ``sqlalchemy.create_engine``.
    """
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    if "connect_timeout" not in parsed.query:
        # Fail in seconds, not minutes, when the server is down or firewalled.
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", 10)
    try:
        engine = create_engine(parsed, **kwargs)
    except NoSuchModuleError as exc:  # pragma: no cover - psycopg is a dependency
        raise ConfigurationError(
            N_("the PostgreSQL driver is not installed: %(exc)s"),
            exc=str(exc),
        ) from exc
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Checks a pooled connection before handing it out only when it has been idle
    ``IDLE_BEFORE_PING`` seconds or more; a broken one is replaced, unseen by the caller.

    SQLAlchemy's ``pool_pre_ping`` checks every time: a round trip to the server before
    each unit of work, on a web request two of about fifteen.  A connection the server has
    dropped (a restart, a failover, an idle timeout) has nearly always been idle longer
    than a second; one that breaks while in use fails its statement as before, and the
    pool then drops every connection made before it.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_LAST_USED)
        if last is None or time.monotonic() - last < IDLE_BEFORE_PING:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_connection, None):
                raise DisconnectionError(str(exc)) from exc  # the pool connects afresh
            raise


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    database = url.database or ""
    # ":memory:" and "file:" URIs are not plain paths: no directory to create, no WAL to set.
    in_memory = database in ("", ":memory:") or database.startswith("file:")
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Waits for a concurrent writer instead of failing at once with "database is locked".
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def connection_lost(exc: BaseException) -> DataUnavailable | None:
    """The clear error for a database that went away in the middle of work, else None.

    A dropped connection, a server shut down or restarted, a network cut: the
    driver's operational errors and any error that invalidated the connection.
    """
    if not isinstance(exc, DBAPIError):
        return None
    if not (exc.connection_invalidated or isinstance(exc, OperationalError)):
        return None
    lines = str(exc.orig or exc).strip().splitlines()
    reason = scrub(lines[0]) if lines else type(exc).__name__
    return DataUnavailable(
        N_(
            "the database connection was lost mid-run (%(reason)s); nothing of the "
            "unfinished work was kept — rerun once the database is back"
        ),
        reason=reason,
    )


def unavailable(engine: Engine, exc: BaseException) -> DataUnavailable:
    """A friendly error for a database that cannot be reached or opened."""
    where = display_url(engine.url)
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = scrub(lines[0]) if lines else type(exc).__name__
    return DataUnavailable(
        N_(
            "cannot connect to the database at %(where)s: %(reason)s; check "
            "TIDEOVER_DATABASE_URL and that the server is running"
        ),
        where=where,
        reason=reason,
    )


def check_connection(engine: Engine) -> None:
    """Open one connection, or raise ``DataUnavailable`` saying why not."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        raise unavailable(engine, exc) from exc


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Upgrade the schema to ``revision``; rerunning at that revision changes nothing."""
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    config = _alembic_config()
    try:
        check_connection(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def head_revision() -> str | None:
    """The newest revision the migrations know: what ``migrate`` upgrades to."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, ``None`` before the first migration."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as exc:
        raise unavailable(engine, exc) from exc
