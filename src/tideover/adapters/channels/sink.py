"""The local SMS sink: each message is appended as one JSON line to a file.

``<data dir>/sink/sms.jsonl``, readable by the owner only: development and
tests read the messages (sign-in codes among them) from there.  It sends
nothing anywhere, which is why production refuses it (``tideover.config``).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SINK_FILE = Path("sink") / "sms.jsonl"


class SinkSms:
    """An SMS provider that writes to the local sink file instead of a network."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / SINK_FILE

    def send(self, to: str, text: str, *, platform: str, purpose: str) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        line = json.dumps(
            {
                "at": datetime.now(UTC).isoformat(),
                "platform": platform,
                "purpose": purpose,
                "to": to,
                "text": text,
            },
            ensure_ascii=False,
        )
        # One write of one line on a file opened for appending: concurrent senders never
        # interleave inside a line (O_APPEND), and the file is the owner's only.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
        finally:
            os.close(fd)


def read_sink(data_dir: Path) -> list[dict[str, Any]]:
    """Every message in the sink of ``data_dir``, oldest first (none when it is empty)."""
    path = data_dir / SINK_FILE
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
