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
    """A stable code with its text in both languages."""

    code: str
    en: str
    zh: str


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
            f"application {case.application.application_id!r} is {case.status}; "
            f"it cannot become {to}",
            f"困难申请 {case.application.application_id!r} 当前状态为 {case.status}，不能变为 {to}",
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
            f"declining application {where!r} needs at least one reason",
            f"拒绝困难申请 {where!r} 必须至少给出一个理由",
        )
    if case.application.vulnerable and by == AUTOMATIC:
        raise InvalidTransition(
            f"application {where!r} is from a vulnerable borrower: a person must decide a decline",
            f"困难申请 {where!r} 来自弱势借款人：拒绝必须由人工决定",
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
            f"application {where!r} is {state}; only an approved application is re-opened",
            f"困难申请 {where!r} 当前为 {state}；只有已批准的申请可以重新审核",
        )
    if not reason.strip():
        raise ApplicationRejected(
            f"re-opening application {where!r} needs a reason",
            f"重新审核困难申请 {where!r} 需要理由",
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
