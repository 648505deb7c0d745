"""The lender's expected net present value of a schedule, under a simple default model.

Each month the borrower re-defaults with a constant hazard ``h``; a payment
due in month ``t`` is received with probability ``(1 − h)^t``; on a default in
the months before it, the lender recovers ``recovery_rate`` of what was still
scheduled.  Cash is discounted monthly at ``discount_rate / 12``.  Months are
counted as started months after the business date, at least one (arrears are
not received on the business date itself).

The hazard comes from a 12-month default probability: the risk score where the
account has one, otherwise a default by days past due.  All numbers below are
documented ASSUMPTIONS, to be replaced by each platform's own estimates:

- default 12-month probabilities by DPD (0: 10 %, 1–30: 30 %, 31–90: 50 %,
  over 90: 70 %) are rounded from the monthly transitions of the Taiwan card
  data in docs (D1 → C 0.253, D1 → D1 0.684), read as a stress scenario;
- a plan whose payments fit the affordable share lowers the hazard by 15 %,
  one that does not raises it by 50 %;
- forgiving a share ``w`` of what is owed lowers the hazard by ``w / 2``:
  write-downs raised repayment in a randomised trial where lower minimum
  payments did not (Dobbie & Song, AER 110(4), 2020);
- recovery after a re-default is 15 % of what was still scheduled (a debt-sale
  order of magnitude for unsecured consumer debt).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from functools import lru_cache

from tideover.domain.money import Currency, Money, round_half_up

_ONE = Decimal(1)
DEFAULT_P12_BY_DPD = ((0, Decimal("0.10")), (30, Decimal("0.30")), (90, Decimal("0.50")))
DEFAULT_P12_BEYOND = Decimal("0.70")


@dataclass(frozen=True, slots=True)
class RiskAssumptions:
    """The knobs of the NPV model (all fractions, exact decimals)."""

    discount_rate: Decimal = Decimal("0.10")  # a year: the lender's cost of funds and margin
    recovery_rate: Decimal = Decimal("0.15")
    fits_multiplier: Decimal = Decimal("0.85")
    strain_multiplier: Decimal = Decimal("1.5")
    write_down_effect: Decimal = Decimal("0.5")


def default_probability(score: Decimal | None, dpd: int) -> Decimal:
    """12-month default probability: the score where given, else the default for ``dpd``."""
    if score is not None:
        return min(max(score, Decimal(0)), Decimal("0.999"))
    for upper, probability in DEFAULT_P12_BY_DPD:
        if dpd <= upper:
            return probability
    return DEFAULT_P12_BEYOND


@lru_cache(maxsize=4096)
def monthly_hazard(p12: Decimal) -> Decimal:
    """``1 − (1 − p12)^(1/12)``, to 20 significant digits."""
    with localcontext() as ctx:
        ctx.prec = 20
        return _ONE - (_ONE - p12) ** (_ONE / 12)


def months_after(as_of: date, due: date) -> int:
    """Started months from ``as_of`` to ``due``; at least 1: nothing is received on ``as_of``."""
    months = (due.year - as_of.year) * 12 + due.month - as_of.month
    if due.day > as_of.day:
        months += 1
    return max(months, 1)


@lru_cache(maxsize=4096)
def _weights(hazard: Decimal, discount: Decimal, horizon: int) -> tuple[tuple[Decimal, ...], ...]:
    """Per month t: survival S(t) and discount factor v^t."""
    with localcontext() as ctx:
        ctx.prec = 20
        keep = _ONE - hazard
        v = _ONE / (_ONE + discount / 12)
        survival, factor, rows = _ONE, _ONE, []
        for _ in range(horizon + 1):
            rows.append((survival, factor))
            survival *= keep
            factor *= v
        return tuple(rows)


def expected_npv(
    flows: list[tuple[date, Money]],
    *,
    as_of: date,
    hazard: Decimal,
    assumptions: RiskAssumptions,
    currency: Currency,
    lapse_extra: Money | None = None,
) -> Money:
    """Expected present value of ``flows`` (due date, amount), rounded half-up.

    ``lapse_extra`` is owed again if the plan breaks (a settlement's discount).
    """
    if not flows:
        return Money.zero(currency)
    months = [months_after(as_of, due) for due, _ in flows]
    table = _weights(hazard, assumptions.discount_rate, max(months))
    remaining = sum(amount.minor for _, amount in flows) + (lapse_extra.minor if lapse_extra else 0)
    value, previous = Decimal(0), table[0][0]
    with localcontext() as ctx:
        ctx.prec = 20
        for t, (_, amount) in zip(months, flows, strict=True):
            survival, factor = table[t]
            defaulted = previous - survival
            value += (
                amount.minor * survival + assumptions.recovery_rate * remaining * defaulted
            ) * factor
            remaining -= amount.minor
            previous = survival
    return Money(int(round_half_up(value)), currency)
