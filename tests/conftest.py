"""Shared fixtures: real databases (SQLite file and PostgreSQL), a PII cipher, units of work.

``database_url`` runs each test twice: on a fresh SQLite file and in a fresh,
uniquely named PostgreSQL schema (dropped afterwards).  The PostgreSQL
server comes from ``TIDEOVER_TEST_POSTGRES_URL``; when it cannot be reached
those tests are skipped, unless ``TIDEOVER_REQUIRE_POSTGRES=1`` makes that
a failure.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from tideover.adapters.database import make_engine, migrate, normalise_url, session_factory
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_PII_KEY = base64.urlsafe_b64encode(b"tideover-test-key-0123456789abcd").decode()

_postgres_state: dict[str, str] = {}


def _postgres_url() -> str:
    return os.environ.get("TIDEOVER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as a libpq connection string for psycopg."""
    parsed = normalise_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def end_sessions(database_url: str, application: str) -> int:
    """Ends, as the server would in a failover or by an administrator's hand, every
    PostgreSQL session whose ``application_name`` is ``application``; how many there were."""
    with psycopg.connect(
        _libpq(make_url(database_url).set(query={}).render_as_string(hide_password=False)),
        autocommit=True,
    ) as c:
        row = c.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            (application,),
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server URL, checked once; skips (or fails) when it is unreachable."""
    url = _postgres_url()
    if "error" not in _postgres_state and "url" not in _postgres_state:
        try:
            with psycopg.connect(_libpq(url), connect_timeout=3) as connection:
                connection.execute("SELECT 1")
            _postgres_state["url"] = _shown(url)
        except psycopg.Error as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            _postgres_state["error"] = f"PostgreSQL at {_shown(url)} is unreachable: {first_line}"
    if "error" in _postgres_state:
        reason = _postgres_state["error"]
        if os.environ.get("TIDEOVER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (TIDEOVER_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(f"{reason}; set TIDEOVER_TEST_POSTGRES_URL to run these tests")
    return url


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file in ``tmp_path`` or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tideover.db'}"
        return
    server: str = request.getfixturevalue("postgres_server")
    schema = f"tideover_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(server), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    # libpq "options" reach every connection made from this URL, ours or the app's.
    scoped = normalise_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(server), autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated engine on a fresh database; disposed before the database is dropped."""
    created = make_engine(database_url)
    migrate(created)
    try:
        yield created
    finally:
        created.dispose()


@pytest.fixture(scope="session")
def cipher() -> PiiCipher:
    return PiiCipher(TEST_PII_KEY)


@pytest.fixture
def uow_factory(engine: Engine, cipher: PiiCipher) -> Callable[[], SqlAlchemyUnitOfWork]:
    """Makes a fresh unit of work on the test database per call."""
    sessions = session_factory(engine)
    return lambda: SqlAlchemyUnitOfWork(sessions, cipher)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line saying whether the PostgreSQL half of the suite ran."""
    ran = skipped = 0
    for reports in terminalreporter.stats.values():
        for report in reports:
            if not isinstance(report, pytest.TestReport) or "postgres" not in report.keywords:
                continue
            if report.skipped:
                skipped += 1
            elif report.when == "call":
                ran += 1
    if "error" in _postgres_state:
        if os.environ.get("TIDEOVER_REQUIRE_POSTGRES") == "1":
            line = f"PostgreSQL REQUIRED but {_postgres_state['error']}"
        else:
            line = f"PostgreSQL tests SKIPPED ({skipped}): {_postgres_state['error']}"
    elif "url" in _postgres_state:
        line = f"PostgreSQL tests ran: {ran} against {_postgres_state['url']}"
    elif ran:  # under pytest-xdist: the workers found the server, the controller did not look
        line = f"PostgreSQL tests ran: {ran}"
    elif skipped:
        line = f"PostgreSQL tests SKIPPED ({skipped}): see the reasons below"
    else:
        line = "PostgreSQL tests: none selected"
    terminalreporter.write_sep("-", line)
    _browser_summary(terminalreporter)


def _browser_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line saying whether the browser tests ran (here, not in tests/browser: under
    pytest-xdist only this file's hooks run where the summary is written)."""
    ran = skipped = 0
    for reports in terminalreporter.stats.values():
        for report in reports:
            if isinstance(report, pytest.TestReport) and report.nodeid.startswith("tests/browser/"):
                skipped += report.skipped
                ran += report.when == "call" and report.passed
    if skipped:
        terminalreporter.write_sep("-", f"Browser tests SKIPPED ({skipped}): see the reasons below")
    elif ran:
        terminalreporter.write_sep("-", f"Browser tests ran: {ran} in Chromium")


# The longest files first: under pytest-xdist (``make test`` runs two workers, a file on
# one worker, files in collection order: ``--no-loadscope-reorder``) they start at once
# instead of being left to a worker at the end.
LONGEST_FIRST = ("tests/e2e/test_readme_tour.py", "tests/integration/test_spark_cluster.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))
