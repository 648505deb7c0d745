"""A platform with borrowers, outbox messages and a real SMTP server on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.borrowers import Borrower, PhoneNumber

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
AS_OF = date(2026, 3, 2)
# 10:00 in Shanghai, 02:00 UTC: inside every pack's contact window.
NOON = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CHANNELS = {
    "sms": {"provider": "none", "signature": "示例金融"},
    "email": {"sender_address": "notices@example.cn", "sender_name": "Example Finance"},
    "quiet_hours": {"start": None, "end": None},
}


def platform(
    uow_factory: UowFactory,
    code: str = "acme",
    *,
    quiet: dict[str, str] | None = None,
    borrowers: int = 3,
    locale: str = "zh-CN",
) -> None:
    channels = dict(CHANNELS)
    if quiet is not None:
        channels["quiet_hours"] = quiet
    with uow_factory() as uow:
        uow.platforms.ensure(code, name="示例金融", currency="CNY", settings={"channels": channels})
        uow.borrowers(code).add_many(
            [
                Borrower(
                    platform=code,
                    borrower_id=f"B{i}",
                    name=f"借款人{i}",
                    phones=(PhoneNumber(f"+8613800000{i:03d}", "CN", ("Asia/Shanghai",)),),
                    email=f"b{i}@example.cn",
                    address=f"上海市某路{i}号",
                    time_zone="Asia/Shanghai",
                    locale=locale if i % 2 == 0 else "en",
                )
                for i in range(borrowers)
            ]
        )
        uow.commit()


def queue(
    uow_factory: UowFactory, code: str, rows: list[tuple[str, str, str]], *, at: datetime = NOON
) -> None:
    """Outbox messages (borrower, channel, template), with the reminder's values."""
    payload = {
        "overdue_amount": {"minor": 123456, "currency": "CNY"},
        "balance": {"minor": 500000, "currency": "CNY"},
        "due_date": "2026-03-05",
        "dpd": 3,
    }
    with uow_factory() as uow:
        uow.comms(code).add_messages(
            AS_OF,
            [
                {
                    "account_id": f"L{borrower}-{n:04d}",
                    "borrower_id": borrower,
                    "step": f"t#{n}",
                    "channel": channel,
                    "template": template,
                    "tone": "neutral",
                    "segment": "s",
                    "arm": "a",
                    "treatment": "t",
                    "scheduled_at": at,
                    "state": "pending",
                    "rescheduled": False,
                    "rule_ids": [],
                    "run_id": 0,
                }
                for n, (borrower, channel, template) in enumerate(rows)
            ],
            [payload] * len(rows),
        )
        uow.commit()


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on loopback; what arrives is in ``messages``."""
    from aiosmtpd.controller import Controller

    box = Mailbox("127.0.0.1", 0)
    lock = threading.Lock()

    class Handler:
        async def handle_RCPT(  # noqa: N802 (aiosmtpd names its hooks)
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if address in box.refuse:
                return "550 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(  # noqa: N802
            self, server: Any, session: Any, envelope: Any
        ) -> str:
            with lock:
                parsed = message_from_bytes(envelope.original_content, policy=default)
                box.messages.append(parsed)
            return "250 Message accepted"

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        box.port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
