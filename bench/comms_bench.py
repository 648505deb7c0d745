"""Communications: render, check and send, beside a bare render as the floor; PDF letters.

Measures, on one core (one Python thread):

- ``render``: the shipped reminder SMS rendered with a different borrower's values each
  time (name, amount, dates) — the floor;
- ``render+check``: the same, then the message checker under the CN pack as the worker
  does it (the message's shape once per distinct shape, each free-text value once);
- ``render+full check``: every message checked whole, the way a naive worker would;
- ``render+check+send sms``: the same to the SMS sink (one fsync'ed line per message);
- ``render+check+send email``: the shipped reminder e-mail over SMTP to an aiosmtpd
  server on loopback, one connection kept open;
- ``worker``: the outbox worker end to end on a SQLite file (claim, gate on the stored
  ledger, render, check, send to the sink, record in the ledger and the audit trail);
- ``letter``: a Chinese and an English letter rendered to PDF (WeasyPrint, Noto CJK).

    .venv/bin/python bench/comms_bench.py --sms 100000 --emails 10000 --worker 2000 --json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tideover.adapters.channels.email import SmtpOutbound
from tideover.adapters.channels.outbound import OutboundMessage, SinkOutbound
from tideover.adapters.channels.pdf import render_letter
from tideover.comms.catalogue import MessageChannel
from tideover.comms.defaults import default_template
from tideover.comms.rendering import PlatformText, compile_template
from tideover.compliance.loader import load_pack
from tideover.compliance.text import default_checker
from tideover.domain.money import CNY, Money
from tideover.services.comms.checking import MessageCheck

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def values(i: int) -> dict[str, object]:
    return {
        "borrower_name": SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[(i // 400) % 20],
        "account_ref": f"{i % 10000:04d}",
        "overdue_amount": Money(10_000 + (i * 7919) % 5_000_000, CNY),
        "balance": Money(100_000 + (i * 104729) % 50_000_000, CNY),
        "due_date": date(2026, 3, 1) + timedelta(days=i % 60),
        "today": date(2026, 3, 2),
        "dpd": i % 90,
        "platform_name": PlatformText("示例金融"),
        "service_phone": PlatformText("400-000-0000"),
        "pay_where": PlatformText("官方App"),
        "portal_url": PlatformText("https://example.cn/me"),
    }


def timed(label: str, count: int, fn: Callable[[int], None]) -> dict[str, Any]:
    started = time.perf_counter()
    for i in range(count):
        fn(i)
    seconds = time.perf_counter() - started
    row = {
        "case": label,
        "messages": count,
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1),
    }
    print(
        f"{label:28s} {count:>8,} in {seconds:8.2f} s = {count / seconds:10,.0f}/s", file=sys.stderr
    )
    return row


def bench_sms(count: int, full_count: int, sink_dir: Path) -> list[dict[str, Any]]:
    template = default_template("reminder_sms")
    assert template is not None
    body = compile_template(template.text.body["zh-CN"], "zh-CN")
    checker = default_checker()
    check = MessageCheck([load_pack("CN")], sender_names={"zh-CN": "示例金融"}, checker=checker)
    full = MessageCheck([load_pack("CN")], sender_names={"zh-CN": "示例金融"}, checker=checker)
    sink = SinkOutbound(sink_dir, "sms")
    rows = [timed("render (floor)", count, lambda i: body.render(values(i)))]

    def render_check(i: int) -> None:
        done = body.render(values(i))
        assert not check.rendered(done, MessageChannel.SMS, "zh-CN")

    rows.append(timed("render+check", count, render_check))

    def render_full(i: int) -> None:
        done = body.render(values(i))
        assert not full.text(done.text, MessageChannel.SMS, "zh-CN")

    rows.append(timed("render+full check", full_count, render_full))

    def render_check_send(i: int) -> None:
        done = body.render(values(i))
        assert not check.rendered(done, MessageChannel.SMS, "zh-CN")
        sink.send(
            OutboundMessage(
                f"k{i}", "sms", "+8613800000000", done.text, "bench", "reminder", "zh-CN"
            )
        )

    rows.append(timed("render+check+send sms", count, render_check_send))
    return rows


def bench_email(count: int, scratch: Path) -> list[dict[str, Any]]:
    from aiosmtpd.controller import Controller

    class Handler:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            Handler.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    template = default_template("reminder_email")
    assert template is not None
    body = compile_template(template.text.body["en"], "en")
    subject = compile_template(template.text.subject["en"], "en")
    check = MessageCheck([load_pack("CN")], sender_names={"en": "示例金融"})
    smtp = SmtpOutbound(host="127.0.0.1", port=port, journal=scratch / "journal.jsonl")

    def send(i: int) -> None:
        v = values(i)
        b, s = body.render(v), subject.render(v)
        assert not check.rendered(b, MessageChannel.EMAIL, "en")
        smtp.send(
            OutboundMessage(
                f"e{i}",
                "email",
                f"b{i}@example.cn",
                b.text,
                "bench",
                "reminder",
                "en",
                subject=s.text,
                sender="n@example.cn",
            )
        )

    try:
        row = timed("render+check+send email", count, send)
    finally:
        smtp.close()
        controller.stop()
    assert Handler.received == count
    return [row]


def bench_worker(count: int, scratch: Path) -> list[dict[str, Any]]:
    from tideover.adapters.database import make_engine, migrate, session_factory
    from tideover.adapters.pii import PiiCipher
    from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
    from tideover.config import DEMO_PII_KEY
    from tideover.domain.borrowers import Borrower, PhoneNumber
    from tideover.domain.clock import FixedClock
    from tideover.services.comms.channels import Channels
    from tideover.services.comms.worker import run_outbox

    engine = make_engine(f"sqlite:///{scratch / 'bench.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    cipher = PiiCipher(DEMO_PII_KEY)

    def uow() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, cipher)

    noon = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    with uow() as unit:
        unit.platforms.ensure("bench", name="示例金融", currency="CNY", settings={})
        unit.borrowers("bench").add_many(
            [
                Borrower(
                    platform="bench",
                    borrower_id=f"B{i}",
                    name=str(values(i)["borrower_name"]),
                    phones=(PhoneNumber(f"+86138{i:08d}", "CN", ("Asia/Shanghai",)),),
                    time_zone="Asia/Shanghai",
                )
                for i in range(count)
            ]
        )
        payload = {
            "overdue_amount": {"minor": 123456, "currency": "CNY"},
            "balance": {"minor": 500000, "currency": "CNY"},
            "due_date": "2026-03-05",
            "dpd": 3,
        }
        unit.comms("bench").add_messages(
            date(2026, 3, 2),
            [
                {
                    "account_id": f"L{i}",
                    "borrower_id": f"B{i}",
                    "step": "t#0",
                    "channel": "sms",
                    "template": "reminder_sms",
                    "tone": "neutral",
                    "segment": "s",
                    "arm": "a",
                    "treatment": "t",
                    "scheduled_at": noon,
                    "state": "pending",
                    "rescheduled": False,
                    "rule_ids": [],
                    "run_id": 0,
                }
                for i in range(count)
            ],
            [payload] * count,
        )
        unit.commit()
    channels = Channels({"sms": SinkOutbound(scratch / "worker", "sms")})
    started = time.perf_counter()
    done = run_outbox(
        uow_factory=uow,
        platform="bench",
        channels=channels,
        clock=FixedClock(noon),
        rates={"sms": 1e9},
    )
    seconds = time.perf_counter() - started
    engine.dispose()
    assert done.sent == count, done
    print(
        f"{'worker (SQLite, sink)':28s} {count:>8,} in {seconds:8.2f} s = "
        f"{count / seconds:10,.0f}/s",
        file=sys.stderr,
    )
    return [
        {
            "case": "worker end to end (SQLite file, sink)",
            "messages": count,
            "seconds": round(seconds, 3),
            "per_second": round(count / seconds, 1),
        }
    ]


def bench_letters(count: int) -> list[dict[str, Any]]:
    rows = []
    for language, subject, body in (
        (
            "zh-CN",
            "逾期还款通知",
            "王小明您好：\n\n您在示例金融尾号0001的借款已逾期5天，逾期金额为"
            "¥1,234.56。请通过官方App还款。\n\n示例金融",
        ),
        (
            "en",
            "Overdue payment notice",
            "Dear Jane Doe,\n\n$1,234.56 on your account ending "
            "0001 is 5 days overdue. Please pay in the official app.\n\nExample Finance",
        ),
    ):
        render_letter(
            sender="示例金融", date_line="2026-03-02", subject=subject, body=body, language=language
        )  # warm: fonts loaded once per process
        times = []
        for _ in range(count):
            started = time.perf_counter()
            render_letter(
                sender="示例金融",
                date_line="2026-03-02",
                subject=subject,
                body=body,
                language=language,
            )
            times.append(time.perf_counter() - started)
        times.sort()
        median = times[len(times) // 2]
        rows.append(
            {
                "case": f"letter {language}",
                "messages": count,
                "median_ms": round(median * 1000, 1),
                "p90_ms": round(times[int(len(times) * 0.9)] * 1000, 1),
                "per_second": round(1 / median, 2),
            }
        )
        print(f"letter {language}: median {median * 1000:.0f} ms", file=sys.stderr)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sms", type=int, default=100_000)
    parser.add_argument("--full", type=int, default=5_000, help="messages checked in full")
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--worker", type=int, default=2_000)
    parser.add_argument("--letters", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="comms-bench-") as scratch:
        root = Path(scratch)
        rows = bench_sms(args.sms, args.full, root)
        rows += bench_email(args.emails, root)
        if args.worker:
            rows += bench_worker(args.worker, root)
        if args.letters:
            rows += bench_letters(args.letters)
    result = {"load": os.getloadavg()[0], "rows": rows}
    if args.json:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
