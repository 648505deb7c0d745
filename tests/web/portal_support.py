"""Borrowers of ``acme`` with loans, and signing them in through the app with the SMS sink.

B1 has loan L1 (12,000 CNY at 12 %, 12 months from 2025-12-01, two installments
paid, three overdue on the tests' business date 2026-06-01); B2 has loan L2,
current.  The sign-in codes go through the real SMS channel (the sink provider)
to ``<data dir>/sink/sms.jsonl``, which these helpers read.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.conftest import CLOCK, Session
from tideover.adapters.channels import read_sink
from tideover.bootstrap import App
from tideover.domain.borrowers import Borrower
from tideover.domain.contacts import parse_phone
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.domain.schedules import build_schedule, terms_for
from tideover.web.app import create_app

PHONES = {"B1": "+8613800138001", "B2": "+8613800138002", "B3": "+8613800138003"}
SECRET_PRODUCT = "Golden-Harvest-7731"  # only L1's own pages show it


def _loan(loan_id: str, borrower_id: str, start: date, product: str = "") -> Loan:
    terms = terms_for(
        principal=Money.of("12000"),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=start,
    )
    return Loan("acme", loan_id, borrower_id, terms, build_schedule(terms), product=product)


def seed(core: App) -> None:
    """B1 with L1 (three installments overdue), B2 with L2 (current); once per database."""
    with core.uow() as uow:
        borrowers = uow.borrowers("acme")
        if borrowers.get("B1") is not None:
            return
        borrowers.add_many(
            [
                Borrower("acme", "B1", "王小明", phones=(parse_phone(PHONES["B1"]),)),
                Borrower("acme", "B2", "李四", phones=(parse_phone(PHONES["B2"]),)),
                Borrower("acme", "B3", "张三", phones=(parse_phone(PHONES["B3"]),)),
            ]
        )
        l1 = _loan("L1", "B1", date(2025, 12, 1), SECRET_PRODUCT)
        l2 = _loan("L2", "B2", date(2026, 5, 10))
        uow.loans("acme").add_many([l1, l2])
        first, second = l1.schedule.installments[:2]
        uow.payments("acme").add_many(
            [
                Payment("acme", "P1", "L1", first.total, first.due_date),
                Payment("acme", "P2", "L1", second.total, second.due_date),
            ]
        )
        uow.commit()


def with_data_dir(core: App, data_dir: Path) -> App:
    """The same app with its data directory (and so its SMS sink) in ``data_dir``."""
    return dataclasses.replace(
        core, settings=core.settings.model_copy(update={"data_dir": data_dir})
    )


def client(core: App, data_dir: Path, language: str | None = None) -> TestClient:
    found = TestClient(create_app(with_data_dir(core, data_dir), clock=CLOCK, secure_cookies=False))
    if language is not None:
        found.cookies.set("tideover_lang", language)
    return found


def last_code(data_dir: Path, phone: str) -> str:
    """The code of the last sign-in message the sink holds for ``phone``."""
    sent = [m for m in read_sink(data_dir) if m["to"] == phone and m["purpose"] == "sign_in_code"]
    assert sent, f"no sign-in code was sent to {phone}"
    found = re.search(r"\b(\d{6})\b", sent[-1]["text"])
    assert found is not None, sent[-1]["text"]
    return found.group(1)


def api_sign_in(core: App, data_dir: Path, borrower_id: str, language: str = "en") -> Session:
    """A client signed in as ``borrower_id`` through ``/api/v1/borrower``."""
    seed(core)
    browser = client(core, data_dir, language)
    phone = PHONES[borrower_id]
    sent = browser.post("/api/v1/borrower/code", json={"platform": "acme", "phone": phone})
    assert sent.status_code == 202, sent.text
    answer = browser.post(
        "/api/v1/borrower/session",
        json={"platform": "acme", "phone": phone, "code": last_code(data_dir, phone)},
    )
    assert answer.status_code == 200, answer.text
    return Session(browser, answer.json()["csrf_token"])


def page_sign_in(core: App, data_dir: Path, borrower_id: str, language: str = "en") -> TestClient:
    """A browser signed in as ``borrower_id`` through the portal's sign-in pages."""
    seed(core)
    browser = client(core, data_dir, language)
    phone = PHONES[borrower_id]
    local = phone.removeprefix("+86")  # typed as a national number, as borrowers do
    step = browser.post("/borrower/login/code", data={"platform": "acme", "phone": local})
    assert step.status_code == 200, step.text
    assert 'id="code-form"' in step.text
    done = browser.post(
        "/borrower/login",
        data={"platform": "acme", "phone": local, "code": last_code(data_dir, phone)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/borrower"
    return browser


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)
