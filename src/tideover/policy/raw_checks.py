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

from tideover.i18n import N_, Wording
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
    yield missing_reference(key, name, (*loc, key), [str(k) for k in defined])


# --- the schema's errors, in both languages ---------------------------------------------------

_PLAIN: dict[str, str] = {
    "missing": N_("a required key is missing"),
    "string_type": N_("must be text"),
    "int_type": N_("must be a whole number"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"),
    "decimal_parsing": N_("must be a number"),
    "decimal_type": N_("must be a number"),
    "float_parsing": N_("must be a number"),
    "list_type": N_("must be a list"),
    "dict_type": N_("must be a mapping of keys to values"),
    "model_type": N_("must be a mapping of keys to values"),
    "time_parsing": N_("must be a time HH:MM"),
    "date_from_datetime_parsing": N_("must be a date YYYY-MM-DD"),
}
_BOUNDS = {  # pydantic's error type: (the limit's name in its context, the message)
    "greater_than": ("gt", N_("must be > %(limit)s%(given)s")),
    "greater_than_equal": ("ge", N_("must be ≥ %(limit)s%(given)s")),
    "less_than": ("lt", N_("must be < %(limit)s%(given)s")),
    "less_than_equal": ("le", N_("must be ≤ %(limit)s%(given)s")),
}


def schema_message(error: Mapping[str, Any], loc: tuple[str | int, ...]) -> Wording:
    """One schema error of pydantic's in words, with the closest name where it helps."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    value = error.get("input")
    given: Wording | str = ""
    if not isinstance(value, dict | list) and value is not None:
        given = Wording(N_(" (given: %(value)s)"), value=repr(value))
    if kind == "extra_forbidden" and loc:
        key = str(loc[-1])
        allowed = fields_at(Policy, loc[:-1])
        return Wording(
            N_("unknown key %(key)s%(hint)s (allowed here: %(allowed)s)"),
            key=repr(key),
            hint=hint(key, allowed),
            allowed=tuple(allowed),
        )
    if kind in ("enum", "literal_error"):
        expected = str(context.get("expected", ""))
        options = re.findall(r"'([^']*)'", expected)
        return Wording(
            N_("must be one of %(expected)s%(given)s%(hint)s"),
            expected=tuple(f"'{o}'" for o in options) or expected,
            given=given,
            hint=hint(str(value), options),
        )
    if kind in _BOUNDS:
        name, message = _BOUNDS[kind]
        return Wording(message, limit=context.get(name), given=given)
    if kind in ("too_short", "too_long"):
        size = context.get("min_length" if kind == "too_short" else "max_length")
        if kind == "too_short":
            return Wording(N_("must have at least %(size)s item(s)"), size=size)
        return Wording(N_("must have at most %(size)s item(s)"), size=size)
    if kind in _PLAIN:
        return Wording(N_("%(problem)s%(given)s"), problem=Wording(_PLAIN[kind]), given=given)
    return Wording(
        N_("does not fit the document's shape (%(kind)s: %(detail)s)%(given)s"),
        kind=kind,
        detail=str(error.get("msg", kind)),
        given=given,
    )
