"""Use cases on the PII key: see the key ring; rotate to a new key, resumably.

A rotation re-encrypts every stored ciphertext under the new key in batches,
each its own transaction, so it may be stopped at any point (``kill -9``
included) and run again to finish: a value already under the new key is left
as it is.  While a rotation is under way no other command opens the database
(``adapters.keyring.checked_cipher`` refuses), so nothing is written under the
old key meanwhile.  The keyed look-up hashes never change: the look-up key is
carried over, wrapped under the new key.  Each platform's audit trail records
the start and the end.  This use case commits once per batch by design.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tideover.adapters.keyring import wrong_key
from tideover.adapters.pii import PiiCipher
from tideover.adapters.repositories.keyring import CIPHERTEXT_COLUMNS, Ciphertext
from tideover.domain.errors import ConfigurationError, Conflict, UsageError
from tideover.i18n import N_
from tideover.services.common import ProgressFn, no_progress
from tideover.services.results import Instant, Result
from tideover.services.unit_of_work import UnitOfWork

BATCH = 1000


class KeyState(Result):
    """One key of the ring, by the start of its fingerprint (never the key)."""

    fingerprint: str
    state: str
    created_at: Instant
    retired_at: Instant | None


class KeyRing(Result):
    keys: list[KeyState]


class Rotation(Result):
    """A finished rotation: from which key to which, how many values were re-encrypted."""

    old_fingerprint: str
    new_fingerprint: str
    resumed: bool
    rewritten: dict[str, int]
    already_new: dict[str, int]


def key_ring(*, uow: UnitOfWork) -> KeyRing:
    with uow:
        entries = uow.pii_keys.entries()
    return KeyRing(
        keys=[
            KeyState(
                fingerprint=e.fingerprint[:16],
                state=e.state,
                created_at=e.created_at,
                retired_at=e.retired_at,
            )
            for e in entries
        ]
    )


def rotate_pii_key(
    *,
    uow_factory: Callable[[], UnitOfWork],
    old_key: str,
    new_key: str,
    at: datetime,
    batch: int = BATCH,
    progress: ProgressFn = no_progress,
    fault: Callable[[str], None] = lambda _where: None,
) -> Rotation:
    """Re-encrypt every stored value from ``old_key`` (the active one) to ``new_key``."""
    old, new = PiiCipher(old_key), PiiCipher(new_key)
    if old.fingerprint == new.fingerprint:
        raise UsageError(N_("the new PII key is the current one"))
    resumed = _begin(uow_factory(), old, new, at)
    rewritten: dict[str, int] = {}
    already: dict[str, int] = {}
    for table in CIPHERTEXT_COLUMNS:
        with uow_factory() as uow:
            total = uow.pii_keys.count(table)
        done, after = 0, 0
        rewritten[table] = already[table] = 0
        while True:
            with uow_factory() as uow:
                ring = uow.pii_keys
                values = ring.ciphertexts(table, after=after, limit=batch)
                if not values:
                    break
                changed = []
                for value in values:
                    if new.can_decrypt(value.token):
                        already[table] += 1
                        continue
                    plain = old.decrypt(value.token)  # neither key opens it: refused, stop
                    changed.append(Ciphertext(value.table, value.row_id, new.encrypt(plain)))
                ring.replace(changed)
                uow.commit()
            rewritten[table] += len(changed)
            done += len(values)
            after = values[-1].row_id
            progress(f"{table}", done, total)
            fault("batch")
    _finish(uow_factory(), old, new, at, rewritten)
    return Rotation(
        old_fingerprint=old.fingerprint[:16],
        new_fingerprint=new.fingerprint[:16],
        resumed=resumed,
        rewritten=rewritten,
        already_new=already,
    )


def _begin(uow: UnitOfWork, old: PiiCipher, new: PiiCipher, at: datetime) -> bool:
    """Register the new key as the one being rotated to; True when resuming."""
    with uow:
        ring = uow.pii_keys
        active, rotating = ring.in_state("active"), ring.in_state("rotating")
        if active is None:
            raise ConfigurationError(
                N_(
                    "no PII key is registered yet; run any command (or `tideover init`) with "
                    "the current key first"
                ),
            )
        if active.fingerprint != old.fingerprint:
            raise wrong_key(old.fingerprint)
        if rotating is not None:
            if rotating.fingerprint != new.fingerprint:
                raise Conflict(
                    N_(
                        "a rotation to another key is under way; finish it with that key "
                        "(fingerprint %(fingerprint)s)"
                    ),
                    fingerprint=rotating.fingerprint[:8],
                )
            return True
        lookup = old.unwrap_lookup_key(active.wrapped_lookup_key)
        ring.add(
            fingerprint=new.fingerprint,
            state="rotating",
            wrapped_lookup_key=new.with_lookup_key(lookup).wrap_lookup_key(),
        )
        _audit(uow, "pii_key_rotation_started", old, new, at, {})
        uow.commit()
    return False


def _finish(
    uow: UnitOfWork, old: PiiCipher, new: PiiCipher, at: datetime, rewritten: dict[str, int]
) -> None:
    with uow:
        ring = uow.pii_keys
        ring.set_state(old.fingerprint, "retired", at=at)  # first: one active key at a time
        ring.set_state(new.fingerprint, "active")
        _audit(uow, "pii_key_rotated", old, new, at, {"rewritten": rewritten})
        uow.commit()


def _audit(
    uow: UnitOfWork,
    kind: str,
    old: PiiCipher,
    new: PiiCipher,
    at: datetime,
    extra: dict[str, object],
) -> None:
    payload = {"from": old.fingerprint[:16], "to": new.fingerprint[:16], **extra}
    for platform in uow.platforms.list():
        uow.audit(platform.code).append(kind, payload, at=at)
