"""What every use case shares: who acts, the platform's "now and today", progress.

Imports point one way: feature modules import this one, never each other's
private helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from tideover.domain.clock import Clock, SystemClock, business_date
from tideover.domain.errors import ValidationError
from tideover.plans.cases import AUTOMATIC
from tideover.services.platforms import settings_of
from tideover.services.unit_of_work import UnitOfWork

# (task label, units done, units in all); the CLI draws a Rich progress bar.
ProgressFn = Callable[[str, int, int], None]

ACTOR_MAX = 200


def no_progress(_label: str, _done: int, _total: int) -> None:
    """A listener that ignores everything."""


def actor_name(by: str) -> str:
    if not by.strip() or len(by) > ACTOR_MAX or by == AUTOMATIC:
        raise ValidationError(
            f"actor {by!r} must be 1 to {ACTOR_MAX} characters and not {AUTOMATIC!r} (reserved "
            "for automatic decisions)",
            f"操作人 {by!r} 须为 1 至 {ACTOR_MAX} 个字符，且不能是保留给自动决策的 {AUTOMATIC!r}",
        )
    return by


def now_and_today(uow: UnitOfWork, platform: str, clock: Clock | None) -> tuple[datetime, date]:
    """The instant and the platform's business date (its IANA zone), inside an open uow."""
    clock = clock or SystemClock()
    return clock.now(), business_date(clock, settings_of(uow, platform).time_zone)
