"""Turn read records into domain objects, reporting every bad field of every record.

Pure: no database.  Checks that need stored data (does the borrower exist?
was this payment imported before?) are made by the import service
(services/portfolio/imports.py) on the records that pass here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.domain.contacts import (
    check_time_zone,
    parse_phone,
    resident_id_region_known,
    validate_resident_id,
)
from tideover.domain.errors import ValidationError
from tideover.domain.loans import Frequency, Loan, RepaymentMethod
from tideover.domain.money import Currency, Money, currency
from tideover.domain.payments import Payment
from tideover.domain.rates import parse_rate
from tideover.domain.schedules import MAX_ANNUAL_RATE, MAX_TERM, build_schedule, terms_for
from tideover.i18n import N_, Wording
from tideover.ingest.bounds import MAX_FIRST_DUE_YEARS, MAX_FUTURE_DAYS, MAX_NUMBER_CHARS
from tideover.ingest.contract import (
    BORROWERS,
    LOANS,
    MULTI_VALUE_SEPARATOR,
    PAYMENTS,
    Contract,
)
from tideover.ingest.fields import RecordFields, is_missing, show
from tideover.ingest.report import RowError
from tideover.ingest.spellings import DateFormat, half_width, plain_number

__all__ = ["RowError", "Validated", "validate_borrowers", "validate_loans", "validate_payments"]

T = TypeVar("T")
Records = Iterable[tuple[int, Mapping[str, object]]]


# -- the three kinds -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Validated(Generic[T]):
    """The records that passed, by row, every error of the others, and the doubts
    (``warnings``) about records that passed all the same."""

    kind: str
    total_rows: int
    items: tuple[tuple[int, T], ...]
    errors: tuple[RowError, ...]
    warnings: tuple[RowError, ...] = ()


def _run(
    contract: Contract,
    records: Records,
    build: Callable[[RecordFields], T | None],
    date_format: DateFormat | None,
) -> Validated[T]:
    items: list[tuple[int, T]] = []
    errors: list[RowError] = []
    warnings: list[RowError] = []
    first_row: dict[str, int] = {}
    total = 0
    for row, record in records:
        total += 1
        fields = RecordFields(row, record, contract, date_format=date_format)
        item = build(fields)
        _check_duplicate(fields, contract.id_column, first_row)
        if fields.errors or item is None:
            errors.extend(fields.errors)
        else:
            items.append((row, item))
            warnings.extend(fields.warnings)
    return Validated(contract.kind, total, tuple(items), tuple(errors), tuple(warnings))


def _check_duplicate(fields: RecordFields, id_column: str, first_row: dict[str, int]) -> None:
    # The first record with an id wins; later ones are rejected, naming it.
    value = fields.record.get(id_column)
    if is_missing(value):
        return
    key = show(value).strip()
    if key in first_row:
        fields.fail(
            id_column,
            value,
            Wording(
                N_("duplicate %(id_column)s: already on row %(first_row)s"),
                id_column=id_column,
                first_row=first_row[key],
            ),
            code="duplicate_id",
        )
    else:
        first_row[key] = fields.row


def _checked(fields: RecordFields, name: str, check: Callable[[str], str]) -> str | None:
    text = fields.text(name)
    if text is None:
        return None
    try:
        return check(text)
    except ValidationError as exc:
        fields.reject(name, text, exc, code=f"invalid_{name}")
        return None


def validate_borrowers(
    records: Records,
    *,
    platform: str,
    today: date,
    default_region: str = "CN",
    date_format: DateFormat | None = None,
) -> Validated[Borrower]:
    """Borrowers from records; ``today`` is the business date (no birth in the future)."""

    def build(f: RecordFields) -> Borrower | None:
        borrower_id, name = f.text("borrower_id"), f.text("name")
        phones = _phones(f, default_region)
        national_id = _national_id(f, today)
        address = f.text("address")
        time_zone = _checked(f, "time_zone", check_time_zone)
        locale = f.choice("locale")
        email = _checked(f, "email", _check_email)
        if f.errors or borrower_id is None or name is None:
            return None
        return Borrower(
            platform=platform,
            borrower_id=borrower_id,
            name=name,
            phones=phones,
            national_id=national_id,
            address=address or "",
            time_zone=time_zone,
            locale=locale or "zh-CN",
            email=email,
            attributes=f.extra(),
        )

    return _run(BORROWERS, records, build, date_format)


# Excel shows an 18-digit number in scientific notation and keeps 15 digits of it: an ID
# column not formatted as text is exported as "1.10105E+17", its last digits lost.
_SHORTENED = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+")


def _national_id(f: RecordFields, today: date) -> str | None:
    """The resident ID: hard checks refuse it; an unknown region code is only a warning."""
    text = f.text("national_id")
    if text is None:
        return None
    number = half_width(text)
    if _SHORTENED.fullmatch(number.strip()):
        f.fail(
            "national_id",
            text,
            Wording(
                N_(
                    "national_id was shortened to a number in scientific notation by a "
                    "spreadsheet: format the column as text and export again"
                )
            ),
            code="shortened_by_spreadsheet",
        )
        return None
    try:
        number = validate_resident_id(number, as_of=today, region=False)
    except ValidationError as exc:
        f.reject("national_id", text, exc, code="invalid_national_id")
        return None
    if not resident_id_region_known(number):
        # The library's region table misses codes that were issued (GB/T 2260 changed every
        # year); the check character already passed, so the number is kept and flagged.
        f.warn(
            "national_id",
            text,
            Wording(
                N_(
                    "region code %(number)s is not known for the birth year; the ID is "
                    "imported (its check character is right) and flagged for a person to "
                    "confirm"
                ),
                number=number[:6],
            ),
            code="unknown_region",
        )
    return number


def _phones(f: RecordFields, default_region: str) -> tuple[PhoneNumber, ...]:
    text = f.text("phone")
    if text is None:
        return ()
    found: dict[str, PhoneNumber] = {}
    for part in (p.strip() for p in text.split(MULTI_VALUE_SEPARATOR)):
        if not part:
            continue
        try:
            phone = parse_phone(part, default_region)
        except ValidationError as exc:
            f.reject("phone", part, exc, code="invalid_phone")
            continue
        found.setdefault(phone.e164, phone)
    if not found and not f.errors:
        f.fail("phone", text, Wording(N_("phone has no number in it")), code="invalid_phone")
    return tuple(found.values())


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _check_email(text: str) -> str:
    # Shape only: whether the mailbox exists is learnt by writing to it.
    if not _EMAIL.fullmatch(text):
        raise ValidationError(N_("e-mail address %(text)s is malformed"), text=repr(text))
    return text


def validate_loans(
    records: Records,
    *,
    platform: str,
    today: date,
    default_currency: Currency,
    date_format: DateFormat | None = None,
) -> Validated[Loan]:
    """Loans with their schedules; ``today`` is the business date (no later start)."""

    def build(f: RecordFields) -> Loan | None:
        loan_id, borrower_id = f.text("loan_id"), f.text("borrower_id")
        cur = _currency(f, default_currency)
        principal = f.amount("principal", cur or default_currency)
        rate = _rate(f)
        term = f.integer("term", low=1, high=MAX_TERM)
        method = f.choice("method")
        start = f.date("start_date", not_after=today)
        first_due = f.date("first_due_date")
        if start is not None and first_due is not None and first_due <= start:
            f.fail(
                "first_due_date",
                first_due,
                Wording(N_("first_due_date must be after start_date %(start)s"), start=start),
                code="not_after_start_date",
            )
        elif start is not None and first_due is not None:
            _check_first_due(f, start, first_due)
        frequency = f.choice("frequency") or Frequency.MONTHLY.value
        product = f.text("product")
        if (
            f.errors
            or loan_id is None
            or borrower_id is None
            or cur is None
            or principal is None
            or rate is None
            or term is None
            or method is None
            or start is None
        ):
            return None
        try:
            terms = terms_for(
                principal=Money.of(principal, cur),  # exact: decimals were checked above
                annual_rate=rate,
                term=term,
                method=RepaymentMethod(method),
                start_date=start,
                first_due_date=first_due,
                frequency=Frequency(frequency),
            )
            schedule = build_schedule(terms)
        except ValidationError as exc:
            f.reject("terms", "", exc, code="invalid_terms")
            return None
        return Loan(platform, loan_id, borrower_id, terms, schedule, product or "", f.extra())

    return _run(LOANS, records, build, date_format)


def _check_first_due(f: RecordFields, start: date, first_due: date) -> None:
    # Bounds the schedule: with the longest term it still ends in this century.
    latest = _years_after(start, MAX_FIRST_DUE_YEARS)
    if first_due > latest:
        f.fail(
            "first_due_date",
            first_due,
            Wording(
                N_(
                    "first_due_date must be at most %(max_first_due_years)s years after "
                    "start_date (no later than %(latest)s)"
                ),
                max_first_due_years=MAX_FIRST_DUE_YEARS,
                latest=latest,
            ),
            code="too_late",
        )


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _currency(f: RecordFields, default: Currency) -> Currency | None:
    text = f.text("currency")
    if text is None:
        return default
    try:
        return currency(text)
    except ValidationError as exc:
        f.reject("currency", text, exc, code="unsupported_currency")
        return None


# Plain notation only: "1e999" or "1E+2%" is refused rather than read.
_PLAIN_RATE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*%?")


def _rate(f: RecordFields) -> Decimal | None:
    value = f.present("annual_rate")
    if value is None:
        return None
    text = show(value).strip()
    if len(text) <= MAX_NUMBER_CHARS:
        text = plain_number(text)  # "１２．９９％" is 12.99%
    if len(text) > MAX_NUMBER_CHARS or not _PLAIN_RATE.fullmatch(text):
        f.fail(
            "annual_rate",
            value,
            Wording(
                N_("annual_rate must be written as a fraction (0.1299) or a percentage (12.99%)")
            ),
            code="invalid_rate",
        )
        return None
    try:
        rate = parse_rate(text)
    except ValidationError as exc:
        f.reject("annual_rate", value, exc, code="invalid_rate")
        return None
    if not text.endswith("%") and rate > 1:
        f.fail(
            "annual_rate",
            value,
            Wording(
                N_(
                    "annual_rate %(text)s is ambiguous: write %(text)s%% or a fraction such "
                    "as 0.1299"
                ),
                text=text,
            ),
            code="ambiguous_rate",
        )
        return None
    if not 0 <= rate <= MAX_ANNUAL_RATE:
        f.fail(
            "annual_rate",
            value,
            Wording(
                N_("annual_rate must be within 0..%(max_annual_rate)s"),
                max_annual_rate=format(MAX_ANNUAL_RATE, "%"),
            ),
            code="out_of_range",
        )
        return None
    return rate


def validate_payments(
    records: Records,
    *,
    platform: str,
    today: date,
    default_currency: Currency,
    allow_future: bool = False,
    date_format: DateFormat | None = None,
) -> Validated[Payment]:
    """Payments; ``today`` is the business date.

    A value date after it is refused unless ``allow_future`` (an import that
    says so, and is audited as such), and even then by at most
    ``MAX_FUTURE_DAYS``.
    """

    def build(f: RecordFields) -> Payment | None:
        payment_id, loan_id = f.text("payment_id"), f.text("loan_id")
        cur = _currency(f, default_currency)
        amount = f.amount("amount", cur or default_currency)
        paid_on = f.date("paid_on", not_after=None if allow_future else today)
        if paid_on is not None and paid_on > today + timedelta(days=MAX_FUTURE_DAYS):
            f.fail(
                "paid_on",
                paid_on,
                Wording(
                    N_(
                        "paid_on %(paid_on)s is more than %(max_future_days)s days after the "
                        "business date %(today)s"
                    ),
                    paid_on=paid_on,
                    max_future_days=MAX_FUTURE_DAYS,
                    today=today,
                ),
                code="in_the_future",
            )
        reverses = f.text("reverses")
        if reverses is not None and reverses == payment_id:
            f.fail(
                "reverses",
                reverses,
                Wording(N_("a payment cannot reverse itself")),
                code="reverses_itself",
            )
        channel = f.text("channel")
        if (
            f.errors
            or payment_id is None
            or loan_id is None
            or cur is None
            or amount is None
            or paid_on is None
        ):
            return None
        money = Money.of(amount, cur)  # exact: decimals were checked above
        return Payment(platform, payment_id, loan_id, money, paid_on, reverses, channel or "")

    return _run(PAYMENTS, records, build, date_format)
