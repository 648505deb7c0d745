"""The hardship application (困难申请): reason, evidence, income and expenditure.

Income and expenditure follow the categories of the UK Standard Financial
Statement (SFS, Money Advice Trust / Money and Pensions Service,
https://sfs.moneyadviceservice.org.uk): income by source; fixed costs, flexible
costs and payments to other creditors by category.  Amounts are monthly, in
major units of the application's currency, exact decimals (never floats).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticError

from tideover.domain.money import Currency, currency
from tideover.i18n import N_, Bilingual, Clauses, Wording
from tideover.plans.errors import ApplicationRejected, EvidenceRejected


class HardshipReason(StrEnum):
    UNEMPLOYMENT = "unemployment"
    ILLNESS_INJURY = "illness_injury"
    DISASTER = "disaster"
    INCOME_REDUCTION = "income_reduction"
    FAMILY_EMERGENCY = "family_emergency"
    OTHER = "other"


class Region(StrEnum):
    """Regions with default living-cost allowances (see ``affordability``)."""

    CN = "CN"
    US = "US"
    UK = "UK"


class IncomeCategory(StrEnum):
    """SFS income sources."""

    EARNINGS = "earnings"  # wages, salary, self-employment, of the household
    BENEFITS = "benefits"  # state benefits, tax credits, unemployment insurance
    PENSIONS = "pensions"
    OTHER_INCOME = "other_income"  # maintenance, lodgers, help from family


class ExpenseCategory(StrEnum):
    """SFS expenditure categories: fixed, flexible, and other creditors."""

    HOME_AND_CONTENTS = "home_and_contents"  # rent or mortgage, property tax, insurance
    UTILITIES = "utilities"
    CARE_AND_HEALTH = "care_and_health"
    TRANSPORT_AND_TRAVEL = "transport_and_travel"
    SCHOOL_COSTS = "school_costs"
    PENSIONS_AND_INSURANCES = "pensions_and_insurances"
    PROFESSIONAL_COSTS = "professional_costs"
    OTHER_ESSENTIAL_COSTS = "other_essential_costs"
    COMMUNICATIONS_AND_LEISURE = "communications_and_leisure"  # flexible
    FOOD_AND_HOUSEKEEPING = "food_and_housekeeping"  # flexible
    PERSONAL_COSTS = "personal_costs"  # flexible: clothes, hair, gifts
    SAVINGS = "savings"  # flexible
    PRIORITY_DEBTS = "priority_debts"  # arrears whose non-payment loses home, power, liberty
    OTHER_CREDITORS = "other_creditors"  # payments to other (non-priority) lenders


class EvidenceType(StrEnum):
    """Documents a borrower may upload; anything else is refused."""

    PAYSLIP = "payslip"
    TERMINATION_LETTER = "termination_letter"
    BENEFIT_LETTER = "benefit_letter"
    MEDICAL_CERTIFICATE = "medical_certificate"
    HOSPITAL_BILL = "hospital_bill"
    DISASTER_CERTIFICATE = "disaster_certificate"
    DEATH_CERTIFICATE = "death_certificate"
    BANK_STATEMENT = "bank_statement"
    OTHER_OFFICIAL = "other_official"


ALLOWED_MEDIA_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # 10 MiB: a phone photo or scanned PDF fits
MAX_EVIDENCE_DOCUMENTS = 10

Amount = Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=2)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceDocument(_Strict):
    """Metadata of one uploaded document; the bytes live in document storage."""

    document_type: EvidenceType
    file_name: str = Field(min_length=1, max_length=255)
    media_type: str
    size_bytes: int = Field(gt=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @field_validator("media_type")
    @classmethod
    def _media_allowed(cls, value: str) -> str:
        if value.lower() not in ALLOWED_MEDIA_TYPES:
            raise ValueError(f"media type {value!r} is not allowed")
        return value.lower()

    @field_validator("size_bytes")
    @classmethod
    def _size_allowed(cls, value: int) -> int:
        if value > MAX_EVIDENCE_BYTES:
            raise ValueError(f"{value} bytes is over the {MAX_EVIDENCE_BYTES} byte limit")
        return value


class HardshipApplication(_Strict):
    """What the borrower declares.  Its review status lives in ``ApplicationCase``."""

    application_id: str = Field(min_length=1, max_length=64)
    loan_id: str | None = None
    submitted_on: date
    reason: HardshipReason
    description: str = Field(min_length=1, max_length=4000)
    expected_duration_months: int | None = Field(
        default=None, ge=1, le=120, description="how long the hardship should last; null unknown"
    )
    evidence: tuple[EvidenceDocument, ...] = Field(default=(), max_length=MAX_EVIDENCE_DOCUMENTS)
    currency: str = "CNY"
    region: Region | None = None
    income: dict[IncomeCategory, Amount]
    expenses: dict[ExpenseCategory, Amount]
    adults: int = Field(default=1, ge=1, le=10)
    dependants: int = Field(default=0, ge=0, le=20)
    vulnerable: bool = False
    preferred_payment_day: int | None = Field(default=None, ge=1, le=28)
    lump_sum_available: Amount = Decimal(0)

    @field_validator("income", "expenses", "lump_sum_available", mode="before")
    @classmethod
    def _no_floats(cls, value: Any) -> Any:
        values = value.values() if isinstance(value, Mapping) else [value]
        if any(isinstance(v, float) for v in values):
            raise ValueError("amounts must be exact decimals written as strings, not floats")
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        return currency(value).code

    @property
    def money_currency(self) -> Currency:
        return currency(self.currency)

    @property
    def household_size(self) -> int:
        return self.adults + self.dependants

    @property
    def resolved_region(self) -> Region:
        """The declared region, else the currency's (CNY → CN, GBP → UK, else US)."""
        if self.region is not None:
            return self.region
        return {"CNY": Region.CN, "GBP": Region.UK}.get(self.currency, Region.US)


# Pydantic's error types in words; its context (``ge``, ``expected``...) fills them.
_BY_TYPE = {
    "missing": (N_("a required field is missing"), ()),
    "extra_forbidden": (N_("this field is not allowed"), ()),
    "greater_than_equal": (N_("must not be less than %(ge)s"), ("ge",)),
    "greater_than": (N_("must be greater than %(gt)s"), ("gt",)),
    "less_than_equal": (N_("must not be more than %(le)s"), ("le",)),
    "enum": (N_("is not a valid choice; choose %(expected)s"), ("expected",)),
    "string_pattern_mismatch": (N_("is not in the right format"), ()),
    "string_too_short": (N_("must not be empty"), ()),
    "too_long": (N_("has too many entries"), ()),
    "decimal_parsing": (N_("is not a valid number"), ()),
    "date_from_datetime_parsing": (N_("is not a valid date"), ()),
}


def _problem(error: Mapping[str, Any]) -> Wording:
    known = _BY_TYPE.get(str(error["type"]))
    context = error.get("ctx", {})
    if known is None or any(name not in context for name in known[1]):
        said: Wording | Bilingual = Bilingual(str(error["msg"]), str(error["msg"]))
    else:
        said = Wording(known[0], **{name: context[name] for name in known[1]})
    return Wording(N_("%(where)s: %(problem)s"), where=_where(error), problem=said)


def parse_application(data: Mapping[str, Any]) -> HardshipApplication:
    """A validated application; every problem is listed in one ``ApplicationRejected``."""
    try:
        return HardshipApplication.model_validate(data)
    except PydanticError as exc:
        errors = exc.errors()
        kind = EvidenceRejected if any(e["loc"][:1] == ("evidence",) for e in errors) else None
        error_type = kind or ApplicationRejected
        raise error_type(
            N_("hardship application rejected: %(problems)s"),
            problems=Clauses(_problem(e) for e in errors),
        ) from None


def _where(error: Mapping[str, Any]) -> str:
    return ".".join(str(part) for part in error["loc"]) or "application"
