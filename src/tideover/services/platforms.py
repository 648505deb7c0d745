"""Use cases on platforms (tenants): their settings and their business date."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from pydantic import JsonValue

from tideover.compliance.overrides import check_rule_overrides
from tideover.domain.clock import Clock, SystemClock, business_date
from tideover.domain.errors import NotFound, ValidationError
from tideover.domain.platforms import PlatformSettings
from tideover.i18n import N_
from tideover.services.results import Result
from tideover.services.unit_of_work import UnitOfWork


class PlatformInfo(Result):
    """A platform (tenant): its code, display name and settings."""

    code: str
    name: str
    # The settings document as stored (``PlatformSettings.to_dict``, docs/domain.md).
    settings: dict[str, JsonValue]


class Platforms(Result):
    """Every platform."""

    platforms: list[PlatformInfo]


def settings_of(uow: UnitOfWork, platform: str) -> PlatformSettings:
    """The settings of ``platform`` inside an open unit of work; NotFound if unknown."""
    record = uow.platforms.get(platform)
    if record is None:
        raise NotFound(N_("unknown platform %(platform)s"), platform=repr(platform))
    data = dict(record.settings)
    data.setdefault("currency", record.currency.code)  # the platform's own, not the default
    return PlatformSettings.from_dict(data)


def business_date_of(*, uow: UnitOfWork, platform: str, clock: Clock | None = None) -> date:
    """Today where the platform is (its time zone, never the server's)."""
    with uow:
        zone = settings_of(uow, platform).time_zone
    return business_date(clock or SystemClock(), zone)


_CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
# Parts of the settings document saved by their own use case (services/channel_settings.py).
KEPT = ("channels",)


def check_platform_code(code: str) -> str:
    """A platform code: lower-case letters, digits and hyphens, at most 63 characters."""
    if not _CODE.fullmatch(code):
        raise ValidationError(
            N_("platform code %(code)s must be lower-case letters, digits and '-' (e.g. acme-cn)"),
            code=repr(code),
        )
    return code


def save_platform(
    *, uow: UnitOfWork, code: str, name: str, settings: PlatformSettings
) -> PlatformInfo:
    """Create the platform, or update its name and settings (its currency never changes).

    Rule overrides are checked against the packs here: only stricter values pass.
    """
    check_platform_code(code)
    if settings.rule_overrides:
        settings = replace(settings, rule_overrides=check_rule_overrides(settings.rule_overrides))
    with uow:
        stored = uow.platforms.get(code)
        # Kept as they are: settings this model does not read (the channels', saved apart).
        kept = {k: v for k, v in (stored.settings if stored else {}).items() if k in KEPT}
        record = uow.platforms.ensure(
            code, name=name, currency=settings.currency.code, settings=settings.to_dict() | kept
        )
        uow.commit()
    return PlatformInfo(code=record.code, name=record.name, settings=settings.to_dict())


def list_platforms(*, uow: UnitOfWork) -> Platforms:
    with uow:
        return Platforms(
            platforms=[
                PlatformInfo(code=r.code, name=r.name, settings=r.settings)
                for r in uow.platforms.list()
            ]
        )
