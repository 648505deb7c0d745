"""Affordability: disposable income from an income and expenditure statement.

Declared spending is compared with default monthly allowances per region and
household (first adult, each further adult, each dependant).  The figures are
ASSUMPTIONS for a starting point, to be calibrated by each platform:

- CN: rounded from the NBS 2023 per-capita consumption expenditure (national
  26,796 CNY a year, of which food 7,983; 国家统计局《2023年国民经济和社会发展统计公报》),
  leaning to urban levels;
- US: orders of magnitude of the IRS Collection Financial Standards (national
  and local standards for food, housekeeping, personal care, utilities, transport);
- UK: orders of magnitude of the SFS spending guidelines for flexible costs
  (the licensed figures are not reproduced).

A declared amount far below the allowance (under ``LOW_FACTOR``) is replaced by
the allowance, so a plan is never built on living costs nobody can live on
(FCA CONC 7.3.4R: forbearance and due consideration); far above (over
``HIGH_FACTOR``) is kept but flagged for the reviewer to ask about.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tideover.domain.money import Currency, Money, total
from tideover.i18n import N_, Worded, Wording
from tideover.plans.application import ExpenseCategory, HardshipApplication, Region

LOW_FACTOR = Decimal("0.25")
HIGH_FACTOR = Decimal(3)
DEFAULT_SHARE = Decimal("0.5")  # half the surplus, leaving room for the unexpected
VULNERABLE_SHARE_FACTOR = Decimal("0.8")

E = ExpenseCategory
# (first adult, each further adult, each dependant), monthly, major units.
_Allowance = tuple[str, str, str]
ALLOWANCES: dict[Region, dict[ExpenseCategory, _Allowance]] = {
    Region.CN: {
        E.FOOD_AND_HOUSEKEEPING: ("900", "700", "500"),
        E.UTILITIES: ("250", "100", "50"),
        E.COMMUNICATIONS_AND_LEISURE: ("200", "150", "80"),
        E.PERSONAL_COSTS: ("250", "200", "150"),
        E.TRANSPORT_AND_TRAVEL: ("250", "200", "50"),
    },
    Region.US: {
        E.FOOD_AND_HOUSEKEEPING: ("450", "350", "300"),
        E.UTILITIES: ("250", "50", "30"),
        E.COMMUNICATIONS_AND_LEISURE: ("150", "80", "50"),
        E.PERSONAL_COSTS: ("120", "80", "60"),
        E.TRANSPORT_AND_TRAVEL: ("400", "250", "0"),
    },
    Region.UK: {
        E.FOOD_AND_HOUSEKEEPING: ("320", "220", "130"),
        E.UTILITIES: ("150", "60", "30"),
        E.COMMUNICATIONS_AND_LEISURE: ("100", "60", "40"),
        E.PERSONAL_COSTS: ("80", "50", "40"),
        E.TRANSPORT_AND_TRAVEL: ("150", "100", "20"),
    },
}


@dataclass(frozen=True, slots=True)
class ExpenseFlag(Worded):
    """A declared expense far from its allowance."""

    category: ExpenseCategory
    declared: Money
    allowance: Money
    direction: str  # "low" (replaced by the allowance) or "high" (kept, to be asked about)

    @property
    def wording(self) -> Wording:
        return Wording(
            N_(
                "%(category)s declared %(declared)s is implausibly low (allowance "
                "%(allowance)s); the allowance is used"
            )
            if self.direction == "low"
            else N_("%(category)s declared %(declared)s is far above the allowance %(allowance)s"),
            category=self.category,
            declared=self.declared,
            allowance=self.allowance,
        )


@dataclass(frozen=True, slots=True)
class Affordability:
    """The statement's totals and what a plan may ask for each month."""

    currency: Currency
    income: Money
    declared_expenses: Money
    accepted_expenses: Money
    disposable: Money  # may be negative
    share: Decimal
    flags: tuple[ExpenseFlag, ...]

    @property
    def affordable_payment(self) -> Money:
        """The most a plan may ask each month: ``share`` of a positive surplus, half-up."""
        return self.disposable.max(Money.zero(self.currency)).times(self.share)


def allowance(category: ExpenseCategory, region: Region, adults: int, dependants: int) -> Decimal:
    """The default monthly allowance of ``category`` for this household (0 if none)."""
    figures = ALLOWANCES[region].get(category)
    if figures is None:
        return Decimal(0)
    first, further, child = (Decimal(x) for x in figures)
    return first + further * (adults - 1) + child * dependants


def assess(application: HardshipApplication, *, share: Decimal = DEFAULT_SHARE) -> Affordability:
    """Disposable income and the affordable payment of ``application``.

    A vulnerable borrower's share is cut by ``VULNERABLE_SHARE_FACTOR``: more
    headroom for a household that is more likely to meet a new shock.
    """
    cur = application.money_currency
    region = application.resolved_region
    flags: list[ExpenseFlag] = []
    accepted: list[Money] = []
    for category in sorted(ExpenseCategory):  # sorted: same flags whatever the input order
        declared = Money.of(application.expenses.get(category, Decimal(0)), cur)
        limit = Money.of(
            allowance(category, region, application.adults, application.dependants), cur
        )
        used = declared
        if limit.is_positive and declared < limit.times(LOW_FACTOR):
            flags.append(ExpenseFlag(category, declared, limit, "low"))
            used = limit
        elif limit.is_positive and declared > limit.times(HIGH_FACTOR):
            flags.append(ExpenseFlag(category, declared, limit, "high"))
        accepted.append(used)
    income = total((Money.of(v, cur) for v in application.income.values()), cur)
    declared_total = total((Money.of(v, cur) for v in application.expenses.values()), cur)
    accepted_total = total(accepted, cur)
    if application.vulnerable:
        share = share * VULNERABLE_SHARE_FACTOR
    return Affordability(
        currency=cur,
        income=income,
        declared_expenses=declared_total,
        accepted_expenses=accepted_total,
        disposable=income - accepted_total,
        share=share,
        flags=tuple(flags),
    )
