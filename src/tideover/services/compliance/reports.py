"""What the compliance officer reads: the rule packs as a platform applies them, and the
gate's denials by rule and day.

The packs are the law as data (``compliance/packs/*.yaml``, each rule with its
legal source); a platform reads them tightened by its own overrides
(:func:`~tideover.services.compliance.checks.platform_pack`).  The denials come from
the daily cycle's KPI snapshots (``denied`` figures keyed by rule id, one per
segment and arm), read through the cycle's own KPI report.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from tideover.compliance.loader import PACK_CODES, load_pack
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import NotFound, ValidationError
from tideover.i18n import N_
from tideover.services.compliance.checks import platform_pack
from tideover.services.compliance.results import (
    DenialReport,
    DeniedOnDay,
    PackList,
    PackRules,
    PackSummary,
    RuleDenials,
)
from tideover.services.compliance.trail import FIRST_DAY, check_days
from tideover.services.cycle.run import kpi_report
from tideover.services.platforms import business_date_of, settings_of
from tideover.services.unit_of_work import UnitOfWork

DENIED = "denied"  # the KPI metric of the gate's denials (batch/cycle/kpis.py)
MAX_DAYS = 366
DEFAULT_DAYS = 30


def home_pack(jurisdiction: str) -> str | None:
    """The pack of a jurisdiction: its own (``US-MA``) or its country's (``US`` for US-CA)."""
    if jurisdiction in PACK_CODES:
        return jurisdiction
    country = jurisdiction.partition("-")[0]
    return country if country in PACK_CODES else None


def list_packs(*, uow: UnitOfWork, platform: str) -> PackList:
    """Every rule pack as ``platform`` applies it (its overrides make its own version)."""
    with uow:
        jurisdiction = settings_of(uow, platform).home_jurisdiction
        packs = [platform_pack(uow, platform, code) for code in PACK_CODES]
    home = home_pack(jurisdiction)
    return PackList(
        platform=platform,
        jurisdiction=jurisdiction,
        packs=[
            PackSummary(
                pack=p.code,
                name_en=p.name_en,
                name_zh=p.name_zh,
                extends=p.extends,
                version=p.version,
                rules=len(p.rules),
                home=p.code == home,
            )
            for p in packs
        ],
    )


def platform_rules(*, uow: UnitOfWork, platform: str, pack: str) -> PackRules:
    """Every rule of ``pack`` as ``platform`` applies it, each with its legal sources."""
    code = pack.strip().upper()
    if code not in PACK_CODES:
        raise NotFound(
            N_("no rule pack %(pack)s; the packs are %(pack_codes)s"),
            pack=repr(pack),
            pack_codes=tuple(PACK_CODES),
        )
    with uow:
        return PackRules.of(platform_pack(uow, platform, code))


def denials_by_rule(
    *,
    uow: UnitOfWork,
    platform: str,
    first: date | None = None,
    last: date | None = None,
    clock: Clock | None = None,
) -> DenialReport:
    """The actions the gate denied on ``first``..``last``, by rule and business date
    (default: the :data:`DEFAULT_DAYS` days to the platform's business date).

    One action denied by two rules counts once for each (as the cycle counts them).
    """
    check_days(first, last)
    if last is None:
        last = business_date_of(uow=uow, platform=platform, clock=clock or SystemClock())
    if first is None:
        first = max(FIRST_DAY, last - timedelta(days=DEFAULT_DAYS - 1))
    check_days(first, last)
    if (last - first).days >= MAX_DAYS:
        raise ValidationError(
            N_("a denial report covers at most %(max_days)s days"),
            max_days=MAX_DAYS,
        )
    report = kpi_report(uow=uow, platform=platform, first=first, last=last)
    per_day: Counter[tuple[date, str]] = Counter()
    for figure in report.rows:
        if figure.metric == DENIED:
            per_day[(figure.as_of, figure.key)] += figure.accounts
    per_rule: Counter[str] = Counter()
    for (_, rule), count in per_day.items():
        per_rule[rule] += count
    titles = _rule_titles()
    return DenialReport(
        platform=platform,
        first=first,
        last=last,
        days=sorted({day for day, _ in per_day}),
        rules=[
            RuleDenials(
                rule_id=rule,
                title_en=titles.get(rule, (None, None))[0],
                title_zh=titles.get(rule, (None, None))[1],
                denied=count,
            )
            for rule, count in sorted(per_rule.items(), key=lambda item: (-item[1], item[0]))
        ],
        rows=[
            DeniedOnDay(as_of=day, rule_id=rule, denied=count)
            for (day, rule), count in sorted(per_day.items())
        ],
    )


def _rule_titles() -> dict[str, tuple[str, str]]:
    titles: dict[str, tuple[str, str]] = {}
    for code in PACK_CODES:
        for rule in load_pack(code).rules:
            titles.setdefault(rule.id, (rule.title_en, rule.title_zh))
    return titles
