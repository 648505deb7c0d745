"""Render ``docs/compliance.md`` from the shipped packs (``python -m tideover.compliance.docs``)."""

from __future__ import annotations

import sys

from tideover.compliance.docs_text import INTRO, LINT, STORAGE
from tideover.compliance.loader import PACK_CODES, load_pack, read_pack_file
from tideover.compliance.rules import Rule


def render() -> str:
    parts = [INTRO]
    for code in PACK_CODES:
        parts.append(_pack_section(code))
    parts.append(STORAGE)
    parts.append(LINT)
    return "\n".join(parts)


def _pack_section(code: str) -> str:
    pack = load_pack(code)
    own = {str(r["id"]) for r in read_pack_file(code).get("rules", [])}
    lines = [f"## {pack.code} — {pack.name_en}", "", f"{pack.name_zh}", ""]
    if pack.extends:
        lines += [f"Overlay on `{pack.extends}`: only the overlay's own rules are listed here.", ""]
    lines += [f"Pack version: `{pack.version}`", ""]
    lines += [
        "| id | rule | kind | scope | parameters | source | conf. |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in pack.rules:
        if rule.id in own:
            lines.append(_row(rule))
    notes = [f"- **{r.id}**: {r.note}" for r in pack.rules if r.id in own and r.note]
    if notes:
        lines += ["", "Notes:", "", *notes]
    lines.append("")
    return "\n".join(lines)


def _row(rule: Rule) -> str:
    sources = "; ".join(f"{s.document}, {s.article}" for s in rule.sources)
    cells = [
        f"`{rule.id}`",
        f"{rule.title_en}<br>{rule.title_zh}",
        rule.kind.value,
        _scope(rule),
        _params(rule),
        sources,
        rule.confidence,
    ]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _scope(rule: Rule) -> str:
    full = Rule.model_fields["scope"].default
    parts = []
    for name in ("channels", "actor_roles", "targets", "debt_types"):
        value = getattr(rule.scope, name)
        if value != getattr(full, name):
            parts.append(f"{name}: {', '.join(sorted(str(v) for v in value)) or 'none'}")
    return "; ".join(parts) or "all"


def _params(rule: Rule) -> str:
    data = rule.params.model_dump(mode="json")
    items = []
    for key, value in sorted(data.items()):
        if value is None or value == []:
            continue
        if isinstance(value, list):
            value = ", ".join(sorted(str(v) for v in value))
        elif isinstance(value, str) and len(value) == 8 and value.endswith(":00"):
            value = value[:5]  # a time of day: 08:00:00 -> 08:00
        items.append(f"{key}={value}")
    return "; ".join(items)


if __name__ == "__main__":
    sys.stdout.write(render())
