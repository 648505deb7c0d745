"""Load rule packs shipped in ``packs/``: validate, apply overlays and overrides, hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import time
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import Any

import pydantic

from tideover.compliance.errors import LooserOverride, RulePackError
from tideover.compliance.rules import PARAMS_BY_KIND, Pack, Rule
from tideover.compliance.strictness import looser_points
from tideover.domain.safe_yaml import YamlRejected, load_yaml
from tideover.i18n import N_

PACK_CODES = ("CN", "US", "US-MA", "US-NYC", "UK", "EU", "IE")

Overrides = Mapping[str, Mapping[str, Any]]


def pack_file_name(code: str) -> str:
    return f"{code.lower()}.yaml"


def load_pack(code: str, overrides: Overrides | None = None) -> Pack:
    """The effective pack ``code`` (overlays applied), tightened by a platform's ``overrides``.

    ``overrides`` maps a rule id to parameter values; each must be at least as
    strict as the pack's, else :class:`LooserOverride` is raised.
    """
    return tighten(_load_chain(code), overrides)


def tighten(pack: Pack, overrides: Overrides | None) -> Pack:
    """``pack`` with ``overrides`` applied (each at least as strict) and its version renewed."""
    if overrides:
        pack = _apply_overrides(pack, overrides)
    return pack.model_copy(update={"version": pack_version(pack)})


def pack_chain(code: str) -> tuple[str, ...]:
    """``code`` and the packs it extends, base first (``US-MA`` gives ``US``, ``US-MA``)."""
    base = _load_chain(code).extends
    return (*pack_chain(base), code) if base else (code,)


def pack_version(pack: Pack) -> str:
    """Content hash of the effective rules: equal rules, equal version."""
    body = _canonical(pack.model_dump(exclude={"version"}))
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _canonical(value: Any) -> Any:
    """JSON-ready and independent of set iteration order (which varies between runs)."""
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=str)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, time):
        return value.isoformat()
    return value


@lru_cache(maxsize=32)
def _load_chain(code: str) -> Pack:
    raw = read_pack_file(code)
    file_name = pack_file_name(code)
    base_code = raw.get("extends")
    own = validate_pack(raw, file_name)
    if base_code is None:
        return own
    base = _load_chain(str(base_code))
    return merge_overlay(base, own, file_name)


def read_pack_file(code: str) -> dict[str, Any]:
    if code not in PACK_CODES:
        raise RulePackError(
            N_("unknown rule pack %(code)s; known packs: %(pack_codes)s"),
            code=repr(code),
            pack_codes=tuple(PACK_CODES),
        )
    name = pack_file_name(code)
    text = resources.files("tideover.compliance.packs").joinpath(name).read_text("utf-8")
    try:
        data = load_yaml(text)  # bounded like any YAML read (domain/safe_yaml.py)
    except YamlRejected as exc:
        raise RulePackError(N_("%(name)s: %(why)s"), name=name, why=exc.wording) from exc
    if not isinstance(data, dict):
        raise RulePackError(N_("%(name)s: top level must be a mapping"), name=name)
    return data


def validate_pack(raw: dict[str, Any], file_name: str) -> Pack:
    try:
        return Pack.model_validate(raw)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        rule_id = _rule_id_at(raw, first["loc"])
        raise RulePackError(
            N_("%(file_name)s: rule %(rule_id)s: %(where)s: %(detail)s"),
            file_name=file_name,
            rule_id=rule_id,
            where=where,
            detail=first["msg"],
        ) from exc


def _rule_id_at(raw: dict[str, Any], loc: tuple[Any, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = raw.get("rules") or []
        if loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            return str(rules[loc[1]].get("id", f"#{loc[1] + 1}"))
        return f"#{loc[1] + 1}"
    return "(pack header)"


def merge_overlay(base: Pack, overlay: Pack, file_name: str) -> Pack:
    """Overlay rules are added; one reusing a base id must be at least as strict."""
    rules = {rule.id: rule for rule in base.rules}
    for rule in overlay.rules:
        if rule.id in rules:
            _require_stricter(rules[rule.id], rule, f"{file_name} (overlay of {base.code})")
        rules[rule.id] = rule
    return overlay.model_copy(update={"rules": tuple(rules.values())})


def _apply_overrides(pack: Pack, overrides: Overrides) -> Pack:
    rules = {rule.id: rule for rule in pack.rules}
    for rule_id, values in overrides.items():
        if rule_id not in rules:
            raise RulePackError(
                N_("platform override: pack %(code)s has no rule %(rule_id)s"),
                code=pack.code,
                rule_id=rule_id,
            )
        old = rules[rule_id]
        params = {**old.params.model_dump(), **values}
        try:
            typed = PARAMS_BY_KIND[old.kind].model_validate(params)
        except pydantic.ValidationError as exc:
            msg = exc.errors()[0]["msg"]
            raise RulePackError(
                N_("platform override of %(code)s rule %(rule_id)s: %(msg)s"),
                code=pack.code,
                rule_id=rule_id,
                msg=msg,
            ) from exc
        new = old.model_copy(update={"params": typed})
        _require_stricter(old, new, "platform override")
        rules[rule_id] = new
    return pack.model_copy(update={"rules": tuple(rules.values())})


def _require_stricter(old: Rule, new: Rule, where: str) -> None:
    points = looser_points(old, new)
    if points:
        detail = "; ".join(points)
        raise LooserOverride(
            N_(
                "%(where)s: rule %(id)s would become looser (%(detail)s); only stricter "
                "values are allowed"
            ),
            where=where,
            id=old.id,
            detail=detail,
        )
