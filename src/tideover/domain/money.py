"""Money: integer minor units plus an ISO currency; ``Decimal`` arithmetic.

Amounts are stored and compared as integers of the currency's minor unit
(fen, cents, pence).  Anything that can produce a fraction of a minor unit
(rates, ratios, parsing) goes through ``Decimal`` and is rounded half-up to
the minor unit, and the rounding is said out loud at the call site.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tideover.domain.errors import CurrencyMismatch, ValidationError
from tideover.i18n import N_


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency with the number of digits of its minor unit."""

    code: str
    minor_digits: int

    @property
    def minor_per_major(self) -> int:
        return int(10**self.minor_digits)

    def __str__(self) -> str:
        return self.code


CNY = Currency("CNY", 2)
USD = Currency("USD", 2)
GBP = Currency("GBP", 2)
EUR = Currency("EUR", 2)

CURRENCIES: dict[str, Currency] = {c.code: c for c in (CNY, USD, GBP, EUR)}
DEFAULT_CURRENCY = CNY


def currency(code: str) -> Currency:
    """The supported currency with ISO code ``code`` (case-insensitive)."""
    found = CURRENCIES.get(code.strip().upper())
    if found is None:
        supported = ", ".join(sorted(CURRENCIES))
        raise ValidationError(
            N_("unsupported currency %(code)s; supported: %(supported)s"),
            code=repr(code),
            supported=supported,
        )
    return found


def to_decimal(value: Decimal | int | str) -> Decimal:
    """``value`` as a Decimal; floats are refused because they are not exact."""
    if isinstance(value, float):  # pragma: no cover - guarded by typing too
        raise ValidationError(N_("money must not be given as a float"))
    try:
        result = Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(N_("not a number: %(value)s"), value=repr(value)) from exc
    if not result.is_finite():
        raise ValidationError(N_("not a finite number: %(value)s"), value=repr(value))
    return result


def round_half_up(value: Decimal, digits: int = 0) -> Decimal:
    """``value`` rounded half-up (away from zero on a tie) to ``digits`` places."""
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount of money in integer minor units of one currency."""

    minor: int
    currency: Currency = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise ValidationError(
                N_("minor units must be an integer, got %(minor)s"),
                minor=repr(self.minor),
            )

    # -- construction -----------------------------------------------------
    @classmethod
    def of(cls, amount: Decimal | int | str, currency: Currency = DEFAULT_CURRENCY) -> Money:
        """Money from a major-unit amount, rounded half-up to the minor unit."""
        major = to_decimal(amount)
        minor = round_half_up(major * currency.minor_per_major)
        return cls(int(minor), currency)

    @classmethod
    def zero(cls, currency: Currency = DEFAULT_CURRENCY) -> Money:
        return cls(0, currency)

    # -- views ------------------------------------------------------------
    @property
    def amount(self) -> Decimal:
        """The amount in major units, exact (e.g. ``Decimal('8884.88')``)."""
        return Decimal(self.minor).scaleb(-self.currency.minor_digits)

    def __str__(self) -> str:
        return f"{self.amount:,.{self.currency.minor_digits}f} {self.currency.code}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', {self.currency.code})"

    # -- arithmetic -------------------------------------------------------
    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                N_("cannot combine %(currency)s with %(other_currency)s"),
                currency=self.currency,
                other_currency=other.currency,
            )

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.minor), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.minor >= other.minor

    def __bool__(self) -> bool:
        return self.minor != 0

    @property
    def is_positive(self) -> bool:
        return self.minor > 0

    @property
    def is_negative(self) -> bool:
        return self.minor < 0

    def times(self, factor: Decimal | int | str) -> Money:
        """``self × factor``, rounded half-up to the minor unit."""
        exact = Decimal(self.minor) * to_decimal(factor)
        return Money(int(round_half_up(exact)), self.currency)

    def min(self, other: Money) -> Money:
        self._check(other)
        return self if self.minor <= other.minor else other

    def max(self, other: Money) -> Money:
        self._check(other)
        return self if self.minor >= other.minor else other

    def split(self, weights: Sequence[Decimal | int]) -> list[Money]:
        """Split into parts proportional to ``weights`` that sum exactly to ``self``.

        Each part is rounded half-up; the last part absorbs the rounding so
        no minor unit is created or lost.
        """
        if not weights:
            raise ValidationError(N_("cannot split into zero parts"))
        total = sum((to_decimal(w) for w in weights), Decimal(0))
        if total <= 0:
            raise ValidationError(N_("split weights must sum to a positive number"))
        parts = [self.times(to_decimal(w) / total) for w in weights[:-1]]
        used = sum(p.minor for p in parts)
        parts.append(Money(self.minor - used, self.currency))
        return parts


def total(amounts: Iterable[Money], currency: Currency = DEFAULT_CURRENCY) -> Money:
    """Sum of ``amounts``; ``currency`` gives the currency of an empty sum."""
    # The minor units added up, each amount checked against the first: what adding them
    # one by one gives, without a Money made (and validated) for every partial sum.
    first: Money | None = None
    minor = 0
    for amount in amounts:
        if first is None:
            if not isinstance(amount, Money):
                raise TypeError(f"cannot combine Money with {type(amount).__name__}")
            first = amount
        else:
            first._check(amount)
        minor += amount.minor
    return Money.zero(currency) if first is None else Money(minor, first.currency)
