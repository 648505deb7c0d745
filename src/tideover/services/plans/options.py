"""Use cases of relief plans: the options for a loan given a hardship application.

The loan comes from a JSON file (terms and payments so far, shape in
docs/plans.md) or from storage, where it is taken on its schedule in force
(``tideover.services.plans.position``); the offer limits from a JSON/YAML file
in the policy's ``offers`` shape, else the defaults of ``OfferLimits``.  The
options' JSON form is ``tideover.services.plans.results.PlanOptions``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from tideover.domain.allocation import position_as_of
from tideover.domain.errors import ValidationError
from tideover.domain.loans import Frequency, Loan, RepaymentMethod
from tideover.domain.money import Money, currency
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.rates import parse_rate
from tideover.domain.safe_yaml import load_yaml
from tideover.domain.schedules import build_schedule, terms_for
from tideover.i18n import N_
from tideover.plans import (
    HardshipApplication,
    OfferLimits,
    OptionsResult,
    generate_options,
    parse_application,
    parse_limits,
    snapshot_of,
)
from tideover.services.plans.position import ReliefPosition, load_for_relief
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
            N_("cannot read %(path)s: %(strerror)s"), path=path, strerror=exc.strerror
        ) from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            return load_yaml(text)
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            N_("%(path)s is not valid JSON/YAML: %(exc)s"), path=path, exc=exc
        ) from None


def parse_loan_file(data: Any) -> tuple[Loan, list[Payment], PlatformSettings]:
    """The loan, its payments and the booking settings described by ``data``."""
    try:
        parsed = LoanFile.model_validate(data)
    except PydanticError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'loan'}: {e['msg']}" for e in exc.errors()
        )
        raise ValidationError(N_("loan file rejected: %(problems)s"), problems=problems) from None
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
            N_(
                "application %(application_id)s is in %(currency)s, loan %(loan_id)s in "
                "%(schedule_currency)s"
            ),
            application_id=repr(application.application_id),
            currency=application.currency,
            loan_id=repr(loan.loan_id),
            schedule_currency=loan.schedule.currency,
        )


def plan_options(
    *,
    loan: Loan,
    payments: Sequence[Payment],
    settings: PlatformSettings,
    application: HardshipApplication,
    as_of: date | None = None,
    limits: OfferLimits | None = None,
    score: Decimal | None = None,
    ages_from: date | None = None,
) -> OptionsResult:
    """Every candidate plan for ``loan``; ``as_of`` defaults to the application's date.

    ``ages_from`` (a re-aged schedule, ``domain.schedule_in_force``): only
    installments due on or after it count for the days past due, as in the
    daily cycle.
    """
    _check_currency(loan, application)
    when = as_of or application.submitted_on
    position = position_as_of(
        loan, payments, when, waterfall=settings.waterfall, penalty=settings.penalty
    )
    snapshot = snapshot_of(loan, position)
    if ages_from is not None:
        oldest = position.oldest_unpaid_due_since(ages_from)
        snapshot = replace(snapshot, dpd=0 if oldest is None else (when - oldest).days)
    return generate_options(snapshot, application, limits or OfferLimits(), score=score)


def price_position(
    position: ReliefPosition,
    application: HardshipApplication,
    *,
    as_of: date,
    limits: OfferLimits,
    score: Decimal | None,
) -> OptionsResult:
    """The options for a stored loan where it stands; ``LoanHasOpenPlan`` while a plan is open."""
    position.require_no_open_plan(application.application_id)
    return plan_options(
        loan=position.loan,
        payments=position.payments,
        settings=position.settings,
        application=application,
        as_of=as_of,
        limits=limits,
        score=score,
        ages_from=position.ages_from,
    )


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
    """Options for a stored loan of ``platform`` on its schedule in force (read only)."""
    with uow:
        position = load_for_relief(uow, platform, loan_id, as_of)
    return price_position(
        position, application, as_of=as_of, limits=limits or OfferLimits(), score=score
    )
