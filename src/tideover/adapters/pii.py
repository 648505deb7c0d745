"""Encryption at rest and keyed look-up hashes for phone numbers and national IDs.

One secret (settings ``pii_key``) is stretched with HKDF-SHA256 into two
independent sub-keys, so the encryption key and the hashing key never meet:
- AES-256-GCM encrypts.  Chosen over Fernet because it is an AEAD with a
  256-bit key, gives shorter tokens (28 bytes of overhead against Fernet's
  57 plus padding) and, unlike Fernet, does not embed a readable timestamp
  of when each value was written.  Nonces are 96 random bits: safe far
  beyond the 2**32 encryptions per key NIST SP 800-38D allows.
- HMAC-SHA256 makes a deterministic hash for equality look-ups; without the
  key a leaked hash cannot be brute-forced from the small space of phone
  numbers or ID numbers.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import os
import re

import phonenumbers
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tideover.domain.errors import ConfigurationError

# The masks are pure and live with the rest of the redaction rules; kept importable here.
from tideover.domain.redact import mask_national_id as mask_national_id
from tideover.domain.redact import mask_phone as mask_phone
from tideover.domain.redact import mask_text as mask_text
from tideover.i18n import N_

MIN_KEY_BYTES = 32
TOKEN_VERSION = b"\x01"
NONCE_BYTES = 12
# Bound into every ciphertext, so a token cannot be replayed under another scheme.
ASSOCIATED_DATA = b"tideover:pii:v1"
LOOKUP_KEY_DATA = b"tideover:pii:lookup-key:v1"
_SEPARATORS = re.compile(r"[\s\-().]")


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


def _decode_key(key: str) -> bytes:
    try:
        padded = key.strip() + "=" * (-len(key.strip()) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise ConfigurationError(
            N_("TIDEOVER_PII_KEY is not valid URL-safe base64"),
        ) from exc
    if len(raw) < MIN_KEY_BYTES:
        raise ConfigurationError(
            N_("TIDEOVER_PII_KEY must encode at least %(min_key_bytes)s bytes, got %(count)s"),
            min_key_bytes=MIN_KEY_BYTES,
            count=len(raw),
        )
    return raw


def normalise_identifier(text: str) -> str:
    """The canonical form hashed for look-up: a phone in E.164, an ID upper-case.

    Spaces, hyphens, dots and brackets are dropped; a number starting with
    ``+`` is reformatted to E.164 when it parses.
    """
    compact = _SEPARATORS.sub("", text).upper()
    if compact.startswith("+"):
        try:
            parsed = phonenumbers.parse(compact, None)
        except phonenumbers.NumberParseException:
            return compact
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return compact


class PiiCipher:
    """Encrypts, decrypts and hashes personal identifiers with keys derived from one secret."""

    def __init__(self, key: str, *, lookup_key: bytes | None = None) -> None:
        master = _decode_key(key)
        self._aead = AESGCM(_derive(master, b"tideover pii encryption v1"))
        # The look-up hash key is the first key's, carried over every rotation (wrapped in
        # the key ring), so stored hashes never need recomputing; by default, this key's.
        self._hash_key = (
            lookup_key
            if lookup_key is not None
            else _derive(master, b"tideover pii lookup hash v1")
        )
        # Identifies the key without revealing it: a third, one-way derivation.
        self.fingerprint = _derive(master, b"tideover pii key fingerprint v1").hex()

    def with_lookup_key(self, lookup_key: bytes) -> PiiCipher:
        """The same encryption key with another look-up hash key (the key ring's)."""
        twin = copy.copy(self)
        twin._hash_key = lookup_key
        return twin

    def wrap_lookup_key(self) -> str:
        """The look-up hash key encrypted under this key (what the key ring stores)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, self._hash_key, LOOKUP_KEY_DATA)
        return base64.urlsafe_b64encode(TOKEN_VERSION + nonce + sealed).decode("ascii")

    def unwrap_lookup_key(self, token: str) -> bytes:
        """The look-up hash key inside ``token``; ``ConfigurationError`` under another key."""
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii"))
            nonce, sealed = raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :]
            return self._aead.decrypt(nonce, sealed, LOOKUP_KEY_DATA)
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise ConfigurationError(
                N_("the key ring's look-up key cannot be opened with TIDEOVER_PII_KEY"),
            ) from exc

    def can_decrypt(self, token: str) -> bool:
        """Whether ``token`` was written under this key (and is intact)."""
        try:
            self.decrypt(token)
        except ConfigurationError:
            return False
        return True

    def encrypt(self, text: str) -> str:
        """``text`` encrypted as URL-safe base64 (version, nonce, ciphertext and tag)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, text.encode("utf-8"), ASSOCIATED_DATA)
        return base64.urlsafe_b64encode(TOKEN_VERSION + nonce + sealed).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text inside ``token``; a wrong key or a tampered token is refused."""
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii"))
            if raw[:1] != TOKEN_VERSION:
                raise ValueError("unknown token version")
            nonce, sealed = raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :]
            return self._aead.decrypt(nonce, sealed, ASSOCIATED_DATA).decode("utf-8")
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise ConfigurationError(
                N_(
                    "stored personal data cannot be decrypted: the PII key differs from the "
                    "one used to write it, or the value was altered"
                ),
            ) from exc

    def lookup_hash(self, text: str) -> str:
        """Hex HMAC-SHA256 of the normalised ``text``: equal inputs give equal hashes."""
        canonical = normalise_identifier(text).encode("utf-8")
        return hmac.new(self._hash_key, canonical, hashlib.sha256).hexdigest()
