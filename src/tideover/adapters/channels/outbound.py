"""The outbox's channels: one interface, and the local ones (sink, letter spool).

``send(message)`` hands one finished message to a provider and returns the
provider's reference; ``sent_before(key)`` answers, after a crash, whether the
message with that key already went: ``True``, ``False``, or ``None`` when the
provider cannot tell.  The worker never sends a message twice on the strength
of a guess: a ``None`` leaves it failed with the reason, for a person to look
at (docs/communications.md, "Exactly once").

A new provider implements these two methods, raises :class:`ChannelFailure`
(``transient`` when trying again later may work), and is chosen in
``channels_for`` by its setting.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from tideover.domain.errors import TideoverError
from tideover.i18n import N_, Wording


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    key: str  # unique per outbox message: the provider's idempotency key
    channel: str
    to: str
    text: str
    platform: str
    purpose: str
    language: str
    subject: str | None = None
    sender: str | None = None  # e-mail From, SMS signature
    attachments: tuple[tuple[str, bytes], ...] = field(default=())


class ChannelFailure(TideoverError):
    """A provider refused or could not be reached; ``transient`` ones are tried again."""

    code = "channel_failure"
    http_status = 502

    def __init__(
        self, message: str | Wording, /, *, transient: bool, reason: str, **values: object
    ) -> None:
        super().__init__(message, **values)
        self.transient = transient
        self.reason = reason


class OutboundChannel(Protocol):
    def send(self, message: OutboundMessage) -> str: ...

    def sent_before(self, key: str) -> bool | None: ...


def append_line(path: Path, record: dict[str, object], *, sync: bool = True) -> None:
    """One JSON line appended in one write (whole, even if the process is killed just
    after), and with ``sync`` flushed to the disk before returning (a journal that must
    outlive a crash of the machine, not only of the process)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def read_keys(path: Path, field_name: str = "key") -> set[str]:
    if not path.exists():
        return set()
    keys = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                try:
                    value = json.loads(line).get(field_name)
                except json.JSONDecodeError:  # a line cut by a crash: it never went
                    continue
                if value:
                    keys.add(str(value))
    return keys


class SinkOutbound:
    """SMS and app push to ``<data dir>/sink/<channel>.jsonl`` (development and tests).

    The line is the send: written in one append, so the file is its own journal and
    ``sent_before`` is always known.  A development sink, it is not synced to the disk:
    a killed process never loses a written line, only a crash of the machine could."""

    def __init__(self, data_dir: Path, channel: str) -> None:
        self.path = data_dir / "sink" / f"{channel}.jsonl"
        self._keys: set[str] | None = None

    def send(self, message: OutboundMessage) -> str:
        append_line(
            self.path,
            {
                "at": datetime.now(UTC).isoformat(),
                "key": message.key,
                "platform": message.platform,
                "purpose": message.purpose,
                "to": message.to,
                "title": message.subject,
                "text": (f"【{message.sender}】" if message.sender else "") + message.text
                if message.channel == "sms" and message.sender and not message.text.startswith("【")
                else message.text,
            },
            sync=False,
        )
        if self._keys is not None:
            self._keys.add(message.key)
        return f"sink:{message.key}"

    def sent_before(self, key: str) -> bool:
        if self._keys is None:
            self._keys = read_keys(self.path)
        return key in self._keys


class LetterSpool:
    """Letters as PDF files in ``<data dir>/letters/<platform>/<key>.pdf``, for the print
    and post service to collect; written whole (a temporary file renamed), so a file that
    exists is a letter that went."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "letters"

    def send(self, message: OutboundMessage) -> str:
        if not message.attachments:
            raise ChannelFailure(N_("a letter needs its PDF"), transient=False, reason="no_pdf")
        folder = self.root / message.platform
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = folder / f"{message.key}.pdf"
        scratch = folder / f".{message.key}.pdf.part"
        scratch.write_bytes(message.attachments[0][1])
        os.replace(scratch, target)
        return f"letter:{target.name}"

    def sent_before(self, key: str) -> bool:
        return any(self.root.glob(f"*/{key}.pdf"))
