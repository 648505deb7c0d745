"""A borrower signs in with their phone number and a one-time code sent by SMS.

The number is read as the borrower types it (spaces, a national number) and
looked up in E.164, the form it is stored in; national numbers are read in the
platform's jurisdiction.  The rules (rate limits, expiry, tries, the same
answer whether or not the number is known) are
``tideover.services.access.signin``'s.
"""

from __future__ import annotations

from datetime import datetime

from tideover.domain.contacts import parse_phone
from tideover.domain.errors import ValidationError
from tideover.domain.platforms import PlatformSettings
from tideover.i18n import N_
from tideover.services.access.signin import (
    CODE_LIFE,
    NewSession,
    SendSms,
    request_borrower_code,
    sign_in_borrower,
)
from tideover.services.portal.results import CodeSent
from tideover.services.unit_of_work import UnitOfWork

# The region a national number is read in, by the platform's jurisdiction (its country).
_PHONE_REGION = {"UK": "GB", "EU": "IE"}


def request_code(
    *, uow: UnitOfWork, platform: str, phone: str, at: datetime, send: SendSms
) -> CodeSent:
    """Send a sign-in code to ``phone`` if it is a borrower's of ``platform``."""
    number = _e164(uow, platform, phone)
    request_borrower_code(uow=uow, platform=platform, phone=number, at=at, send=send)
    return CodeSent(sent=True, expires_in_seconds=int(CODE_LIFE.total_seconds()))


def sign_in(
    *,
    uow: UnitOfWork,
    platform: str,
    phone: str,
    code: str,
    at: datetime,
    locale: str | None = None,
) -> NewSession:
    """A new borrower session for the right, live code (``SignInRefused`` otherwise)."""
    number = _e164(uow, platform, phone)
    return sign_in_borrower(
        uow=uow, platform=platform, phone=number, code=code, at=at, locale=locale
    )


def _e164(uow: UnitOfWork, platform: str, phone: str) -> str:
    with uow:
        record = uow.platforms.get(platform)
    country = "CN"
    if record is not None:
        jurisdiction = PlatformSettings.from_dict(record.settings).home_jurisdiction
        country = jurisdiction.split("-")[0]
    try:
        return parse_phone(phone, _PHONE_REGION.get(country, country)).e164
    except ValidationError:
        # The domain's message repeats the number: never echo a phone number back.
        raise ValidationError(
            N_("that is not a phone number we can read; type it as on your loan contract"),
        ) from None
