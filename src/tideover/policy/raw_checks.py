"""What can be checked in a document whose shape is wrong, and the shape's errors in words.

When a policy has schema errors it cannot become a ``Policy``, yet its
conditions and references can still be read from the raw mapping: checking
them too means one run of ``policy validate`` reports every error, instead of
the next one appearing only after the first is fixed.  Pydantic's messages are
rewritten in both languages with a suggestion where one is likely.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from tideover.policy.lint import Finding, conditions_of, missing_reference
from tideover.policy.model import Policy
from tideover.policy.suggest import fields_at, hint


def raw_findings(data: object) -> list[Finding]:
    """Condition and reference errors of a document that failed its schema check."""
    if not isinstance(data, Mapping):
        return []
    treatments = data.get("treatments")
    offers = data.get("offers")
    found: list[Finding] = []
    segments = data.get("segments")
    for index, segment in enumerate(segments if isinstance(segments, list) else []):
        if not isinstance(segment, Mapping):
            continue
        found.extend(conditions_of(segment.get("condition"), ("segments", index, "condition")))
        found.extend(_reference(segment, "treatment", treatments, ("segments", index)))
        found.extend(_reference(segment, "offers", offers, ("segments", index)))
    if isinstance(treatments, Mapping):
        for name, treatment in treatments.items():
            if isinstance(treatment, Mapping):
                loc = ("treatments", str(name), "stop_when")
                found.extend(conditions_of(treatment.get("stop_when"), loc))
    return found


def _reference(
    segment: Mapping[str, Any], key: str, defined: object, loc: tuple[str | int, ...]
) -> Iterator[Finding]:
    name = segment.get(key)
    if not isinstance(name, str) or not isinstance(defined, Mapping) or name in defined:
        return
    kind_zh = "处置方式" if key == "treatment" else "减免方案"
    yield missing_reference(key, kind_zh, name, (*loc, key), [str(k) for k in defined])


# --- the schema's errors, in both languages ---------------------------------------------------

_PLAIN: dict[str, tuple[str, str]] = {
    "missing": ("a required key is missing", "缺少必填项"),
    "string_type": ("must be text", "应为文本"),
    "int_type": ("must be a whole number", "应为整数"),
    "int_parsing": ("must be a whole number", "应为整数"),
    "int_from_float": ("must be a whole number", "应为整数"),
    "bool_type": ("must be true or false", "应为 true 或 false"),
    "bool_parsing": ("must be true or false", "应为 true 或 false"),
    "decimal_parsing": ("must be a number", "应为数字"),
    "decimal_type": ("must be a number", "应为数字"),
    "float_parsing": ("must be a number", "应为数字"),
    "list_type": ("must be a list", "应为列表"),
    "dict_type": ("must be a mapping of keys to values", "应为键值映射"),
    "model_type": ("must be a mapping of keys to values", "应为键值映射"),
    "time_parsing": ("must be a time HH:MM", "应为时间 HH:MM"),
    "date_from_datetime_parsing": ("must be a date YYYY-MM-DD", "应为日期 YYYY-MM-DD"),
}
_BOUNDS = {
    "greater_than": ("gt", ">", "大于"),
    "greater_than_equal": ("ge", "≥", "大于或等于"),
    "less_than": ("lt", "<", "小于"),
    "less_than_equal": ("le", "≤", "小于或等于"),
}


def schema_message(error: Mapping[str, Any], loc: tuple[str | int, ...]) -> tuple[str, str]:
    """One schema error of pydantic's as (en, zh), with the closest name where it helps."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    given = error.get("input")
    shown = "" if isinstance(given, dict | list) or given is None else f" (given: {given!r})"
    shown_zh = "" if not shown else f"（实际为 {given!r}）"
    if kind == "extra_forbidden" and loc:
        key = str(loc[-1])
        allowed = fields_at(Policy, loc[:-1])
        en_hint, zh_hint = hint(key, allowed)
        listed = ", ".join(allowed)
        return (
            f"unknown key {key!r}{en_hint} (allowed here: {listed})",
            f"未知的键 {key!r}{zh_hint}（此处可用：{listed}）",
        )
    if kind in ("enum", "literal_error"):
        expected = str(context.get("expected", ""))
        options = re.findall(r"'([^']*)'", expected)
        en_hint, zh_hint = hint(str(given), options)
        listed_zh = "、".join(f"'{o}'" for o in options) or expected
        return (
            f"must be one of {expected}{shown}{en_hint}",
            f"必须是以下之一：{listed_zh}{shown_zh}{zh_hint}",
        )
    if kind in _BOUNDS:
        name, sign, words_zh = _BOUNDS[kind]
        limit = context.get(name)
        return f"must be {sign} {limit}{shown}", f"必须{words_zh} {limit}{shown_zh}"
    if kind in ("too_short", "too_long"):
        size = context.get("min_length" if kind == "too_short" else "max_length")
        if kind == "too_short":
            return f"must have at least {size} item(s)", f"至少需要 {size} 项"
        return f"must have at most {size} item(s)", f"最多只能有 {size} 项"
    if kind in _PLAIN:
        en, zh = _PLAIN[kind]
        return f"{en}{shown}", f"{zh}{shown_zh}"
    message = str(error.get("msg", kind))
    return f"{message}{shown}", f"不符合文档结构（{kind}）{shown_zh}"
