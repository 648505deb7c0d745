"""Encryption, keyed look-up hashes and masking of personal identifiers."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.adapters.pii import (
    PiiCipher,
    mask_national_id,
    mask_phone,
    normalise_identifier,
)
from tideover.domain.errors import ConfigurationError

KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
OTHER_KEY = base64.urlsafe_b64encode(b"o" * 32).decode()
CIPHER = PiiCipher(KEY)


@given(st.text())
def test_encrypt_then_decrypt_gives_the_text_back(text: str) -> None:
    assert CIPHER.decrypt(CIPHER.encrypt(text)) == text


def test_ciphertext_hides_the_text_and_differs_each_time() -> None:
    first, second = CIPHER.encrypt("+8613812345678"), CIPHER.encrypt("+8613812345678")
    assert first != second  # a fresh nonce each time: equal values do not look equal
    assert "13812345678" not in first
    assert "13812345678" not in base64.urlsafe_b64decode(first).decode("latin-1")


def test_a_different_key_cannot_decrypt() -> None:
    token = CIPHER.encrypt("110105194912310021")
    with pytest.raises(ConfigurationError):
        PiiCipher(OTHER_KEY).decrypt(token)


def test_a_tampered_token_is_refused() -> None:
    raw = bytearray(base64.urlsafe_b64decode(CIPHER.encrypt("secret")))
    raw[-1] ^= 1
    with pytest.raises(ConfigurationError):
        CIPHER.decrypt(base64.urlsafe_b64encode(bytes(raw)).decode())


def test_lookup_hash_is_keyed_and_normalised() -> None:
    assert CIPHER.lookup_hash("+86 138-1234-5678") == CIPHER.lookup_hash("+8613812345678")
    assert CIPHER.lookup_hash("11010519491231002x") == CIPHER.lookup_hash("11010519491231002X")
    assert CIPHER.lookup_hash("+8613812345678") != CIPHER.lookup_hash("+8613812345679")
    assert CIPHER.lookup_hash("+8613812345678") != PiiCipher(OTHER_KEY).lookup_hash(
        "+8613812345678"
    )
    assert len(CIPHER.lookup_hash("x")) == 64


def test_lookup_hash_is_neither_a_bare_digest_nor_keyed_by_the_master_key() -> None:
    """A bare SHA-256 of a phone number is reversed by enumeration; a derived key is not."""
    value = b"+8613812345678"
    assert CIPHER.lookup_hash("+8613812345678") not in {
        hashlib.sha256(value).hexdigest(),
        hmac.new(b"k" * 32, value, hashlib.sha256).hexdigest(),
    }


def test_normalise_identifier() -> None:
    assert normalise_identifier(" +86 (138) 1234.5678 ") == "+8613812345678"
    assert normalise_identifier("+1 202-555-0123") == "+12025550123"
    assert normalise_identifier("1101 0519 4912 31002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "key",
    [
        "",
        "not base64 at all!!",
        base64.urlsafe_b64encode(b"short").decode(),
        base64.urlsafe_b64encode(b"k" * 31).decode(),
    ],
)
def test_a_bad_key_is_a_configuration_error(key: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        PiiCipher(key)
    assert "TIDEOVER_PII_KEY" in raised.value.en
    assert "TIDEOVER_PII_KEY" in raised.value.zh


def test_an_unpadded_long_key_is_accepted() -> None:
    key = base64.urlsafe_b64encode(b"z" * 40).decode().rstrip("=")
    assert PiiCipher(key).decrypt(PiiCipher(key).encrypt("ok")) == "ok"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+8613812345678", "+86 138****5678"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("+12025550123", "+1 202****0123"),
        ("+447911123456", "+44 791****3456"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("national_id", "masked"),
    [
        ("110105194912310021", "1101**********0021"),
        ("11010519491231002x", "1101**********002X"),
        ("110105491231002", "1101*******1002"),  # the older 15-digit card
        ("12345", "****45"),
        ("123", "****"),
    ],
)
def test_mask_national_id(national_id: str, masked: str) -> None:
    assert mask_national_id(national_id) == masked
