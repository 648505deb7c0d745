"""What the use cases' input documents share: a strict model, and problems said in zh and en.

An input document (an attempt file, a template file) is validated by a
:class:`StrictModel`; its first problems are reported with their place in the
document (:func:`problem_location`) and, in Chinese, by pydantic's error type
(:data:`ZH_PROBLEM`, falling back to pydantic's English message).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
}


def problem_location(loc: tuple[int | str, ...]) -> str:
    """A pydantic error's place as a dotted path (``attempt.planned_at``)."""
    return ".".join(str(part) for part in loc) or "(top level)"
