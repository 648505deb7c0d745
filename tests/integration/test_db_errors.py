"""Real driver errors of SQLite and PostgreSQL become short coded errors without SQL or values."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from tideover.adapters.database import database_error, display_url
from tideover.domain.errors import TideoverError

SECRET = "11010519491231002X"


@pytest.fixture
def table(engine: Engine) -> Iterator[Engine]:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE probe (a BIGINT UNIQUE, s VARCHAR(64))"))
        connection.execute(text("INSERT INTO probe (a, s) VALUES (1, 'x')"))
    yield engine
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE probe"))


def _failure(engine: Engine, statement: Callable[[Connection], object]) -> TideoverError:
    raised = (DBAPIError, ValueError, OverflowError)  # what drivers raise, wrapped or not
    with pytest.raises(raised) as caught, engine.begin() as connection:
        statement(connection)
    found = database_error(caught.value)
    assert found is not None, repr(caught.value)
    for message in (found.en, found.zh):
        assert "\n" not in message
        assert "INSERT" not in message
        assert "VALUES" not in message
        assert SECRET not in message
    return found


def _insert(a: object, s: object) -> Callable[[Connection], object]:
    return lambda c: c.execute(text("INSERT INTO probe (a, s) VALUES (:a, :s)"), {"a": a, "s": s})


def test_a_unique_violation(table: Engine) -> None:
    assert _failure(table, _insert(1, SECRET)).code == "database_constraint"


def test_a_number_beyond_int64(table: Engine) -> None:
    assert _failure(table, _insert(2**70, SECRET)).code == "database_value_rejected"


def test_a_lone_surrogate(table: Engine) -> None:
    assert _failure(table, _insert(5, "a\ud800" + SECRET)).code == "database_value_rejected"


def test_a_missing_table_means_the_schema_is_out_of_date(table: Engine) -> None:
    found = _failure(table, lambda c: c.execute(text("SELECT * FROM no_such_table")))
    assert found.code == "database_schema_outdated"
    assert "tideover init" in found.en


def test_a_nul_character_on_postgresql(table: Engine) -> None:
    if table.dialect.name != "postgresql":
        pytest.skip("SQLite stores NUL in text; PostgreSQL cannot")
    assert _failure(table, _insert(6, "a\x00" + SECRET)).code == "database_value_rejected"


def test_a_read_only_database(table: Engine, database_url: str) -> None:
    if table.dialect.name == "postgresql":

        def write_read_only(connection: Connection) -> None:
            connection.execute(text("SET TRANSACTION READ ONLY"))
            _insert(7, SECRET)(connection)

        found = _failure(table, write_read_only)
    else:
        from tideover.adapters.database import make_engine

        path = database_url.removeprefix("sqlite:///")
        read_only = make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
        try:
            found = _failure(read_only, _insert(7, SECRET))
        finally:
            read_only.dispose()
    assert found.code == "database_read_only"
    assert "只读" in found.zh


def test_other_exceptions_are_not_database_errors() -> None:
    assert database_error(ValueError("not from a driver")) is None
    assert database_error(KeyError("x")) is None


def test_display_url_never_shows_the_password(database_url: str) -> None:
    assert "***" not in display_url(database_url)  # the test servers have no password
    assert display_url("postgresql://u:p%40ss@h:5432/d") == "postgresql://u:***@h:5432/d"
