"""What the plans use cases return: applications, plan options, plans, reviews, promises.

Field names and order are the JSON the CLI prints with ``--json`` and the API
serves (docs/plans.md); the audit records of these use cases are built from
the same models, so change them only together with that document.  Amounts are
exact decimals in the loan's currency, written as strings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import date
from decimal import Decimal

from pydantic import ConfigDict, JsonValue, RootModel

from tideover.adapters.repositories import StoredPlan, StoredPromise
from tideover.domain.loans import Schedule
from tideover.domain.money import Money
from tideover.plans import ApplicationCase, Evaluation, OptionsResult
from tideover.plans.application import EvidenceDocument, HardshipApplication
from tideover.plans.cases import Reason
from tideover.plans.lifecycle import Plan, ReagingRule, ScheduleVersion, reoffer_of
from tideover.services.results import Exact, Instant, Result

# --- hardship applications -----------------------------------------------------------------


class ReasonText(Result):
    """A stable code with its text in both languages (a decline, or why an option is not
    offered)."""

    code: str
    en: str
    zh: str

    @classmethod
    def of(cls, reason: Reason) -> ReasonText:
        return cls(code=reason.code, en=reason.en, zh=reason.zh)


class CaseStep(Result):
    """One status an application went through: when, by whom, and why when it was re-opened."""

    status: str
    at: Instant
    by: str
    note: str


class CaseBrief(Result):
    """Where an application stands: what the audit trail records of each decision on it."""

    application_id: str
    loan_id: str | None
    reason: str
    vulnerable: bool
    status: str
    outcome: str | None
    plan_option_id: str | None
    decline_reasons: list[ReasonText]
    by: str

    @classmethod
    def fields_of(cls, case: ApplicationCase) -> dict[str, object]:
        app = case.application
        return {
            "application_id": app.application_id,
            "loan_id": app.loan_id,
            "reason": app.reason.value,
            "vulnerable": app.vulnerable,
            "status": case.status.value,
            "outcome": None if case.outcome is None else case.outcome.value,
            "plan_option_id": case.plan_option_id,
            "decline_reasons": [ReasonText.of(r) for r in case.decline_reasons],
            "by": case.history[-1].by,
        }

    @classmethod
    def of(cls, case: ApplicationCase) -> CaseBrief:
        return cls.model_validate(cls.fields_of(case))


class ApplicationInfo(CaseBrief):
    """An application: its state, history, evidence documents and the document itself."""

    submitted_on: date
    history: list[CaseStep]
    evidence: list[EvidenceDocument]
    document: HardshipApplication

    @classmethod
    def fields_with(
        cls, case: ApplicationCase, evidence: Sequence[EvidenceDocument]
    ) -> dict[str, object]:
        return {
            **CaseBrief.fields_of(case),
            "submitted_on": case.application.submitted_on,
            "history": [
                CaseStep(status=h.status.value, at=h.at, by=h.by, note=h.note) for h in case.history
            ],
            "evidence": list(evidence),
            "document": case.application,
        }

    @classmethod
    def with_evidence(
        cls, case: ApplicationCase, evidence: Sequence[EvidenceDocument]
    ) -> ApplicationInfo:
        return cls.model_validate(cls.fields_with(case, evidence))


# --- plan options ---------------------------------------------------------------------------


def exact(value: Money) -> Decimal:
    """A sum of money as the exact decimal of its currency's major unit (``12.30``)."""
    return value.amount


class InstallmentRow(Result):
    """One installment of a schedule, with the principal still owed after it."""

    number: int
    due_date: date
    principal: Exact
    interest: Exact
    fees: Exact
    total: Exact
    remaining_principal: Exact

    @classmethod
    def rows(cls, schedule: Schedule) -> list[InstallmentRow]:
        remaining, rows = schedule.total_principal, []
        for item in schedule.installments:
            remaining = remaining - item.principal
            rows.append(
                cls(
                    number=item.number,
                    due_date=item.due_date,
                    principal=exact(item.principal),
                    interest=exact(item.interest),
                    fees=exact(item.fees),
                    total=exact(item.total),
                    remaining_principal=exact(remaining),
                )
            )
        return rows


class OptionChange(Result):
    """An option against the contract: the monthly payment, the total cost, the maturity."""

    monthly_payment: Exact
    total_cost: Exact
    maturity_months: int


class OptionSummary(Result):
    """One plan option's verdict, cost and value (what a stored plan keeps of its option)."""

    rank: int | None
    option_id: str
    kinds: list[str]
    offered: bool
    affordable: bool
    approval: str | None
    monthly_payment: Exact
    largest_payment: Exact
    installments: int
    total_cost: Exact
    waived: Exact
    waiver_pct: Exact
    npv: Exact
    npv_uplift: Exact
    change: OptionChange
    reasons: list[ReasonText]

    @classmethod
    def fields_of(cls, e: Evaluation) -> dict[str, object]:
        option = e.option
        return {
            "rank": e.rank,
            "option_id": option.option_id,
            "kinds": [k.value for k in option.kinds],
            "offered": e.offered,
            "affordable": e.affordable,
            "approval": e.approval,
            "monthly_payment": exact(option.monthly_payment),
            "largest_payment": exact(option.largest_payment),
            "installments": len(option.schedule.installments),
            "total_cost": exact(option.total_cost),
            "waived": exact(option.waived),
            "waiver_pct": option.waiver_pct,
            "npv": exact(e.npv),
            "npv_uplift": exact(e.npv_uplift),
            "change": OptionChange(
                monthly_payment=exact(e.payment_change),
                total_cost=exact(e.total_cost_change),
                maturity_months=e.maturity_change_months,
            ),
            "reasons": [ReasonText.of(r) for r in e.reasons],
        }

    @classmethod
    def of(cls, e: Evaluation) -> OptionSummary:
        return cls.model_validate(cls.fields_of(e))


class PlanOption(OptionSummary):
    """A plan option with its whole schedule."""

    schedule: list[InstallmentRow]

    @classmethod
    def of(cls, e: Evaluation) -> PlanOption:
        fields = OptionSummary.fields_of(e)
        return cls.model_validate({**fields, "schedule": InstallmentRow.rows(e.option.schedule)})


class AccountPosition(Result):
    """Where the account stands on the date the options are built for."""

    dpd: int
    balance: Exact
    outstanding_principal: Exact
    regular_payment: Exact
    remaining_installments: int
    current_total: Exact


class ExpenseNote(Result):
    """A declared expense far from its allowance (``low``: the allowance is used)."""

    category: str
    direction: str
    en: str
    zh: str


class AffordabilityInfo(Result):
    """The income and expenditure statement's totals and the most a plan may ask a month."""

    income: Exact
    declared_expenses: Exact
    accepted_expenses: Exact
    disposable: Exact
    share: Exact
    affordable_payment: Exact
    flags: list[ExpenseNote]


class PlanOptions(Result):
    """Every candidate plan for a loan, ranked by the lender's expected NPV."""

    loan_id: str
    as_of: date
    currency: str
    account: AccountPosition
    affordability: AffordabilityInfo
    default_probability_12m: Exact
    status_quo_npv: Exact
    options: list[PlanOption]

    @classmethod
    def of(cls, result: OptionsResult) -> PlanOptions:
        snap, aff = result.snapshot, result.affordability
        return cls(
            loan_id=snap.loan_id,
            as_of=snap.as_of,
            currency=snap.currency.code,
            account=AccountPosition(
                dpd=snap.dpd,
                balance=exact(snap.balance),
                outstanding_principal=exact(snap.outstanding_principal),
                regular_payment=exact(snap.regular_payment),
                remaining_installments=snap.remaining_installments,
                current_total=exact(snap.current_total),
            ),
            affordability=AffordabilityInfo(
                income=exact(aff.income),
                declared_expenses=exact(aff.declared_expenses),
                accepted_expenses=exact(aff.accepted_expenses),
                disposable=exact(aff.disposable),
                share=aff.share,
                affordable_payment=exact(aff.affordable_payment),
                flags=[
                    ExpenseNote(category=f.category.value, direction=f.direction, en=f.en, zh=f.zh)
                    for f in aff.flags
                ],
            ),
            default_probability_12m=result.default_probability,
            status_quo_npv=exact(result.status_quo_npv),
            options=[PlanOption.of(e) for e in result.evaluations],
        )


# --- stored plans ---------------------------------------------------------------------------


class PlanApproval(Result):
    """Who asked for a plan, which role must approve it, and who did."""

    requested_by: str
    required_role: str
    requested_at: Instant
    approved_by: str | None
    role: str | None
    approved_at: Instant | None


class PlanStep(Result):
    """One status a plan went through, on a business date."""

    on: date
    status: str
    note: str


class PlanInfo(Result):
    """A stored plan: its option, status, approval, events and schedule."""

    plan_id: str
    application_id: str
    loan_id: str
    option_id: str
    status: str
    reoffer_of: str | None
    as_of: date
    expires_on: date
    starts_on: date | None
    grace_days: int
    currency: str
    summary: OptionSummary
    approval: PlanApproval
    events: list[PlanStep]
    schedule: list[InstallmentRow]

    @classmethod
    def fields_of(cls, stored: StoredPlan) -> dict[str, object]:
        plan, request, approval = stored.plan, stored.request, stored.approval
        return {
            "plan_id": plan.plan_id,
            "application_id": stored.application_id,
            "loan_id": plan.loan_id,
            "option_id": plan.option_id,
            "status": plan.status.value,
            "reoffer_of": reoffer_of(plan),
            "as_of": stored.as_of,
            "expires_on": plan.expires_on,
            "starts_on": plan.starts_on,
            "grace_days": plan.grace_days,
            "currency": stored.currency,
            "summary": OptionSummary.model_validate(stored.summary),
            "approval": PlanApproval(
                requested_by=request.requested_by,
                required_role=request.required_role,
                requested_at=stored.requested_at,
                approved_by=None if approval is None else approval.approved_by,
                role=None if approval is None else approval.role,
                approved_at=None if approval is None else approval.at,
            ),
            "events": [PlanStep(on=e.on, status=e.status.value, note=e.note) for e in plan.events],
            "schedule": InstallmentRow.rows(plan.schedule),
        }

    @classmethod
    def of(cls, stored: StoredPlan) -> PlanInfo:
        return cls.model_validate(cls.fields_of(stored))

    def brief(self) -> dict[str, JsonValue]:
        """What an audit record keeps of the plan: everything but its schedule and events."""
        return self.model_dump(mode="json", exclude={"schedule", "events"})


class ReofferedPlan(PlanInfo):
    """A plan offered again after one broke: which re-offer of the application it is."""

    reoffer: int
    max_reoffers: int


class ScheduleVersionInfo(Result):
    """One version of a loan's schedule: why, from when, how many installments, in all."""

    version: int
    reason: str
    effective_from: date
    installments: int
    total: Exact

    @classmethod
    def of(cls, v: ScheduleVersion) -> ScheduleVersionInfo:
        items = v.schedule.installments
        return cls(
            version=v.version,
            reason=v.reason,
            effective_from=v.effective_from,
            installments=len(items),
            total=exact(Money(sum(i.total.minor for i in items), v.schedule.currency)),
        )


class PlanDetail(PlanInfo):
    """A plan with its loan's whole schedule history."""

    schedule_history: list[ScheduleVersionInfo]


class ApplicationDetail(ApplicationInfo):
    """An application with every plan offered for it."""

    plans: list[PlanInfo]


# --- promises to pay ------------------------------------------------------------------------


class PromiseInfo(Result):
    """A promise to pay an amount by a date, and whether it was kept."""

    promise_id: str
    loan_id: str
    plan_id: str | None
    amount: Exact
    currency: str
    made_on: date
    due: date
    outcome: str
    decided_on: date | None
    recorded_by: str

    @classmethod
    def fields_of(cls, stored: StoredPromise) -> dict[str, object]:
        promise = stored.promise
        return {
            "promise_id": promise.promise_id,
            "loan_id": stored.loan_id,
            "plan_id": stored.plan_id,
            "amount": exact(promise.amount),
            "currency": promise.amount.currency.code,
            "made_on": promise.made_on,
            "due": promise.due,
            "outcome": stored.outcome.value,
            "decided_on": stored.decided_on,
            "recorded_by": stored.recorded_by,
        }

    @classmethod
    def of(cls, stored: StoredPromise) -> PromiseInfo:
        return cls.model_validate(cls.fields_of(stored))


class PromiseList(RootModel[list[PromiseInfo]]):
    """Promises to pay, by loan, date and id: a JSON list."""

    model_config = ConfigDict(frozen=True)

    def __iter__(self) -> Iterator[PromiseInfo]:  # type: ignore[override]
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    def to_json(self) -> list[dict[str, JsonValue]]:
        """The JSON-ready form the CLI prints with ``--json``."""
        return [p.to_json() for p in self.root]


class PromiseDecision(PromiseInfo):
    """A promise decided kept or broken by a review, with the grace the review allowed."""

    grace_days: int


# --- the review of plans --------------------------------------------------------------------


class ReagingRuleInfo(Result):
    """When a plan's account may be re-aged (``tideover.plans.lifecycle.ReagingRule``)."""

    consecutive_payments: int
    min_months_on_book: int
    max_in_12_months: int
    max_in_5_years: int

    @classmethod
    def of(cls, rule: ReagingRule) -> ReagingRuleInfo:
        return cls.model_validate(asdict(rule))


class PlanDecision(Result):
    """What a review decided for one active plan: completed, broken or cancelled."""

    plan_id: str
    loan_id: str
    option_id: str
    status: str
    as_of: date
    grace_days: int
    note: str
    by: str

    @classmethod
    def fields_of(cls, plan: Plan, as_of: date, by: str) -> dict[str, object]:
        return {
            "plan_id": plan.plan_id,
            "loan_id": plan.loan_id,
            "option_id": plan.option_id,
            "status": plan.status.value,
            "as_of": as_of,
            "grace_days": plan.grace_days,
            "note": plan.events[-1].note,
            "by": by,
        }

    @classmethod
    def of(cls, plan: Plan, as_of: date, by: str) -> PlanDecision:
        return cls.model_validate(cls.fields_of(plan, as_of, by))


class ReagingDecision(PlanDecision):
    """A plan's account re-aged: the new schedule version and from when debt ages again."""

    schedule_version: int
    consecutive_kept: int
    rule: ReagingRuleInfo
    ages_from: date


class PlanReview(Result):
    """The review of a platform's active plans and pending promises for one business date."""

    platform: str
    as_of: date
    promise_grace_days: int
    reaging_rule: ReagingRuleInfo
    active_plans_reviewed: int
    # A re-aging says more than the other decisions; the first type that fits is written.
    plans: list[ReagingDecision | PlanDecision]
    promises: list[PromiseDecision]
