"""Use cases of relief plans: the options for a loan given a hardship application.

The loan comes from a JSON file (terms and payments so far, shape in
docs/plans.md) or from storage; the offer limits from a JSON/YAML file in the
policy's ``offers`` shape, else the defaults of ``OfferLimits``.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from tideover.domain.errors import NotFound, ValidationError
from tideover.domain.loans import Frequency, Loan, RepaymentMethod
from tideover.domain.money import Money, currency
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.rates import parse_rate
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans import (
    Evaluation,
    HardshipApplication,
    OfferLimits,
    OptionsResult,
    generate_options,
    parse_application,
    parse_limits,
    snapshot_for,
)
from tideover.services.platforms import settings_of
from tideover.services.portfolio.schedules import schedule_rows
from tideover.services.unit_of_work import UnitOfWork


class _PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    payment_id: str = Field(min_length=1)
    amount: Decimal = Field(ge=0)
    paid_on: date
    reverses: str | None = None


class LoanFile(BaseModel):
    """A loan's terms and its payments so far, as one JSON document."""

    model_config = ConfigDict(extra="forbid")
    platform: str = "file"
    loan_id: str = Field(min_length=1)
    borrower_id: str = "unknown"
    currency: str = "CNY"
    principal: Decimal = Field(gt=0)
    annual_rate: str
    term: int = Field(ge=1)
    method: RepaymentMethod
    start_date: date
    first_due_date: date | None = None
    frequency: Frequency = Frequency.MONTHLY
    payments: list[_PaymentIn] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)


def read_document(path: Path) -> Any:
    """JSON (numbers read as exact decimals) or YAML from ``path``; clear errors if not."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(
            f"cannot read {path}: {exc.strerror}", f"无法读取文件 {path}：{exc.strerror}"
        ) from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            return yaml.safe_load(text)
        return json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ValidationError(
            f"{path} is not valid JSON/YAML: {exc}", f"{path} 不是有效的 JSON/YAML：{exc}"
        ) from None


def parse_loan_file(data: Any) -> tuple[Loan, list[Payment], PlatformSettings]:
    """The loan, its payments and the booking settings described by ``data``."""
    try:
        parsed = LoanFile.model_validate(data)
    except PydanticError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'loan'}: {e['msg']}" for e in exc.errors()
        )
        raise ValidationError(
            f"loan file rejected: {problems}", f"借据文件无效：{problems}"
        ) from None
    cur = currency(parsed.currency)
    settings = PlatformSettings.from_dict({"currency": cur.code, **parsed.settings})
    terms = terms_for(
        principal=Money.of(parsed.principal, cur),
        annual_rate=parse_rate(parsed.annual_rate),
        term=parsed.term,
        method=parsed.method,
        start_date=parsed.start_date,
        first_due_date=parsed.first_due_date,
        frequency=parsed.frequency,
    )
    loan = Loan(parsed.platform, parsed.loan_id, parsed.borrower_id, terms, build_schedule(terms))
    payments = [
        Payment(
            parsed.platform,
            p.payment_id,
            parsed.loan_id,
            Money.of(p.amount, cur),
            p.paid_on,
            p.reverses,
        )
        for p in parsed.payments
    ]
    return loan, payments, settings


def load_limits(path: Path | None) -> OfferLimits:
    """Limits from a file in the policy ``offers`` shape, or the defaults."""
    return OfferLimits() if path is None else parse_limits(read_document(path))


def load_application(path: Path) -> HardshipApplication:
    return parse_application(read_document(path))


def _check_currency(loan: Loan, application: HardshipApplication) -> None:
    if application.currency != loan.schedule.currency.code:
        raise ValidationError(
            f"application {application.application_id!r} is in {application.currency}, "
            f"loan {loan.loan_id!r} in {loan.schedule.currency}",
            f"困难申请 {application.application_id!r} 的币种 {application.currency} 与借据 "
            f"{loan.loan_id!r} 的币种 {loan.schedule.currency} 不同",
        )


def plan_options(
    *,
    loan: Loan,
    payments: list[Payment],
    settings: PlatformSettings,
    application: HardshipApplication,
    as_of: date | None = None,
    limits: OfferLimits | None = None,
    score: Decimal | None = None,
) -> OptionsResult:
    """Every candidate plan for ``loan``; ``as_of`` defaults to the application's date."""
    _check_currency(loan, application)
    when = as_of or application.submitted_on
    snapshot = snapshot_for(loan, payments, when, settings)
    return generate_options(snapshot, application, limits or OfferLimits(), score=score)


def plan_options_for_stored_loan(
    *,
    uow: UnitOfWork,
    platform: str,
    loan_id: str,
    application: HardshipApplication,
    as_of: date,
    limits: OfferLimits | None = None,
    score: Decimal | None = None,
) -> OptionsResult:
    """Options for a stored loan of ``platform``, replayed with its payments (read only)."""
    with uow:
        settings = settings_of(uow, platform)
        loan = uow.loans(platform).get(loan_id)
        if loan is None:
            raise NotFound(
                f"no loan {loan_id!r} on platform {platform!r}",
                f"平台 {platform!r} 上没有借据 {loan_id!r}",
            )
        payments = uow.payments(platform).for_loan(loan_id)
    return plan_options(
        loan=loan,
        payments=payments,
        settings=settings,
        application=application,
        as_of=as_of,
        limits=limits,
        score=score,
    )


def money_text(value: Money) -> str:
    return str(value.amount)


def options_json(result: OptionsResult) -> dict[str, Any]:
    """The result as plain JSON: amounts as decimal strings, reasons in en and zh."""
    snap, aff = result.snapshot, result.affordability
    return {
        "loan_id": snap.loan_id,
        "as_of": snap.as_of.isoformat(),
        "currency": snap.currency.code,
        "account": {
            "dpd": snap.dpd,
            "balance": money_text(snap.balance),
            "outstanding_principal": money_text(snap.outstanding_principal),
            "regular_payment": money_text(snap.regular_payment),
            "remaining_installments": snap.remaining_installments,
            "current_total": money_text(snap.current_total),
        },
        "affordability": {
            "income": money_text(aff.income),
            "declared_expenses": money_text(aff.declared_expenses),
            "accepted_expenses": money_text(aff.accepted_expenses),
            "disposable": money_text(aff.disposable),
            "share": str(aff.share),
            "affordable_payment": money_text(aff.affordable_payment),
            "flags": [
                {"category": f.category.value, "direction": f.direction, "en": f.en, "zh": f.zh}
                for f in aff.flags
            ],
        },
        "default_probability_12m": str(result.default_probability),
        "status_quo_npv": money_text(result.status_quo_npv),
        "options": [evaluation_json(e) for e in result.evaluations],
    }


def evaluation_json(e: Evaluation) -> dict[str, Any]:
    option = e.option
    return {
        "rank": e.rank,
        "option_id": option.option_id,
        "kinds": [k.value for k in option.kinds],
        "offered": e.offered,
        "affordable": e.affordable,
        "approval": e.approval,
        "monthly_payment": money_text(option.monthly_payment),
        "largest_payment": money_text(option.largest_payment),
        "installments": len(option.schedule.installments),
        "total_cost": money_text(option.total_cost),
        "waived": money_text(option.waived),
        "waiver_pct": str(option.waiver_pct),
        "npv": money_text(e.npv),
        "npv_uplift": money_text(e.npv_uplift),
        "change": {
            "monthly_payment": money_text(e.payment_change),
            "total_cost": money_text(e.total_cost_change),
            "maturity_months": e.maturity_change_months,
        },
        "reasons": [{"code": r.code, "en": r.en, "zh": r.zh} for r in e.reasons],
        "schedule": schedule_rows(option.schedule),
    }
