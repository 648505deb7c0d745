"""A platform's own, stricter parameters for pack rules: ``{pack: {rule id: {param: value}}}``.

Overrides keyed by a base pack apply to its overlays too (``US`` overrides
reach ``US-MA`` and ``US-NYC``), base first; an overlay's own overrides then
apply on top and must be at least as strict again.  Every step goes through
the loader's strictness check, so a looser value is refused with
:class:`~tideover.compliance.errors.LooserOverride` naming the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tideover.compliance.errors import RulePackError
from tideover.compliance.loader import PACK_CODES, load_pack, pack_chain, tighten
from tideover.compliance.rules import Pack
from tideover.i18n import N_, Wording

RuleOverrides = Mapping[str, Mapping[str, Mapping[str, Any]]]


def effective_pack(code: str, rule_overrides: RuleOverrides | None) -> Pack:
    """Pack ``code`` tightened by the overrides of every pack in its chain, base first."""
    pack = load_pack(code)
    for link in pack_chain(code):
        own = (rule_overrides or {}).get(link)
        if own:
            try:
                pack = tighten(pack, own)
            except RulePackError as exc:
                raise type(exc)(
                    N_("rule_overrides.%(link)s (applied to pack %(code)s): %(reason)s"),
                    link=link,
                    code=code,
                    reason=exc.wording,
                ) from exc
    return pack


def check_rule_overrides(data: object) -> dict[str, dict[str, dict[str, Any]]]:
    """``data`` as rule overrides if well formed and stricter in every pack they reach.

    Returns a plain copy (the form stored with the platform's settings).
    """
    overrides = _shape(data)
    for code in PACK_CODES:
        if any(link in overrides for link in pack_chain(code)):
            effective_pack(code, overrides)
    return overrides


def _shape(data: object) -> dict[str, dict[str, dict[str, Any]]]:
    if not isinstance(data, Mapping):
        raise _malformed("rule_overrides", Wording(N_("a mapping of pack code to rules")))
    shaped: dict[str, dict[str, dict[str, Any]]] = {}
    for code, rules in data.items():
        if code not in PACK_CODES:
            raise RulePackError(
                N_("rule_overrides: unknown rule pack %(code)s; known packs: %(pack_codes)s"),
                code=repr(code),
                pack_codes=tuple(PACK_CODES),
            )
        if not isinstance(rules, Mapping):
            raise _malformed(
                f"rule_overrides.{code}",
                Wording(N_("a mapping of rule id to parameters")),
            )
        shaped[code] = {}
        for rule_id, params in rules.items():
            if not isinstance(params, Mapping) or not params:
                raise _malformed(
                    f"rule_overrides.{code}.{rule_id}",
                    Wording(N_("a non-empty mapping of parameter to value")),
                )
            shaped[code][str(rule_id)] = {str(k): v for k, v in params.items()}
    return shaped


def _malformed(where: str, expected: Wording) -> RulePackError:
    return RulePackError(N_("%(where)s must be %(expected)s"), where=where, expected=expected)
