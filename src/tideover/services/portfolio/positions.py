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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast, overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from tideover.batch.portfolio_rows import (
    CodedText,
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

if TYPE_CHECKING:
    from tideover.services.portfolio.start_of_day import StartOfDay

# The order of ``Positions.overdue``'s columns.
OVERDUE_COMPONENTS = (Component.PRINCIPAL, Component.INTEREST, Component.FEES, Component.PENALTY)
_EPOCH_DAY = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class PortfolioDelinquency:
    """Every loan disbursed by ``as_of`` (by loan key), its position, DPD and bucket.

    What the bucket history stores comes as columns (``snapshot``, written as they are)
    or as ``statuses`` (objects, built only when asked for), in the same order.
    """

    as_of: date
    loan_keys: NDArray[np.int64]
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
    currencies: list[str]  # of each loan's schedule in force
    bucket_labels: tuple[str, ...]
    by_domain: dict[int, DelinquencyStatus]  # the domain's own statuses, by position
    not_yet_disbursed: int
    # The loans with money valued on ``as_of``, without it (asked for by the cycle).
    start_of_day: StartOfDay | None = None

    @cached_property
    def statuses(self) -> list[DelinquencyStatus]:
        """Each loan's status as the domain states it (``DelinquencyStatus``)."""
        statuses = _statuses(
            self.loan_ids, self.currencies, self.positions, self.dpd, self.bucket_code,
            self.as_of, self.bucket_labels,
        )  # fmt: skip
        for index, status in self.by_domain.items():
            statuses[index] = status
        return statuses

    def snapshot(self) -> pa.Table:
        """The statuses as the bucket history's columns (``DelinquencyRepository.
        replace_columns``), built from the arrays without an object per loan."""
        positions, n = self.positions, len(self.loan_ids)
        oldest = positions.oldest_unpaid_due
        labels = np.array(self.bucket_labels, dtype=object)
        overdue = {
            name: pa.array(positions.overdue[:, column])
            for column, name in enumerate(
                ("overdue_principal_minor", "overdue_interest_minor", "overdue_fees_minor",
                 "overdue_penalty_minor")
            )
        }  # fmt: skip
        return pa.table(
            {
                "loan_pk": pa.array(self.loan_keys, pa.int64()),
                "dpd": pa.array(self.dpd.astype(np.int32)),
                "bucket": pa.array(labels[self.bucket_code] if n else [], pa.string()),
                "oldest_unpaid_due": pa.array(
                    oldest.astype(np.int32), mask=oldest == NO_DATE, type=pa.int32()
                ).view(pa.date32()),
                **overdue,
                "outstanding_principal_minor": pa.array(positions.outstanding_principal),
                "currency": pa.array(self.currencies, pa.string()),
            }
        )


# Loans computed at once when the book is read as columns.  A part's rows are read,
# replayed and dropped, and the next part is read while one is replayed (at most two
# parts' rows held at once): memory follows the part, not the book (bench/RESULTS.md).
# The parts are ranges of loan keys, so every loan's rows are in one.
LOANS_PER_PART = 250_000


def portfolio_delinquency(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    settings: PlatformSettings,
    *,
    start_of_day: bool = False,
    loans_per_part: int | None = None,
) -> PortfolioDelinquency:
    """The platform's loans on ``as_of`` (call inside an open unit of work); with
    ``start_of_day`` also the loans with money valued on ``as_of`` as they stood before it
    (``services.portfolio.start_of_day``; None when one of them is not disbursed).
    ``loans_per_part``: loans computed at once where the book is read as columns
    (``LOANS_PER_PART`` unless given); the result does not depend on it."""
    per_part = LOANS_PER_PART if loans_per_part is None else loans_per_part
    if per_part < 1:
        raise ValueError("loans_per_part must be at least 1")
    with collector_paused():
        return _portfolio_delinquency(uow, platform, as_of, settings, start_of_day, per_part)


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


@dataclass(frozen=True)
class _Part:
    """One part of the book, computed: what ``PortfolioDelinquency`` holds of its loans,
    positions counted from the part's first loan."""

    accounts: list[Sequence[Any]]
    positions: Positions
    dpd: NDArray[np.int64]
    bucket_code: NDArray[np.int8]
    currencies: list[str]
    by_domain: dict[int, DelinquencyStatus]
    opening: StartOfDay | None


def _portfolio_delinquency(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    settings: PlatformSettings,
    start_of_day: bool,
    per_part: int,
) -> PortfolioDelinquency:
    today = day_number(as_of)
    shared = _Shared(uow, platform, as_of)
    parts: list[_Part] = []
    not_yet = 0
    for accounts, installments, paid, not_yet_here in _reads(
        uow, platform, today, per_part, meanwhile=shared.read
    ):
        not_yet += not_yet_here
        rows = PortfolioRows(
            loan_keys=accounts[0],
            currencies=accounts[5],
            installments=installments,
            payments=paid,
            pauses=shared.pauses,
            versions=shared.versions,
        )
        parts.append(_computed(uow, platform, as_of, settings, rows, accounts, start_of_day))
        del rows, installments, paid  # the part's rows go once it is computed
    return _joined(parts, as_of, settings, not_yet, start_of_day)


class _Shared:
    """What every part shares: the schedules in force and the pauses, read by ``read``
    on the session while the first part's columns are read on connections of their own
    (a million loans' schedule versions took 1.3–1.5 s alone on the benchmark book: the
    installments of each are a JSON document)."""

    def __init__(self, uow: UnitOfWork, platform: str, as_of: date) -> None:
        self._uow, self._platform, self._as_of = uow, platform, as_of
        self.versions: dict[int, ScheduleInForce] = {}
        self.pauses = PauseRows((), (), ())

    def read(self) -> None:
        uow, platform = self._uow, self._platform
        self.versions = _versions(uow.schedules(platform).schedules_in_force(self._as_of))
        self.pauses = PauseRows(*columns_of(uow.loans(platform).pause_rows(), 3))


def _computed(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    settings: PlatformSettings,
    rows: PortfolioRows,
    accounts: list[Sequence[Any]],
    start_of_day: bool,
) -> _Part:
    """The positions, DPD and buckets of one part's loans (and its start of the day)."""
    keys, loan_ids, currencies = accounts[0], accounts[1], accounts[5]
    versions = rows.versions
    positions, dpd, bucket_code = replay_and_age(rows, as_of, settings)
    schedule_currency = [
        versions[k].currency if k in versions else c for k, c in zip(keys, currencies, strict=True)
    ]
    domain: dict[int, DelinquencyStatus] = {}
    if positions.needs_domain:
        statuses_by_domain(uow, platform, as_of, settings, rows, loan_ids, positions, dpd,
                           bucket_code, domain)  # fmt: skip
        for index, status in domain.items():
            schedule_currency[index] = status.outstanding_principal.currency.code
    opening = None
    if start_of_day:
        from tideover.services.portfolio.start_of_day import start_of_day_of

        opening = start_of_day_of(uow, platform, as_of, settings, rows, loan_ids)
    return _Part(accounts, positions, dpd, bucket_code, schedule_currency, domain, opening)


def _joined(
    parts: list[_Part],
    as_of: date,
    settings: PlatformSettings,
    not_yet: int,
    start_of_day: bool,
) -> PortfolioDelinquency:
    """The parts as one book, in loan-key order (the parts are consecutive key ranges)."""

    def column(index: int) -> list[Any]:
        joined: list[Any] = []
        for part in parts:
            joined += part.accounts[index]
        return joined

    offsets = np.cumsum([0] + [len(part.currencies) for part in parts]).tolist()
    by_domain = {
        offset + index: status
        for part, offset in zip(parts, offsets, strict=False)
        for index, status in part.by_domain.items()
    }
    keys, loan_ids, borrower_ids, borrower_keys, products = (column(i) for i in range(5))
    starts, zones, codes, states = (column(i) for i in range(6, 10))
    positions = Positions(
        **{
            name: np.concatenate([getattr(part.positions, name) for part in parts])
            for name in _ARRAYS
        },
        needs_domain=tuple(
            offset + index
            for part, offset in zip(parts, offsets, strict=False)
            for index in part.positions.needs_domain
        ),
        one_by_one=sum(part.positions.one_by_one for part in parts),
    )
    opening = _openings([part.opening for part in parts]) if start_of_day else None
    return PortfolioDelinquency(
        as_of=as_of,
        loan_keys=np.asarray(keys, dtype=np.int64),
        loan_ids=loan_ids,
        borrower_ids=borrower_ids,
        borrower_keys=borrower_keys,
        products=products,
        start_days=np.asarray(starts, dtype=np.int64),
        address_zones=[zone or None for zone in zones],
        regions=[code or state or None for code, state in zip(codes, states, strict=True)],
        positions=positions,
        dpd=np.concatenate([part.dpd for part in parts]),
        bucket_code=np.concatenate([part.bucket_code for part in parts]),
        currencies=[code for part in parts for code in part.currencies],
        bucket_labels=tuple(settings.buckets.labels),
        by_domain=by_domain,
        not_yet_disbursed=not_yet,
        start_of_day=opening,
    )


_ARRAYS = ("outstanding_principal", "overdue", "oldest_unpaid_due", "installments_overdue",
           "last_payment")  # fmt: skip


def _openings(found: list[StartOfDay | None]) -> StartOfDay | None:
    """The parts' starts of the day as one, by loan id; None when one of them is None."""
    if any(part is None for part in found):
        return None
    if len(found) == 1:
        return found[0]
    from tideover.services.portfolio.start_of_day import StartOfDay

    rows = sorted(
        (loan_id, received, bucket, overdue)
        for part in found
        if part is not None
        for loan_id, received, bucket, overdue in zip(
            part.loan_ids, part.received, part.buckets, part.overdue, strict=True
        )
    )
    ids, received, buckets, overdue = columns_of(rows, 4)
    return StartOfDay(list(ids), list(received), list(buckets), list(overdue))


_Read = tuple[list[Sequence[Any]], InstallmentRows, PaymentRows, int]


def _reads(
    uow: UnitOfWork, platform: str, today: int, per_part: int, *, meanwhile: Callable[[], None]
) -> Iterator[_Read]:
    """The book's reads, a part at a time: as Arrow columns (``adapters.columnar``) where
    the database has them, else as driver tuples, whole (SQLite).  ``meanwhile`` is
    called once before the first part is given, while it is read where it can be."""
    found = uow.loans(platform).key_columns()
    if found is None:
        meanwhile()
        yield _rows(uow, platform, today)
        return
    keys = found["loan_key"].to_numpy()
    del found
    yield from _column_parts(uow, platform, keys, today, per_part, meanwhile)


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


_ACCOUNT_COLUMNS = ("loan_key", "loan_id", "borrower_id", "borrower_key", "product", "currency",
                    "start_day", "time_zone", "region_code", "state")  # fmt: skip
# Columns with few distinct values: one Python string per value, shared by the rows.
_SHARED_TEXT = frozenset({"product", "currency", "time_zone", "region_code", "state"})


def _column_parts(
    uow: UnitOfWork,
    platform: str,
    keys: NDArray[np.int64],
    today: int,
    per_part: int,
    meanwhile: Callable[[], None],
) -> Iterator[_Read]:
    """The loans' (``keys``, ascending) reads as Arrow columns, ``per_part`` loans at a
    time, those started by ``today`` kept (and the others counted); ``meanwhile`` runs
    on the calling thread while the first part is read.

    Each part's accounts, installments and payments are read at once, each on a connection
    of its own, and the next part's while the caller computes this one: the server's COPY
    and the driver's decoding run outside the interpreter's lock, so on two cores the
    reads overlap the replay (bench/RESULTS.md).  At most two parts' rows are held at
    once: the one computed and the next one read.  A part holds every row of its loans:
    the parts are ranges of loan keys, the first and the last open-ended."""
    loans, payments_of = uow.loans(platform), uow.payments(platform)
    cuts = list(range(0, len(keys), per_part)) or [0]
    bounds = [
        (
            None if i == 0 else int(keys[cut - 1]),
            None if i == len(cuts) - 1 else int(keys[cut + per_part - 1]),
        )
        for i, cut in enumerate(cuts)
    ]

    with ThreadPoolExecutor(max_workers=3) as pool:

        def read(after: int | None, up_to: int | None) -> tuple[Future[pa.Table | None], ...]:
            return (
                pool.submit(loans.account_columns, after=after, up_to=up_to),
                pool.submit(loans.installment_columns, after=after, up_to=up_to),
                pool.submit(payments_of.payment_columns, after=after, up_to=up_to),
            )

        pending = read(*bounds[0])
        meanwhile()
        for number in range(len(cuts)):
            every, installments, payments = (future.result() for future in pending)
            if every is None or installments is None or payments is None:
                raise RuntimeError("the columnar read stopped giving columns mid-run")
            if number + 1 < len(cuts):
                pending = read(*bounds[number + 1])
            part = every.filter(pc.less_equal(every["start_day"], today))
            accounts: list[Sequence[Any]] = [_python(part[name], name) for name in _ACCOUNT_COLUMNS]
            read_part = (
                accounts,
                _installment_rows(installments),
                _payment_rows(payments),  # its payment ids stay Arrow (``LazyStrings``)
                every.num_rows - part.num_rows,
            )
            del every, part, installments, payments, accounts  # the tables, once converted
            yield read_part
            del read_part


def _python(column: pa.ChunkedArray, name: str) -> list[Any]:
    """A column as Python values; text with few distinct values shares one string per value."""
    if name not in _SHARED_TEXT:
        return cast(list[Any], column.to_pylist())
    encoded = pc.dictionary_encode(column).combine_chunks()
    values = encoded.dictionary.to_pylist()
    return [values[code] for code in encoded.indices.to_numpy(zero_copy_only=False).tolist()]


def _installment_rows(installments: pa.Table) -> InstallmentRows:
    return InstallmentRows(
        *(_ints(installments[n]) for n in ("loan_key", "due", "principal", "interest", "fees"))
    )


def _payment_rows(payments: pa.Table) -> PaymentRows:
    """Numbers as numpy arrays; text as Python strings only where the replay reads it
    (payment ids only for the loans replayed one by one, through ``LazyStrings``)."""
    reverses = payments["reverses"]
    return PaymentRows(
        _ints(payments["loan_key"]),
        LazyStrings(payments["payment_id"]),
        _ints(payments["amount"]),
        _coded(payments["currency"]),
        _ints(payments["day"]),
        _coded(pc.if_else(pc.equal(reverses, ""), pa.scalar(None, reverses.type), reverses)),
    )


def _ints(column: pa.ChunkedArray) -> Sequence[int]:
    """An integer column as an int64 array (the row path's columns are tuples; the replay
    takes either: it converts slices with ``batch.loan_rows.ints``)."""
    return cast(Sequence[int], column.to_numpy().astype(np.int64, copy=False))


def _coded(column: pa.ChunkedArray) -> CodedText:
    """A text column as codes into its distinct values (``batch.portfolio_rows.CodedText``),
    dictionary-encoded in C; nulls are -1."""
    encoded = pc.dictionary_encode(column).combine_chunks()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    return CodedText(codes, encoded.dictionary.to_pylist())


class LazyStrings(Sequence[str]):
    """An Arrow string column read as Python strings only where sliced, a block at a time
    (a slice per loan would cost a C call each; the whole column, millions of strings)."""

    BLOCK = 1 << 16

    def __init__(self, column: pa.ChunkedArray) -> None:
        self._column = column
        self._blocks: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self._column)

    def take(self, indices: NDArray[np.int64]) -> list[str]:
        """The strings at ``indices``, made in one call."""
        taken: list[str] = self._column.take(pa.array(indices)).to_pylist()
        return taken

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
    labels: Sequence[str],
) -> list[DelinquencyStatus]:
    zeros: dict[str, Money] = {}  # Money is immutable: one zero per currency serves every loan
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


def replay_and_age(
    rows: PortfolioRows, as_of: date, settings: PlatformSettings
) -> tuple[Positions, NDArray[np.int64], NDArray[np.int8]]:
    """Every loan of ``rows`` replayed to ``as_of`` under the platform's waterfall and
    penalty, and aged: the positions, DPD and bucket codes, in the order of ``rows``."""
    fee = settings.penalty.late_fee
    positions = replay_portfolio(
        rows,
        as_of,
        rules=ReplayRules.of(settings.waterfall, settings.penalty),
        late_fee_currency=None if fee is None else fee.currency.code,
    )
    dpd, bucket_code = age_portfolio(
        positions.oldest_unpaid_due, rows.loan_keys, rows.pauses, as_of, settings.buckets
    )
    return positions, dpd, bucket_code


def statuses_by_domain(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    settings: PlatformSettings,
    rows: PortfolioRows,
    loan_ids: Sequence[str],
    positions: Positions,
    dpd: NDArray[np.int64],
    bucket_code: NDArray[np.int8],
    statuses: dict[int, DelinquencyStatus],
    *,
    payments_before: date | None = None,
) -> None:
    """The loans the fast path left out, by the domain code (its errors propagate); their
    statuses go into ``statuses`` by position.  ``payments_before``: only the payments
    valued before that date count (the start of a day)."""
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
        paid = payments.for_loan(loan_id)
        if payments_before is not None:
            paid = [p for p in paid if p.paid_on < payments_before]
        position, status = status_in_force(
            loans[loan_id],
            paid,
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
