""" "Did you mean …?": the nearest known name for a mistyped one.

A policy is written by hand; ``BETWEN``, ``scroe``, ``recovry`` or a key
``treatmnet`` are typos, and the checker names what was probably meant
beside the error.  Pure: names in, a suggestion (or None) out.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterable
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from tideover.i18n import N_, Wording

# Words a condition may hold besides feature names (conditions.py allows these constructs).
SQL_WORDS = ("AND", "OR", "NOT", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE", "COALESCE")
_CLOSE = 0.6


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known name ``word`` most probably misspells, or None when none is close."""
    found = difflib.get_close_matches(word, list(known), n=1, cutoff=_CLOSE)
    return found[0] if found else None


def hint(word: str, known: Iterable[str]) -> Wording | str:
    """``"; did you mean X?"`` to end a message with, or an empty string."""
    found = closest(word, known)
    if found is None:
        return ""
    return Wording(N_("; did you mean %(meant)s?"), meant=found)


def sql_word(word: str) -> str | None:
    """The SQL keyword ``word`` misspells (``BETWEN`` → ``BETWEEN``), compared in capitals."""
    upper = word.upper()
    if upper in SQL_WORDS:
        return None
    return closest(upper, SQL_WORDS)


_WORD = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|([A-Za-z_][A-Za-z0-9_]*)")


def words(text: str) -> Iterable[tuple[int, str]]:
    """The bare words of a condition with their offsets (quoted strings skipped)."""
    for match in _WORD.finditer(text):
        if match.group(1) is not None:
            yield match.start(1), match.group(1)


# --- the document's own keys ----------------------------------------------------------------


def fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys a document may have at ``loc`` (the parent of a key that is not allowed)."""
    current: Any = model
    for part in loc:
        current = _inner(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = _field(current, part)
            if field is None:
                return []
            current = field
        elif get_origin(current) in (list, tuple, dict):
            args = get_args(current)
            current = args[-1] if args else Any
        else:
            return []
    current = _inner(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _field(model: type[BaseModel], key: str | int) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field.annotation
    return None


def _inner(annotation: Any) -> Any:
    """``Optional[X]``, ``Annotated[X, ...]``, ``X | None`` → X (the first model in a union)."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = (models or options or [Any])[0]
        else:
            return annotation
