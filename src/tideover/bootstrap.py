"""Wire settings, database, cipher and unit of work together (the composition root)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from tideover.adapters.database import current_revision, head_revision, make_engine, migrate
from tideover.adapters.database import session_factory as make_session_factory
from tideover.adapters.keyring import checked_cipher
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.config import Settings, load_settings
from tideover.domain.errors import ConfigurationError
from tideover.i18n import N_

UowFactory = Callable[[], SqlAlchemyUnitOfWork]


@dataclass(frozen=True)
class App:
    """What a command or request needs: settings and a way to open a unit of work.

    Use it as a context manager so the database connections are closed.
    """

    settings: Settings
    uow: UowFactory
    engine: Engine
    # A unit of work whose every statement commits on its own: no transaction is begun or
    # rolled back around a lone look-up (the web's session check asks one on every request).
    # Only for use cases that read, or write one statement at a time.
    autocommit_uow: UowFactory | None = None

    def __enter__(self) -> App:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.engine.dispose()

    @property
    def cache_dir(self) -> Path:
        return self.settings.resolved_cache_dir


def initialise(settings: Settings | None = None) -> tuple[str | None, str]:
    """Create or upgrade the database schema; returns (revision before, revision after)."""
    settings = settings or load_settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        before = current_revision(engine)
        migrate(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    return before, after or ""


def open_app(
    settings: Settings | None = None, *, require_schema: bool = True, check_key: bool = True
) -> App:
    """An App on the configured database; refuses a database that is not initialised, or a
    PII key other than the one its data is encrypted with (``check_key=False`` only for the
    key rotation, which checks both keys itself)."""
    settings = settings or load_settings()
    engine = make_engine(settings.resolved_database_url)
    if require_schema and current_revision(engine) != head_revision():
        engine.dispose()
        raise ConfigurationError(
            N_("the database is not initialised or not up to date; run `tideover init` first"),
        )
    sessions = make_session_factory(engine)
    try:
        cipher = checked_cipher(sessions, settings.pii_key) if check_key else None
    except BaseException:
        engine.dispose()
        raise
    if cipher is None:
        cipher = PiiCipher(settings.pii_key)
    autocommit = make_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
    return App(
        settings=settings,
        uow=lambda: SqlAlchemyUnitOfWork(sessions, cipher),
        engine=engine,
        autocommit_uow=lambda: SqlAlchemyUnitOfWork(autocommit, cipher),
    )
