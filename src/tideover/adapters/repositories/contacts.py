"""The contact ledger of one platform: every attempt and its outcome, read back for the gate.

The gate stays in process: :meth:`ContactRepository.load_ledger` fills the
compact :class:`~tideover.compliance.ledger.InMemoryLedger` from the table
(one borrower for a single decision, the whole platform since a horizon for a
run), and each attempt is written here as it is made.  Phone numbers are
stored only as their keyed look-up hash, so the loaded ledger is keyed by that
hash too: pass attempts through :meth:`ContactRepository.keyed` before asking.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Executable,
    Integer,
    bindparam,
    case,
    cast,
    func,
    not_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from tideover.adapters.orm import ContactEventRow
from tideover.adapters.pii import PiiCipher
from tideover.adapters.repositories._base import (
    CONTACT_ATTEMPTS,
    PlatformScoped,
    among,
    bulk_insert,
    key_batches,
    platform_param,
)
from tideover.compliance.contacts import (
    ActorRole,
    Attempt,
    Channel,
    Outcome,
    Target,
    ThirdPartyRole,
)
from tideover.compliance.ledger import InMemoryLedger
from tideover.domain.errors import NotFound, ValidationError
from tideover.i18n import N_


class ContactResult(StrEnum):
    """What a conversation produced, beyond its outcome."""

    PROMISE_TO_PAY = "promise_to_pay"
    REFUSAL = "refusal"
    DISPUTE_RAISED = "dispute_raised"
    COMPLAINT = "complaint"


# Nobody was reached: nothing can have been promised, refused or disputed.
_NO_RESULT = frozenset({Outcome.PLANNED, Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.FAILED})


@dataclass(frozen=True, slots=True)
class ContactEvent:
    """One recorded contact; ``at`` is when it happened (the planned time if not yet known).

    Read back from storage, ``attempt.number`` is the number's look-up hash and
    ``attempt.message`` is ``None`` (message texts belong to the audit trail).
    """

    attempt_id: str
    attempt: Attempt
    outcome: Outcome
    at: datetime
    inbound: bool = False
    result: ContactResult | None = None

    def __post_init__(self) -> None:
        check_result(self.attempt_id, self.outcome, self.result)
        if self.at.utcoffset() is None:
            raise ValidationError(
                N_("contact %(attempt_id)s: time %(at)s has no time zone"),
                attempt_id=self.attempt_id,
                at=self.at,
            )


def check_result(attempt_id: str, outcome: Outcome, result: ContactResult | None) -> None:
    if result is not None and outcome in _NO_RESULT:
        raise ValidationError(
            N_(
                "contact %(attempt_id)s: a %(outcome)s contact cannot have the result "
                "%(result)s; nobody was spoken to"
            ),
            attempt_id=attempt_id,
            outcome=outcome.value,
            result=result.value,
        )


_COLUMNS = (
    ContactEventRow.attempt_id,
    ContactEventRow.borrower_id,
    ContactEventRow.debt_id,
    ContactEventRow.channel,
    ContactEventRow.actor,
    ContactEventRow.target,
    ContactEventRow.recipient_id,
    ContactEventRow.third_party_role,
    ContactEventRow.number_hash,
    ContactEventRow.automated,
    ContactEventRow.debt_type,
    ContactEventRow.inbound,
    ContactEventRow.outcome,
    ContactEventRow.result,
    ContactEventRow.occurred_at,
)


@dataclass(frozen=True, slots=True)
class ContactCounts:
    """Outbound attempts and complaints of one (borrower, debt, channel) over a period."""

    borrower_id: str
    debt_id: str
    channel: str
    attempts: int  # outbound only: an inbound call is not an attempt (12 CFR 1006.14(b)(3))
    complaints: int  # contacts whose result is a complaint, inbound or outbound


LEDGER_BATCH = 50_000  # rows fetched at a time when loading a whole platform's ledger


def _epoch(session: Session, column: ColumnElement[datetime]) -> ColumnElement[int]:
    """Whole UTC epoch seconds of a stored instant, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    # SQLite keeps naive UTC text; strftime('%s') reads it as UTC.
    return cast(func.strftime("%s", column), Integer)


class ContactRepository(PlatformScoped):
    """Contact attempts and outcomes of one platform."""

    def __init__(self, session: Session, platform_code: str, cipher: PiiCipher) -> None:
        super().__init__(session, platform_code)
        self._cipher = cipher

    def keyed(self, attempt: Attempt) -> Attempt:
        """``attempt`` with its number replaced by the look-up hash the ledger is keyed by."""
        if attempt.number is None:
            return attempt
        return dataclasses.replace(attempt, number=self._cipher.lookup_hash(attempt.number))

    def add_many(self, events: Sequence[ContactEvent]) -> int:
        """Records new contacts; an attempt id already recorded is a ``Conflict``."""
        if not events:
            return 0
        ids = [e.attempt_id for e in events]
        self._refuse_duplicates(ContactEventRow.attempt_id, ids, CONTACT_ATTEMPTS)
        bulk_insert(self._session, ContactEventRow, [self._row(e) for e in events])
        return len(events)

    def add(self, event: ContactEvent) -> None:
        self.add_many([event])

    def set_outcome(
        self,
        attempt_id: str,
        outcome: Outcome,
        *,
        result: ContactResult | None = None,
        at: datetime | None = None,
    ) -> ContactEvent:
        """The outcome of an attempt recorded earlier (e.g. as planned) now that it is known."""
        check_result(attempt_id, outcome, result)
        row = self._session.scalars(
            select(ContactEventRow).where(
                ContactEventRow.platform_id == self._platform_id,
                ContactEventRow.attempt_id == attempt_id,
            )
        ).first()
        if row is None:
            raise NotFound(
                N_("no contact attempt %(attempt_id)s on platform %(platform_code)s"),
                attempt_id=repr(attempt_id),
                platform_code=repr(self.platform_code),
            )
        row.outcome, row.result = outcome.value, result.value if result else None
        if at is not None:
            row.occurred_at = at
        self._session.flush()
        return self._event([getattr(row, c.key) for c in _COLUMNS])

    def get(self, attempt_id: str) -> ContactEvent | None:
        found = self._load([ContactEventRow.attempt_id == attempt_id])
        return found[0] if found else None

    def for_borrower(
        self, borrower_id: str, *, since: datetime | None = None
    ) -> builtins.list[ContactEvent]:
        """One borrower's contacts in time order, from ``since`` on."""
        bound: dict[str, Any] = {"platform_id": self._platform_id, "borrower_id": borrower_id}
        if since is not None:
            bound["since"] = since
        rows = self._session.execute(_of_borrower(since=since is not None), bound)
        return [self._event(row) for row in rows]

    def forget_numbers(self, borrower_id: str) -> int:
        """Drops the keyed hashes of the numbers dialled for one borrower (erasure); the
        contacts themselves stay, as the ledger the frequency caps count."""
        result = self._session.execute(
            update(ContactEventRow)
            .where(
                ContactEventRow.platform_id == self._platform_id,
                ContactEventRow.borrower_id == borrower_id,
                ContactEventRow.number_hash.is_not(None),
            )
            .values(number_hash=None)
        )
        self._session.flush()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def load_ledger(
        self,
        *,
        since: datetime,
        borrower_ids: Iterable[str] | None = None,
        into: InMemoryLedger | None = None,
    ) -> InMemoryLedger:
        """The in-process ledger of contacts from ``since`` on (of ``borrower_ids`` if given)."""
        ledger = into if into is not None else InMemoryLedger()
        if borrower_ids is None:
            ledger.load_rows(self._ledger_rows(since, None))
        else:
            for batch in key_batches(self._session, borrower_ids):
                ledger.load_rows(self._ledger_rows(since, batch))
        return ledger

    def _ledger_rows(self, since: datetime, borrower_ids: Sequence[str] | None) -> Iterator[Any]:
        """The ledger's columns as plain tuples, streamed; the instant as epoch seconds in SQL.

        No per-row objects (and no datetime per row): this is what makes a
        whole-platform load fast (bench/RESULTS.md, "Contact ledger load").
        """
        # Core columns, not ORM attributes, and the flag read as the stored 0/1: the
        # ORM's per-row bookkeeping and result processors would double the time.
        c = ContactEventRow.__table__.c
        query = (
            select(
                c.borrower_id,
                c.debt_id,
                c.channel,
                c.target,
                c.recipient_id,
                c.number_hash,
                type_coerce(c.inbound, Integer),
                c.outcome,
                _epoch(self._session, c.occurred_at),
            )
            .where(c.platform_id == self._platform_id, c.occurred_at >= since)
            .execution_options(yield_per=LEDGER_BATCH)
        )
        if borrower_ids is not None:
            query = query.where(among(self._session, c.borrower_id, borrower_ids))
        for partition in self._session.execute(query).partitions():
            yield from partition

    def attempts_and_complaints(
        self, *, since: datetime, until: datetime
    ) -> builtins.list[ContactCounts]:
        """Attempts and complaints in ``[since, until)`` per borrower, debt and channel.

        Counted by the database in one grouped query (the day's KPIs need the
        counts, not the contacts).
        """
        c = ContactEventRow.__table__.c
        attempts = func.sum(case((not_(c.inbound), 1), else_=0))
        complaints = func.sum(case((c.result == ContactResult.COMPLAINT.value, 1), else_=0))
        query = (
            select(c.borrower_id, c.debt_id, c.channel, attempts, complaints)
            .where(
                c.platform_id == self._platform_id,
                c.occurred_at >= since,
                c.occurred_at < until,
            )
            .group_by(c.borrower_id, c.debt_id, c.channel)
            .order_by(c.borrower_id, c.debt_id, c.channel)
        )
        return [
            ContactCounts(borrower, debt, channel, int(tried or 0), int(complained or 0))
            for borrower, debt, channel, tried, complained in self._session.execute(query)
        ]

    def count(self) -> int:
        return self._count(ContactEventRow)

    def _load(self, where: builtins.list[ColumnElement[bool]]) -> builtins.list[ContactEvent]:
        query = (
            select(*_COLUMNS)
            .where(ContactEventRow.platform_id == self._platform_id, *where)
            .order_by(ContactEventRow.occurred_at, ContactEventRow.id)
        )
        return [self._event(row) for row in self._session.execute(query)]

    @staticmethod
    def _event(row: Sequence[Any]) -> ContactEvent:
        """A stored row (the columns of ``_COLUMNS``, in order) as an event."""
        (
            attempt_id,
            borrower_id,
            debt_id,
            channel,
            actor,
            target,
            recipient_id,
            third_party_role,
            number_hash,
            automated,
            debt_type,
            inbound,
            outcome,
            result,
            occurred_at,
        ) = row
        attempt = Attempt(
            borrower_id,
            debt_id,
            Channel(channel),
            ActorRole(actor),
            occurred_at,
            target=Target(target),
            recipient_id=recipient_id,
            third_party_role=ThirdPartyRole(third_party_role) if third_party_role else None,
            number=number_hash,
            automated=automated,
            debt_type=debt_type,
        )
        return ContactEvent(
            attempt_id,
            attempt,
            Outcome(outcome),
            occurred_at,
            inbound,
            ContactResult(result) if result else None,
        )

    def _row(self, e: ContactEvent) -> dict[str, Any]:
        a = e.attempt
        return {
            "platform_id": self._platform_id,
            "attempt_id": e.attempt_id,
            "borrower_id": a.borrower_id,
            "debt_id": a.debt_id,
            "channel": a.channel.value,
            "actor": a.actor.value,
            "target": a.target.value,
            "recipient_id": a.recipient_id,
            "third_party_role": a.third_party_role.value if a.third_party_role else None,
            "number_hash": self._cipher.lookup_hash(a.number) if a.number else None,
            "automated": a.automated,
            "debt_type": a.debt_type,
            "inbound": e.inbound,
            "outcome": e.outcome.value,
            "result": e.result.value if e.result else None,
            "occurred_at": e.at,
        }


@cache
def _of_borrower(*, since: bool) -> Executable:
    """One borrower's contacts in time order (from the time bound as ``since``)."""
    t = ContactEventRow
    query = select(*_COLUMNS).where(
        t.platform_id == platform_param(), t.borrower_id == bindparam("borrower_id")
    )
    if since:
        query = query.where(t.occurred_at >= bindparam("since"))
    return query.order_by(t.occurred_at, t.id)
