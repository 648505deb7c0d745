"""Message findings for one kind of attempt: forbidden categories and required elements."""

from __future__ import annotations

from dataclasses import dataclass

from tideover.compliance.contacts import Finding
from tideover.compliance.text import MessageChecker


@dataclass(frozen=True, slots=True)
class MessagePlan:
    """Rule id and categories each applicable message rule forbids or requires."""

    forbidden: tuple[tuple[str, frozenset[str]], ...]
    required: tuple[tuple[str, frozenset[str]], ...]


def check_text(
    text: str, plan: MessagePlan, checker: MessageChecker, *, sender_name: str | None
) -> tuple[Finding, ...]:
    """Every forbidden match and every missing required element, as findings."""
    findings: list[Finding] = []
    matches = checker.scan(text) if plan.forbidden or plan.required else []
    for match in matches:
        rule_ids = tuple(rid for rid, cats in plan.forbidden if match.category in cats)
        if rule_ids:
            category = checker.categories[match.category]
            findings.append(
                Finding(
                    rule_ids,
                    match.category,
                    match.start,
                    match.end,
                    match.matched,
                    category.en,
                    category.zh,
                )
            )
    has_opt_out = any(m.category == "opt_out" for m in matches)
    for rule_id, elements in plan.required:
        if "opt_out" in elements and not has_opt_out:
            findings.append(
                Finding(
                    (rule_id,),
                    "missing_opt_out",
                    0,
                    0,
                    "",
                    "has no opt-out instruction (e.g. 'Reply STOP to opt out')",
                    "缺少退订方式（如“回复TD退订”）",
                )
            )
        if "institution" in elements and not (sender_name and checker.contains(text, sender_name)):
            name = sender_name or "(no sender name given)"
            findings.append(
                Finding(
                    (rule_id,),
                    "missing_institution",
                    0,
                    0,
                    "",
                    f"does not identify the institution {name}",
                    f"未表明所属机构 {name}",
                )
            )
    return tuple(findings)
