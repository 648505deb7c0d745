"""The borrower's hardship path: apply with evidence, see the affordable options, choose one,
accept an approved offer.

- *Apply*: an income and expenditure statement for one of their loans, with up
  to ``MAX_UPLOADS`` evidence files (PDF, JPEG or PNG by their signature, each
  at most 10 MiB, ``MAX_UPLOAD_BYTES`` in all), stored by
  ``services.plans.hardship.apply_for_hardship`` exactly as from the CLI.
- *Options*: while the application waits for a decision and no plan of the loan
  is open, the options the active policy allows that fit the statement
  (``offered`` and ``affordable``), best first; never the lender's valuation.
- *Choose*: the borrower's choice asks for a decision: a submitted application
  goes under review and the option is offered, requested by the borrower; an
  option within the automatic limits is approved by ``system`` at once, any
  other waits for the role the limits name (never the borrower, never the
  requester).  Two steps, each committed: if the offer is refused the
  application stays under review, where a person picks it up.
- *Accept*: only an approved, unexpired offer; the page says who still has to
  approve one that is not.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import Field

from tideover.adapters.repositories import StoredPlan
from tideover.domain.clock import Clock
from tideover.domain.errors import ValidationError
from tideover.i18n import N_
from tideover.plans import (
    ApplicationCase,
    ApplicationStatus,
    Evaluation,
    ExpenseCategory,
    HardshipReason,
    IncomeCategory,
    InvalidTransition,
)
from tideover.plans.application import MAX_EVIDENCE_BYTES
from tideover.plans.cases import AUTOMATIC
from tideover.plans.lifecycle import PlanStatus
from tideover.services.common import now_and_today
from tideover.services.inputs import StrictModel
from tideover.services.plans.hardship import Upload, apply_for_hardship, review_application
from tideover.services.plans.position import OPEN_PLANS
from tideover.services.plans.relief import accept_plan, offer_plan, options_for_application
from tideover.services.plans.results import InstallmentRow, OptionChange, OptionSummary, ReasonText
from tideover.services.portal.results import (
    EvidenceBrief,
    PortalApplication,
    PortalOption,
    PortalOptions,
    PortalPlan,
    StatusStep,
)
from tideover.services.portal.scope import (
    borrower_actor,
    own_application,
    own_loan,
    own_loans,
    own_plan,
)
from tideover.services.unit_of_work import UnitOfWork

MAX_UPLOADS = 5
MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # five phone photos or scans; each file at most 10 MiB
MAX_FILE_NAME = 100


class HardshipRequest(StrictModel):
    """What the borrower declares in the portal's form (monthly amounts, major units)."""

    loan_id: str = Field(min_length=1, max_length=64)
    reason: HardshipReason
    description: str = Field(min_length=1, max_length=4000)
    expected_duration_months: int | None = Field(default=None, ge=1, le=120)
    income: dict[IncomeCategory, Decimal] = Field(default_factory=dict)
    expenses: dict[ExpenseCategory, Decimal] = Field(default_factory=dict)
    adults: int = Field(default=1, ge=1, le=10)
    dependants: int = Field(default=0, ge=0, le=20)
    vulnerable: bool = False
    preferred_payment_day: int | None = Field(default=None, ge=1, le=28)
    lump_sum_available: Decimal = Decimal(0)


def apply(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    request: HardshipRequest,
    uploads: Sequence[Upload] = (),
    clock: Clock | None = None,
) -> PortalApplication:
    """Store the borrower's application for one of their loans, with its evidence."""
    check_uploads(uploads)
    with uow:
        _, today = now_and_today(uow, platform, clock)
        loan = own_loan(uow, platform, borrower_id, request.loan_id)
    data: dict[str, Any] = {
        "application_id": f"HA-{today:%Y%m%d}-{secrets.token_hex(4).upper()}",
        "loan_id": loan.loan_id,
        "submitted_on": today.isoformat(),
        "reason": request.reason.value,
        "description": request.description,
        "expected_duration_months": request.expected_duration_months,
        "currency": loan.schedule.currency.code,
        "income": {k.value: str(v) for k, v in request.income.items() if v},
        "expenses": {k.value: str(v) for k, v in request.expenses.items() if v},
        "adults": request.adults,
        "dependants": request.dependants,
        "vulnerable": request.vulnerable,
        "preferred_payment_day": request.preferred_payment_day,
        "lump_sum_available": str(request.lump_sum_available),
    }
    stored = apply_for_hardship(
        uow=uow,
        platform=platform,
        data=data,
        uploads=named(uploads),
        by=borrower_actor(borrower_id),
        clock=clock,
    )
    return application(
        uow=uow,
        platform=platform,
        borrower_id=borrower_id,
        application_id=stored.application_id,
        clock=clock,
    )


def check_uploads(uploads: Sequence[Upload]) -> None:
    """The portal's bounds: how many files, how large each and together (types: by signature,
    in ``check_evidence``)."""
    if len(uploads) > MAX_UPLOADS:
        raise ValidationError(N_("at most %(max_uploads)s evidence files"), max_uploads=MAX_UPLOADS)
    if any(len(u.content) > MAX_EVIDENCE_BYTES for u in uploads):
        mib = MAX_EVIDENCE_BYTES // (1024 * 1024)
        raise ValidationError(N_("each evidence file is at most %(mib)s MiB"), mib=mib)
    if sum(len(u.content) for u in uploads) > MAX_UPLOAD_BYTES:
        mib = MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ValidationError(
            N_("the evidence files are at most %(mib)s MiB together"),
            mib=mib,
        )


_UNSAFE = re.compile(r"[^\w.\- ]+")


def named(uploads: Sequence[Upload]) -> list[Upload]:
    """Uploads with file names safe to store and show: the base name only, no control or
    path characters, short, and unique within the application."""
    seen: set[str] = set()
    renamed = []
    for number, upload in enumerate(uploads, start=1):
        base = upload.file_name.replace("\\", "/").rsplit("/", 1)[-1]
        name = _UNSAFE.sub("_", base).strip(" .")[-MAX_FILE_NAME:] or f"evidence-{number}"
        if name.lower() in seen:
            name = f"{number}-{name}"[:MAX_FILE_NAME]
        seen.add(name.lower())
        renamed.append(Upload(upload.document_type, name, upload.content))
    return renamed


def applications(
    *, uow: UnitOfWork, platform: str, borrower_id: str, clock: Clock | None = None
) -> list[PortalApplication]:
    """The borrower's applications, newest first."""
    with uow:
        _, today = now_and_today(uow, platform, clock)
        loan_ids = [loan.loan_id for loan in own_loans(uow, platform, borrower_id)]
        cases = uow.applications(platform).for_loans(loan_ids) if loan_ids else []
        open_loans = _open_loans(uow, platform)
        return [_application(uow, platform, case, today, open_loans) for case in reversed(cases)]


def application(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    application_id: str,
    clock: Clock | None = None,
) -> PortalApplication:
    with uow:
        _, today = now_and_today(uow, platform, clock)
        case = own_application(uow, platform, borrower_id, application_id)
        return _application(uow, platform, case, today, _open_loans(uow, platform))


def options(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    application_id: str,
    clock: Clock | None = None,
) -> PortalOptions:
    """The options the borrower may choose for their application, best first."""
    found = application(
        uow=uow,
        platform=platform,
        borrower_id=borrower_id,
        application_id=application_id,
        clock=clock,
    )
    loan_id = _choosable(found)
    result = options_for_application(
        uow=uow, platform=platform, application_id=application_id, loan_id=loan_id, clock=clock
    )
    chosen = [e for e in result.evaluations if e.offered and e.affordable]
    return PortalOptions(
        application_id=application_id,
        loan_id=loan_id,
        currency=result.snapshot.currency.code,
        as_of=result.snapshot.as_of,
        affordable_payment=result.affordability.affordable_payment.amount,
        options=[_option(e) for e in chosen],
    )


def choose(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    application_id: str,
    option_id: str,
    clock: Clock | None = None,
) -> PortalPlan:
    """The borrower chooses an option: it is offered to them, approved at once if automatic."""
    found = application(
        uow=uow,
        platform=platform,
        borrower_id=borrower_id,
        application_id=application_id,
        clock=clock,
    )
    loan_id = _choosable(found)
    me = borrower_actor(borrower_id)
    if found.status == ApplicationStatus.SUBMITTED.value:
        review_application(
            uow=uow, platform=platform, application_id=application_id, by=me, clock=clock
        )
    offered = offer_plan(
        uow=uow,
        platform=platform,
        application_id=application_id,
        loan_id=loan_id,
        option_id=option_id,
        by=me,
        clock=clock,
    )
    return plan(
        uow=uow, platform=platform, borrower_id=borrower_id, plan_id=offered.plan_id, clock=clock
    )


def accept(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    plan_id: str,
    clock: Clock | None = None,
) -> PortalPlan:
    """Accept an approved, unexpired offer of one of the borrower's plans."""
    with uow:
        own_plan(uow, platform, borrower_id, plan_id)
    accept_plan(
        uow=uow, platform=platform, plan_id=plan_id, by=borrower_actor(borrower_id), clock=clock
    )
    return plan(uow=uow, platform=platform, borrower_id=borrower_id, plan_id=plan_id, clock=clock)


def plan(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    plan_id: str,
    clock: Clock | None = None,
) -> PortalPlan:
    with uow:
        _, today = now_and_today(uow, platform, clock)
        return portal_plan(own_plan(uow, platform, borrower_id, plan_id), today)


def _choosable(found: PortalApplication) -> str:
    if not found.may_choose or found.loan_id is None:
        raise InvalidTransition(
            N_(
                "options are chosen while your application waits for a decision and no "
                "plan of the loan is open"
            ),
        )
    return found.loan_id


def _open_loans(uow: UnitOfWork, platform: str) -> set[str]:
    """The loans with an open plan (``plans.position.open_plan_of``'s reading)."""
    return {p.plan.loan_id for p in uow.plans(platform).plans_with_status(*OPEN_PLANS)}


def _application(
    uow: UnitOfWork, platform: str, case: ApplicationCase, today: date, open_loans: set[str]
) -> PortalApplication:
    app = case.application
    applications_repo = uow.applications(platform)
    plans = uow.plans(platform).plans_for_application(app.application_id)
    loan_open = app.loan_id in open_loans
    waiting = case.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)
    return PortalApplication(
        application_id=app.application_id,
        loan_id=app.loan_id,
        reason=app.reason.value,
        submitted_on=app.submitted_on,
        status=case.status.value,
        outcome=None if case.outcome is None else case.outcome.value,
        decline_reasons=[ReasonText.of(r) for r in case.decline_reasons],
        history=[StatusStep(status=h.status.value, at=h.at) for h in case.history],
        evidence=[
            EvidenceBrief(
                document_type=d.document_type.value,
                file_name=d.file_name,
                media_type=d.media_type,
                size_bytes=d.size_bytes,
            )
            for d in applications_repo.evidence(app.application_id)
        ],
        plans=[portal_plan(p, today) for p in reversed(plans)],
        may_choose=waiting and not loan_open,
    )


def portal_plan(stored: StoredPlan, today: date) -> PortalPlan:
    """A stored plan as its borrower reads it (no staff names, no lender valuation)."""
    summary = OptionSummary.model_validate(stored.summary)
    plan_ = stored.plan
    approved = stored.approval is not None
    return PortalPlan(
        plan_id=plan_.plan_id,
        application_id=stored.application_id,
        loan_id=plan_.loan_id,
        option_id=plan_.option_id,
        kinds=summary.kinds,
        status=plan_.status.value,
        currency=stored.currency,
        expires_on=plan_.expires_on,
        starts_on=plan_.starts_on,
        monthly_payment=summary.monthly_payment,
        installments=len(plan_.schedule.installments),
        total_cost=summary.total_cost,
        waived=summary.waived,
        change=OptionChange.model_validate(summary.change.model_dump()),
        approved=approved,
        awaiting_approval_by=None if approved else stored.request.required_role,
        may_accept=plan_.status is PlanStatus.OFFERED and approved and today <= plan_.expires_on,
        schedule=InstallmentRow.rows(plan_.schedule),
    )


def _option(e: Evaluation) -> PortalOption:
    summary = OptionSummary.of(e)
    return PortalOption(
        option_id=summary.option_id,
        rank=summary.rank,
        kinds=summary.kinds,
        monthly_payment=summary.monthly_payment,
        largest_payment=summary.largest_payment,
        installments=summary.installments,
        total_cost=summary.total_cost,
        waived=summary.waived,
        change=summary.change,
        needs_approval_by=None if e.approval in (None, AUTOMATIC) else e.approval,
        schedule=InstallmentRow.rows(e.option.schedule),
    )
