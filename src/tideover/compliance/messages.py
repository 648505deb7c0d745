"""Message findings for one kind of attempt: forbidden categories and required elements."""

from __future__ import annotations

from dataclasses import dataclass

from tideover.compliance.contacts import Finding
from tideover.compliance.text import Match, MessageChecker
from tideover.compliance.textcheck.verdict import CLASSIFIER, UNCHECKED
from tideover.compliance.voicemail import voicemail_findings
from tideover.i18n import N_, Bilingual, Wording

# One applicable rule: its id and the categories (or parts) it forbids or requires.
RuleCategories = tuple[tuple[str, frozenset[str]], ...]


@dataclass(frozen=True, slots=True)
class MessagePlan:
    """Rule id and categories each applicable message rule forbids or requires.

    ``time_barred`` rules forbid their categories only in a message about a
    time-barred debt; ``voicemail`` rules (forbidden, required) only in a voicemail.
    """

    forbidden: RuleCategories
    required: RuleCategories
    time_barred: RuleCategories = ()
    voicemail: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = ()


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What about the message, beyond its text, decides which rules read it."""

    sender_name: str | None = None
    time_barred: bool = False
    voicemail: bool = False
    caller_name: str | None = None


def check_text(
    text: str,
    plan: MessagePlan,
    checker: MessageChecker,
    *,
    sender_name: str | None,
    facts: MessageFacts | None = None,
) -> tuple[Finding, ...]:
    """Every forbidden match and every missing required element, as findings."""
    facts = facts or MessageFacts(sender_name)
    forbidden = plan.forbidden
    if facts.time_barred:
        forbidden += plan.time_barred
    voicemail = plan.voicemail if facts.voicemail else ()
    if voicemail:
        forbidden += tuple((rule_id, cats) for rule_id, cats, _ in voicemail)
    findings: list[Finding] = []
    matches = checker.scan(text) if forbidden or plan.required or voicemail else []
    findings.extend(_forbidden(matches, forbidden, checker))
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
                    Wording(N_("has no opt-out instruction (e.g. 'Reply STOP to opt out')")),
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
                    Wording(N_("does not identify the institution %(name)s"), name=name),
                )
            )
    for rule_id, banned, parts in voicemail:
        findings.extend(
            voicemail_findings(
                rule_id,
                text,
                matches,
                checker,
                banned=banned,
                parts=parts,
                sender_name=sender_name,
                caller_name=facts.caller_name,
            )
        )
    return tuple(findings)


def _forbidden(
    matches: list[Match], forbidden: RuleCategories, checker: MessageChecker
) -> list[Finding]:
    found = []
    for match in matches:
        if match.category in UNCHECKED:
            # a part no detector could read blocks under every rule that reads text
            rule_ids = tuple(dict.fromkeys(rid for rid, _ in forbidden))
        else:
            rule_ids = tuple(
                dict.fromkeys(rid for rid, cats in forbidden if match.category in cats)
            )
        if rule_ids:
            title: Wording | Bilingual = checker.categories[match.category].title
            if match.detector == CLASSIFIER:
                title = Wording(
                    N_("%(category)s (learned classifier, score %(score)s)"),
                    category=title,
                    score=f"{match.score:.2f}",
                )
            found.append(
                Finding(rule_ids, match.category, match.start, match.end, match.matched, title)
            )
    return found
