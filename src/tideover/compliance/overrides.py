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
                    f"rule_overrides.{link} (applied to pack {code}): {exc.en}",
                    f"rule_overrides.{link}（用于规则包 {code}）：{exc.zh}",
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
        raise _malformed(
            "rule_overrides", "a mapping of pack code to rules", "规则包代码到规则的映射"
        )
    shaped: dict[str, dict[str, dict[str, Any]]] = {}
    for code, rules in data.items():
        if code not in PACK_CODES:
            raise RulePackError(
                f"rule_overrides: unknown rule pack {code!r}; known packs: {', '.join(PACK_CODES)}",
                f"rule_overrides：未知的合规规则包 {code!r}；可用：{'、'.join(PACK_CODES)}",
            )
        if not isinstance(rules, Mapping):
            raise _malformed(
                f"rule_overrides.{code}",
                "a mapping of rule id to parameters",
                "规则 id 到参数的映射",
            )
        shaped[code] = {}
        for rule_id, params in rules.items():
            if not isinstance(params, Mapping) or not params:
                raise _malformed(
                    f"rule_overrides.{code}.{rule_id}",
                    "a non-empty mapping of parameter to value",
                    "非空的参数取值映射",
                )
            shaped[code][str(rule_id)] = {str(k): v for k, v in params.items()}
    return shaped


def _malformed(where: str, expected_en: str, expected_zh: str) -> RulePackError:
    return RulePackError(f"{where} must be {expected_en}", f"{where} 应为{expected_zh}")
