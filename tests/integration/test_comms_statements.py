"""Rights statements per jurisdiction with their sources, and the US validation notice with
the content of 12 CFR 1006.34, sent through the outbox."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from tests.integration.comms_support import NOON, UowFactory, platform, smtp_server
from tests.integration.test_comms_letters import _require_letters

from tideover.adapters.channels.email import SmtpOutbound
from tideover.adapters.channels.outbound import LetterSpool
from tideover.domain.allocation import Component
from tideover.domain.clock import FixedClock
from tideover.domain.delinquency import DelinquencyStatus
from tideover.domain.errors import ValidationError
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import USD, Money
from tideover.domain.schedules import build_schedule, terms_for
from tideover.services.comms.channels import Channels
from tideover.services.comms.outbox import list_outbox
from tideover.services.comms.statements import (
    rights_statement,
    send_rights_statement,
    send_validation_notice,
)
from tideover.services.comms.worker import message_key, run_outbox


def _loans(uow_factory: UowFactory, code: str, currency: object = None) -> None:
    terms = terms_for(
        principal=Money.of("1200"),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 1, 15),
    )
    with uow_factory() as uow:
        uow.loans(code).add_many(
            [Loan(code, f"L{i}", f"B{i}", terms, build_schedule(terms)) for i in range(2)]
        )
        uow.commit()


def test_each_jurisdictions_statement(uow_factory: UowFactory) -> None:
    platform(uow_factory)
    shown = rights_statement(uow=uow_factory(), platform="acme", language="zh-CN")
    assert shown.pack == "CN"
    assert {s.id for s in shown.sections} >= {"owe", "dispute", "complain", "hardship", "data"}
    assert all(s.sources for s in shown.sections)
    assert "个人信息保护法" in " ".join(x.document for s in shown.sections for x in s.sources)


def test_a_rights_letter_in_chinese(uow_factory: UowFactory, tmp_path: Path) -> None:
    _require_letters()
    from pypdf import PdfReader

    platform(uow_factory)
    _loans(uow_factory, "acme")
    with pytest.raises(ValidationError):  # nothing to say what is owed yet
        send_rights_statement(
            uow=uow_factory(),
            platform="acme",
            account_id="L0",
            channel="letter",
            by="cco",
            clock=FixedClock(NOON),
        )
    with uow_factory() as uow:
        uow.delinquency("acme").replace(
            date(2026, 3, 1),
            [
                DelinquencyStatus(
                    "L0",
                    date(2026, 3, 1),
                    5,
                    "M1",
                    date(2026, 2, 24),
                    {Component.PRINCIPAL: Money.of("100")},
                    Money.of("500"),
                )
            ],
        )
        uow.commit()
    queued = send_rights_statement(
        uow=uow_factory(),
        platform="acme",
        account_id="L0",
        channel="letter",
        by="cco",
        clock=FixedClock(NOON),
    )
    assert queued.queued
    run_outbox(
        uow_factory=uow_factory,
        platform="acme",
        channels=Channels({"letter": LetterSpool(tmp_path)}),
        clock=FixedClock(NOON),
    )
    assert queued.message_id is not None
    item = list_outbox(uow=uow_factory(), platform="acme").items[0]
    assert item.state == "sent", (item.error_code, item.error)
    pdf = tmp_path / "letters" / "acme" / f"{message_key('acme', queued.message_id)}.pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "您的权利与义务" in text
    assert "12378" in text
    assert "依据" in text
    assert "¥600.00" in text


def test_the_validation_notice(uow_factory: UowFactory, tmp_path: Path) -> None:
    with uow_factory() as uow:
        uow.platforms.ensure(
            "usa",
            name="Example Collections",
            currency=USD,
            settings={
                "time_zone": "America/New_York",
                "channels": {"email": {"sender_address": "n@example.com"}},
            },
        )
        uow.commit()
    from tideover.domain.borrowers import Borrower, PhoneNumber

    with uow_factory() as uow:
        uow.borrowers("usa").add_many(
            [
                Borrower(
                    platform="usa",
                    borrower_id=f"B{i}",
                    name="Jane Doe",
                    email="j@example.com",
                    phones=(PhoneNumber("+12125550100", "US", ("America/New_York",)),),
                    time_zone="America/New_York",
                    locale="en",
                )
                for i in range(2)
            ]
        )
        uow.commit()
    _loans(uow_factory, "usa")

    def usd(text: str) -> Money:
        return Money.of(text, USD)

    with pytest.raises(ValidationError) as wrong:
        send_validation_notice(
            uow=uow_factory(),
            platform="usa",
            account_id="L0",
            channel="email",
            by="cco",
            itemization_date=date(2026, 1, 31),
            itemization=usd("1000"),
            interest=usd("10"),
            fees=usd("5"),
            payments=usd("100"),
            credits=usd("0"),
            current=usd("999"),
        )
    assert "1006.34" in wrong.value.en
    at = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York
    queued = send_validation_notice(
        uow=uow_factory(),
        platform="usa",
        account_id="L0",
        channel="email",
        by="cco",
        itemization_date=date(2026, 1, 31),
        itemization=usd("1000"),
        interest=usd("10"),
        fees=usd("5"),
        payments=usd("100"),
        credits=usd("0"),
        current=usd("915"),
        clock=FixedClock(at),
    )
    with smtp_server() as box:
        mail = SmtpOutbound(host="127.0.0.1", port=box.port, journal=tmp_path / "j")
        run_outbox(
            uow_factory=uow_factory,
            platform="usa",
            channels=Channels({"email": mail}),
            clock=FixedClock(at),
        )
        mail.close()
    assert queued.queued
    body = box.messages[0].get_content()
    assert "As of January 31, 2026, you owed: $1,000.00" in body
    assert "+ $10.00" in body
    assert "- $100.00" in body
    assert "Total amount of the debt now: $915.00" in body
    # sent Monday 2026-03-02: receipt assumed 2026-03-09, then 30 days
    assert "by April 8, 2026" in body
    assert list_outbox(uow=uow_factory(), platform="usa").items[0].state == "sent"
