"""A collector of a platform: who works which queues, where, and how much in a day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tideover.domain.errors import ValidationError

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
                f"collector id {who!r} must be 1 to 64 letters, digits or . _ - @, "
                "starting with a letter or digit",
                f"催收员编号 {who!r} 须为 1 至 64 个字母、数字或 . _ - @，并以字母或数字开头",
            )
        if not self.name.strip() or len(self.name) > 200:
            raise ValidationError(
                f"collector {who!r}: the name must be 1 to 200 characters",
                f"催收员 {who!r}：姓名须为 1 至 200 个字符",
            )
        if not _ID.match(self.team):
            raise ValidationError(
                f"collector {who!r}: team {self.team!r} must be 1 to 64 letters, digits or . _ - @",
                f"催收员 {who!r}：团队 {self.team!r} 须为 1 至 64 个字母、数字或 . _ - @",
            )
        if not self.jurisdictions:
            raise ValidationError(
                f"collector {who!r}: give at least one permitted jurisdiction (e.g. CN, US-MA)",
                f"催收员 {who!r}：请至少给出一个允许的辖区（例如 CN、US-MA）",
            )
        bad = [q for q in self.queues if not _QUEUE.match(q)]
        if not self.queues or bad:
            raise ValidationError(
                f"collector {who!r}: give the queues worked (names, or * for every queue)"
                + (f"; invalid: {', '.join(map(repr, bad))}" if bad else ""),
                f"催收员 {who!r}：请给出所处理的队列（队列名，或 * 表示全部队列）"
                + (f"；无效：{'、'.join(map(repr, bad))}" if bad else ""),
            )
        if not 0 <= self.daily_capacity <= MAX_DAILY_CAPACITY:
            raise ValidationError(
                f"collector {who!r}: daily capacity {self.daily_capacity} must be between 0 "
                f"and {MAX_DAILY_CAPACITY} items",
                f"催收员 {who!r}：每日容量 {self.daily_capacity} 须在 0 至 "
                f"{MAX_DAILY_CAPACITY} 件之间",
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
