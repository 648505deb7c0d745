"""Versions move draft → in review → approved → active → retired, with four eyes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tideover.domain.errors import Conflict, ValidationError
from tideover.policy.workflow import Ledger, Status

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 3)


def live(ledger: Ledger, *, author: str = "ana", approver: str = "bo") -> Ledger:
    """Draft, review, approve and activate one new version."""
    ledger = ledger.draft(author=author, at=T0)
    number = ledger.versions[-1].number
    ledger = ledger.submit(number, actor=author, at=T0 + timedelta(hours=1))
    ledger = ledger.approve(number, actor=approver, at=T0 + timedelta(hours=2))
    return ledger.activate(number, actor=approver, at=T0 + timedelta(hours=3), effective_from=DAY)


def test_the_happy_path_records_who_and_when() -> None:
    ledger = live(Ledger("demo"))
    version = ledger.version(1)
    assert (version.status, version.approver, version.effective_from) == (Status.ACTIVE, "bo", DAY)
    assert [e.action for e in ledger.events] == ["draft", "submit", "approve", "activate"]
    assert all(e.at.tzinfo is not None for e in ledger.events)


def test_the_author_cannot_approve_their_own_version() -> None:
    ledger = Ledger("demo").draft(author="ana", at=T0).submit(1, actor="ana", at=T0)
    with pytest.raises(Conflict) as caught:
        ledger.approve(1, actor=" ana ", at=T0)
    assert "四眼" in caught.value.zh


def test_exactly_one_active_and_the_old_one_retires() -> None:
    ledger = live(live(Ledger("demo")), author="cy", approver="ana")
    assert [v.status for v in ledger.versions] == [Status.RETIRED, Status.ACTIVE]
    assert ledger.active is not None
    assert ledger.active.number == 2


def test_rollback_reactivates_the_previous_version() -> None:
    ledger = live(live(Ledger("demo")), author="cy", approver="ana")
    ledger = ledger.rollback(actor="bo", at=T0 + timedelta(days=1), effective_from=DAY)
    assert [v.status for v in ledger.versions] == [Status.ACTIVE, Status.RETIRED]
    assert ledger.events[-1].action == "rollback"
    assert sum(v.status is Status.ACTIVE for v in ledger.versions) == 1


def test_rollback_needs_an_earlier_active_version() -> None:
    with pytest.raises(Conflict):
        live(Ledger("demo")).rollback(actor="bo", at=T0, effective_from=DAY)


def test_transitions_out_of_order_are_refused() -> None:
    ledger = Ledger("demo").draft(author="ana", at=T0)
    with pytest.raises(Conflict):
        ledger.approve(1, actor="bo", at=T0)  # not submitted
    with pytest.raises(Conflict):
        ledger.activate(1, actor="bo", at=T0, effective_from=DAY)  # not approved


def test_rejection_returns_to_draft_with_a_reason() -> None:
    ledger = Ledger("demo").draft(author="ana", at=T0).submit(1, actor="ana", at=T0)
    with pytest.raises(ValidationError):
        ledger.reject(1, actor="bo", at=T0, reason=" ")
    ledger = ledger.reject(1, actor="bo", at=T0, reason="hardship offers too low")
    assert ledger.version(1).status is Status.DRAFT
    assert ledger.events[-1].note == "hardship offers too low"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValidationError):
        Ledger("demo").draft(author="ana", at=datetime(2026, 11, 2, 9, 0))  # noqa: DTZ001


@pytest.mark.parametrize("spelling", ["Ops1", "OPS1", "ｏｐｓ１", "ops\u200b1", "o\u202eps1"])
def test_four_eyes_holds_however_the_author_spells_their_name(spelling: str) -> None:
    ledger = Ledger("acme").draft(author="ops1", at=T0).submit(1, actor="ops1", at=T0)
    with pytest.raises(Conflict):
        ledger.approve(1, actor=spelling, at=T0)
