"""Rolling a platform's daily cycle back to a date, under four eyes.

A cycle run that used the wrong data (a bad import, a policy activated by
mistake) leaves a date's results the platform does not want to act on, and
every later run built on them.  Rolling back to ``D`` undoes the runs of ``D``
and after: they are marked ``abandoned`` and what they produced that nobody
has acted on yet is deleted — pending outbox messages, open and assigned
queue items, KPI and delinquency snapshots.  What already happened stays:
messages sent or delivered, items a collector worked, the contact ledger,
payments and the audit trail.  The dates can then be run again, in order;
a rerun never sends a kept message twice (``adapters.repositories.cycle``).

One user asks (``request``), another decides (``approve`` or ``reject``); both
need ``cycle:run``.  The request, the decision and what was removed are kept
in ``cycle_rollbacks`` and in the audit trail.  Approval refuses while a run of
one of the dates is in progress (its run lock is held).
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date

from tideover.adapters.repositories.cycle import RollbackRequest
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.domain.permissions import Permission
from tideover.i18n import N_, Wording
from tideover.services.common import acting_with
from tideover.services.cycle.run import check_run_date
from tideover.services.results import Instant, Result
from tideover.services.unit_of_work import UnitOfWork

MAX_REASON = 500


class CycleRollback(Result):
    """A rollback request as stored: who asked, why, who decided, what was removed."""

    request_id: str
    platform: str
    to_date: date
    reason: str
    state: str  # requested, done, rejected
    requested_by: str
    requested_at: Instant
    decided_by: str | None = None
    decided_at: Instant | None = None
    removed: dict[str, int] | None = None

    @classmethod
    def of(cls, platform: str, request: RollbackRequest) -> CycleRollback:
        return cls(
            request_id=request.request_id,
            platform=platform,
            to_date=request.to_date,
            reason=request.reason,
            state=request.state,
            requested_by=request.requested_by,
            requested_at=request.requested_at,
            decided_by=request.decided_by,
            decided_at=request.decided_at,
            removed=request.removed,
        )


class CycleRollbacks(Result):
    platform: str
    requests: list[CycleRollback]


def request_rollback(
    *,
    uow: UnitOfWork,
    platform: str,
    to_date: date,
    by: str,
    reason: str,
    clock: Clock | None = None,
) -> CycleRollback:
    """Ask to roll ``platform`` back to ``to_date``; another user decides."""
    check_run_date(to_date)
    why = _reason(reason)
    now = (clock or SystemClock()).now()
    with uow:
        who = acting_with(uow, platform, by, Permission.CYCLE_RUN)
        user = uow.users(platform).by_name(who)
        assert user is not None  # acting_with found them
        repo = uow.cycle(platform)
        open_requests = [r for r in repo.rollbacks() if r.state == "requested"]
        if open_requests:
            first = open_requests[0]
            raise Conflict(
                N_(
                    "rollback request %(request_id)s (to %(to_date)s) is still waiting for a "
                    "decision; approve or reject it first"
                ),
                request_id=first.request_id,
                to_date=first.to_date.isoformat(),
            )
        undone = _runs_from(uow, platform, to_date)
        if not undone:
            raise ValidationError(
                N_(
                    "platform %(platform)s has no cycle run on or after %(to_date)s: nothing "
                    "to roll back"
                ),
                platform=repr(platform),
                to_date=to_date.isoformat(),
            )
        stored = repo.add_rollback(to_date=to_date, reason=why, requested_by=user.user_id, at=now)
        uow.audit(platform).append(
            "cycle_rollback_requested",
            {
                "request_id": stored.request_id,
                "to_date": to_date.isoformat(),
                "by": who,
                "reason": why,
                "dates": [d.isoformat() for d in undone],
            },
            at=now,
        )
        uow.commit()
    return CycleRollback.of(platform, stored)


def approve_rollback(
    *, uow: UnitOfWork, platform: str, request_id: str, by: str, clock: Clock | None = None
) -> CycleRollback:
    """Carry out a requested rollback: by a user other than the one who asked."""
    now = (clock or SystemClock()).now()
    with uow:
        request, decider = _decidable(uow, platform, request_id, by)
        dates = _runs_from(uow, platform, request.to_date)
    with ExitStack() as locks:
        # A run of one of these dates in progress would write its results after ours.
        for day in dates:
            label = f"the daily cycle of {platform} for {day.isoformat()}"
            locks.enter_context(uow.exclusive(f"cycle:{platform}:{day.isoformat()}", label=label))
        with uow:
            request, decider = _decidable(uow, platform, request_id, by)
            repo = uow.cycle(platform)
            note = f"rolled back to {request.to_date.isoformat()} ({request.request_id})"
            removed = repo.remove_from(request.to_date, note=note)
            repo.decide_rollback(
                request.request_id, state="done", decided_by=decider, at=now, removed=removed
            )
            uow.audit(platform).append(
                "cycle_rolled_back",
                {
                    "request_id": request.request_id,
                    "to_date": request.to_date.isoformat(),
                    "requested_by": request.requested_by,
                    "approved_by": by_name(uow, platform, decider),
                    "removed": removed,
                },
                at=now,
            )
            done = repo.rollback(request.request_id)
            uow.commit()
    assert done is not None
    return CycleRollback.of(platform, done)


def reject_rollback(
    *,
    uow: UnitOfWork,
    platform: str,
    request_id: str,
    by: str,
    reason: str,
    clock: Clock | None = None,
) -> CycleRollback:
    """Decline a requested rollback (by a user other than the one who asked); nothing changes."""
    why = _reason(reason)
    now = (clock or SystemClock()).now()
    with uow:
        request, decider = _decidable(uow, platform, request_id, by)
        repo = uow.cycle(platform)
        repo.decide_rollback(request.request_id, state="rejected", decided_by=decider, at=now)
        uow.audit(platform).append(
            "cycle_rollback_rejected",
            {
                "request_id": request.request_id,
                "to_date": request.to_date.isoformat(),
                "requested_by": request.requested_by,
                "rejected_by": by_name(uow, platform, decider),
                "reason": why,
            },
            at=now,
        )
        done = repo.rollback(request.request_id)
        uow.commit()
    assert done is not None
    return CycleRollback.of(platform, done)


def list_rollbacks(*, uow: UnitOfWork, platform: str) -> CycleRollbacks:
    with uow:
        requests = uow.cycle(platform).rollbacks()
    return CycleRollbacks(
        platform=platform, requests=[CycleRollback.of(platform, r) for r in requests]
    )


def by_name(uow: UnitOfWork, platform: str, user_id: int) -> str:
    user = uow.users(platform).get(user_id)
    return "" if user is None else user.username


def _decidable(
    uow: UnitOfWork, platform: str, request_id: str, by: str
) -> tuple[RollbackRequest, int]:
    """The open request and the deciding user's id: a stored user with ``cycle:run`` who is
    not the requester (names compared through their key, so one person is one name)."""
    who = acting_with(uow, platform, by, Permission.CYCLE_RUN)
    request = uow.cycle(platform).rollback(request_id.strip())
    if request is None:
        raise NotFound(
            N_("no rollback request %(request_id)s on platform %(platform)s"),
            request_id=repr(request_id),
            platform=repr(platform),
        )
    if request.state != "requested":
        raise Conflict(
            N_("rollback request %(request_id)s is already %(state)s"),
            request_id=request.request_id,
            state=Wording(_STATES[request.state]) if request.state in _STATES else request.state,
        )
    if who == request.requested_by:
        raise ValidationError(
            N_("%(who)s asked for rollback %(request_id)s; another user must decide it"),
            who=repr(who),
            request_id=request.request_id,
        )
    user = uow.users(platform).by_name(who)
    assert user is not None
    return request, user.user_id


_STATES = {"done": N_("done"), "rejected": N_("rejected")}  # a request's state in words


def _runs_from(uow: UnitOfWork, platform: str, first: date) -> list[date]:
    """The dates with a run, not yet abandoned, on or after ``first``."""
    return sorted(
        {
            r.as_of
            for r in uow.cycle(platform).runs()
            if r.as_of >= first and r.status != "abandoned"
        }
    )


def _reason(reason: str) -> str:
    why = " ".join(reason.split())
    if not why:
        raise ValidationError(N_("say why (--reason)"))
    if len(why) > MAX_REASON or any(ord(c) < 32 or ord(c) == 127 for c in why):
        raise ValidationError(
            N_("the reason must be plain text of at most %(max_reason)s characters"),
            max_reason=MAX_REASON,
        )
    return why
