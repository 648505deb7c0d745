"""One line of a JSON Lines file: bounded, exact numbers, never repeated in a report."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tideover.i18n import N_, Wording
from tideover.ingest.bounds import MAX_JSON_DEPTH, MAX_LINE_BYTES, MAX_NUMBER_CHARS, text_problem
from tideover.ingest.report import RowError


def parse_line(row: int, raw: bytes, encoding: str | None) -> dict[str, Any] | RowError:
    # The line itself is not repeated: it may hold a name or an address that the
    # report cannot mask, since the line could not be read into columns.
    shown = f"{len(raw)} bytes"
    too_big = _size_problem(row, raw, shown)
    if too_big is not None:
        return too_big
    try:
        # Decimal, never float: amounts must keep every digit they were given.
        value = json.loads(
            raw.decode(encoding or "utf-8"),
            parse_float=_json_decimal,
            parse_int=_json_integer,
            parse_constant=_no_constant,
        )
    except UnicodeDecodeError:
        name = encoding or "UTF-8"
        return RowError.of(
            row,
            "*",
            shown,
            Wording(N_("the line is not %(name)s text"), name=name),
            code="not_utf8",
        )
    except ValueError as exc:
        return RowError.of(
            row,
            "*",
            shown,
            Wording(N_("the line is not valid JSON: %(exc)s"), exc=exc),
            code="not_json",
        )
    if not isinstance(value, dict):
        return RowError.of(
            row,
            "*",
            shown,
            Wording(N_("the line is not a JSON object")),
            code="not_json_object",
        )
    return value


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def _json_decimal(text: str) -> Decimal | str:
    # An exponent (1e999) or an endless number stays text, so validation refuses it
    # as "not a decimal number" with the value as written, instead of expanding it.
    if len(text) > MAX_NUMBER_CHARS or "e" in text or "E" in text:
        return text
    return Decimal(text)


def _json_integer(text: str) -> int | str:
    return int(text) if len(text) <= MAX_NUMBER_CHARS else text


def _size_problem(row: int, raw: bytes, shown: str) -> RowError | None:
    """A line too long, or nested too deep, to be parsed safely; else None."""
    if len(raw) > MAX_LINE_BYTES:
        return RowError.of(
            row,
            "*",
            shown,
            Wording(
                N_("the line is longer than %(max_line_bytes)s bytes"),
                max_line_bytes=MAX_LINE_BYTES,
            ),
            code="line_too_long",
        )
    # Counting brackets is quick and catches every deep line; the exact depth (brackets
    # inside strings do not count) is measured only for the rare line with many.
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _depth(raw) > MAX_JSON_DEPTH:
        return RowError.of(
            row,
            "*",
            shown,
            Wording(
                N_("the record is nested more than %(max_json_depth)s levels deep"),
                max_json_depth=MAX_JSON_DEPTH,
            ),
            code="too_deep",
        )
    return None


def _depth(raw: bytes) -> int:
    """The deepest nesting of JSON objects and arrays in ``raw``, strings skipped."""
    deepest = depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def key_problem(row: int, record: dict[str, object]) -> RowError | None:
    for key in record:
        problem = text_problem("a key", key)
        if problem is not None:
            return RowError.of(row, "*", "", problem, code="unsafe_text")
    return None
