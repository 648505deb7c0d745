"""The delinquency of every stored loan of a platform on a business date, read in bulk.

Shared by the daily cycle's delinquency stage (``services.cycle_inputs``) and
``tideover delinquency`` (``services.delinquency``).  The repositories give
plain rows (no per-row objects, dates as day numbers), each loan is replayed on
its schedule in force (``domain.schedule_in_force``; docs/cycle.md) by
``batch.stored_positions``, and the few loans that path leaves out are computed
by the domain code itself, which raises its own error for data it refuses.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, cast, overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from tideover.batch.portfolio_rows import (
    InstallmentRows,
    PauseRows,
    PaymentRows,
    PortfolioRows,
    Positions,
    ScheduleInForce,
    columns_of,
)
from tideover.batch.replay import ReplayRules
from tideover.batch.stored_positions import age_portfolio, replay_portfolio
from tideover.domain.allocation import Component
from tideover.domain.days import NO_DATE, day_number
from tideover.domain.delinquency import DelinquencyStatus, PausePeriod
from tideover.domain.money import Money, currency
from tideover.domain.platforms import PlatformSettings
from tideover.domain.schedule_in_force import InForce, status_in_force
from tideover.services.unit_of_work import UnitOfWork

# The order of ``Positions.overdue``'s columns.
OVERDUE_COMPONENTS = (Component.PRINCIPAL, Component.INTEREST, Component.FEES, Component.PENALTY)
_EPOCH_DAY = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class PortfolioDelinquency:
    """Every loan disbursed by ``as_of`` (by loan key), its position, DPD and bucket.

    ``statuses`` are what the bucket history stores, in the same order.
    """

    as_of: date
    loan_ids: list[str]
    borrower_ids: list[str]
    borrower_keys: list[int]
    products: list[str]
    start_days: NDArray[np.int64]
    address_zones: list[str | None]
    regions: list[str | None]  # region_code, else state
    positions: Positions
    dpd: NDArray[np.int64]
    bucket_code: NDArray[np.int8]
    statuses: list[DelinquencyStatus]
    not_yet_disbursed: int


def portfolio_delinquency(
    uow: UnitOfWork, platform: str, as_of: date, settings: PlatformSettings
) -> PortfolioDelinquency:
    """The platform's loans on ``as_of`` (call inside an open unit of work)."""
    with collector_paused():
        return _portfolio_delinquency(uow, platform, as_of, settings)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The rows read here are millions of tuples and ints with no reference cycle; the cyclic
    garbage collector would walk them again and again while they are made (a quarter of
    the time at 100,000 loans, bench/RESULTS.md), so it waits until they are built."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _portfolio_delinquency(
    uow: UnitOfWork, platform: str, as_of: date, settings: PlatformSettings
) -> PortfolioDelinquency:
    loans = uow.loans(platform)
    today = day_number(as_of)
    read = _columns(uow, platform, today)
    if read is None:
        read = _rows(uow, platform, today)
    accounts, installments, paid, not_yet = read
    (keys, loan_ids, borrower_ids, borrower_keys, products, currencies, starts, zones, codes,
     states) = accounts  # fmt: skip
    versions = _versions(uow.schedules(platform).schedules_in_force(as_of))
    pauses = PauseRows(*columns_of(loans.pause_rows(), 3))
    rows = PortfolioRows(
        loan_keys=keys,
        currencies=currencies,
        installments=installments,
        payments=paid,
        pauses=pauses,
        versions=versions,
    )
    fee = settings.penalty.late_fee
    positions = replay_portfolio(
        rows,
        as_of,
        rules=ReplayRules.of(settings.waterfall, settings.penalty),
        late_fee_currency=None if fee is None else fee.currency.code,
    )
    dpd, bucket_code = age_portfolio(
        positions.oldest_unpaid_due, keys, pauses, as_of, settings.buckets
    )
    schedule_currency = [
        versions[k].currency if k in versions else c for k, c in zip(keys, currencies, strict=True)
    ]
    statuses = _statuses(loan_ids, schedule_currency, positions, dpd, bucket_code, as_of, settings)
    if positions.needs_domain:
        _by_domain(uow, platform, as_of, settings, rows, loan_ids, positions, dpd, bucket_code,
                   statuses)  # fmt: skip
    return PortfolioDelinquency(
        as_of=as_of,
        loan_ids=list(loan_ids),
        borrower_ids=list(borrower_ids),
        borrower_keys=list(borrower_keys),
        products=list(products),
        start_days=np.asarray(starts, dtype=np.int64),
        address_zones=[zone or None for zone in zones],
        regions=[code or state or None for code, state in zip(codes, states, strict=True)],
        positions=positions,
        dpd=dpd,
        bucket_code=bucket_code,
        statuses=statuses,
        not_yet_disbursed=not_yet,
    )


_Read = tuple[list[Sequence[Any]], InstallmentRows, PaymentRows, int]


def _rows(uow: UnitOfWork, platform: str, today: int) -> _Read:
    """The bulk reads as driver tuples (where no columnar read is possible)."""
    loans = uow.loans(platform)
    every = loans.account_rows()
    accounts = [row for row in every if row[6] <= today]  # started (row[6]: the start day)
    # Installments are all integers: one array, read in C, its columns views.
    inst = np.array(loans.installment_rows(), dtype=np.int64).reshape(-1, 5).T
    pays = columns_of(uow.payments(platform).payment_rows(), 6)
    return (
        list(columns_of(accounts, 10)),
        InstallmentRows(*inst),
        PaymentRows(*pays),
        len(every) - len(accounts),
    )


def _columns(uow: UnitOfWork, platform: str, today: int) -> _Read | None:
    """The bulk reads as Arrow columns (``adapters.columnar``), or None where there are none.

    Numbers stay numpy arrays; text becomes Python strings only where the replay reads
    it (payment ids only for the loans replayed one by one, through ``LazyStrings``)."""
    loans = uow.loans(platform)
    every = loans.account_columns()
    if every is None:
        return None
    installments = loans.installment_columns()
    payments = uow.payments(platform).payment_columns()
    if installments is None or payments is None:  # pragma: no cover - same database
        return None
    started = every.filter(pc.less_equal(every["start_day"], today))
    names = ("loan_key", "loan_id", "borrower_id", "borrower_key", "product", "currency",
             "start_day", "time_zone", "region_code", "state")  # fmt: skip
    accounts: list[Sequence[Any]] = [started[name].to_pylist() for name in names]
    inst = InstallmentRows(
        *(_ints(installments[n]) for n in ("loan_key", "due", "principal", "interest", "fees"))
    )
    reverses = payments["reverses"]
    paid = PaymentRows(
        _ints(payments["loan_key"]),
        LazyStrings(payments["payment_id"]),
        _ints(payments["amount"]),
        payments["currency"].to_pylist(),
        _ints(payments["day"]),
        pc.if_else(pc.equal(reverses, ""), pa.scalar(None, reverses.type), reverses).to_pylist(),
    )
    return accounts, inst, paid, every.num_rows - started.num_rows


def _ints(column: pa.ChunkedArray) -> Sequence[int]:
    """An integer column as an int64 array (the row path's columns are tuples; the replay
    takes either: it converts slices with ``batch.loan_rows.ints``)."""
    return cast(Sequence[int], column.to_numpy().astype(np.int64, copy=False))


class LazyStrings(Sequence[str]):
    """An Arrow string column read as Python strings only where sliced, a block at a time
    (a slice per loan would cost a C call each; the whole column, millions of strings)."""

    BLOCK = 1 << 16

    def __init__(self, column: pa.ChunkedArray) -> None:
        self._column = column
        self._blocks: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self._column)

    def _block(self, number: int) -> list[str]:
        found = self._blocks.get(number)
        if found is None:
            part = self._column.slice(number * self.BLOCK, self.BLOCK)
            found = self._blocks[number] = part.to_pylist()
        return found

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, int):
            return self._block(index // self.BLOCK)[index % self.BLOCK]
        start, stop, step = index.indices(len(self._column))
        if step != 1 or stop <= start:
            return [self[i] for i in range(start, stop, step)]
        first, last = start // self.BLOCK, (stop - 1) // self.BLOCK
        if first == last:
            return self._block(first)[start % self.BLOCK : (stop - 1) % self.BLOCK + 1]
        out: list[str] = []
        for number in range(first, last + 1):
            block = self._block(number)
            low = start - number * self.BLOCK if number == first else 0
            high = stop - number * self.BLOCK if number == last else self.BLOCK
            out += block[low:high]
        return out


def _versions(
    stored: dict[int, tuple[InForce, str, list[dict[str, Any]]]],
) -> dict[int, ScheduleInForce]:
    def day(value: date | None) -> int | None:
        return None if value is None else day_number(value)

    return {
        loan_key: ScheduleInForce(
            code,
            [
                (
                    day_number(date.fromisoformat(i["due_date"])),
                    int(i["principal"]),
                    int(i["interest"]),
                    int(i["fees"]),
                )
                for i in installments
            ],
            day(in_force.payments_from),
            day(in_force.ages_from),
        )
        for loan_key, (in_force, code, installments) in stored.items()
    }


def _dates(days: NDArray[np.int64]) -> list[date | None]:
    """Day numbers as dates, NO_DATE as None (converted in C, not one by one)."""
    values = np.where(days == NO_DATE, 0, days).astype("timedelta64[D]") + _EPOCH_DAY
    dates: list[date] = values.tolist()
    return [None if d == NO_DATE else value for d, value in zip(days.tolist(), dates, strict=True)]


def _statuses(
    loan_ids: Sequence[str],
    currencies: Sequence[str],
    positions: Positions,
    dpd: NDArray[np.int64],
    bucket_code: NDArray[np.int8],
    as_of: date,
    settings: PlatformSettings,
) -> list[DelinquencyStatus]:
    zeros: dict[str, Money] = {}  # Money is immutable: one zero per currency serves every loan
    labels = settings.buckets.labels
    oldest = _dates(positions.oldest_unpaid_due)
    rows = zip(
        loan_ids,
        currencies,
        dpd.tolist(),
        bucket_code.tolist(),
        oldest,
        positions.overdue.tolist(),
        positions.outstanding_principal.tolist(),
        strict=True,
    )
    statuses = []
    for loan_id, code, days, bucket, due, overdue, principal in rows:
        if code not in zeros:
            zeros[code] = Money(0, currency(code))
        zero = zeros[code]
        cur = zero.currency
        amounts = zip(OVERDUE_COMPONENTS, overdue, strict=True)
        statuses.append(
            DelinquencyStatus(
                loan_id=loan_id,
                as_of=as_of,
                dpd=days,
                bucket=labels[bucket],
                oldest_unpaid_due=due,
                overdue={c: Money(v, cur) if v else zero for c, v in amounts},
                outstanding_principal=Money(principal, cur) if principal else zero,
            )
        )
    return statuses


def _by_domain(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    settings: PlatformSettings,
    rows: PortfolioRows,
    loan_ids: Sequence[str],
    positions: Positions,
    dpd: NDArray[np.int64],
    bucket_code: NDArray[np.int8],
    statuses: list[DelinquencyStatus],
) -> None:
    """The loans the fast path left out, by the domain code (its errors propagate)."""
    wanted = {loan_ids[i]: i for i in positions.needs_domain}
    loans = uow.loans(platform).get_many(wanted)
    schedules, payments = uow.schedules(platform), uow.payments(platform)
    pause_rows = rows.pauses
    for loan_id, index in wanted.items():
        key = rows.loan_keys[index]
        pauses = [
            PausePeriod(_date(s), _date(e))
            for k, s, e in zip(pause_rows.loan_key, pause_rows.start, pause_rows.end, strict=True)
            if k == key
        ]
        versions = schedules.schedule_history(loan_id)
        position, status = status_in_force(
            loans[loan_id],
            payments.for_loan(loan_id),
            as_of,
            versions=versions,
            waterfall=settings.waterfall,
            penalty=settings.penalty,
            pauses=pauses,
            scheme=settings.buckets,
        )
        floor = _floor(rows, key)
        positions.outstanding_principal[index] = status.outstanding_principal.minor
        positions.overdue[index] = [status.overdue[c].minor for c in OVERDUE_COMPONENTS]
        due = status.oldest_unpaid_due
        positions.oldest_unpaid_due[index] = NO_DATE if due is None else day_number(due)
        positions.installments_overdue[index] = sum(
            1
            for i in position.installments
            if floor <= i.due_date < as_of and (i.settled_on is None or i.settled_on > as_of)
        )
        dpd[index] = status.dpd
        bucket_code[index] = settings.buckets.index_of(status.bucket)
        statuses[index] = status


def _date(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _floor(rows: PortfolioRows, key: int) -> date:
    version = rows.versions.get(key)
    if version is None or version.ages_from is None:
        return date.min
    return _date(version.ages_from)
