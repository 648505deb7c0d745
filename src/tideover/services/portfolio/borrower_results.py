"""What the borrower 360 returns: the borrower, each loan where it stands, and their history.

One typed result serves the collector's workbench, ``GET /api/v1/borrowers/{id}``
and (later) ``tideover borrower show --json``: field names and order are that
JSON.  Amounts are in major units, written as exact decimal strings; personal
data is masked unless the reader may see it (``masked``).
"""

from __future__ import annotations

from datetime import date

from tideover.services.compliance.results import HoldStatus
from tideover.services.plans.results import PromiseInfo
from tideover.services.results import Exact, Instant, Result


class ReasonCode(Result):
    """A reason code of a score, with its text in both languages."""

    code: str
    en: str
    zh: str


class ScoreInfo(Result):
    """The latest champion score of an account: from the day's queue item or the day's
    scores file (``source``), whichever is newer."""

    as_of: date
    source: str  # "queue_item" | "scores_file"
    model_version: str | None
    probability: Exact | None
    band: str | None
    reasons: list[ReasonCode]


class InstallmentLine(Result):
    """One installment of the schedule in force, replayed on the business date."""

    number: int
    due_date: date
    principal: Exact
    interest: Exact
    fees: Exact
    penalty: Exact
    total: Exact
    paid: Exact
    outstanding: Exact
    settled_on: date | None
    overdue: bool


class ScheduleInForce(Result):
    """Which schedule the loan is on: the contract (``version`` None) or a stored version."""

    version: int | None
    reason: str
    effective_from: date
    installments: list[InstallmentLine]


class LoanStanding(Result):
    """Where a loan stands on the business date (replayed on its schedule in force)."""

    dpd: int
    bucket: str
    oldest_unpaid_due: date | None
    overdue_principal: Exact
    overdue_interest: Exact
    overdue_fees: Exact
    overdue_penalty: Exact
    overdue_total: Exact
    outstanding_principal: Exact
    outstanding_total: Exact


class PaymentLine(Result):
    payment_id: str
    amount: Exact
    paid_on: date
    reverses: str | None


class BucketDay(Result):
    """The loan on one stored business date (the daily cycle's delinquency snapshot)."""

    as_of: date
    dpd: int
    bucket: str
    overdue_total: Exact


class PlanBrief(Result):
    """A relief plan of the loan: its state and who must approve it."""

    plan_id: str
    application_id: str
    option_id: str
    status: str
    as_of: date
    expires_on: date
    starts_on: date | None
    required_role: str
    approved_by: str | None


class ApplicationBrief(Result):
    application_id: str
    status: str
    reason: str
    submitted_on: date
    vulnerable: bool


class LoanView(Result):
    loan_id: str
    product: str
    currency: str
    principal: Exact
    annual_rate: Exact
    term: int
    method: str
    start_date: date
    standing: LoanStanding
    schedule: ScheduleInForce
    payments: list[PaymentLine]
    history: list[BucketDay]
    score: ScoreInfo | None
    promises: list[PromiseInfo]
    applications: list[ApplicationBrief]
    plans: list[PlanBrief]


class ContactLine(Result):
    """One contact of the ledger (numbers are never shown: the ledger keeps only hashes)."""

    attempt_id: str
    at: Instant
    debt_id: str
    channel: str
    target: str
    outcome: str
    result: str | None
    inbound: bool


class BorrowerView(Result):
    """The borrower 360: who, their contact data, loans, contacts, holds, as of a date."""

    platform: str
    borrower_id: str
    as_of: date
    masked: bool
    name: str
    national_id: str | None
    phones: list[str]
    email: str | None
    address: str
    locale: str
    time_zones: list[str]
    loans: list[LoanView]
    contacts: list[ContactLine]
    holds: list[HoldStatus]


class LoanDetail(Result):
    """One loan where it stands (``tideover loan show``): the 360's loan, with its borrower."""

    platform: str
    borrower_id: str
    as_of: date
    loan: LoanView
