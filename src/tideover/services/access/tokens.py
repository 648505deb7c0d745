"""Secrets the web layer hands out: session tokens, CSRF tokens, API keys, one-time codes.

Tokens are 256-bit random values (``secrets``); only their SHA-256 is stored,
so a copy of the database opens no session and no API key.  Passwords are
hashed with Argon2id (argon2-cffi's defaults, RFC 9106's recommended second
option) and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check,
# so the time of an answer does not tell whether a name exists.
_DUMMY_HASH = _HASHER.hash("tideover: no such user")
API_KEY_PREFIX = "tdo"
MIN_PASSWORD = 12


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_api_key() -> tuple[str, str, str]:
    """(key id, secret, the whole key as the client sends it: ``tdo_<id>_<secret>``)."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"{API_KEY_PREFIX}_{key_id}_{secret}"


def split_api_key(key: str) -> tuple[str, str] | None:
    prefix, _, rest = key.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != API_KEY_PREFIX or len(key_id) != 16 or not secret:
        return None
    return key_id, secret


def new_code() -> str:
    """A six-digit one-time code."""
    return f"{secrets.randbelow(1_000_000):06d}"
