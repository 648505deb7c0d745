"""Stored holds: who put a hold on a borrower, when, why, and when it ended.

The gate reads a hold as :class:`~tideover.compliance.contacts.Hold` (kind,
debt, ``[since, until)``); a :class:`HoldRecord` is the stored form with the
people and reasons the audit trail needs.  A hold ends at its planned end
(``ends_at``, e.g. the 60 days of a UK Breathing Space) or when it is lifted,
whichever comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tideover.compliance.contacts import Hold, HoldKind
from tideover.domain.errors import ValidationError
from tideover.i18n import N_, Wording

MAX_REASON = 500
MAX_ACTOR = 200

# A conversation that records one of these results raises the hold at once
# (Tideover baseline practice, docs/compliance.md): a dispute stops collection
# of that debt until it is resolved (15 USC 1692g(b); FCA CONC 7.14.1R), a
# complaint stops every contact while it is investigated.
RESULT_HOLDS: dict[str, tuple[HoldKind, bool]] = {
    "dispute_raised": (HoldKind.DISPUTE, True),  # True: only the debt discussed
    "complaint": (HoldKind.COMPLAINT, False),
}


@dataclass(frozen=True, slots=True)
class HoldRecord:
    """One stored hold on a borrower (all instants UTC-aware)."""

    hold_id: str
    borrower_id: str
    kind: HoldKind
    starts_at: datetime
    reason: str
    raised_by: str
    debt_id: str | None = None  # None: every debt of the borrower
    ends_at: datetime | None = None
    source_attempt_id: str | None = None  # the contact whose result raised it
    lifted_at: datetime | None = None
    lifted_by: str | None = None
    lift_reason: str | None = None

    def __post_init__(self) -> None:
        for name in ("starts_at", "ends_at", "lifted_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise _invalid(
                    self.hold_id,
                    Wording(N_("%(name)s %(value)s has no time zone"), name=name, value=value),
                )
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise _invalid(self.hold_id, Wording(N_("it ends before it starts")))
        _text(self.hold_id, Wording(N_("reason")), self.reason, MAX_REASON)
        _text(self.hold_id, Wording(N_("raised by")), self.raised_by, MAX_ACTOR)
        if self.lifted_at is not None:
            _text(self.hold_id, Wording(N_("lifted by")), self.lifted_by or "", MAX_ACTOR)
            _text(self.hold_id, Wording(N_("lift reason")), self.lift_reason or "", MAX_REASON)

    @property
    def until(self) -> datetime | None:
        """When the hold stops applying: its planned end or its lifting, whichever is first."""
        ends = [t for t in (self.ends_at, self.lifted_at) if t is not None]
        return min(ends) if ends else None

    def in_force(self, at: datetime) -> bool:
        until = self.until
        return self.starts_at <= at and (until is None or at < until)

    def as_gate_hold(self) -> Hold:
        return Hold(self.kind, self.debt_id, self.until, self.starts_at)

    def to_dict(self, *, at: datetime | None = None) -> dict[str, Any]:
        """JSON-ready; with ``at``, also whether the hold is in force then."""
        data: dict[str, Any] = {
            "hold_id": self.hold_id,
            "borrower_id": self.borrower_id,
            "kind": self.kind.value,
            "debt_id": self.debt_id,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": _iso(self.ends_at),
            "reason": self.reason,
            "raised_by": self.raised_by,
            "source_attempt_id": self.source_attempt_id,
            "lifted_at": _iso(self.lifted_at),
            "lifted_by": self.lifted_by,
            "lift_reason": self.lift_reason,
            "until": _iso(self.until),
        }
        if at is not None:
            data["in_force"] = self.in_force(at)
        return data


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _text(hold_id: str, what: Wording, value: str, limit: int) -> None:
    if not value.strip() or len(value) > limit:
        raise _invalid(
            hold_id,
            Wording(N_("%(what)s must be 1 to %(limit)s characters"), what=what, limit=limit),
        )


def _invalid(hold_id: str, why: Wording) -> ValidationError:
    return ValidationError(N_("hold %(hold_id)s: %(why)s"), hold_id=hold_id, why=why)
