"""The review of a hardship application as a pure state machine.

submitted → under_review → decided (approved with a plan, or declined with
reasons) → closed.  An application approved with a plan that then broke may be
re-opened, decided → under_review, for a new decision on a re-offer (see
``reopen``).  Each change returns a new case; the history is appended, never
rewritten: the decision a re-opening set aside stays in the history's note.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from tideover.i18n import N_, Wording
from tideover.plans.application import HardshipApplication
from tideover.plans.errors import ApplicationRejected, InvalidTransition

AUTOMATIC = "system"
"""The actor id of decisions taken by the engine without a person."""


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    DECIDED = "decided"
    CLOSED = "closed"


class Outcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Reason:
    """A stable code with its text in both languages (stored with the decision: a
    reviewer's own words, or the catalogue's in both languages)."""

    code: str
    en: str
    zh: str

    @classmethod
    def of(cls, code: str, wording: Wording) -> Reason:
        return cls(code, wording.en, wording.zh)


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: ApplicationStatus
    at: datetime
    by: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ApplicationCase:
    """An application and where its review stands."""

    application: HardshipApplication
    status: ApplicationStatus
    history: tuple[StatusChange, ...]
    outcome: Outcome | None = None
    plan_option_id: str | None = None
    decline_reasons: tuple[Reason, ...] = ()


_NEXT = {
    ApplicationStatus.SUBMITTED: ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.UNDER_REVIEW: ApplicationStatus.DECIDED,
    ApplicationStatus.DECIDED: ApplicationStatus.CLOSED,
}


def submit(application: HardshipApplication, *, at: datetime, by: str) -> ApplicationCase:
    """A new case in ``submitted``."""
    return ApplicationCase(
        application,
        ApplicationStatus.SUBMITTED,
        (StatusChange(ApplicationStatus.SUBMITTED, at, by),),
    )


def _move(case: ApplicationCase, to: ApplicationStatus, at: datetime, by: str) -> ApplicationCase:
    if _NEXT.get(case.status) is not to:
        raise InvalidTransition(
            N_("application %(application_id)s is %(status)s; it cannot become %(to)s"),
            application_id=repr(case.application.application_id),
            status=case.status,
            to=to,
        )
    return replace(case, status=to, history=(*case.history, StatusChange(to, at, by)))


def start_review(case: ApplicationCase, *, at: datetime, by: str) -> ApplicationCase:
    return _move(case, ApplicationStatus.UNDER_REVIEW, at, by)


def approve(
    case: ApplicationCase, *, plan_option_id: str, at: datetime, by: str
) -> ApplicationCase:
    """Decided: approved with the plan option ``plan_option_id``."""
    decided = _move(case, ApplicationStatus.DECIDED, at, by)
    return replace(decided, outcome=Outcome.APPROVED, plan_option_id=plan_option_id)


def decline(
    case: ApplicationCase, *, reasons: tuple[Reason, ...], at: datetime, by: str
) -> ApplicationCase:
    """Decided: declined.  At least one reason; a vulnerable borrower's decline needs a person.

    FCA FG21/1 (fair treatment of vulnerable customers) expects firms to take
    vulnerability into account in decisions; Tideover never declines a
    vulnerable borrower automatically.
    """
    where = case.application.application_id
    if not reasons:
        raise ApplicationRejected(
            N_("declining application %(where)s needs at least one reason"),
            where=repr(where),
        )
    if case.application.vulnerable and by == AUTOMATIC:
        raise InvalidTransition(
            N_(
                "application %(where)s is from a vulnerable borrower: a person must "
                "decide a decline"
            ),
            where=repr(where),
        )
    decided = _move(case, ApplicationStatus.DECIDED, at, by)
    return replace(decided, outcome=Outcome.DECLINED, decline_reasons=reasons)


def close(case: ApplicationCase, *, at: datetime, by: str) -> ApplicationCase:
    return _move(case, ApplicationStatus.CLOSED, at, by)


def reopen(case: ApplicationCase, *, reason: str, at: datetime, by: str) -> ApplicationCase:
    """Decided (approved) → under review again, with ``reason`` recorded in the history.

    Only an approval is re-opened: the plan it was decided with broke and a new
    one is to be offered on the same application (a declined borrower applies
    again).  The outcome and plan option are cleared, as an application under
    review has none; the note keeps what was set aside.
    """
    where = case.application.application_id
    if case.status is not ApplicationStatus.DECIDED or case.outcome is not Outcome.APPROVED:
        state = case.status if case.outcome is None else f"{case.status} ({case.outcome})"
        raise InvalidTransition(
            N_("application %(where)s is %(state)s; only an approved application is re-opened"),
            where=repr(where),
            state=state,
        )
    if not reason.strip():
        raise ApplicationRejected(
            N_("re-opening application %(where)s needs a reason"),
            where=repr(where),
        )
    note = f"{reason.strip()} (was approved with {case.plan_option_id})"
    change = StatusChange(ApplicationStatus.UNDER_REVIEW, at, by, note)
    return replace(
        case,
        status=ApplicationStatus.UNDER_REVIEW,
        history=(*case.history, change),
        outcome=None,
        plan_option_id=None,
    )
