"""What the use cases' input documents share: a strict model, and problems said in zh and en.

An input document (an attempt file, a template file) is validated by a
:class:`StrictModel`; its first problems are reported with their place in the
document (:func:`problem_location`) and, in Chinese, by pydantic's error type
(:data:`ZH_PROBLEM`, falling back to pydantic's English message).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict


class StrictModel(BaseModel):
    """An input document's model: unknown fields refused, immutable once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


ZH_PROBLEM = {
    "missing": "缺少此字段",
    "extra_forbidden": "不认识的字段",
    "enum": "取值无效",
    "timezone_aware": "时间缺少时区（例如 2026-06-03T09:00:00+08:00）",
    "datetime_parsing": "不是有效的 ISO 8601 时间",
    "datetime_from_date_parsing": "不是有效的 ISO 8601 时间",
    "value_error": "取值无效",
}


def problem_location(loc: tuple[int | str, ...]) -> str:
    """A pydantic error's place as a dotted path (``attempt.planned_at``)."""
    return ".".join(str(part) for part in loc) or "(top level)"


_NUMBER = re.compile(r"\s*[+-]?\d+(\.\d*)?\s*")
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


def _written_instant(value: object) -> object:
    """An instant is written as ISO 8601 text: a bare number is not read as a Unix time."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and _NUMBER.fullmatch(value)
    ):
        raise ValueError("write the time in ISO 8601 with its zone, e.g. 2026-06-03T09:00:00+08:00")
    return value


def _plausible(value: datetime) -> datetime:
    """Within 1900..2200: the calendars, holidays and zones behind the gate are defined there."""
    if not EARLIEST <= value <= LATEST:
        raise ValueError("the time must be between 1900 and 2200")
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
