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
from tideover.i18n import N_, Wording, one_of
from tideover.ingest.bounds import (
    MAX_NUMBER_CHARS,
    Problem,
    date_problem,
    id_problem,
    max_amount,
    text_problem,
)
from tideover.ingest.contract import Column, ColumnType, Contract
from tideover.ingest.masking import reported_reason, reported_value
from tideover.ingest.report import RowError
from tideover.ingest.spellings import (
    AMBIGUOUS,
    DATE_EXAMPLES,
    DateFormat,
    choice_key,
    near_choices,
    plain_number,
    read_date,
)

_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")  # ASCII digits, no exponent
_SHOWN = 100  # characters of a bad value repeated in a report


def show(value: object) -> str:
    """A value as a report shows it: text, ISO dates, plain decimals, cut at 100 characters."""
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        text = value.isoformat()
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, Decimal):
        text = format(value, "f")  # 0.0000001, not 1E-7
    else:
        text = str(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def is_missing(value: object) -> bool:
    """Nothing there: None, empty or blank text, or a NaN from a dataframe."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Decimal):
        return value.is_nan()  # a signalling NaN cannot even be compared
    if isinstance(value, float):
        return value != value  # NaN is the only value not equal to itself
    return False


class RecordFields:
    """Typed access to one record's values; each problem becomes a RowError."""

    def __init__(
        self,
        row: int,
        record: Mapping[str, object],
        contract: Contract,
        *,
        date_format: DateFormat | None = None,
    ) -> None:
        self.row = row
        self.record = record
        self.contract = contract
        self.date_format = date_format
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []  # checks that can only be a guess: kept, reported

    def fail(self, field: str, value: object, reason: Wording, *, code: str) -> None:
        self.errors.append(self._entry(field, value, reason.en, reason.zh, code))

    def warn(self, field: str, value: object, reason: Wording, *, code: str) -> None:
        """A doubt about a value that is still imported (an ID's region code, say)."""
        self.warnings.append(self._entry(field, value, reason.en, reason.zh, code))

    def _entry(self, field: str, value: object, en: str, zh: str, code: str) -> RowError:
        # The report never repeats personal data (ingest/masking.py).
        text = "" if value is None else str(value) if isinstance(value, str) else show(value)
        personal = self._personal(field)
        shown = reported_value(field, text, personal=personal)
        en = reported_reason(en, field, text, personal=personal)
        zh = reported_reason(zh, field, text, personal=personal)
        return RowError(self.row, field, shown, en, zh, code)

    def _personal(self, field: str) -> bool:
        return field in self.contract.names and self.contract.column(field).personal

    def _problem(self, field: str, value: object, problem: Problem, code: str) -> None:
        self.fail(field, value, problem, code=code)

    def reject(self, field: str, value: object, error: ValidationError, *, code: str) -> None:
        self.errors.append(self._entry(field, value, error.en, error.zh, code))

    def present(self, name: str) -> object | None:
        """The value of ``name``, or None (and an error if the column is required)."""
        value = self.record.get(name)
        if is_missing(value):
            if self.contract.column(name).required:
                self.fail(
                    name, value, Wording(N_("%(name)s is required"), name=name), code="required"
                )
            return None
        return value

    def extra(self) -> dict[str, str]:
        """Values of columns outside the contract, kept as text attributes.

        They are stored, so they obey the text rules of the contract's columns:
        an ``*_id`` column is an id, any other column is free text (ingest/bounds.py).
        """
        known = set(self.contract.names)
        kept: dict[str, str] = {}
        for key, value in self.record.items():
            if key in known or is_missing(value):
                continue
            full = value if isinstance(value, str) else show(value)
            is_id = key.endswith("_id")
            problem = (
                id_problem(key, full.strip())
                if is_id
                else text_problem(key, full, free_text=True)  # notes may span lines
            )
            if problem is not None:
                self._problem(key, value, problem, "unsafe_id" if is_id else "unsafe_text")
                continue
            kept[key] = show(value)
        return kept

    def text(self, name: str) -> str | None:
        value = self.present(name)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # numeric ids from Parquet or JSON
        if not isinstance(value, str):
            self.fail(name, value, Wording(N_("%(name)s must be text"), name=name), code="not_text")
            return None
        text = value.strip()
        column = self.contract.column(name)
        limit = column.max_length
        if limit is not None and len(text) > limit:
            self.fail(
                name,
                value,
                Wording(N_("%(name)s is longer than %(limit)s characters"), name=name, limit=limit),
                code="too_long",
            )
            return None
        if column.type is ColumnType.ID:
            problem, code = id_problem(name, text), "unsafe_id"
        else:
            problem, code = text_problem(name, text, free_text=column.free_text), "unsafe_text"
        if problem is not None:
            self._problem(name, value, problem, code)
            return None
        return text

    def date(self, name: str, *, not_after: date | None = None) -> date | None:
        value = self.present(name)
        if value is None:
            return None
        parsed = _as_date(value, self.date_format)
        if parsed is AMBIGUOUS:
            self.fail(
                name,
                value,
                Wording(
                    N_(
                        "%(name)s puts day and month before the year, which reads two ways "
                        "(03/10/2026: 3 October or 10 March?): give the file's date format "
                        "(--date-format DD/MM/YYYY or MM/DD/YYYY)"
                    ),
                    name=name,
                ),
                code="ambiguous_date",
            )
            return None
        if not isinstance(parsed, date):
            examples: tuple[str, ...] = DATE_EXAMPLES
            if self.date_format is not None:
                examples = (*examples, self.date_format.spelled)
            self.fail(
                name,
                value,
                Wording(
                    N_("%(name)s must be a date such as %(examples)s"), name=name, examples=examples
                ),
                code="not_a_date",
            )
            return None
        too_early = date_problem(name, parsed)
        if too_early is not None:
            self._problem(name, value, too_early, "too_early")
            return None
        if not_after is not None and parsed > not_after:
            self.fail(
                name,
                value,
                Wording(
                    N_("%(name)s %(parsed)s is in the future (business date %(not_after)s)"),
                    name=name,
                    parsed=parsed,
                    not_after=not_after,
                ),
                code="in_the_future",
            )
            return None
        return parsed

    def decimal(self, name: str, currency: Currency | None = None) -> Decimal | None:
        value = self.present(name)
        if value is None:
            return None
        number = _as_decimal(value, None if currency is None else currency.code)
        if number is None:
            self.fail(
                name,
                value,
                Wording(N_("%(name)s must be a decimal number"), name=name),
                code="not_a_number",
            )
        return number

    def amount(self, name: str, currency: Currency) -> Decimal | None:
        """A positive amount in major units with at most the currency's minor digits."""
        number = self.decimal(name, currency)
        if number is None:
            return None
        value = self.record.get(name)
        if number <= 0:
            self.fail(
                name,
                value,
                Wording(N_("%(name)s must be positive"), name=name),
                code="not_positive",
            )
            return None
        places = -int(number.normalize().as_tuple().exponent)
        if places > currency.minor_digits:
            self.fail(
                name,
                value,
                Wording(
                    N_("%(name)s has more than %(minor_digits)s decimals for %(currency)s"),
                    name=name,
                    minor_digits=currency.minor_digits,
                    currency=currency,
                ),
                code="too_many_decimals",
            )
            return None
        largest = max_amount(currency)
        if number > largest:
            self.fail(
                name,
                value,
                Wording(
                    N_(
                        "%(name)s is larger than the largest amount accepted, %(largest)s "
                        "%(currency)s"
                    ),
                    name=name,
                    largest=format(largest, ","),
                    currency=currency,
                ),
                code="too_large",
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
                Wording(N_("%(name)s must be a whole number"), name=name),
                code="not_a_whole_number",
            )
            return None
        if not low <= number <= high:
            self.fail(
                name,
                value,
                Wording(
                    N_("%(name)s must be within %(low)s..%(high)s"), name=name, low=low, high=high
                ),
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
        wanted = choice_key(str(value))
        spellings = (*((v, v) for v in column.values), *column.aliases)
        for spelling, allowed in spellings:
            if choice_key(spelling) == wanted:
                return allowed
        options = tuple(column.values)
        near = [s if s == v else f"{s} ({v})" for s, v in near_choices(str(value), spellings)]
        reason = (
            Wording(
                N_("%(name)s must be one of: %(options)s; did you mean %(near)s?"),
                name=name,
                options=options,
                near=one_of(near),
            )
            if near
            else Wording(N_("%(name)s must be one of: %(options)s"), name=name, options=options)
        )
        self.fail(name, value, reason, code="not_an_option")
        return None


def _as_date(value: object, date_format: DateFormat | None) -> object:
    """A date, ``AMBIGUOUS``, or None (ingest/spellings.py reads the text forms)."""
    if isinstance(value, datetime):
        # Dataframes often store dates as midnight timestamps; anything else is a time.
        midnight = value.tzinfo is None and value.time() == datetime.min.time()
        return value.date() if midnight else None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) <= MAX_NUMBER_CHARS:
        return read_date(value, date_format)
    return None


def _as_decimal(value: object, currency: str | None = None) -> Decimal | None:
    # Plain notation only (no exponent: "1e999" is refused, not read as a 1000-digit
    # number), and no more characters than any real amount, rate or term needs.
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
        if not number.is_finite() or len(number.as_tuple().digits) > MAX_NUMBER_CHARS:
            return None
        return number
    if isinstance(value, float):
        # Parquet written from a dataframe may hold amounts as doubles: take the
        # shortest text that reads back as the same double, i.e. what was meant.
        return _as_decimal(repr(value))
    if not isinstance(value, str) or len(value) > MAX_NUMBER_CHARS:
        return None
    # "12,000.00", "１２０００", "¥12,000.00": what an export adds around the number.
    text = plain_number(value, currency)
    if not _DECIMAL.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
