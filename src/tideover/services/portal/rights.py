""" "My rights": until the communications work writes a rights statement per jurisdiction,
the routes the platform's rule pack gives a borrower, with their legal sources.

For the platform's jurisdiction (``PlatformSettings.home_jurisdiction``) the
pack Tideover applies is read, tightened by the platform's overrides, and its
rules are grouped by what a borrower can do:

- ``dispute``: hold rules that stop collection of a disputed debt;
- ``stop_contact``: hold rules for a cease-contact request, and consent rules
  that honour the channels a borrower opts out of;
- ``complaint``: hold rules that stop contact while a complaint is investigated;
- ``hardship``: the documented forbearance, debt-advice and restructuring rules
  (ids ending ``-FORB``, ``-ADVICE``, ``-RESTRUCTURE``);
- ``payment``: message rules forbidding a demand to pay a personal account.

It is marked interim: a summary with sources, not the full statement of a
borrower's rights and not legal advice.  A jurisdiction without a pack (say a
country Tideover has no rules for) gets no routes rather than another
country's.
"""

from __future__ import annotations

from tideover.compliance.contacts import HoldKind
from tideover.compliance.loader import PACK_CODES
from tideover.compliance.rules import ConsentParams, HoldParams, MessageParams, Pack, Rule, RuleKind
from tideover.services.compliance.checks import platform_pack
from tideover.services.platforms import settings_of
from tideover.services.portal.results import (
    Rights,
    RightsRoute,
    RightsRule,
    RouteTopic,
    RuleSource,
)
from tideover.services.unit_of_work import UnitOfWork

HARDSHIP_RULE_SUFFIXES = ("-FORB", "-ADVICE", "-RESTRUCTURE")
TOPICS: tuple[RouteTopic, ...] = ("dispute", "stop_contact", "complaint", "hardship", "payment")


def rights(*, uow: UnitOfWork, platform: str) -> Rights:
    """The interim rights summary of ``platform``'s jurisdiction."""
    with uow:
        jurisdiction = settings_of(uow, platform).home_jurisdiction
        code = pack_for(jurisdiction)
        pack = None if code is None else platform_pack(uow, platform, code)
    routes = [] if pack is None else routes_of(pack)
    return Rights(
        jurisdiction=jurisdiction,
        pack=None if pack is None else pack.code,
        pack_name_en=None if pack is None else pack.name_en,
        pack_name_zh=None if pack is None else pack.name_zh,
        routes=routes,
        interim=True,
    )


def pack_for(jurisdiction: str) -> str | None:
    """The pack of ``jurisdiction``: its own (``US-MA``), else its country's, else none."""
    if jurisdiction in PACK_CODES:
        return jurisdiction
    country = jurisdiction.split("-")[0]
    return country if country in PACK_CODES else None


def routes_of(pack: Pack) -> list[RightsRoute]:
    """The pack's rules by topic, topics without a rule left out."""
    routes = []
    for topic in TOPICS:
        rules = [_rule(r) for r in pack.rules if _about(r, topic)]
        if rules:
            routes.append(RightsRoute(topic=topic, rules=rules))
    return routes


def _about(rule: Rule, topic: RouteTopic) -> bool:
    params = rule.params
    if topic == "hardship":
        return rule.kind is RuleKind.DOCUMENTED and rule.id.endswith(HARDSHIP_RULE_SUFFIXES)
    if topic == "payment":
        return isinstance(params, MessageParams) and "personal_account" in params.categories
    if topic == "stop_contact" and isinstance(params, ConsentParams):
        return params.honour_opt_out
    wanted = {
        "dispute": HoldKind.DISPUTE,
        "stop_contact": HoldKind.CEASE_CONTACT,
        "complaint": HoldKind.COMPLAINT,
    }[topic]
    return isinstance(params, HoldParams) and wanted in params.blocks


def _rule(rule: Rule) -> RightsRule:
    return RightsRule(
        rule_id=rule.id,
        title_en=rule.title_en,
        title_zh=rule.title_zh,
        sources=[RuleSource(document=s.document, article=s.article) for s in rule.sources],
        confidence=rule.confidence,
    )
