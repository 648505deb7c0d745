"""The PII key on real databases: a wrong key is caught before anything is written, and a
rotation re-encrypts everything, survives ``kill -9`` midway and keeps the look-up hashes."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from tideover.adapters.database import make_engine, session_factory
from tideover.adapters.keyring import checked_cipher
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.domain.errors import ConfigurationError, Conflict
from tideover.services.privacy.keys import key_ring, rotate_pii_key

OLD = base64.urlsafe_b64encode(b"tideover-test-key-0123456789abcd").decode()  # conftest's
NEW = base64.urlsafe_b64encode(b"tideover-rotated-key-0123456789a").decode()
OTHER = base64.urlsafe_b64encode(b"tideover-someone-elses-key-00000").decode()
AT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
IDS = [f"11010519491231{n:04d}" for n in range(25)]


def _checked(engine: Engine, key: str) -> SqlAlchemyUnitOfWork:
    sessions = session_factory(engine)
    return SqlAlchemyUnitOfWork(sessions, checked_cipher(sessions, key))


def _factory(engine: Engine, key: str) -> Iterator[SqlAlchemyUnitOfWork]:
    sessions = session_factory(engine)
    cipher = checked_cipher(sessions, key)
    while True:
        yield SqlAlchemyUnitOfWork(sessions, cipher)


@pytest.fixture
def stored(engine: Engine) -> Engine:
    """Platform acme with 25 borrowers, each with an ID number and a phone, under OLD."""
    uow = _checked(engine, OLD)
    with uow:
        uow.platforms.ensure("acme", name="Acme", currency="CNY", settings={})
        uow.borrowers("acme").add_many(
            [
                Borrower(
                    platform="acme",
                    borrower_id=f"B{n}",
                    name="王",
                    national_id=IDS[n],
                    phones=(PhoneNumber(f"+86138{n:08d}", "CN", ("Asia/Shanghai",)),),
                )
                for n in range(25)
            ]
        )
        uow.commit()
    return engine


def _ciphertexts(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        ids = connection.execute(text("SELECT national_id_ciphertext FROM borrowers")).scalars()
        phones = connection.execute(text("SELECT e164_ciphertext FROM borrower_phones")).scalars()
        return [*ids, *phones]


def test_a_wrong_key_is_refused_before_anything_is_written(stored: Engine) -> None:
    before = _ciphertexts(stored)
    with pytest.raises(ConfigurationError) as refused:
        _checked(stored, OTHER)
    assert "not the key" in refused.value.en
    assert OTHER not in refused.value.en  # the key itself is never printed
    assert _ciphertexts(stored) == before


def test_a_database_written_before_the_key_ring_checks_the_key_on_its_data(
    engine: Engine, cipher: PiiCipher
) -> None:
    # Data written without the start-up check (as by an older release): no ring entry yet.
    with SqlAlchemyUnitOfWork(session_factory(engine), cipher) as uow:
        uow.platforms.ensure("acme", name="Acme", currency="CNY", settings={})
        uow.borrowers("acme").add_many(
            [Borrower(platform="acme", borrower_id="B1", name="王", national_id=IDS[0])]
        )
        uow.commit()
    with pytest.raises(ConfigurationError):
        _checked(engine, OTHER)
    _checked(engine, OLD)  # the right key is registered on first use
    with _checked(engine, OLD) as uow:
        assert [e.state for e in uow.pii_keys.entries()] == ["active"]


def test_rotation_reencrypts_everything_and_keeps_the_lookup_hashes(stored: Engine) -> None:
    with _checked(stored, OLD) as uow:
        [before] = uow.borrowers("acme").find_by_national_id(IDS[3])
    factory = _factory(stored, OLD)
    result = rotate_pii_key(
        uow_factory=lambda: next(factory), old_key=OLD, new_key=NEW, at=AT, batch=7
    )
    assert result.rewritten == {"borrowers": 25, "borrower_phones": 25}
    new = PiiCipher(NEW)
    assert all(new.can_decrypt(token) for token in _ciphertexts(stored))
    with pytest.raises(ConfigurationError):
        _checked(stored, OLD)  # the old key is retired
    with _checked(stored, NEW) as uow:
        [after] = uow.borrowers("acme").find_by_national_id(IDS[3])  # same hash, new key
        assert after.national_id == before.national_id == IDS[3]
        assert [r.kind for r in uow.audit("acme").records()][-2:] == [
            "pii_key_rotation_started",
            "pii_key_rotated",
        ]
    ring = key_ring(uow=_checked(stored, NEW))
    assert [k.state for k in ring.keys] == ["retired", "active"]


def test_another_rotation_cannot_start_while_one_is_under_way(stored: Engine) -> None:
    factory = _factory(stored, OLD)

    def stop(_where: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate_pii_key(
            uow_factory=lambda: next(factory), old_key=OLD, new_key=NEW, at=AT, fault=stop
        )
    with pytest.raises(ConfigurationError):
        _checked(stored, OLD)  # nothing else opens the database mid-rotation
    sessions = session_factory(stored)
    with pytest.raises(Conflict):
        rotate_pii_key(
            uow_factory=lambda: SqlAlchemyUnitOfWork(sessions, PiiCipher(OLD)),
            old_key=OLD,
            new_key=OTHER,
            at=AT,
        )


# Rotates in a child process that kills itself (SIGKILL) after its second batch.
CHILD = """
import os, signal, sys
from datetime import UTC, datetime
from tideover.adapters.database import make_engine, session_factory
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.services.privacy.keys import rotate_pii_key

url, old, new = sys.argv[1:4]
sessions = session_factory(make_engine(url))
batches = []

def fault(where):
    batches.append(where)
    if len(batches) == 2:
        os.kill(os.getpid(), signal.SIGKILL)

rotate_pii_key(uow_factory=lambda: SqlAlchemyUnitOfWork(sessions, PiiCipher(old)),
               old_key=old, new_key=new, at=datetime(2026, 12, 6, tzinfo=UTC), batch=5,
               fault=fault)
"""


def test_a_rotation_killed_midway_finishes_when_run_again(
    stored: Engine, database_url: str
) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, database_url, OLD, NEW],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    tokens = _ciphertexts(stored)
    old, new = PiiCipher(OLD), PiiCipher(NEW)
    assert sum(new.can_decrypt(t) for t in tokens) == 10  # two batches of five
    assert all(old.can_decrypt(t) or new.can_decrypt(t) for t in tokens)  # nothing lost
    sessions = session_factory(stored)
    result = rotate_pii_key(
        uow_factory=lambda: SqlAlchemyUnitOfWork(sessions, PiiCipher(OLD)),
        old_key=OLD,
        new_key=NEW,
        at=AT,
    )
    assert result.resumed
    assert result.already_new == {"borrowers": 10, "borrower_phones": 0}
    assert all(new.can_decrypt(t) for t in _ciphertexts(stored))
    with _checked(stored, NEW) as uow:
        [found] = uow.borrowers("acme").find_by_national_id(IDS[24])
        assert found.national_id == IDS[24]


def test_a_fresh_database_registers_its_first_key(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        from tideover.adapters.database import migrate

        migrate(engine)
        with _checked(engine, OLD) as uow:
            assert [e.state for e in uow.pii_keys.entries()] == ["active"]
        _checked(engine, OLD)  # and accepts it again
    finally:
        engine.dispose()
