"""May I call now? The compliance gate on a collector's call, answered in process.

It is asked before every dial, so it is answered in process (bench/RESULTS.md,
"Collector's workbench"): the gate itself is pure (``compliance.gate.check``), and
what it needs of storage — the items, the borrowers' candidate time zones, holds and
recent contacts, the platform's compiled packs — is read in bulk and kept
(:class:`CallGate`).  A contact or hold recorded through this process forgets the
borrower at once; one recorded elsewhere (another worker, the daily cycle) is seen
within the time the inputs are kept and read again (30 s and the few seconds of the
read, which a thread of its own does while the old inputs answer).  The answer is
therefore advice that may be that old, and never what lets a call happen: starting a
call asks the gate again on the stored ledger (``services.queues.calls.start_call``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tideover.adapters.repositories import CallTarget, QueueItem
from tideover.compliance.contacts import (
    ActorRole,
    Attempt,
    Channel,
    ContactProfile,
    Decision,
    Hold,
)
from tideover.compliance.gate import CompiledPack, check, compile_pack
from tideover.compliance.ledger import InMemoryLedger
from tideover.domain.errors import NotFound, ValidationError
from tideover.i18n import N_
from tideover.services.compliance.checks import ledger_horizon
from tideover.services.compliance.results import DenialReason
from tideover.services.platforms import settings_of
from tideover.services.queues.gate_packs import platform_packs
from tideover.services.queues.work_results import CallVerdict, LocalTime
from tideover.services.queues.workbench import require_item
from tideover.services.unit_of_work import UnitOfWork

STALE_LIMIT = 4  # times day_ttl: day inputs this old no longer answer while read again
PACK_TTL = 60.0  # seconds: a change of policy or overrides reaches the call check within it
DAY_ITEMS = 100_000  # at most this many of the day's assigned items are kept together
ACTOR = ActorRole.CREDITOR  # the platform's own collectors act for the creditor

log = logging.getLogger(__name__)


# --- the gate's inputs for one item --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GateInputs:
    """What the gate needs to answer for one item, read in one unit of work."""

    item: CallTarget
    zones: tuple[str, ...]
    number: str | None  # the number dialled, as the ledger keys it (its look-up hash)
    holds: tuple[Hold, ...]
    ledger: InMemoryLedger
    packs: tuple[CompiledPack, ...]


@dataclass(frozen=True, slots=True)
class PackSet:
    """The platform's packs compiled, and how far back their rules look in the ledger."""

    compiled: tuple[CompiledPack, ...]
    horizon: timedelta


def read_inputs(
    uow: UnitOfWork,
    platform: str,
    item: QueueItem,
    at: datetime,
    packs: PackSet | None = None,
) -> GateInputs:
    """The gate's inputs for ``item`` at ``at`` (inside an open uow)."""
    return _one(read_many(uow, platform, [CallTarget.of(item)], at, packs), item)


def _one(read: dict[int, GateInputs], item: QueueItem) -> GateInputs:
    if item.item_id not in read:
        raise ValidationError(
            N_(
                "borrower %(borrower_id)s has no time zone: the gate cannot place a call "
                "in their local time"
            ),
            borrower_id=repr(item.borrower_id),
        )
    return read[item.item_id]


def read_many(
    uow: UnitOfWork,
    platform: str,
    items: Sequence[CallTarget],
    at: datetime,
    packs: PackSet | None = None,
) -> dict[int, GateInputs]:
    """The gate's inputs for each of ``items`` at ``at``, read together: their borrowers,
    holds and recent contacts in one query each (inside an open uow).  An item whose
    borrower has no time zone is left out: the gate cannot answer for it."""
    chosen = packs if packs is not None else pack_set(uow, platform)
    borrower_ids = sorted({i.borrower_id for i in items})
    profiles = uow.borrowers(platform).call_profiles(borrower_ids)
    ledger = uow.contacts(platform).load_ledger(
        since=at - chosen.horizon, borrower_ids=borrower_ids
    )
    holds = uow.holds(platform).gate_holds(at=at, borrower_ids=borrower_ids)
    found = {}
    for item in items:
        profile = profiles.get(item.borrower_id)
        if profile is None or not profile.zones:
            continue
        found[item.item_id] = GateInputs(
            item,
            profile.zones,
            profile.number,
            holds.get(item.borrower_id, ()),
            ledger,
            chosen.compiled,
        )
    return found


def pack_set(uow: UnitOfWork, platform: str) -> PackSet:
    packs = platform_packs(uow, platform)
    return PackSet(tuple(compile_pack(p) for p in packs), max(ledger_horizon(p) for p in packs))


def call_attempt(item: CallTarget | QueueItem, at: datetime, number: str | None) -> Attempt:
    return Attempt(item.borrower_id, item.account_id, Channel.CALL, ACTOR, at, number=number)


def decide(inputs: GateInputs, at: datetime) -> CallVerdict:
    """Every pack's decision on a call now, combined: allowed only if every pack allows it;
    the next allowed time is the first that every pack allows (None if none would)."""
    item = inputs.item
    profile = ContactProfile(item.borrower_id, inputs.zones, holds=inputs.holds)
    attempt = call_attempt(item, at, inputs.number)
    decisions = [check(attempt, inputs.ledger, profile, pack) for pack in inputs.packs]
    allowed = all(d.allowed for d in decisions)
    earliest = None if allowed else _next_allowed(inputs, attempt, profile, decisions)
    reasons = [r for d in decisions for r in d.reasons]
    return CallVerdict(
        item_id=item.item_id,
        borrower_id=item.borrower_id,
        debt_id=item.account_id,
        channel=Channel.CALL.value,
        checked_at=at,
        allowed=allowed,
        packs=[p.code for p in inputs.packs],
        rule_ids=list(dict.fromkeys(r.rule_id for r in reasons)),
        reasons=[DenialReason.of(r) for r in reasons],
        earliest_allowed=earliest,
        earliest_allowed_local=[]
        if earliest is None
        else [LocalTime(zone=z, at=earliest.astimezone(ZoneInfo(z))) for z in inputs.zones],
    )


def _next_allowed(
    inputs: GateInputs, attempt: Attempt, profile: ContactProfile, decisions: list[Decision]
) -> datetime | None:
    """The latest of the packs' earliest times, checked again until all agree (a few rounds:
    one pack's window can open after another's closes)."""
    for _ in range(4):
        if any(not d.allowed and d.earliest_allowed is None for d in decisions):
            return None
        candidate = max((d.earliest_allowed for d in decisions if d.earliest_allowed), default=None)
        if candidate is None:
            return None
        later = replace(attempt, planned_at=candidate)
        decisions = [check(later, inputs.ledger, profile, pack) for pack in inputs.packs]
        if all(d.allowed for d in decisions):
            return candidate
    return None


# --- may I call now? ----------------------------------------------------------------------


@dataclass(slots=True)
class _Kept:
    inputs: GateInputs
    read_at: float


@dataclass(slots=True)
class _Day:
    inputs: dict[int, GateInputs]  # by item id: the platform's items assigned today
    read_at: float


class CallGate:
    """Answers "may I call now?" from what it keeps in process (module doc).

    One per process (the web app keeps one); thread-safe.  The gate inputs of every
    item assigned today are read at once and kept ``day_ttl`` seconds; then they are
    read again — on a thread of their own when the question came through
    :meth:`kept_verdict` with ``refresh``, else by the request that found them old —
    while every other question goes on with the old ones;
    an item outside them (not assigned today, or its borrower forgotten) is read
    alone and kept ``ttl`` seconds.  ``ttl`` 0 reads storage on every question.
    """

    def __init__(self, *, ttl: float = 5.0, day_ttl: float = 30.0, max_items: int = 20_000) -> None:
        self.ttl = ttl
        self.day_ttl = day_ttl
        self.max_items = max_items
        self._items: dict[tuple[str, int], _Kept] = {}
        self._days: dict[str, _Day] = {}
        self._reading: set[str] = set()
        self._packs: dict[str, tuple[PackSet, float]] = {}
        self._lock = threading.Lock()

    def verdict(
        self,
        *,
        uow: UnitOfWork,
        platform: str,
        item_id: int,
        collector: str | None,
        at: datetime,
    ) -> CallVerdict:
        """The gate's verdict on calling the item's borrower at ``at``; ``NotFound`` for an
        item outside the caller's scope (``collector``: their own items only)."""
        inputs = self._from_day(uow, platform, item_id, at)
        if inputs is None:
            inputs = self._from_items(uow, platform, item_id, collector, at)
        return self._decide(inputs, platform, item_id, collector, at)

    def kept_verdict(
        self,
        *,
        platform: str,
        item_id: int,
        collector: str | None,
        at: datetime,
        refresh: Callable[[], UnitOfWork] | None = None,
    ) -> CallVerdict | None:
        """The verdict from what is kept, or None when answering needs storage (the inputs
        are not kept, or the day's are older than ``STALE_LIMIT`` times the time they are
        kept for): then ask :meth:`verdict`.  Never reads storage itself, so an event loop
        may ask it directly; with ``refresh``, day inputs older than ``day_ttl`` are read
        again on a thread of their own while the old ones answer."""
        inputs = self._fresh_day(platform, item_id, at, refresh)
        if inputs is None:
            kept = self._kept(platform, item_id)
            if kept is None:
                return None
            inputs = kept.inputs
        return self._decide(inputs, platform, item_id, collector, at)

    def _decide(
        self, inputs: GateInputs, platform: str, item_id: int, collector: str | None, at: datetime
    ) -> CallVerdict:
        if collector is not None and inputs.item.assigned_to != collector:
            raise NotFound(
                N_("queue item %(item_id)s not found on platform %(platform)s"),
                item_id=item_id,
                platform=repr(platform),
            )
        return decide(inputs, at)

    def forget(self, platform: str, borrower_id: str) -> None:
        """Drops what is kept of the borrower (a contact or hold was just recorded)."""
        with self._lock:
            for key in [
                k
                for k, v in self._items.items()
                if k[0] == platform and v.inputs.item.borrower_id == borrower_id
            ]:
                del self._items[key]
            day = self._days.get(platform)
            if day is not None:
                for item_id in [
                    i for i, v in day.inputs.items() if v.item.borrower_id == borrower_id
                ]:
                    del day.inputs[item_id]

    # --- the day's items, read together ------------------------------------------------------

    def _from_day(
        self, uow: UnitOfWork, platform: str, item_id: int, at: datetime
    ) -> GateInputs | None:
        if self.ttl <= 0 or self.day_ttl <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            day = self._days.get(platform)
            claim = (day is None or now - day.read_at > self.day_ttl) and (
                platform not in self._reading
            )
            if claim:
                self._reading.add(platform)
        if claim:
            try:
                day = self._read_day(uow, platform, at)
            finally:
                with self._lock:
                    self._reading.discard(platform)
            with self._lock:
                self._days[platform] = day
        if day is None:
            return None
        with self._lock:
            return day.inputs.get(item_id)

    def _fresh_day(
        self,
        platform: str,
        item_id: int,
        at: datetime,
        refresh: Callable[[], UnitOfWork] | None,
    ) -> GateInputs | None:
        if self.ttl <= 0 or self.day_ttl <= 0:
            return None
        with self._lock:
            day = self._days.get(platform)
            if day is None:
                return None
            age = time.monotonic() - day.read_at
            renew = age > self.day_ttl and refresh is not None and platform not in self._reading
            if renew:
                self._reading.add(platform)
            found = day.inputs.get(item_id) if age <= self.day_ttl * STALE_LIMIT else None
        if renew:
            assert refresh is not None
            threading.Thread(
                target=self._renew_day, args=(refresh, platform, at), daemon=True
            ).start()
        elif age > self.day_ttl and refresh is None:
            return None
        return found

    def _renew_day(self, uow: Callable[[], UnitOfWork], platform: str, at: datetime) -> None:
        """Reads the day's inputs again (on its own thread); a failure keeps the old ones,
        which stop answering once ``STALE_LIMIT`` times too old."""
        try:
            day = self._read_day(uow(), platform, at)
        except Exception:
            log.warning("the call gate could not read the day's items again", exc_info=True)
            with self._lock:
                self._reading.discard(platform)
            return
        with self._lock:
            self._days[platform] = day
            self._reading.discard(platform)

    def _read_day(self, uow: UnitOfWork, platform: str, at: datetime) -> _Day:
        with uow:
            zone = ZoneInfo(settings_of(uow, platform).time_zone)
            items = uow.queues(platform).call_targets(at.astimezone(zone).date(), limit=DAY_ITEMS)
            read = read_many(uow, platform, items, at, self._compiled(uow, platform))
        return _Day(read, time.monotonic())

    # --- one item, read alone ----------------------------------------------------------------

    def _from_items(
        self, uow: UnitOfWork, platform: str, item_id: int, collector: str | None, at: datetime
    ) -> GateInputs:
        kept = self._kept(platform, item_id)
        if kept is not None:
            return kept.inputs
        with uow:
            item = require_item(uow, platform, item_id, collector)
            inputs = read_inputs(uow, platform, item, at, self._compiled(uow, platform))
        self._keep(platform, _Kept(inputs, time.monotonic()))
        return inputs

    def _kept(self, platform: str, item_id: int) -> _Kept | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            kept = self._items.get((platform, item_id))
        if kept is None or time.monotonic() - kept.read_at > self.ttl:
            return None
        return kept

    def _keep(self, platform: str, kept: _Kept) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._items) >= self.max_items:
                self._items.clear()  # a burst of distinct items: start again rather than grow
            self._items[(platform, kept.inputs.item.item_id)] = kept

    def _compiled(self, uow: UnitOfWork, platform: str) -> PackSet:
        with self._lock:
            found = self._packs.get(platform)
        if found is not None and time.monotonic() - found[1] <= PACK_TTL:
            return found[0]
        packs = pack_set(uow, platform)
        with self._lock:
            self._packs[platform] = (packs, time.monotonic())
        return packs
