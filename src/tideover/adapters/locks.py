"""Named locks across processes: one daily-cycle run per platform and date at a time.

On PostgreSQL a session-level advisory lock, held on a connection of its own for
as long as the run lasts (the run commits several times; the lock must outlive
each transaction).  On SQLite, which lives on one machine, an exclusive
``flock`` on a lock file beside the database.  Both are released by the
operating system or the server when the holder dies, ``kill -9`` included, so
a crashed run never leaves a lock behind.  A second taker is refused at once
with a clear error rather than made to wait behind a run of unknown length.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from tideover.domain.errors import Conflict
from tideover.i18n import N_


class LockHeld(Conflict):
    """Another process holds the lock: e.g. a run of the same platform and date."""

    code = "lock_held"


def _key(name: str) -> int:
    """A signed 64-bit advisory-lock key from the lock's name (stable across processes)."""
    digest = hashlib.sha256(f"tideover:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _held(name: str) -> LockHeld:
    return LockHeld(
        N_(
            "%(name)s is in progress in another process; wait for it to finish, or "
            "check `tideover cycle runs`"
        ),
        name=name,
    )


@contextmanager
def exclusive(engine: Engine, name: str, *, label: str) -> Iterator[None]:
    """Hold the lock ``name`` for the block, or raise :class:`LockHeld` at once.

    ``label`` is what the error calls the work (``the daily cycle of acme for 2026-11-30``).
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            # Advisory locks are per database: the schema keeps two installations in one
            # database (or two test schemas) from blocking each other's runs.
            schema = connection.execute(text("SELECT current_schema()")).scalar() or ""
            key = _key(f"{schema}:{name}")
            taken = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
            if not taken.scalar():
                raise _held(label)
            connection.commit()
            try:
                yield
            except BaseException:
                _unlock(connection, key, quietly=True)
                raise
            _unlock(connection, key, quietly=False)
        return
    path = _lock_file(engine, name)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _held(label) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def _unlock(connection: Connection, key: int, *, quietly: bool) -> None:
    """Release the advisory lock; when that fails, end the connection's session, which
    releases it on the server — never return a connection that may still hold it to the
    pool.  ``quietly`` when the block is already failing: its error is the one to report
    (a lost connection ends the run and the lock's session alike)."""
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        connection.commit()
    except DBAPIError:
        connection.invalidate()
        if not quietly:
            raise


def _lock_file(engine: Engine, name: str) -> Path:
    """``<database file>.locks/<hash of name>``; in the temporary folder for ``:memory:``."""
    database = engine.url.database
    digest = hashlib.sha256(name.encode()).hexdigest()[:24]
    if database and database != ":memory:":
        folder = Path(f"{database}.locks")
    else:
        folder = Path(os.environ.get("TMPDIR", "/tmp")) / "tideover-locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / digest
