"""How a simulated KPI reads in a table: the same text in the CLI, the console and the demo.

Rates are percentages to two places, amounts are major units of the book's
currency with thousands separators, counts are whole, ratios keep what matters
(cost per unit recovered to three places, complaints per 1,000 to two).  Values
are exact decimals throughout; rounding is half-up and done once, here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from tideover.i18n import N_, Wording
from tideover.services.simulate.results import (
    KPI_LABELS,
    MONEY_KPIS,
    RATE_KPIS,
    KpiDifference,
    KpiInterval,
)
from tideover.simulate.measures import BETTER

COUNT_KPIS = frozenset({"plans_taken", "plans_kept", "plans_broken"})
PLACES = {
    "cost_to_collect": Decimal("0.001"),
    "complaints_per_1000_contacts": Decimal("0.01"),
    "contacts_per_account": Decimal("0.01"),
}
DASH = "—"


def label(kpi: str, language: str) -> str:
    if kpi not in KPI_LABELS:
        return kpi
    return Wording(KPI_LABELS[kpi]).in_language(language)


def value_text(
    kpi: str, value: Decimal | None, *, minor_digits: int = 2, signed: bool = False
) -> str:
    """One figure of ``kpi`` as a reader sees it (``signed``: a difference, with its sign)."""
    if value is None:
        return DASH
    sign = "+" if signed and value > 0 else ""
    if kpi in RATE_KPIS:
        shown = (value * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return f"{sign}{shown}{' pp' if signed else '%'}"
    if kpi in MONEY_KPIS:
        major = (value.scaleb(-minor_digits)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{sign}{major:,}"
    if kpi in COUNT_KPIS:
        return f"{sign}{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    places = PLACES.get(kpi, Decimal("0.0001"))
    return f"{sign}{value.quantize(places, rounding=ROUND_HALF_UP)}"


def interval_text(row: KpiInterval, *, minor_digits: int = 2, signed: bool = False) -> str:
    """``median (low to high)`` of one KPI in one month."""
    if row.median is None:
        return DASH
    median = value_text(row.kpi, row.median, minor_digits=minor_digits, signed=signed)
    low = value_text(row.kpi, row.low, minor_digits=minor_digits, signed=signed)
    high = value_text(row.kpi, row.high, minor_digits=minor_digits, signed=signed)
    return f"{median} ({low} … {high})"


def favours_text(row: KpiDifference, language: str) -> str:
    """Which policy the difference favours; empty for a KPI that is neither better nor worse
    higher (contacts per account, plans taken)."""
    if BETTER.get(row.kpi, 0) == 0:
        return ""
    if row.favours is None:
        return Wording(N_("no clear difference")).in_language(language)
    return row.favours


def shown_months(months: int) -> list[int]:
    """The months a table shows: all up to six, else the first, a few between and the last."""
    if months <= 6:
        return list(range(1, months + 1))
    picks = {1, 3, 6, 12, 24, 36, 48, months}
    return sorted(m for m in picks if m <= months)
