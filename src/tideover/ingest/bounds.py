"""The limits an imported value must stay within, and why (docs/import.md, "Bounds").

Every limit here turns an absurd or dangerous value into a per-record error
before it reaches the engines or the database:

- an amount is at most ``MAX_AMOUNT`` major units of its currency, so that any
  sum the engines make of a platform's amounts stays far inside a signed 64-bit
  integer of minor units (the storage type of every amount);
- a date is not before ``EARLIEST_DATE``; a payment is not after the business
  date unless the import allows it, and then not more than ``MAX_FUTURE_DAYS``
  after it; a first due date is at most ``MAX_FIRST_DUE_YEARS`` after the start;
- an id is letters and digits of any script plus ``- _ . : / # @`` in their
  canonical (NFKC) form: nothing invisible, nothing that reorders text;
- a text has no control character (tab and newline only where a free-text
  column allows them), no lone surrogate and no bidirectional override.

Pure: text in, a problem (a :class:`~tideover.i18n.Wording`) or ``None`` out.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from tideover.domain.money import CNY, EUR, GBP, USD, Currency
from tideover.i18n import N_, Wording

# 10 billion major units (¥10,000,000,000): 100 times the largest consumer loan in any
# market we serve, and 10^12 minor units.  A signed 64-bit integer holds 9.2 × 10^18,
# so a platform may hold 9 million amounts at this maximum before a sum of them could
# overflow; schedule interest at the highest rate and term (1000 % over 600 months)
# stays below 10^15 minor units per loan.
MAX_AMOUNT: dict[str, Decimal] = {c.code: Decimal(10) ** 10 for c in (CNY, USD, GBP, EUR)}
DEFAULT_MAX_AMOUNT = Decimal(10) ** 10

EARLIEST_DATE = date(1900, 1, 1)  # before any living borrower's loan
MAX_FUTURE_DAYS = 366  # a payment dated ahead, when the import allows it
MAX_FIRST_DUE_YEARS = 5  # the longest first-payment deferral a schedule may start with

MAX_NUMBER_CHARS = 40  # the text of one number: far beyond any amount, rate or term
MAX_JSON_DEPTH = 16  # objects and arrays inside one JSON Lines record
MAX_LINE_BYTES = 1 << 20  # one JSON Lines record (1 MiB)

Problem = Wording

_ID_PUNCTUATION = "-_.:/#@"
_ASCII_ID = re.compile(r"[A-Za-z0-9\-_.:/#@]+")
_ID_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"})
# Reorder the text around them (Unicode TR9 explicit embeddings, overrides and isolates):
# U+202A..U+202E, U+2066..U+2069.  Refused everywhere ("Trojan Source", CVE-2021-42574).
_BIDI = "\u202a-\u202e\u2066-\u2069"
# C0 and C1 controls, DEL, lone surrogates (not storable as UTF-8) and bidi controls.
_UNSAFE_TEXT = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]")
_UNNAMED = {"Cc": "(control)", "Cs": "(surrogate)", "Co": "(private use)", "Cn": "(unassigned)"}
_UNSAFE_FREE_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]")


def max_amount(currency: Currency) -> Decimal:
    """The largest amount, in major units, an import accepts in ``currency``."""
    return MAX_AMOUNT.get(currency.code, DEFAULT_MAX_AMOUNT)


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: a character named without printing it."""
    name = unicodedata.name(char, "") or _UNNAMED.get(unicodedata.category(char), "unnamed")
    return f"U+{ord(char):04X} {name}"


def text_problem(name: str | Wording, text: str, *, free_text: bool = False) -> Problem | None:
    """Why ``text`` may not be stored in column ``name``, or None.

    NUL cannot be stored by PostgreSQL at all; other controls and bidi overrides
    make a value print differently from what it holds.  Tab, newline and
    carriage return are allowed in ``free_text`` columns (an address).
    """
    found = (_UNSAFE_FREE_TEXT if free_text else _UNSAFE_TEXT).search(text)
    if found is None:
        return None
    what = describe(found.group())
    return Wording(
        N_("%(name)s contains the control character %(what)s at position %(position)s"),
        name=name,
        what=what,
        position=found.start() + 1,
    )


def id_problem(name: str, text: str) -> Problem | None:
    """Why ``text`` is not a safe id, or None.

    Letters and digits of any script (a Chinese lender may name loans 借据001)
    and ``- _ . : / # @``; no space, no control, format (zero-width, bidi),
    surrogate or private-use character; and in NFKC form, so that a full-width
    ``Ｌ００１`` is not stored beside ``L001`` as a different id.
    """
    if _ASCII_ID.fullmatch(text):
        return None
    for position, char in enumerate(text, start=1):
        if char in _ID_PUNCTUATION or unicodedata.category(char) in _ID_CATEGORIES:
            continue
        what = describe(char)
        return Wording(
            N_(
                "%(name)s may hold only letters, digits and - _ . : / # @; found "
                "%(what)s at position %(position)s"
            ),
            name=name,
            what=what,
            position=position,
        )
    if unicodedata.normalize("NFKC", text) != text:
        canonical = unicodedata.normalize("NFKC", text)
        return Wording(
            N_("%(name)s has full-width or compatibility characters; write it as %(canonical)s"),
            name=name,
            canonical=canonical,
        )
    return None


def date_problem(name: str, value: date) -> Problem | None:
    """Why ``value`` is not a plausible date of a loan or payment, or None."""
    if value < EARLIEST_DATE:
        return Wording(
            N_("%(name)s %(value)s is before %(earliest_date)s"),
            name=name,
            value=value,
            earliest_date=EARLIEST_DATE,
        )
    return None
