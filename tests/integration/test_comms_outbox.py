"""The outbox worker end to end: SMS to the sink, e-mail to a real SMTP server on loopback,
the gate asked again at send time, quiet hours, opt-outs, retries, receipts and the trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.integration.comms_support import NOON, UowFactory, platform, queue, smtp_server

from tideover.adapters.channels.email import SmtpOutbound
from tideover.adapters.channels.outbound import SinkOutbound
from tideover.compliance.contacts import HoldKind
from tideover.domain.clock import FixedClock
from tideover.services.comms.channels import Channels
from tideover.services.comms.outbox import list_outbox, record_receipt, set_opt_out
from tideover.services.comms.worker import run_outbox
from tideover.services.compliance.holds import add_hold


def channels(tmp: Path, port: int) -> Channels:
    return Channels(
        {
            "sms": SinkOutbound(tmp, "sms"),
            "email": SmtpOutbound(host="127.0.0.1", port=port, journal=tmp / "journal.jsonl"),
        }
    )


def sink(tmp: Path) -> list[dict[str, str]]:
    path = tmp / "sink" / "sms.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_sms_and_email_sent_once_with_the_trail(uow_factory: UowFactory, tmp_path: Path) -> None:
    platform(uow_factory)
    queue(
        uow_factory,
        "acme",
        [
            ("B0", "sms", "reminder_sms"),
            ("B1", "email", "reminder_email"),
            ("B2", "email", "overdue_notice_email"),
        ],
    )
    with smtp_server() as box:
        chans = channels(tmp_path, box.port)
        done = run_outbox(
            uow_factory=uow_factory, platform="acme", channels=chans, clock=FixedClock(NOON)
        )
        again = run_outbox(
            uow_factory=uow_factory,
            platform="acme",
            channels=chans,
            clock=FixedClock(NOON + timedelta(hours=1)),
        )
        chans.close()
    assert (done.sent, done.failed, done.dropped) == (3, 0, 0)
    assert again.picked == 0  # nothing is sent twice
    texts = sink(tmp_path)
    assert len(texts) == 1
    assert texts[0]["to"] == "+8613800000000"
    assert "借款人0" in texts[0]["text"]
    assert "¥1,234.56" in texts[0]["text"]
    assert "2026年3月5日" in texts[0]["text"]
    assert len(box.messages) == 2
    english = next(m for m in box.messages if m["To"] == "b1@example.cn")
    assert english["Subject"].startswith("示例金融: payment reminder")
    body = english.get_content()
    assert "CN¥1,234.56" in body
    assert "March 5, 2026" in body
    assert english["Message-ID"].endswith("@tideover>")
    with uow_factory() as uow:
        trail = [r for r in uow.audit("acme").records() if r.kind == "message_sent"]
        ledger = uow.contacts("acme").for_borrower("B1")
    assert len(trail) == 3
    assert {r.payload["channel"] for r in trail} == {"sms", "email"}
    assert all(
        len(r.payload["content_sha256"]) == 64
        and r.payload["recipient_key"]
        and r.payload["template_version"].startswith("builtin-")
        for r in trail
    )
    assert "b1@example.cn" not in json.dumps([r.payload for r in trail])  # only its key
    assert len(ledger) == 1
    assert ledger[0].attempt.channel.value == "email"
    page = list_outbox(uow=uow_factory(), platform="acme", states=("sent",), channels=("email",))
    assert page.total == 2


def test_a_hold_raised_after_the_plan_wins(uow_factory: UowFactory, tmp_path: Path) -> None:
    platform(uow_factory)
    queue(uow_factory, "acme", [("B0", "sms", "reminder_sms"), ("B2", "sms", "reminder_sms")])
    add_hold(
        uow=uow_factory(),
        platform="acme",
        borrower_id="B0",
        kind=HoldKind.DISPUTE,
        reason="disputed",
        by="cco",
        start=NOON - timedelta(minutes=5),
    )
    done = run_outbox(
        uow_factory=uow_factory,
        platform="acme",
        channels=Channels({"sms": SinkOutbound(tmp_path, "sms")}),
        clock=FixedClock(NOON),
    )
    assert (done.sent, done.dropped) == (1, 1)
    assert [t["to"] for t in sink(tmp_path)] == ["+8613800000002"]
    dropped = list_outbox(uow=uow_factory(), platform="acme", states=("dropped",)).items
    assert dropped[0].borrower_id == "B0"
    assert dropped[0].rule_ids


def test_quiet_hours_in_the_borrowers_time_defer(uow_factory: UowFactory, tmp_path: Path) -> None:
    # 12:00-14:00 Shanghai is the platform's quiet time; 10:00 UTC... 04:30 UTC is 12:30 there.
    platform(uow_factory, quiet={"start": "12:00", "end": "14:00"})
    at = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
    queue(uow_factory, "acme", [("B0", "sms", "reminder_sms")], at=at)
    chans = Channels({"sms": SinkOutbound(tmp_path, "sms")})
    first = run_outbox(
        uow_factory=uow_factory, platform="acme", channels=chans, clock=FixedClock(at)
    )
    assert (first.deferred, first.sent) == (1, 0)
    item = list_outbox(uow=uow_factory(), platform="acme").items[0]
    assert item.next_at == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai
    later = run_outbox(
        uow_factory=uow_factory,
        platform="acme",
        channels=chans,
        clock=FixedClock(datetime(2026, 3, 2, 6, 0, tzinfo=UTC)),
    )
    assert later.sent == 1


def test_opt_out_stops_that_channel_only(uow_factory: UowFactory, tmp_path: Path) -> None:
    platform(uow_factory)
    queue(uow_factory, "acme", [("B1", "email", "reminder_email"), ("B1", "sms", "reminder_sms")])
    set_opt_out(
        uow=uow_factory(),
        platform="acme",
        borrower_id="B1",
        channel="email",
        opted_out=True,
        source="unsubscribe",
    )
    with smtp_server() as box:
        chans = channels(tmp_path, box.port)
        done = run_outbox(
            uow_factory=uow_factory, platform="acme", channels=chans, clock=FixedClock(NOON)
        )
        chans.close()
    assert (done.sent, done.dropped) == (1, 1)
    assert box.messages == []  # the e-mail was not re-routed
    assert len(sink(tmp_path)) == 1  # the SMS planned on its own still went


def test_a_fallback_is_used_only_when_given(uow_factory: UowFactory, tmp_path: Path) -> None:
    platform(uow_factory)
    queue(uow_factory, "acme", [("B1", "email", "reminder_sms")])
    set_opt_out(
        uow=uow_factory(),
        platform="acme",
        borrower_id="B1",
        channel="email",
        opted_out=True,
        source="unsubscribe",
    )
    done = run_outbox(
        uow_factory=uow_factory,
        platform="acme",
        channels=Channels({"sms": SinkOutbound(tmp_path, "sms")}),
        clock=FixedClock(NOON),
        fallback={"email": "sms"},
    )
    assert done.sent == 1
    assert sink(tmp_path)[0]["to"] == "+8613800000001"


def test_refused_and_unreachable_servers(uow_factory: UowFactory, tmp_path: Path) -> None:
    platform(uow_factory)
    queue(
        uow_factory, "acme", [("B1", "email", "reminder_email"), ("B2", "email", "reminder_email")]
    )
    with smtp_server() as box:
        box.refuse.add("b1@example.cn")
        chans = channels(tmp_path, box.port)
        done = run_outbox(
            uow_factory=uow_factory, platform="acme", channels=chans, clock=FixedClock(NOON)
        )
        chans.close()
    assert (done.sent, done.failed) == (1, 1)
    failed = list_outbox(uow=uow_factory(), platform="acme", states=("failed",)).items[0]
    assert failed.error_code == "recipient_refused"
    assert "拒绝" in (failed.error or "")
    # A server that is not there: the message waits and is tried again with back-off.
    queue(
        uow_factory,
        "acme",
        [("B0", "email", "overdue_notice_email")],
        at=NOON + timedelta(minutes=1),
    )
    dead = Channels(
        {"email": SmtpOutbound(host="127.0.0.1", port=1, journal=tmp_path / "j", timeout=1)}
    )
    later = NOON + timedelta(minutes=2)
    tried = run_outbox(
        uow_factory=uow_factory, platform="acme", channels=dead, clock=FixedClock(later)
    )
    assert tried.retried == 1
    waiting = list_outbox(uow=uow_factory(), platform="acme", states=("pending",)).items[0]
    assert waiting.send_state == "retry"
    assert waiting.next_at == later + timedelta(minutes=1)


def test_receipts_update_the_state_and_the_ledger(uow_factory: UowFactory, tmp_path: Path) -> None:
    platform(uow_factory)
    queue(uow_factory, "acme", [("B0", "sms", "reminder_sms")])
    run_outbox(
        uow_factory=uow_factory,
        platform="acme",
        channels=Channels({"sms": SinkOutbound(tmp_path, "sms")}),
        clock=FixedClock(NOON),
    )
    item = list_outbox(uow=uow_factory(), platform="acme").items[0]
    record_receipt(
        uow=uow_factory(), platform="acme", message_id=item.message_id, status="delivered"
    )
    after = list_outbox(uow=uow_factory(), platform="acme").items[0]
    assert after.state == "delivered"
    assert after.receipt_at is not None
    with uow_factory() as uow:
        assert uow.contacts("acme").for_borrower("B0")[0].outcome.value == "delivered"


def test_a_message_without_an_address_fails_with_the_reason(
    uow_factory: UowFactory, tmp_path: Path
) -> None:
    platform(uow_factory)
    queue(uow_factory, "acme", [("B0", "sms", "no_such_template"), ("B0", "robot_call", "x")])
    done = run_outbox(
        uow_factory=uow_factory,
        platform="acme",
        channels=Channels({"sms": SinkOutbound(tmp_path, "sms")}),
        clock=FixedClock(NOON),
    )
    assert done.failed == 2
    codes = {i.error_code for i in list_outbox(uow=uow_factory(), platform="acme").items}
    assert codes == {"template_missing", "channel_unavailable"}


@pytest.fixture(autouse=True)
def _no_network_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIDEOVER_SMTP_HOST", raising=False)


class _Crash(BaseException):
    """Stands for the process dying: nothing after it runs."""


def test_a_crash_after_the_provider_took_it_is_never_resent(
    uow_factory: UowFactory, tmp_path: Path
) -> None:
    platform(uow_factory)
    queue(uow_factory, "acme", [("B0", "sms", "reminder_sms"), ("B1", "email", "reminder_email")])

    def die_after_send(step: str, _: int) -> None:
        if step == "sent":
            raise _Crash

    class DiesBeforeNoting(SmtpOutbound):
        def _journal_sent(self, key: str) -> None:
            raise _Crash  # the server has it; the worker dies before writing that down

    with smtp_server() as box:
        first = channels(tmp_path, box.port)
        with pytest.raises(_Crash):
            run_outbox(
                uow_factory=uow_factory,
                platform="acme",
                channels=first,
                clock=FixedClock(NOON),
                only=("sms",),
                fault=die_after_send,
            )
        dying = DiesBeforeNoting(host="127.0.0.1", port=box.port, journal=tmp_path / "j.jsonl")
        with pytest.raises(_Crash):
            run_outbox(
                uow_factory=uow_factory,
                platform="acme",
                channels=Channels({"email": dying}),
                clock=FixedClock(NOON),
            )
        first.close()
        dying.close()
        later = FixedClock(NOON + timedelta(minutes=10))  # the dead worker's lease is over
        chans = Channels(
            {
                "sms": SinkOutbound(tmp_path, "sms"),
                "email": SmtpOutbound(
                    host="127.0.0.1", port=box.port, journal=tmp_path / "j.jsonl"
                ),
            }
        )
        done = run_outbox(uow_factory=uow_factory, platform="acme", channels=chans, clock=later)
        chans.close()
    assert len(sink(tmp_path)) == 1
    assert len(box.messages) == 1  # each arrived once
    states = {
        i.channel: (i.state, i.error_code)
        for i in list_outbox(uow=uow_factory(), platform="acme").items
    }
    assert states["sms"] == ("sent", "recovered")  # the sink knows it went
    assert states["email"] == ("failed", "send_interrupted")  # SMTP cannot say: not resent
    assert (done.sent, done.failed) == (1, 1)


def test_the_worker_as_a_background_job(
    uow_factory: UowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tideover.services.jobs import run_next_job, start_job

    monkeypatch.setenv("TIDEOVER_MODE", "test")
    platform(uow_factory)
    queue(uow_factory, "acme", [("B0", "sms", "reminder_sms"), ("B2", "sms", "reminder_sms")])
    start_job(uow=uow_factory(), platform="acme", kind="outbox", params={}, created_by=1, at=NOON)
    ran = run_next_job(uow_factory=uow_factory, clock=FixedClock(NOON), data_dir=tmp_path)
    assert ran is not None
    assert ran.state == "done", ran.error
    assert ran.result is not None
    assert ran.result["sent"] == 2
    assert len(sink(tmp_path)) == 2


def test_a_server_that_never_answers_times_out_and_is_retried(
    uow_factory: UowFactory, tmp_path: Path
) -> None:
    import socket

    platform(uow_factory)
    queue(uow_factory, "acme", [("B1", "email", "reminder_email")])
    with socket.socket() as silent:  # accepts the connection, then says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        mail = SmtpOutbound(host="127.0.0.1", port=port, journal=tmp_path / "j", timeout=0.5)
        done = run_outbox(
            uow_factory=uow_factory,
            platform="acme",
            channels=Channels({"email": mail}),
            clock=FixedClock(NOON),
        )
        mail.close()
    assert done.retried == 1
    item = list_outbox(uow=uow_factory(), platform="acme").items[0]
    assert item.state == "pending"
    assert item.error_code == "smtp_unreachable"
    assert "无法连接" in (item.error or "")
