"""What a rejection report may repeat of a bad value: never personal data.

A report is printed, saved as JSON and kept with the import batch, so it is
written as if it were public.  Columns that hold personal data (``name``,
``phone``, ``national_id``, ``address``, ``email``: ``Column.personal``) are
shown masked, and their value is masked inside the reason too (the domain's
messages quote the value they refuse); every other value and reason is
scrubbed of anything that looks like an ID number, a phone or an e-mail.
"""

from __future__ import annotations

from collections.abc import Callable

from tideover.domain.redact import (
    mask_address,
    mask_any_phone,
    mask_email,
    mask_name,
    mask_national_id,
    scrub,
)
from tideover.ingest.contract import MULTI_VALUE_SEPARATOR

SHOWN = 100  # characters of a bad value repeated in a report


def _mask_phones(text: str) -> str:
    parts = (p.strip() for p in text.split(MULTI_VALUE_SEPARATOR))
    return MULTI_VALUE_SEPARATOR.join(mask_any_phone(p) if p else "" for p in parts)


_MASKS: dict[str, Callable[[str], str]] = {
    "name": mask_name,
    "phone": _mask_phones,
    "national_id": mask_national_id,
    "address": mask_address,
    "email": mask_email,
}


def cut(text: str) -> str:
    """``text`` cut at ``SHOWN`` characters, invisible characters written as escapes.

    A control or format character (NUL, ESC, U+202E) would be printed as is by a
    terminal or a spreadsheet, and may hide or reorder what is shown around it.
    """
    if not text.isprintable():
        text = "".join(c if c.isprintable() or c == " " else _escape(c) for c in text)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _escape(char: str) -> str:
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def reported_value(field: str, text: str, *, personal: bool) -> str:
    """``text`` (a value of column ``field``) as a report may show it."""
    if personal and text.strip():
        mask = _MASKS.get(field, mask_name)
        return cut(mask(text))
    return cut(scrub(text))


def reported_reason(reason: str, field: str, text: str, *, personal: bool) -> str:
    """``reason`` with the personal value it quotes replaced by its mask, then scrubbed."""
    raw = text.strip()
    if personal and len(raw) >= 3:  # shorter values cannot be told from the words around
        reason = reason.replace(raw, _MASKS.get(field, mask_name)(raw))
    return scrub(reason)
