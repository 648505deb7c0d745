"""The run lock on PostgreSQL when its own connection is ended by the server.

A failover or an administrator's ``pg_terminate_backend`` ends the session that holds the
advisory lock; the server releases the lock with it.  The error the work raised is the one
reported, the failed unlock never hides it, and the lock can be taken again at once.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from tests.conftest import end_sessions

from tideover.adapters.database import make_engine
from tideover.adapters.locks import exclusive


def _engine(database_url: str, application: str) -> Engine:
    url = make_url(database_url).update_query_dict({"application_name": application})
    return make_engine(url.render_as_string(hide_password=False))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_works_own_error_is_reported_and_the_lock_is_free_again(database_url: str) -> None:
    application = f"tideover-lock-{uuid.uuid4().hex[:8]}"
    engine = _engine(database_url, application)
    try:

        def failing_work() -> None:
            with exclusive(engine, "cycle:x:2026-11-30", label="the run"):
                assert end_sessions(database_url, application) == 1
                raise RuntimeError("the work failed")

        with pytest.raises(RuntimeError, match="the work failed"):
            failing_work()
        with exclusive(engine, "cycle:x:2026-11-30", label="the run"):
            pass  # taken again: the server released it with the session
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_lock_lost_during_work_that_succeeded_is_not_kept_quiet(database_url: str) -> None:
    application = f"tideover-lock-{uuid.uuid4().hex[:8]}"
    engine = _engine(database_url, application)
    try:

        def work_that_succeeds() -> None:
            with exclusive(engine, "cycle:x:2026-12-01", label="the run"):
                assert end_sessions(database_url, application) == 1

        with pytest.raises(DBAPIError):
            work_that_succeeds()
        with exclusive(engine, "cycle:x:2026-12-01", label="the run"):
            pass
    finally:
        engine.dispose()
