"""The SMS channel: one small interface, chosen by ``TIDEOVER_SMS_PROVIDER``.

``send(to, text, *, platform, purpose)`` is all a provider implements: ``to``
is an E.164 number, ``text`` the finished message in the reader's language,
``platform`` the tenant whose sender it goes out as, and ``purpose`` a short
stable word (``sign_in_code``, later ``notice``, ``reminder`` ...) that a
provider may use to pick a template or a route and that the sink records.

Production refuses the sink (``tideover.config``); with no provider configured
there is no SMS channel at all and asking for one is an ``sms_not_configured``
error, so nothing ever pretends to have sent a message.
"""

from __future__ import annotations

from typing import Protocol

from tideover.adapters.channels.sink import SinkSms
from tideover.config import Settings
from tideover.domain.errors import TideoverError
from tideover.i18n import N_


class SmsChannel(Protocol):
    def send(self, to: str, text: str, *, platform: str, purpose: str) -> None:
        """Send ``text`` to the number ``to`` for ``platform``; raises on failure."""
        ...


class SmsNotConfigured(TideoverError):
    """No SMS provider is configured on this server."""

    code = "sms_not_configured"
    http_status = 503


def sms_channel(settings: Settings) -> SmsChannel:
    """The configured SMS provider; ``SmsNotConfigured`` when there is none."""
    provider = settings.resolved_sms_provider
    if provider == "sink":
        return SinkSms(settings.data_dir)
    raise SmsNotConfigured(
        N_("text messages are not set up on this server; please contact the platform"),
    )
