"""The outbox's channels on this server, from its settings and the platform's.

The server decides *how* a channel sends (``TIDEOVER_SMS_PROVIDER``,
``TIDEOVER_SMTP_*``: transports and their secrets are the operator's); the
platform's channel settings decide *as whom* (its SMS signature, its e-mail
sender) and *when not* (its quiet hours).  Outside production the SMS sink
sends for every platform; in production a platform whose settings name no SMS
provider has no SMS channel, whatever the server offers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tideover.adapters.channels.email import SmtpOutbound
from tideover.adapters.channels.outbound import LetterSpool, OutboundChannel, SinkOutbound
from tideover.config import Settings


@dataclass
class Channels:
    """The channels a worker sends on, by outbox channel name (missing: not available)."""

    by_name: dict[str, OutboundChannel] = field(default_factory=dict)

    def get(self, name: str) -> OutboundChannel | None:
        return self.by_name.get(name)

    def close(self) -> None:
        for channel in self.by_name.values():
            close = getattr(channel, "close", None)
            if close is not None:
                close()


def server_channels(settings: Settings, data_dir: Path | None = None) -> Channels:
    root = data_dir or settings.data_dir
    found: dict[str, OutboundChannel] = {"letter": LetterSpool(root)}
    if settings.resolved_sms_provider == "sink":
        found["sms"] = SinkOutbound(root, "sms")
        found["app_push"] = SinkOutbound(root, "app_push")
    if settings.smtp_host:
        found["email"] = SmtpOutbound(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout,
            journal=root / "sink" / "smtp-journal.jsonl",
        )
    return Channels(found)
