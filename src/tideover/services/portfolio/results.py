"""What the portfolio use cases return: imports, data sets, schedules, delinquency.

Field names and order are the JSON the CLI prints with ``--json`` and the API
serves; change them only together with ``docs/import.md`` and ``docs/domain.md``.
Amounts are in major units, written as exact decimal strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer

from tideover.domain.delinquency import RollRate
from tideover.domain.loans import Schedule
from tideover.ingest.contract import Kind
from tideover.ingest.report import RejectionReport, RowError
from tideover.services.results import Exact, Result

_RATE_PLACES = Decimal("0.0001")

Rate = Annotated[
    Decimal,
    PlainSerializer(
        lambda value: str(value.quantize(_RATE_PLACES)), return_type=str, when_used="json"
    ),
]
"""A share kept exact (tables format it themselves), written as a string to four places."""


# --- imports --------------------------------------------------------------------------------


class RecordError(Result):
    """One bad field of one imported record: where, what was there, which rule, why."""

    row: int
    field: str
    value: str
    code: str
    reason_en: str
    reason_zh: str

    @classmethod
    def of(cls, error: RowError) -> RecordError:
        return cls(
            row=error.row,
            field=error.field,
            value=error.value,
            code=error.code,
            reason_en=error.reason_en,
            reason_zh=error.reason_zh,
        )

    def reason(self, locale: str = "en") -> str:
        return self.reason_zh if locale.lower().startswith("zh") else self.reason_en


class ImportReport(Result):
    """Every error found in an imported file, in row order, with the file's row counts;
    ``warnings`` are doubts that refused nothing (row 0: the file as a whole)."""

    kind: str
    file: str
    total_rows: int
    valid_rows: int
    rejected_rows: int
    errors: list[RecordError]
    warnings: list[RecordError] = Field(default_factory=list)

    @classmethod
    def of(cls, report: RejectionReport) -> ImportReport:
        return cls(
            kind=report.kind,
            file=report.file,
            total_rows=report.total_rows,
            valid_rows=report.valid_rows,
            rejected_rows=report.rejected_rows,
            errors=[RecordError.of(e) for e in report.errors],
            warnings=[RecordError.of(e) for e in report.warnings],
        )

    def pairs(self) -> list[tuple[int, str]]:
        """The (row, field) of every error, in report order."""
        return [(e.row, e.field) for e in self.errors]


class ImportResult(Result):
    """What an import did; ``accepted`` is False when it was refused as a whole.

    With ``checked_only`` (``tideover import … --check``) nothing was written or logged:
    ``written`` is what the import would write, ``accepted`` whether it would be.
    """

    kind: Kind
    file: str
    rows: int
    written: int
    unchanged: int  # already stored with the same content
    rejected: int
    accepted: bool
    report: ImportReport
    checked_only: bool = False
    encoding: str | None = None  # how a text file was read: utf-8, gb18030 ...
    encoding_detected: bool = False


# --- data sets ------------------------------------------------------------------------------


class DatasetMember(Result):
    """One file of a data set, with its licence and how to cite it."""

    key: str
    licence: str
    citation: str


class FetchedDataset(Result):
    """A public data set in the local cache: where, from which package, its files."""

    name: str
    package: str
    directory: str
    from_cache: bool
    files: dict[str, str]
    members: list[DatasetMember]


# --- schedules ------------------------------------------------------------------------------


class ScheduleLine(Result):
    """One installment, with the principal still owed once it is paid."""

    number: int
    due_date: date
    principal: Exact
    interest: Exact
    fees: Exact
    total: Exact
    remaining_principal: Exact


class ScheduleSummary(Result):
    currency: str
    installments: int
    total_principal: Exact
    total_interest: Exact
    total_due: Exact
    first_payment: Exact

    @classmethod
    def of(cls, schedule: Schedule) -> ScheduleSummary:
        return cls(
            currency=schedule.currency.code,
            installments=len(schedule.installments),
            total_principal=schedule.total_principal.amount,
            total_interest=schedule.total_interest.amount,
            total_due=schedule.total_due.amount,
            first_payment=schedule.installments[0].total.amount,
        )


class SchedulePreview(Result):
    """A repayment schedule built from loan terms: its totals and every installment."""

    summary: ScheduleSummary
    installments: list[ScheduleLine]


# --- delinquency ----------------------------------------------------------------------------


class BucketLine(Result):
    """One row of the portfolio report: a bucket's open accounts and balances."""

    bucket: str
    accounts: int
    outstanding_principal: Exact
    overdue: Exact


class BucketRoll(Result):
    """Of the accounts open in a bucket on the previous date, those now in a worse one.

    ``balance`` is theirs then, ``rolled_balance`` the rolled accounts' now
    (``domain.delinquency.RollRate``); a rate is None when its base is zero.
    """

    accounts: int
    rolled_accounts: int
    account_rate: Rate | None
    balance_rate: Rate | None
    balance: Exact
    rolled_balance: Exact

    @classmethod
    def of(cls, roll: RollRate) -> BucketRoll:
        return cls(
            accounts=roll.accounts,
            rolled_accounts=roll.rolled_accounts,
            account_rate=roll.account_rate,
            balance_rate=roll.balance_rate,
            balance=roll.balance.amount,
            rolled_balance=roll.rolled_balance.amount,
        )

    @classmethod
    def by_bucket(cls, rolls: Mapping[str, RollRate]) -> dict[str, BucketRoll]:
        return {bucket: cls.of(roll) for bucket, roll in rolls.items()}


class DelinquencyReport(Result):
    """Per-bucket counts and balances of open loans, with roll rates since the last run."""

    platform: str
    as_of: date
    currency: str
    open_accounts: int
    delinquent_accounts: int
    closed_accounts: int
    not_yet_disbursed: int
    outstanding_principal: Exact
    buckets: list[BucketLine]
    previous_as_of: date | None
    roll_rates: dict[str, BucketRoll]
