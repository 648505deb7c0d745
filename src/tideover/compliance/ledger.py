"""The contact ledger the gate reads: a small Protocol and a compact in-memory index.

A database-backed ledger (SQLite/PostgreSQL, per platform) implements the same
Protocol later; the in-process gate keeps this index for speed.  Instants are
whole epoch seconds (UTC).
"""

from __future__ import annotations

from array import array
from bisect import insort
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from enum import IntEnum
from typing import Protocol

from tideover.compliance.contacts import Attempt, Channel, Outcome, Target

CHANNEL_BIT = {channel: 1 << i for i, channel in enumerate(Channel)}
_CHANNEL_CODE = {channel: i for i, channel in enumerate(Channel)}
_OUTCOME_CODE = {outcome: i for i, outcome in enumerate(Outcome)}


class CountKind(IntEnum):
    ATTEMPTS = 0  # every outbound attempt, whatever its outcome
    CONNECTED = 1
    UNANSWERED = 2


# A planned attempt whose outcome is not known yet counts as connected and as
# unanswered: either may turn out true, and the caps must hold either way.
_CONNECTED = {_OUTCOME_CODE[o] for o in (Outcome.CONNECTED, Outcome.CONVERSATION, Outcome.PLANNED)}
_UNANSWERED = {_OUTCOME_CODE[o] for o in (Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.PLANNED)}
_CONVERSATION = _OUTCOME_CODE[Outcome.CONVERSATION]
_MATCHES: tuple[frozenset[int], ...] = (
    frozenset(_OUTCOME_CODE.values()),
    frozenset(_CONNECTED),
    frozenset(_UNANSWERED),
)
_SLOTS = 255  # distinct debts and numbers per borrower in one index

# (borrower, debt, channel, target, recipient, number, inbound, outcome, epoch seconds)
StoredRow = tuple[str, str, str, str, str | None, str | None, bool, str, int]


class ContactLedger(Protocol):
    """What the gate asks of past contacts with one borrower."""

    def count(
        self,
        borrower_id: str,
        since: int,
        until: int,
        *,
        channels: int,
        kind: CountKind,
        debt_id: str | None = None,
        number: str | None = None,
    ) -> int:
        """Outbound contacts to the debtor in ``[since, until)`` on ``channels`` (a bit mask)."""
        ...

    def last_conversation(
        self,
        borrower_id: str,
        since: int,
        before: int,
        *,
        debt_id: str | None,
        include_inbound: bool,
    ) -> int | None:
        """When the last phone conversation in ``[since, before]`` took place."""
        ...

    def recipient_contacts(self, borrower_id: str, recipient_id: str) -> int:
        """How many times a contact person or third party was contacted about this borrower."""
        ...


class _Track:
    """One borrower's contacts: packed int64 events sorted by time, and slot tables."""

    __slots__ = ("debts", "events", "numbers")

    def __init__(self) -> None:
        self.events = array("q")
        self.debts: list[str | None] = [None]
        self.numbers: list[str | None] = [None]


def _slot(table: list[str | None], key: str | None) -> int:
    try:
        return table.index(key)
    except ValueError:
        if len(table) >= _SLOTS:
            raise OverflowError("more than 255 debts or numbers for one borrower") from None
        table.append(key)
        return len(table) - 1


def pack_event(at: int, channel: int, outcome: int, inbound: bool, debt: int, number: int) -> int:
    """Epoch seconds in the high bits, so packed events sort by time."""
    return (
        (at << 24) | (channel << 21) | (outcome << 17) | (int(inbound) << 16) | debt << 8 | number
    )


class InMemoryLedger:
    """Per-borrower packed event arrays in a dict; about 8 bytes per contact."""

    def __init__(self) -> None:
        self._tracks: dict[str, _Track] = {}
        self._recipients: defaultdict[tuple[str, str], int] = defaultdict(int)

    def __len__(self) -> int:
        return sum(len(t.events) for t in self._tracks.values())

    def record(
        self,
        attempt: Attempt,
        outcome: Outcome,
        *,
        at: datetime | None = None,
        inbound: bool = False,
    ) -> None:
        """Record an attempt (or an inbound call) and its outcome."""
        when = int((at or attempt.planned_at).timestamp())
        if attempt.target is not Target.DEBTOR:
            self._recipients[(attempt.borrower_id, attempt.recipient_id or "")] += 1
            return
        track = self._tracks.get(attempt.borrower_id)
        if track is None:
            track = self._tracks[attempt.borrower_id] = _Track()
        event = pack_event(
            when,
            _CHANNEL_CODE[attempt.channel],
            _OUTCOME_CODE[outcome],
            inbound,
            _slot(track.debts, attempt.debt_id),
            _slot(track.numbers, attempt.number),
        )
        self._append(track, event)

    def load_packed(
        self, borrower_id: str, debts: list[str], numbers: list[str], events: array[int]
    ) -> None:
        """Bulk-load pre-packed events (slots index ``[None, *debts]`` and ``[None, *numbers]``)."""
        track = _Track()
        track.debts.extend(debts)
        track.numbers.extend(numbers)
        track.events = array("q", sorted(events))
        self._tracks[borrower_id] = track

    def load_rows(self, rows: Iterable[StoredRow]) -> int:
        """Bulk-load stored contacts in any order; returns how many were read.

        A row is ``(borrower, debt, channel, target, recipient, number, inbound,
        outcome, epoch seconds)`` with enum members as their stored text.  Events
        are appended unsorted and each borrower's array sorted once at the end:
        far cheaper than keeping order row by row.
        """
        channel_code = {c.value: code for c, code in _CHANNEL_CODE.items()}
        outcome_code = {o.value: code for o, code in _OUTCOME_CODE.items()}
        debtor = Target.DEBTOR.value
        tracks, recipients = self._tracks, self._recipients
        touched: dict[str, _Track] = {}
        read = 0
        for borrower, debt, channel, target, recipient, number, inbound, outcome, at in rows:
            read += 1
            if target != debtor:
                recipients[(borrower, recipient or "")] += 1
                continue
            track = touched.get(borrower)
            if track is None:
                track = tracks.get(borrower)
                if track is None:
                    track = tracks[borrower] = _Track()
                touched[borrower] = track
            track.events.append(
                (int(at) << 24)
                | (channel_code[channel] << 21)
                | (outcome_code[outcome] << 17)
                | (int(inbound) << 16)
                | _slot(track.debts, debt) << 8
                | _slot(track.numbers, number)
            )
        for track in touched.values():
            track.events = array("q", sorted(track.events))
        return read

    @staticmethod
    def _append(track: _Track, event: int) -> None:
        events = track.events
        if not events or events[-1] <= event:
            events.append(event)
        else:
            insort(events, event)  # late-arriving outcome: keep time order

    def count(
        self,
        borrower_id: str,
        since: int,
        until: int,
        *,
        channels: int,
        kind: CountKind,
        debt_id: str | None = None,
        number: str | None = None,
    ) -> int:
        track = self._tracks.get(borrower_id)
        if track is None:
            return 0
        debt = _find(track.debts, debt_id) if debt_id is not None else -1
        phone = _find(track.numbers, number) if number is not None else -1
        if debt == -2 or phone == -2:
            return 0
        matches = _MATCHES[kind]
        events = track.events
        total = 0
        for i in range(len(events) - 1, -1, -1):
            event = events[i]
            at = event >> 24
            if at < since:
                break
            if (
                at >= until
                or event >> 16 & 1  # inbound calls are not attempts (12 CFR 1006.14(b)(3))
                or not channels >> (event >> 21 & 7) & 1
                or (event >> 17 & 15) not in matches
                or (debt >= 0 and event >> 8 & 255 != debt)
                or (phone >= 0 and event & 255 != phone)
            ):
                continue
            total += 1
        return total

    def last_conversation(
        self,
        borrower_id: str,
        since: int,
        before: int,
        *,
        debt_id: str | None,
        include_inbound: bool,
    ) -> int | None:
        track = self._tracks.get(borrower_id)
        if track is None:
            return None
        debt = _find(track.debts, debt_id) if debt_id is not None else -1
        if debt == -2:
            return None
        call = _CHANNEL_CODE[Channel.CALL]
        events = track.events
        for i in range(len(events) - 1, -1, -1):
            event = events[i]
            if event >> 24 > before:
                continue
            if event >> 24 < since:
                return None
            if (
                event >> 17 & 15 == _CONVERSATION
                and event >> 21 & 7 == call
                and (include_inbound or not event >> 16 & 1)
                and (debt < 0 or event >> 8 & 255 == debt)
            ):
                return event >> 24
        return None

    def recipient_contacts(self, borrower_id: str, recipient_id: str) -> int:
        return self._recipients.get((borrower_id, recipient_id), 0)


def _find(table: list[str | None], key: str) -> int:
    """Slot of ``key``, or -2 when this borrower never had it (nothing can match)."""
    try:
        return table.index(key)
    except ValueError:
        return -2
