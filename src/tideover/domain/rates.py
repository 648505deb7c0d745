"""Interest rates as people write them: ``0.1299`` or ``12.99%``."""

from __future__ import annotations

from decimal import Decimal

from tideover.domain.errors import ValidationError
from tideover.domain.money import to_decimal
from tideover.i18n import N_


def parse_rate(text: str | Decimal) -> Decimal:
    """A yearly rate as a fraction: ``"12%"`` → 0.12, ``"0.12"`` → 0.12.

    A bare number is a fraction; a percentage needs its ``%`` sign, so that
    ``12`` is never silently read as 12 %.
    """
    raw = str(text).strip()
    is_percent = raw.endswith("%")
    number = raw[:-1].strip() if is_percent else raw
    try:
        value = to_decimal(number)
    except ValidationError as exc:
        raise ValidationError(
            N_("not a rate: %(raw)s (write 0.12 or 12%%)"),
            raw=repr(raw),
        ) from exc
    return value / 100 if is_percent else value
