"""A platform's channel settings: the SMS provider, the e-mail sender, its quiet hours.

They are kept in the platform's settings document under ``channels`` (next to
what :class:`~tideover.domain.platforms.PlatformSettings` reads), and only
validated here: the channels that send come later and read them.  Secrets
(provider keys, SMTP passwords) are never in them: those come from the
environment, like every secret.

The platform's quiet hours are its own, on top of the law: automated channels
send nothing between ``start`` and ``end`` (its local time; ``21:00``–``08:00``
wraps midnight), and the rule packs' contact windows still apply, whichever is
narrower.  A change names the version it was read at (its ETag): a stale one
is refused.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import time
from typing import Any, Literal

import pydantic
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import NotFound, TideoverError, ValidationError
from tideover.i18n import N_, Wording
from tideover.services.inputs import NO_CONTROL, StrictModel, problems
from tideover.services.results import Result
from tideover.services.unit_of_work import UnitOfWork

CHANNELS = "channels"  # the key in the platform's settings document
CHANNELS_CHANGED = "channel_settings_changed"

# Mainland providers need an approved signature (短信签名, 2 to 12 characters, shown as
# 【签名】) under the MIIT's rules on commercial SMS (《通信短信息服务管理规定》, art. 17 and
# the carriers' template review); the others send from a sender id or a number.
SIGNED_PROVIDERS = ("aliyun", "tencent")
SENDER_PROVIDERS = ("twilio", "vonage")
SmsProvider = Literal["none", "aliyun", "tencent", "twilio", "vonage"]

# The problems these models find themselves, by error type (pydantic's own: inputs.py).
_OWN = {
    "sender_id_invalid": N_("sender_id: 1 to 11 letters and digits, or a number"),
    "signature_needed": N_("signature: the provider needs the approved signature"),
    "sender_id_needed": N_("sender_id: the provider needs a sender id or number"),
    "not_an_email": N_("%(name)s: not an e-mail address"),
    "address_needed": N_("sender_address: a sender name needs an address"),
    "quiet_hours_incomplete": N_("give both a start and an end, or neither"),
    "quiet_hours_empty": N_("the start and the end are the same time"),
}


def _problem(kind: str, **context: str) -> PydanticCustomError:
    return PydanticCustomError(kind, Wording(_OWN[kind], **context).en, context)


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")
_SENDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ]{0,10}|\+?[0-9]{3,15}")


class StaleSettings(TideoverError):
    code = "precondition_failed"
    http_status = 412


class SmsSettings(StrictModel):
    provider: SmsProvider = "none"
    signature: str | None = Field(default=None, min_length=2, max_length=12, pattern=NO_CONTROL)
    sender_id: str | None = Field(default=None, max_length=16)

    @model_validator(mode="after")
    def _complete(self) -> SmsSettings:
        if self.sender_id is not None and not _SENDER.fullmatch(self.sender_id):
            raise _problem("sender_id_invalid")
        if self.provider in SIGNED_PROVIDERS and not self.signature:
            raise _problem("signature_needed")
        if self.provider in SENDER_PROVIDERS and not self.sender_id:
            raise _problem("sender_id_needed")
        return self


class EmailSettings(StrictModel):
    sender_address: str | None = Field(default=None, max_length=254)
    sender_name: str | None = Field(default=None, min_length=1, max_length=100, pattern=NO_CONTROL)
    reply_to: str | None = Field(default=None, max_length=254)

    @model_validator(mode="after")
    def _addresses(self) -> EmailSettings:
        for name in ("sender_address", "reply_to"):
            value = getattr(self, name)
            if value is not None and not _EMAIL.fullmatch(value):
                raise _problem("not_an_email", name=name)
        if self.sender_name is not None and self.sender_address is None:
            raise _problem("address_needed")
        return self


class QuietHours(StrictModel):
    """From ``start`` to ``end`` (the platform's local time) automated channels are silent."""

    start: time | None = None
    end: time | None = None

    @model_validator(mode="after")
    def _both(self) -> QuietHours:
        if (self.start is None) != (self.end is None):
            raise _problem("quiet_hours_incomplete")
        if self.start is not None and self.start == self.end:
            raise _problem("quiet_hours_empty")
        return self


class ChannelSettingsIn(StrictModel):
    """The channel settings as a person sends them."""

    sms: SmsSettings = SmsSettings()
    email: EmailSettings = EmailSettings()
    quiet_hours: QuietHours = QuietHours()


class ChannelSettings(Result):
    """A platform's channel settings and the version they were read at (their ETag)."""

    platform: str
    sms: SmsSettings
    email: EmailSettings
    quiet_hours: QuietHours
    version: str


def parse_channel_settings(data: object) -> ChannelSettingsIn:
    """``data`` as channel settings; its first problems said in zh and en."""
    if isinstance(data, ChannelSettingsIn):
        return data
    try:
        return ChannelSettingsIn.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = exc.errors()[:3]
        raise ValidationError(
            N_("the channel settings are not valid (%(problems)s)"),
            problems=problems(errors, _OWN),
        ) from exc


def show_channel_settings(*, uow: UnitOfWork, platform: str) -> ChannelSettings:
    with uow:
        stored = _stored(uow, platform)
    return _shown(platform, stored)


def save_channel_settings(
    *,
    uow: UnitOfWork,
    platform: str,
    settings: ChannelSettingsIn | Mapping[str, Any],
    expected_version: str | None,
    by: str,
    clock: Clock | None = None,
) -> ChannelSettings:
    """Replace the channel settings; refused (412) unless read at ``expected_version`` (None:
    no check, for a script that knows it is alone).  Audited with who changed them."""
    parsed = parse_channel_settings(settings)
    now = (clock or SystemClock()).now()
    with uow:
        record = uow.platforms.get(platform)
        if record is None:
            raise NotFound(N_("unknown platform %(platform)s"), platform=repr(platform))
        current = _shown(platform, _parsed_or_default(record.settings.get(CHANNELS)))
        if expected_version is not None and expected_version != current.version:
            raise StaleSettings(
                N_("the channel settings changed since they were read; reload and try again"),
            )
        document = parsed.model_dump(mode="json")
        uow.platforms.ensure(
            record.code,
            name=record.name,
            currency=record.currency,
            settings={**record.settings, CHANNELS: document},
        )
        uow.audit(platform).append(CHANNELS_CHANGED, {"by": by, **document}, at=now)
        uow.commit()
    return _shown(platform, parsed)


def _stored(uow: UnitOfWork, platform: str) -> ChannelSettingsIn:
    record = uow.platforms.get(platform)
    if record is None:
        raise NotFound(N_("unknown platform %(platform)s"), platform=repr(platform))
    return _parsed_or_default(record.settings.get(CHANNELS))


def _parsed_or_default(stored: object) -> ChannelSettingsIn:
    return ChannelSettingsIn() if stored is None else parse_channel_settings(stored)


def _shown(platform: str, settings: ChannelSettingsIn) -> ChannelSettings:
    document = settings.model_dump(mode="json")
    digest = hashlib.sha256(
        json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    return ChannelSettings(
        platform=platform,
        sms=settings.sms,
        email=settings.email,
        quiet_hours=settings.quiet_hours,
        version=digest[:16],
    )
