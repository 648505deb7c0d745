"""What the borrower portal's use cases return: the borrower's own records, nobody else's.

These are the borrower's view, not the staff's: no staff names, no lender
valuations (NPV), no other person (co-borrower, guarantor, contact person).
Amounts are exact decimals in the loan's currency, written as strings.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from tideover.services.plans.results import InstallmentRow, OptionChange, ReasonText
from tideover.services.results import Exact, Instant, Result

# --- who is signed in -----------------------------------------------------------------------


class BorrowerOverview(Result):
    """The signed-in borrower, masked: enough to know it is them, not enough to leak."""

    borrower_id: str
    name: str  # masked (``tideover.domain.redact.mask_name``)
    phones: list[str]  # masked
    language: str  # the borrower's language for pages and notices: zh-CN or en
    channel: str | None  # the preferred channel, if chosen


class CodeSent(Result):
    """The answer to a code request: the same whether or not the number is known."""

    sent: bool
    expires_in_seconds: int


# --- what I owe -----------------------------------------------------------------------------


class Components(Result):
    """An amount by component: principal, interest, fees, penalty (late interest and fees)."""

    principal: Exact
    interest: Exact
    fees: Exact
    penalty: Exact
    total: Exact


InstallmentState = Literal["paid", "overdue", "due_today", "upcoming"]


class InstallmentOwed(Result):
    """One installment of the schedule in force: what was due, what is paid, what is left."""

    number: int
    due_date: date
    due: Components  # scheduled, with the penalty accrued so far
    paid: Exact
    outstanding: Exact
    state: InstallmentState
    days_overdue: int


class NextDue(Result):
    due_date: date
    amount: Exact


class LoanOwed(Result):
    """One of the borrower's loans on the business date: what is overdue and why."""

    loan_id: str
    product: str
    currency: str
    as_of: date
    principal: Exact  # as agreed
    annual_rate: Exact  # nominal, a fraction (0.12 is 12 % a year)
    start_date: date
    schedule: str  # the schedule in force: "contract", "plan <option>" or "re-aged"
    dpd: int
    oldest_unpaid_due: date | None
    overdue: Components  # installments due before today and not paid, by component
    outstanding: Components  # everything still owed, due or not
    installments_overdue: int
    next_due: NextDue | None
    plan_id: str | None  # the loan's open plan (offered, accepted or active)
    plan_status: str | None
    holds: list[str]  # kinds of hold in force on this loan (or on every loan)


class LoanSchedule(LoanOwed):
    """A loan with every installment of its schedule in force."""

    installments: list[InstallmentOwed]


# --- how to pay -----------------------------------------------------------------------------


class Account(Result):
    payee: str
    bank: str
    account: str
    note: str


class PaymentInstructions(Result):
    """The platform's official repayment accounts, verbatim; never a personal account."""

    accounts: list[Account]
    published: bool


# --- my rights ------------------------------------------------------------------------------


class RuleSource(Result):
    document: str
    article: str


class RightsRule(Result):
    """A rule of the platform's jurisdiction that Tideover applies, with its legal sources."""

    rule_id: str
    title_en: str
    title_zh: str
    sources: list[RuleSource]
    confidence: str


RouteTopic = Literal["dispute", "stop_contact", "complaint", "hardship", "payment"]


class RightsRoute(Result):
    """What the borrower can do about one topic, and the rules behind it."""

    topic: RouteTopic
    rules: list[RightsRule]


class Rights(Result):
    """An interim summary of the rules the platform's jurisdiction gives borrowers.

    ``interim``: not the jurisdiction's full rights statement (the communications
    work writes those), and not legal advice.
    """

    jurisdiction: str
    pack: str | None  # the rule pack read; None: Tideover has no pack for it
    pack_name_en: str | None
    pack_name_zh: str | None
    routes: list[RightsRoute]
    interim: bool


# --- hardship and plans ---------------------------------------------------------------------


class PortalOption(Result):
    """A plan the borrower can choose: what it asks of them and what it changes."""

    option_id: str
    rank: int | None
    kinds: list[str]
    monthly_payment: Exact
    largest_payment: Exact
    installments: int
    total_cost: Exact
    waived: Exact
    change: OptionChange
    needs_approval_by: str | None  # a role; None: approved at once
    schedule: list[InstallmentRow]


class PortalOptions(Result):
    """The affordable options of one application: what the borrower can choose from."""

    application_id: str
    loan_id: str
    currency: str
    as_of: date
    affordable_payment: Exact
    options: list[PortalOption]


class PortalPlan(Result):
    """A plan offered to the borrower, where its approval stands, and whether they may accept."""

    plan_id: str
    application_id: str
    loan_id: str
    option_id: str
    kinds: list[str]
    status: str
    currency: str
    expires_on: date
    starts_on: date | None
    monthly_payment: Exact
    installments: int
    total_cost: Exact
    waived: Exact
    change: OptionChange
    approved: bool
    awaiting_approval_by: str | None  # the role that still has to approve it
    may_accept: bool
    schedule: list[InstallmentRow]


class EvidenceBrief(Result):
    document_type: str
    file_name: str
    media_type: str
    size_bytes: int


class StatusStep(Result):
    status: str
    at: Instant


class PortalApplication(Result):
    """One of the borrower's hardship applications, its decision and its plans."""

    application_id: str
    loan_id: str | None
    reason: str
    submitted_on: date
    status: str
    outcome: str | None
    decline_reasons: list[ReasonText]
    history: list[StatusStep]
    evidence: list[EvidenceBrief]
    plans: list[PortalPlan]
    may_choose: bool  # options may be chosen: no plan open, not decided yet


# --- requests: stop contact, dispute, complaint ---------------------------------------------


RequestKind = Literal["stop_contact", "dispute", "complaint"]


class PortalHold(Result):
    """A hold in force on the borrower: what stops, on which loan (None: all), since when."""

    hold_id: str
    kind: str
    loan_id: str | None
    since: Instant
    until: Instant | None
    asked_by_you: bool


class RequestRecorded(Result):
    """A request the borrower made: the hold it put in force (or the one already there)."""

    request: RequestKind
    hold: PortalHold
    already_in_force: bool


# --- preferences ----------------------------------------------------------------------------


Language = Literal["zh-CN", "en"]
PreferredChannel = Literal["sms", "call", "email", "letter", "app_push"]


class Preferences(Result):
    language: Language
    channel: PreferredChannel | None
