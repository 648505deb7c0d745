"""Pooled PostgreSQL connections are checked before reuse only after being idle
(``adapters.database._ping_when_idle``): a connection the server has ended while it lay in
the pool is replaced unseen, and one used a moment ago costs no extra round trip."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from tests.conftest import end_sessions

from tideover.adapters import database
from tideover.adapters.database import make_engine

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]


@pytest.fixture
def application() -> str:
    return f"tideover-ping-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def engine(database_url: str, application: str) -> Iterator[Engine]:
    url = make_url(database_url).update_query_dict({"application_name": application})
    made = make_engine(url.render_as_string(hide_password=False))
    yield made
    made.dispose()


def _pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    seen: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        seen.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return seen


def test_a_connection_ended_while_idle_in_the_pool_is_replaced_unseen(
    engine: Engine, database_url: str, application: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.connect() as conn:
        first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert end_sessions(database_url, application) == 1  # a restart, a failover
    monkeypatch.setattr(database, "IDLE_BEFORE_PING", 0.0)  # as if it had lain idle
    pings = _pings(engine, monkeypatch)
    with engine.connect() as conn:
        second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert second != first
    assert pings  # checked, found broken, replaced


def test_a_connection_used_a_moment_ago_is_not_pinged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _pings(engine, monkeypatch)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert pings == []
    monkeypatch.setattr(database, "IDLE_BEFORE_PING", 0.0)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert pings == [1]
