"""A collector of a platform: who works which queues, where, and how much in a day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tideover.domain.errors import ValidationError
from tideover.i18n import N_

MAX_DAILY_CAPACITY = 10_000
# Ids and queue names as typed in files and commands: letters, digits, . _ - @ (no spaces).
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_QUEUE = re.compile(r"^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,63})$")


class CollectorRole(StrEnum):
    COLLECTOR = "collector"
    TEAM_LEAD = "team_lead"


@dataclass(frozen=True, slots=True)
class Collector:
    """``jurisdictions`` are checked codes (``tideover.compliance.jurisdictions``);
    ``queues`` the queue names worked, ``*`` for every queue."""

    collector_id: str
    name: str
    team: str
    role: CollectorRole
    jurisdictions: tuple[str, ...]
    queues: tuple[str, ...]
    daily_capacity: int
    active: bool = True

    def __post_init__(self) -> None:
        who = self.collector_id
        if not _ID.match(who):
            raise ValidationError(
                N_(
                    "collector id %(who)s must be 1 to 64 letters, digits or . _ - @, "
                    "starting with a letter or digit"
                ),
                who=repr(who),
            )
        if not self.name.strip() or len(self.name) > 200:
            raise ValidationError(
                N_("collector %(who)s: the name must be 1 to 200 characters"),
                who=repr(who),
            )
        if not _ID.match(self.team):
            raise ValidationError(
                N_("collector %(who)s: team %(team)s must be 1 to 64 letters, digits or . _ - @"),
                who=repr(who),
                team=repr(self.team),
            )
        if not self.jurisdictions:
            raise ValidationError(
                N_("collector %(who)s: give at least one permitted jurisdiction (e.g. CN, US-MA)"),
                who=repr(who),
            )
        bad = [q for q in self.queues if not _QUEUE.match(q)]
        if bad:
            raise ValidationError(
                N_(
                    "collector %(who)s: give the queues worked (names, or * for every queue); "
                    "invalid: %(bad)s"
                ),
                who=repr(who),
                bad=tuple(map(repr, bad)),
            )
        if not self.queues:
            raise ValidationError(
                N_("collector %(who)s: give the queues worked (names, or * for every queue)"),
                who=repr(who),
            )
        if not 0 <= self.daily_capacity <= MAX_DAILY_CAPACITY:
            raise ValidationError(
                N_(
                    "collector %(who)s: daily capacity %(daily_capacity)s must be between 0 "
                    "and %(max_daily_capacity)s items"
                ),
                who=repr(who),
                daily_capacity=self.daily_capacity,
                max_daily_capacity=MAX_DAILY_CAPACITY,
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "collector_id": self.collector_id,
            "name": self.name,
            "team": self.team,
            "role": self.role.value,
            "jurisdictions": list(self.jurisdictions),
            "queues": list(self.queues),
            "daily_capacity": self.daily_capacity,
            "active": self.active,
        }
