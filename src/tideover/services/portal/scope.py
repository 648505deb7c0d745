"""What a borrower may reach: their own loans, and the applications and plans of those loans.

Every portal look-up starts here, inside an open unit of work.  Anything
outside the borrower's scope is ``NotFound`` in words that name neither the
record nor the platform, so another borrower's ids reveal nothing.  A loan
belongs to exactly one borrower (``loans.borrower_id``): a co-borrower,
guarantor or contact person is never shown anything of it here.
"""

from __future__ import annotations

from tideover.adapters.repositories import StoredPlan
from tideover.domain.errors import NotFound
from tideover.domain.loans import Loan
from tideover.i18n import N_, Wording
from tideover.plans import ApplicationCase
from tideover.services.unit_of_work import UnitOfWork

PORTAL_SUFFIX = " (portal)"


def borrower_actor(borrower_id: str) -> str:
    """How the audit trail names a borrower acting in the portal."""
    return f"borrower:{borrower_id}{PORTAL_SUFFIX}"


def nothing_here(what: Wording | None = None) -> NotFound:
    """Outside the borrower's own records: not found, whatever it is."""
    return NotFound(what or Wording(N_("nothing here among your records")))


def own_loans(uow: UnitOfWork, platform: str, borrower_id: str) -> list[Loan]:
    return uow.loans(platform).for_borrower(borrower_id)


def own_loan(uow: UnitOfWork, platform: str, borrower_id: str, loan_id: str) -> Loan:
    loan = uow.loans(platform).get(loan_id)
    if loan is None or loan.borrower_id != borrower_id:
        raise nothing_here(Wording(N_("no such loan among yours")))
    return loan


def own_application(
    uow: UnitOfWork, platform: str, borrower_id: str, application_id: str
) -> ApplicationCase:
    case = uow.applications(platform).application(application_id)
    loan_id = None if case is None else case.application.loan_id
    if case is None or loan_id is None or not _owns(uow, platform, borrower_id, loan_id):
        raise nothing_here(Wording(N_("no such application among yours")))
    return case


def own_plan(uow: UnitOfWork, platform: str, borrower_id: str, plan_id: str) -> StoredPlan:
    stored = uow.plans(platform).plan(plan_id)
    if stored is None or not _owns(uow, platform, borrower_id, stored.plan.loan_id):
        raise nothing_here(Wording(N_("no such plan among yours")))
    return stored


def _owns(uow: UnitOfWork, platform: str, borrower_id: str, loan_id: str) -> bool:
    loan = uow.loans(platform).get(loan_id)
    return loan is not None and loan.borrower_id == borrower_id
