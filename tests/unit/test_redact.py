"""Masks of known values and the scrubbing of free text (domain/redact.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tideover.domain.redact import (
    mask_address,
    mask_any_phone,
    mask_email,
    mask_name,
    mask_national_id,
    mask_phone,
    scrub,
)

# Written independently of the module's pattern, so a bug there is not mirrored here.
LONG_DIGITS = re.compile(r"[0-9]{15,}")
CN_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]([0-9]{8}|[ -][0-9]{4}[ -][0-9]{4})(?![0-9])")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110105194912310021", "1101**********0021"),
        ("11010519491231002x", "1101**********002X"),
        ("110105 1949 1231 002X", "1101**********002X"),
        ("110105491231002", "1101*******1002"),
        ("12345", "****45"),
    ],
)
def test_a_national_id_keeps_four_first_and_four_last(value: str, masked: str) -> None:
    assert mask_national_id(value) == masked


def test_known_values_are_masked() -> None:
    assert mask_phone("+8613812345678") == "+86 138****5678"
    assert mask_any_phone("138 1234 5678") == "138****5678"
    assert mask_any_phone("+1 (202) 555-0123") == "+1 202****0123"
    assert mask_any_phone("12345") == "****45"
    assert mask_email("zhang.wei@example.com") == "z***@example.com"
    assert mask_email("no-at-sign") == "no-****sign"
    assert mask_name("张伟") == "张*"
    assert mask_name("Zhang Wei") == "Z***"
    assert mask_address("北京市朝阳区建国路 1 号") == "北京市****"


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        (
            "resident ID '110105194912310021' is invalid",
            "resident ID '1101**********0021' is invalid",
        ),
        ("id 11010519491231002X, phone 13812345678", "id 1101**********002X, phone 138****5678"),
        ("call +86 138 1234 5678 today", "call +86 138****5678 today"),
        ("call 138-1234-5678", "call 138****5678"),
        ("0086 13812345678", "0086 138****5678"),
        ("+1 (202) 555-0123", "+1 202****0123"),
        ("card 6222021234567890123", "card 6222***********0123"),
        ("mail zhang.wei@example.com", "mail z***@example.com"),
        ("mail 13812345678@163.com", "mail 1***@163.com"),
        (
            "[parameters: ('B1', '王芳', '11010519491231002X', '13900001111')]",
            "[parameters: ('B1', '王芳', '1101**********002X', '139****1111')]",
        ),
    ],
)
def test_scrub_masks_personal_data_in_free_text(text: str, scrubbed: str) -> None:
    assert scrub(text) == scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "amount 1071.60 CNY paid on 2026-02-15 for loan L0001 (row 3)",
        "first_due_date must be after start_date 2026-01-15",
        "term must be within 1..600; annual_rate 12.99% ok",
        "error [not_found]: unknown platform 'acme'",
        "timestamp 1767225600 and 20260215",
        "SQLSTATE 23505 at 127.0.0.1:5432",
    ],
)
def test_scrub_keeps_text_without_personal_data(text: str) -> None:
    assert scrub(text) == text


def _mobile() -> st.SearchStrategy[str]:
    return st.builds(
        lambda second, rest, sep: f"1{second}{rest[:1]}{sep}{rest[1:5]}{sep}{rest[5:]}",
        st.sampled_from("3456789"),
        st.text("0123456789", min_size=9, max_size=9),
        st.sampled_from(["", " ", "-"]),
    )


_pieces = st.one_of(
    st.text(max_size=12),
    st.text("0123456789Xx+-() .@", max_size=25),
    st.text("0123456789", min_size=15, max_size=22),
    _mobile(),
    st.builds("{}@{}.com".format, st.text("abc19_.", min_size=1, max_size=12), st.text("ab1")),
)
_texts = st.lists(_pieces, max_size=8).map("".join)


@settings(max_examples=400)
@given(_texts)
@example("a@b.c@d.e")
@example("+12345678901234567890123")
@example("x@13812345678.com")
def test_scrub_is_idempotent(text: str) -> None:
    once = scrub(text)
    assert scrub(once) == once


@settings(max_examples=400)
@given(_texts)
def test_scrub_leaves_no_long_digit_run_and_no_mobile(text: str) -> None:
    out = scrub(text)
    assert not LONG_DIGITS.search(out), out
    assert not CN_MOBILE.search(out), out


# Text a message may hold that is not personal data: words, numbers of up to 8 digits,
# dates and amounts, joined by ", " (numbers joined by spaces may spell a phone number).
_plain_words = st.one_of(
    st.text(st.characters(categories=["L", "P", "Zs"], exclude_characters="@+"), max_size=10),
    st.integers(0, 99_999_999).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.decimals(0, 10**9, places=2).map(str),
)


@settings(max_examples=300)
@given(st.lists(_plain_words, max_size=10).map(", ".join))
def test_scrub_keeps_any_text_without_personal_data(text: str) -> None:
    assert scrub(text) == text
