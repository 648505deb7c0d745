"""Reading one record's fields by the column contract, collecting every problem.

Pure: values come in as text (CSV), typed values (Parquet) or JSON values,
and leave as Python values or as a ``RowError`` naming row, field and reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from tideover.domain.errors import ValidationError
from tideover.domain.money import Currency
from tideover.ingest.contract import Column, Contract
from tideover.ingest.report import RowError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_SHOWN = 100  # characters of a bad value repeated in a report


def show(value: object) -> str:
    """A value as a report shows it: text, ISO dates, plain decimals, cut at 100 characters."""
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        text = value.isoformat()
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def is_missing(value: object) -> bool:
    """Nothing there: None, empty or blank text, or a NaN from a dataframe."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float | Decimal):
        return value != value  # NaN is the only value not equal to itself
    return False


class RecordFields:
    """Typed access to one record's values; each problem becomes a RowError."""

    def __init__(self, row: int, record: Mapping[str, object], contract: Contract) -> None:
        self.row = row
        self.record = record
        self.contract = contract
        self.errors: list[RowError] = []

    def fail(self, field: str, value: object, en: str, zh: str, *, code: str) -> None:
        self.errors.append(RowError(self.row, field, show(value), en, zh, code))

    def reject(self, field: str, value: object, error: ValidationError, *, code: str) -> None:
        self.fail(field, value, error.en, error.zh, code=code)

    def present(self, name: str) -> object | None:
        """The value of ``name``, or None (and an error if the column is required)."""
        value = self.record.get(name)
        if is_missing(value):
            if self.contract.column(name).required:
                self.fail(name, value, f"{name} is required", f"{name} 为必填项", code="required")
            return None
        return value

    def extra(self) -> dict[str, str]:
        """Values of columns outside the contract, kept as text attributes."""
        known = set(self.contract.names)
        return {k: show(v) for k, v in self.record.items() if k not in known and not is_missing(v)}

    def text(self, name: str) -> str | None:
        value = self.present(name)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # numeric ids from Parquet or JSON
        if not isinstance(value, str):
            self.fail(name, value, f"{name} must be text", f"{name} 必须是文本", code="not_text")
            return None
        text = value.strip()
        limit = self.contract.column(name).max_length
        if limit is not None and len(text) > limit:
            self.fail(
                name,
                value,
                f"{name} is longer than {limit} characters",
                f"{name} 超过 {limit} 个字符",
                code="too_long",
            )
            return None
        return text

    def date(self, name: str, *, not_after: date | None = None) -> date | None:
        value = self.present(name)
        if value is None:
            return None
        parsed = _as_date(value)
        if parsed is None:
            self.fail(
                name,
                value,
                f"{name} must be a date written YYYY-MM-DD",
                f"{name} 必须是 YYYY-MM-DD 格式的日期",
                code="not_a_date",
            )
        elif not_after is not None and parsed > not_after:
            self.fail(
                name,
                value,
                f"{name} {parsed} is in the future (business date {not_after})",
                f"{name} {parsed} 晚于业务日期 {not_after}",
                code="in_the_future",
            )
            return None
        return parsed

    def decimal(self, name: str) -> Decimal | None:
        value = self.present(name)
        if value is None:
            return None
        number = _as_decimal(value)
        if number is None:
            self.fail(
                name,
                value,
                f"{name} must be a decimal number",
                f"{name} 必须是十进制数",
                code="not_a_number",
            )
        return number

    def amount(self, name: str, currency: Currency) -> Decimal | None:
        """A positive amount in major units with at most the currency's minor digits."""
        number = self.decimal(name)
        if number is None:
            return None
        value = self.record.get(name)
        if number <= 0:
            self.fail(
                name, value, f"{name} must be positive", f"{name} 必须大于零", code="not_positive"
            )
            return None
        places = -int(number.normalize().as_tuple().exponent)
        if places > currency.minor_digits:
            self.fail(
                name,
                value,
                f"{name} has more than {currency.minor_digits} decimals for {currency}",
                f"{name} 的小数位超过 {currency} 允许的 {currency.minor_digits} 位",
                code="too_many_decimals",
            )
            return None
        return number

    def integer(self, name: str, *, low: int, high: int) -> int | None:
        value = self.present(name)
        if value is None:
            return None
        number = _as_decimal(value)
        if number is None or number != number.to_integral_value():
            self.fail(
                name,
                value,
                f"{name} must be a whole number",
                f"{name} 必须是整数",
                code="not_a_whole_number",
            )
            return None
        if not low <= number <= high:
            self.fail(
                name,
                value,
                f"{name} must be within {low}..{high}",
                f"{name} 必须在 {low}..{high} 之间",
                code="out_of_range",
            )
            return None
        return int(number)

    def choice(self, name: str) -> str | None:
        """One of the column's values, matched ignoring case and ``_`` versus ``-``."""
        value = self.present(name)
        if value is None:
            return None
        column: Column = self.contract.column(name)
        wanted = str(value).strip().lower().replace("_", "-")
        for allowed in column.values:
            if allowed.lower() == wanted:
                return allowed
        options = ", ".join(column.values)
        self.fail(
            name,
            value,
            f"{name} must be one of: {options}",
            f"{name} 必须是以下之一：{options}",
            code="not_an_option",
        )
        return None


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        # Dataframes often store dates as midnight timestamps; anything else is a time.
        midnight = value.tzinfo is None and value.time() == datetime.min.time()
        return value.date() if midnight else None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value) if Decimal(value).is_finite() else None
    if isinstance(value, float):
        # Parquet written from a dataframe may hold amounts as doubles: take the
        # shortest text that reads back as the same double, i.e. what was meant.
        return _as_decimal(repr(value))
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return None
    return None
