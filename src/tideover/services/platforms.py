"""Use cases on platforms (tenants): their settings and their business date."""

from __future__ import annotations

from datetime import date

from tideover.domain.clock import Clock, SystemClock, business_date
from tideover.domain.errors import NotFound
from tideover.domain.platforms import PlatformSettings
from tideover.services.unit_of_work import UnitOfWork


def settings_of(uow: UnitOfWork, platform: str) -> PlatformSettings:
    """The settings of ``platform`` inside an open unit of work; NotFound if unknown."""
    record = uow.platforms.get(platform)
    if record is None:
        raise NotFound(f"unknown platform {platform!r}", f"未知平台 {platform!r}")
    return PlatformSettings.from_dict(record.settings)


def business_date_of(*, uow: UnitOfWork, platform: str, clock: Clock | None = None) -> date:
    """Today where the platform is (its time zone, never the server's)."""
    with uow:
        zone = settings_of(uow, platform).time_zone
    return business_date(clock or SystemClock(), zone)
