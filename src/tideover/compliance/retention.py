"""How long the law makes a lender keep a borrower's records, per jurisdiction, as data.

``retention.yaml`` lists each rule with its period, the categories of record it
covers and its legal source.  A period is a *minimum*: erasure waits until it
has run.  Rules with a period of zero say the opposite (keep no longer than
needed) and are listed so that the report cites them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field

from tideover.compliance.rules import Source
from tideover.domain.errors import NotFound
from tideover.i18n import N_


class Category(StrEnum):
    IDENTITY = "identity"
    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    HARDSHIP = "hardship"


class RetentionRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[A-Z]{2}-RET-[A-Z0-9]+$")
    years: int = Field(ge=0, le=100)
    categories: tuple[Category, ...] = Field(min_length=1)
    title_en: str
    title_zh: str
    sources: tuple[Source, ...] = Field(min_length=1)


@lru_cache(maxsize=1)
def _all_rules() -> dict[str, tuple[RetentionRule, ...]]:
    text = resources.files("tideover.compliance").joinpath("retention.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    return {
        code: tuple(RetentionRule.model_validate(rule) for rule in rules)
        for code, rules in raw.items()
    }


def retention_rules(jurisdiction: str) -> tuple[RetentionRule, ...]:
    """The rules of ``jurisdiction`` (``US-NY`` falls back to ``US``)."""
    rules = _all_rules()
    for code in (jurisdiction, jurisdiction.split("-")[0]):
        if code in rules:
            return rules[code]
    raise NotFound(
        N_("no retention rules for jurisdiction %(jurisdiction)s; known: %(rules)s"),
        jurisdiction=repr(jurisdiction),
        rules=tuple(rules),
    )


def years_after(day: date, years: int) -> date:
    """``day`` plus whole years (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def kept_until(jurisdiction: str, last_activity: date) -> tuple[date, tuple[RetentionRule, ...]]:
    """The day before which the records may not be erased, and the rules that decide it."""
    rules = retention_rules(jurisdiction)
    longest = max(rule.years for rule in rules)
    deciding = tuple(rule for rule in rules if rule.years == longest and longest > 0)
    return years_after(last_activity, longest), deciding
