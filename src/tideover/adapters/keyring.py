"""The start-up check of the PII key: the configured key must be the ring's active key.

A wrong key would otherwise go unnoticed until a value is read back: imports
and cycles would succeed and the database would end up holding data under
two keys.  So before anything is written, the configured key's fingerprint is
compared with the active one in ``pii_keys``; on a database that has none yet,
the key is first tried on a stored value (if any) and then registered.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tideover.adapters.pii import PiiCipher
from tideover.adapters.repositories.keyring import PiiKeyRepository
from tideover.domain.errors import ConfigurationError
from tideover.i18n import N_


def wrong_key(fingerprint: str) -> ConfigurationError:
    return ConfigurationError(
        N_(
            "TIDEOVER_PII_KEY is not the key this database's personal data is "
            "encrypted with (the configured key's fingerprint starts "
            "%(fingerprint)s); nothing was written"
        ),
        fingerprint=fingerprint[:8],
    )


def rotation_under_way() -> ConfigurationError:
    return ConfigurationError(
        N_("a PII key rotation is under way; finish it with `tideover pii rotate-key` first"),
    )


def checked_cipher(sessions: sessionmaker[Session], key: str) -> PiiCipher:
    """The cipher for this database, or ``ConfigurationError`` before anything is written."""
    cipher = PiiCipher(key)
    with sessions() as session:
        ring = PiiKeyRepository(session)
        if ring.in_state("rotating") is not None:
            raise rotation_under_way()
        active = ring.in_state("active")
        if active is None:
            sample = ring.sample()
            if sample is not None and not cipher.can_decrypt(sample):
                raise wrong_key(cipher.fingerprint)
            try:
                ring.add(
                    fingerprint=cipher.fingerprint,
                    state="active",
                    wrapped_lookup_key=cipher.wrap_lookup_key(),
                )
                session.commit()
            except IntegrityError:  # registered by another process in the meantime
                session.rollback()
            active = ring.in_state("active")
            assert active is not None
        if active.fingerprint != cipher.fingerprint:
            raise wrong_key(cipher.fingerprint)
        return cipher.with_lookup_key(cipher.unwrap_lookup_key(active.wrapped_lookup_key))
