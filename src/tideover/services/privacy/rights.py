"""A borrower's data rights: access (everything stored about them) and erasure.

Access (PIPL art. 45; GDPR art. 15) exports every record of one borrower to a
file for them.  Erasure (PIPL art. 47; GDPR art. 17) removes what identifies
them, but only where the law allows: never while a loan is still owed, and
never before the longest retention period of the platform's jurisdiction has
run (``compliance/retention.yaml``) — the answer then says from which day and
under which rule.  What erasure removes: name, ID number, phone numbers,
address, e-mail and attributes; the keyed hashes of numbers dialled; the
hardship evidence documents.  The accounts, the contact ledger's dates and
outcomes, and the audit trail stay, no longer linked to a person.  Both are
decided by a compliance officer or administrator and recorded in the audit
trail (without the data itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from tideover.compliance.retention import kept_until, retention_rules
from tideover.domain.borrowers import Borrower
from tideover.domain.errors import Conflict, NotFound
from tideover.domain.identity import Role
from tideover.domain.loans import Loan
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.schedule_in_force import status_in_force
from tideover.i18n import N_
from tideover.services.common import now_and_today
from tideover.services.identity.users import resolve_actor
from tideover.services.platforms import settings_of
from tideover.services.results import Instant, Result
from tideover.services.unit_of_work import UnitOfWork

DECIDERS = (Role.COMPLIANCE_OFFICER, Role.PLATFORM_ADMIN)


class RetentionSource(Result):
    document: str
    article: str


class RetentionRuleInfo(Result):
    id: str
    years: int
    categories: list[str]
    title_en: str
    title_zh: str
    sources: list[RetentionSource]


class RetentionReport(Result):
    """The retention rules a platform's records are kept under."""

    platform: str
    jurisdiction: str
    rules: list[RetentionRuleInfo]


class ExportedPhone(Result):
    e164: str
    region: str


class ExportedIdentity(Result):
    name: str
    national_id: str | None
    phones: list[ExportedPhone]
    address: str
    email: str | None
    locale: str
    time_zone: str | None


class ExportedInstallment(Result):
    number: int
    due_date: date
    principal: str
    interest: str
    fees: str


class ExportedPayment(Result):
    payment_id: str
    paid_on: date
    amount: str
    reverses: str | None


class ExportedLoan(Result):
    loan_id: str
    currency: str
    principal: str
    annual_rate: str
    start_date: date
    schedule: list[ExportedInstallment]
    payments: list[ExportedPayment]


class ExportedContact(Result):
    attempt_id: str
    channel: str
    inbound: bool
    outcome: str
    at: Instant


class ExportedHold(Result):
    hold_id: str
    kind: str
    starts_at: Instant
    ends_at: Instant | None
    lifted_at: Instant | None


class ExportedApplication(Result):
    application_id: str
    loan_id: str | None
    submitted_on: date
    status: str
    outcome: str | None
    evidence: list[str]


class BorrowerExport(Result):
    """Everything stored about one borrower, for an access request (it is personal data)."""

    platform: str
    borrower_id: str
    exported_at: Instant
    identity: ExportedIdentity
    loans: list[ExportedLoan]
    contacts: list[ExportedContact]
    holds: list[ExportedHold]
    hardship_applications: list[ExportedApplication]


class Erasure(Result):
    """What an erasure removed (counts, never the data)."""

    platform: str
    borrower_id: str
    erased_at: Instant
    phones_removed: bool
    numbers_forgotten: int
    evidence_documents_removed: int
    kept_until_passed: date


def retention_report(*, uow: UnitOfWork, platform: str) -> RetentionReport:
    with uow:
        jurisdiction = settings_of(uow, platform).home_jurisdiction
    rules = retention_rules(jurisdiction)
    return RetentionReport(
        platform=platform,
        jurisdiction=jurisdiction,
        rules=[
            RetentionRuleInfo(
                id=r.id,
                years=r.years,
                categories=[c.value for c in r.categories],
                title_en=r.title_en,
                title_zh=r.title_zh,
                sources=[
                    RetentionSource(document=s.document, article=s.article) for s in r.sources
                ],
            )
            for r in rules
        ],
    )


def export_borrower(
    *, uow: UnitOfWork, platform: str, borrower_id: str, by: str, at: datetime
) -> BorrowerExport:
    """Everything stored about ``borrower_id``; the export itself is audited (not its data)."""
    with uow:
        actor = resolve_actor(uow, platform, by, roles=DECIDERS)
        borrower = _borrower(uow, platform, borrower_id)
        loans = uow.loans(platform).for_borrower(borrower_id)
        payments = uow.payments(platform)
        exported_loans = [_loan(loan, payments.for_loan(loan.loan_id)) for loan in loans]
        contacts = uow.contacts(platform).for_borrower(borrower_id)
        holds = uow.holds(platform).for_borrower(borrower_id)
        applications = uow.applications(platform)
        cases = applications.for_loans([loan.loan_id for loan in loans])
        result = BorrowerExport(
            platform=platform,
            borrower_id=borrower_id,
            exported_at=at,
            identity=_identity(borrower),
            loans=exported_loans,
            contacts=[
                ExportedContact(
                    attempt_id=c.attempt_id,
                    channel=c.attempt.channel.value,
                    inbound=c.inbound,
                    outcome=c.outcome.value,
                    at=c.at,
                )
                for c in contacts
            ],
            holds=[
                ExportedHold(
                    hold_id=h.hold_id,
                    kind=h.kind.value,
                    starts_at=h.starts_at,
                    ends_at=h.ends_at,
                    lifted_at=h.lifted_at,
                )
                for h in holds
            ],
            hardship_applications=[
                ExportedApplication(
                    application_id=c.application.application_id,
                    loan_id=c.application.loan_id,
                    submitted_on=c.application.submitted_on,
                    status=c.status.value,
                    outcome=None if c.outcome is None else c.outcome.value,
                    evidence=[
                        d.file_name for d in applications.evidence(c.application.application_id)
                    ],
                )
                for c in cases
            ],
        )
        uow.audit(platform).append(
            "pii_exported",
            {
                "borrower_id": borrower_id,
                "by": actor.username,
                "loans": len(exported_loans),
                "contacts": len(result.contacts),
            },
            at=at,
        )
        uow.commit()
    return result


def erase_borrower(
    *, uow: UnitOfWork, platform: str, borrower_id: str, by: str, reason: str, at: datetime
) -> Erasure:
    """Remove what identifies ``borrower_id``, where the law allows (see the module doc)."""
    with uow:
        actor = resolve_actor(uow, platform, by, roles=DECIDERS)
        _, today = now_and_today(uow, platform, None)
        settings = settings_of(uow, platform)
        borrower = _borrower(uow, platform, borrower_id)
        loans = uow.loans(platform).for_borrower(borrower_id)
        last = _last_activity(uow, platform, borrower_id, loans, settings, today)
        until, rules = kept_until(settings.home_jurisdiction, last)
        if today < until:
            cited = "; ".join(f"{r.id} ({r.years} years)" for r in rules)
            raise Conflict(
                N_(
                    "borrower %(borrower_id)s's records must be kept until %(until)s under "
                    "%(cited)s; erasure is possible from that day"
                ),
                borrower_id=repr(borrower_id),
                until=until.isoformat(),
                cited=cited,
            )
        applications = uow.applications(platform)
        cases = applications.for_loans([loan.loan_id for loan in loans])
        evidence = applications.erase_evidence(c.application.application_id for c in cases)
        forgotten = uow.contacts(platform).forget_numbers(borrower_id)
        uow.borrowers(platform).erase(borrower_id)
        uow.audit(platform).append(
            "pii_erased",
            {
                "borrower_id": borrower_id,
                "by": actor.username,
                "reason": reason[:500],
                "rules": [r.id for r in rules],
                "kept_until": until.isoformat(),
            },
            at=at,
        )
        uow.commit()
    return Erasure(
        platform=platform,
        borrower_id=borrower_id,
        erased_at=at,
        phones_removed=bool(borrower.phones),
        numbers_forgotten=forgotten,
        evidence_documents_removed=evidence,
        kept_until_passed=until,
    )


def _borrower(uow: UnitOfWork, platform: str, borrower_id: str) -> Borrower:
    borrower = uow.borrowers(platform).get(borrower_id)
    if borrower is None:
        raise NotFound(
            N_("no borrower %(borrower_id)s on platform %(platform)s"),
            borrower_id=repr(borrower_id),
            platform=repr(platform),
        )
    return borrower


def _last_activity(
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    loans: list[Loan],
    settings: PlatformSettings,
    today: date,
) -> date:
    """The borrower's last due date, payment or contact; a loan still owed refuses erasure."""
    days: list[date] = []
    payments, schedules = uow.payments(platform), uow.schedules(platform)
    for loan in loans:
        paid = payments.for_loan(loan.loan_id)
        versions = schedules.schedule_history(loan.loan_id)
        position, _ = status_in_force(
            loan,
            paid,
            today,
            versions=versions,
            waterfall=settings.waterfall,
            penalty=settings.penalty,
        )
        if position.outstanding_total > Money.zero(position.outstanding_total.currency):
            raise Conflict(
                N_(
                    "loan %(loan_id)s of borrower %(borrower_id)s is still owed; a "
                    "borrower's data is not erased while they owe (ask for the loan to be "
                    "settled or written off first)"
                ),
                loan_id=repr(loan.loan_id),
                borrower_id=repr(borrower_id),
            )
        schedule = versions[-1].schedule if versions else loan.schedule
        days += [i.due_date for i in schedule.installments]
        days += [p.paid_on for p in paid]
    days += [c.at.date() for c in uow.contacts(platform).for_borrower(borrower_id)]
    return max(days, default=today)


def _identity(borrower: Borrower) -> ExportedIdentity:
    return ExportedIdentity(
        name=borrower.name,
        national_id=borrower.national_id,
        phones=[ExportedPhone(e164=p.e164, region=p.region) for p in borrower.phones],
        address=borrower.address,
        email=borrower.email,
        locale=borrower.locale,
        time_zone=borrower.time_zone,
    )


def _loan(loan: Loan, payments: Sequence[Payment]) -> ExportedLoan:
    return ExportedLoan(
        loan_id=loan.loan_id,
        currency=loan.schedule.currency.code,
        principal=str(loan.terms.principal.amount),
        annual_rate=str(loan.terms.annual_rate),
        start_date=loan.terms.start_date,
        schedule=[
            ExportedInstallment(
                number=i.number,
                due_date=i.due_date,
                principal=str(i.principal.amount),
                interest=str(i.interest.amount),
                fees=str(i.fees.amount),
            )
            for i in loan.schedule.installments
        ],
        payments=[
            ExportedPayment(
                payment_id=p.payment_id,
                paid_on=p.paid_on,
                amount=str(p.amount.amount),
                reverses=p.reverses,
            )
            for p in payments
        ],
    )
