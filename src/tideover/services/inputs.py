"""What the use cases' input documents share: a strict model, and problems in words.

An input document (an attempt file, a template file) is validated by a
:class:`StrictModel`; its first problems are reported with their place in the
document (:func:`problem_location`) and in words of the catalogue chosen by
pydantic's error type (:func:`problems`, falling back to pydantic's English message).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict

from tideover.i18n import N_, Bilingual, Clauses, Wording


class StrictModel(BaseModel):
    """An input document's model: unknown fields refused, immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_PROBLEMS = {  # pydantic's error types in words (its context fills the values)
    "missing": N_("this field is missing"),
    "extra_forbidden": N_("unknown field"),
    "enum": N_("invalid value; expected %(expected)s"),
    "timezone_aware": N_("the time has no time zone (e.g. 2026-06-03T09:00:00+08:00)"),
    "datetime_parsing": N_("not a valid ISO 8601 time"),
    "datetime_from_date_parsing": N_("not a valid ISO 8601 time"),
}


def problem_location(loc: tuple[int | str, ...]) -> str:
    """A pydantic error's place as a dotted path (``attempt.planned_at``)."""
    return ".".join(str(part) for part in loc) or "(top level)"


def problem(error: Mapping[str, Any], own: Mapping[str, str] | None = None) -> Wording:
    """One of pydantic's errors at its place, ``where: what``: in the words of ``own`` (a
    model's own error types) or of the catalogue; a validator's ``ValueError`` says its own
    (marked ``N_``); anything else in pydantic's English."""
    kind, context = str(error["type"]), dict(error.get("ctx") or {})
    said: Wording | Bilingual
    known = {**_PROBLEMS, **(own or {})}.get(kind)
    if known is not None:
        said = Wording(known, **{k: str(v) for k, v in context.items()})
    elif kind == "value_error" and "error" in context:
        said = Wording(str(context["error"]))
    else:
        said = Bilingual(str(error["msg"]), str(error["msg"]))
    return Wording(N_("%(where)s: %(problem)s"), where=problem_location(error["loc"]), problem=said)


def problems(errors: Iterable[Mapping[str, Any]], own: Mapping[str, str] | None = None) -> Clauses:
    """Several of pydantic's errors (:func:`problem`), one after another."""
    return Clauses(problem(error, own) for error in errors)


_NUMBER = re.compile(r"\s*[+-]?\d+(\.\d*)?\s*")
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


def _written_instant(value: object) -> object:
    """An instant is written as ISO 8601 text: a bare number is not read as a Unix time."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value)
    ):
        raise ValueError(
            N_("write the time in ISO 8601 with its zone, e.g. 2026-06-03T09:00:00+08:00")
        )
    return value


def _plausible(value: datetime) -> datetime:
    """Within 1900..2200: the calendars, holidays and zones behind the gate are defined there."""
    if not EARLIEST <= value <= LATEST:
        raise ValueError(N_("the time must be between 1900 and 2200"))
    return value


PlausibleInstant = Annotated[
    AwareDatetime, BeforeValidator(_written_instant), AfterValidator(_plausible)
]
"""An aware timestamp written in ISO 8601 text, between 1900 and 2200."""


# What text a person sends may hold (a pattern for pydantic, FastAPI's Path, Query and Form):
# no control character in an id or a name, only line breaks and tabs in free text.  A NUL
# cannot even be stored by PostgreSQL, and the others hide or reorder what is shown.
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
FREE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
