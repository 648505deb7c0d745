"""The cycle's bulk reads as Arrow columns (ADBC) equal the row reads, on both databases.

The demo portfolio of ``test_stored_delinquency.py`` (pauses, reversals, plans,
re-aged schedules, a loan not yet disbursed, borrowers known by their phones
only) is read both ways: the columns must hold the rows' values, and the
delinquency of every loan computed from either must be the same.  A server that
goes away under a columnar read is a coded ``DataUnavailable`` in en and zh,
never a driver's trace.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import pytest
from tests.integration.test_stored_delinquency import AS_OF, PLATFORM, portfolio

from tideover.adapters.columnar import columnar_reader, columnar_reads
from tideover.adapters.repositories import _columns
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.batch import stored_positions
from tideover.domain.days import day_number
from tideover.domain.errors import DataUnavailable
from tideover.services.platforms import settings_of
from tideover.services.portfolio import positions
from tideover.services.portfolio.positions import PortfolioDelinquency, portfolio_delinquency

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
__all__ = ["portfolio"]  # the fixture, shared


def _plain(values: object) -> list[object]:
    return list(values.tolist() if isinstance(values, np.ndarray) else values)  # type: ignore[attr-defined]


def test_sqlite_is_read_through_its_one_library(portfolio: UowFactory, database_url: str) -> None:
    """A second copy of SQLite in the process (ADBC's) would not share the file's locks and
    could read a snapshot older than the last commit: the embedded database reads rows."""
    with portfolio() as uow:
        reader = columnar_reader(uow.session)
        columns = uow.loans(PLATFORM).account_columns()
    if database_url.startswith("sqlite"):
        assert reader is None
        assert columns is None
    else:
        assert reader is not None
        try:
            sql = "SELECT loan_id FROM loans ORDER BY id"
            whole = reader.read_sql(sql)
            streamed = list(reader.batches(sql))
        finally:
            reader.close()
        assert columns is not None
        assert whole.num_rows > 0
        assert pa.Table.from_batches(streamed, whole.schema).equals(whole)


def test_the_columns_hold_what_the_rows_hold(portfolio: UowFactory, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite is read as rows (test_sqlite_is_read_through_its_one_library)")
    today = day_number(AS_OF)
    with portfolio() as uow:
        called: list[bool] = []
        (columns,) = positions._reads(
            uow, PLATFORM, today, positions.LOANS_PER_PART, meanwhile=lambda: called.append(True)
        )
        assert called == [True]
        rows = positions._rows(uow, PLATFORM, today)
    (c_accounts, c_inst, c_paid, c_later), (r_accounts, r_inst, r_paid, r_later) = columns, rows
    assert c_later == r_later == 1  # the loan not yet disbursed
    empty_is_none = {4, 7, 8, 9}  # product, address zone, region code, state
    for k, (got, want) in enumerate(zip(c_accounts, r_accounts, strict=True)):
        if k in empty_is_none:
            assert [g or None for g in got] == [w or None for w in want]
        else:
            assert _plain(got) == _plain(want)
    for name in ("loan_key", "due", "principal", "interest", "fees"):
        assert _plain(getattr(c_inst, name)) == _plain(getattr(r_inst, name))
    for name in ("loan_key", "payment_id", "amount", "currency", "day", "reverses"):
        got = getattr(c_paid, name)
        assert _plain(got[0 : len(got)]) == _plain(getattr(r_paid, name))
    assert any(r is not None for r in c_paid.reverses)


def _same(a: PortfolioDelinquency, b: PortfolioDelinquency) -> None:
    assert a.loan_ids == b.loan_ids
    assert a.borrower_ids == b.borrower_ids
    assert a.products == b.products
    assert a.address_zones == b.address_zones
    assert a.regions == b.regions
    assert a.statuses == b.statuses
    assert np.array_equal(a.dpd, b.dpd)
    assert np.array_equal(a.bucket_code, b.bucket_code)
    for name in ("outstanding_principal", "overdue", "oldest_unpaid_due", "installments_overdue",
                 "last_payment"):  # fmt: skip
        assert np.array_equal(getattr(a.positions, name), getattr(b.positions, name)), name


@pytest.mark.parametrize("as_of", [AS_OF, date(2026, 9, 15)])
def test_the_delinquency_from_columns_is_the_delinquency_from_rows(
    portfolio: UowFactory, monkeypatch: pytest.MonkeyPatch, as_of: date, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite is read as rows (test_sqlite_is_read_through_its_one_library)")
    with portfolio() as uow:
        settings = settings_of(uow, PLATFORM)
        from_columns = portfolio_delinquency(uow, PLATFORM, as_of, settings)
        monkeypatch.setattr(positions, "_reads", _as_rows)
        from_rows = portfolio_delinquency(uow, PLATFORM, as_of, settings)
    _same(from_columns, from_rows)
    assert from_columns.loan_ids
    assert from_columns.positions.one_by_one > 0  # both paths of the replay ran


def _as_rows(
    uow: SqlAlchemyUnitOfWork,
    platform: str,
    today: int,
    _per_part: int,
    *,
    meanwhile: Callable[[], None],
) -> object:
    meanwhile()
    return iter([positions._rows(uow, platform, today)])


# Each part opens three connections (about a second each on a busy test server): few parts.
@pytest.mark.parametrize(("per_part", "to_the_domain"), [(3, False), (5, True)])
def test_a_book_computed_in_parts_is_the_book_computed_whole(
    portfolio: UowFactory,
    per_part: int,
    to_the_domain: bool,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parts of a few loans (a part holding only a loan replayed one by one, one with money
    on the day, the first and last parts open-ended) give what one part gives, the start
    of the day included; with ``to_the_domain`` every loan the replay takes one by one is
    left to the domain instead, in whichever part it falls."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite is read as rows, whole")
    if to_the_domain:
        monkeypatch.setattr(stored_positions, "_replay_one", lambda *_: False)
    calls: list[tuple[int | None, int | None]] = []
    read_accounts = _columns.account_columns

    def spied(*args: Any, after: int | None = None, up_to: int | None = None) -> Any:
        calls.append((after, up_to))
        return read_accounts(*args, after=after, up_to=up_to)

    monkeypatch.setattr(_columns, "account_columns", spied)
    with portfolio() as uow:
        assert uow.loans(PLATFORM).key_columns() is not None  # the columnar path is taken
        settings = settings_of(uow, PLATFORM)
        whole = portfolio_delinquency(uow, PLATFORM, AS_OF, settings, start_of_day=True)
        assert calls == [(None, None)]
        loans = len(whole.loan_ids) + whole.not_yet_disbursed
        parts = portfolio_delinquency(
            uow, PLATFORM, AS_OF, settings, start_of_day=True, loans_per_part=per_part
        )
    assert len(calls) - 1 == -(-loans // per_part) > 2  # the parts were read one by one
    assert calls[1][0] is None
    assert calls[-1][1] is None
    assert all(calls[k][1] == calls[k + 1][0] for k in range(1, len(calls) - 1))
    assert bool(whole.positions.needs_domain) == to_the_domain
    _same(parts, whole)
    assert np.array_equal(parts.loan_keys, whole.loan_keys)
    assert parts.borrower_keys == whole.borrower_keys
    assert np.array_equal(parts.start_days, whole.start_days)
    assert parts.currencies == whole.currencies
    assert parts.by_domain == whole.by_domain
    assert parts.positions.needs_domain == whole.positions.needs_domain
    assert parts.positions.one_by_one == whole.positions.one_by_one > 0
    assert len(whole.positions.needs_domain) == (whole.positions.one_by_one if to_the_domain else 0)
    assert parts.not_yet_disbursed == whole.not_yet_disbursed == 1
    assert whole.start_of_day is not None
    assert whole.start_of_day.loan_ids
    assert parts.start_of_day == whole.start_of_day
    assert parts.snapshot().equals(whole.snapshot())


def test_a_part_size_below_one_is_refused(portfolio: UowFactory) -> None:
    with portfolio() as uow, pytest.raises(ValueError, match="at least 1"):
        portfolio_delinquency(uow, PLATFORM, AS_OF, settings_of(uow, PLATFORM), loans_per_part=0)


@pytest.mark.postgres
def test_a_server_gone_under_a_columnar_read_is_a_coded_error(
    portfolio: UowFactory, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a lost server is a PostgreSQL case (SQLite is a file)")
    with portfolio() as uow:
        reader = columnar_reader(uow.session)
    assert reader is not None
    try:
        backend = reader.read_sql("SELECT pg_backend_pid() AS pid").column("pid")[0].as_py()
        plain = database_url.replace("postgresql+psycopg://", "postgresql://").split("?")[0]
        with psycopg.connect(plain, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        with pytest.raises(DataUnavailable) as caught:
            reader.read_sql("SELECT 1 AS one")
    finally:
        reader.close()
    error = caught.value
    assert "connection was lost" in error.en
    assert "连接中断" in error.zh
    assert "SELECT" not in error.en


def test_a_part_is_read_through_the_loan_key_index(
    portfolio: UowFactory, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part's reads go through the index on (platform, loan key): a scan of the whole
    table a part would make the book cost parts × tables.  Reads of the whole book keep
    the planner's own choice."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite is read as rows, whole")
    reads: list[tuple[str, str, str]] = []  # (statement, enable_seqscan, enable_bitmapscan)
    settings = (
        "SELECT current_setting('enable_seqscan') AS seq, "
        "current_setting('enable_bitmapscan') AS bitmap"
    )

    @contextlib.contextmanager
    def spied(session: Any, *, key_ranges: bool = False) -> Iterator[Any]:
        with columnar_reads(session, key_ranges=key_ranges) as reader:
            assert reader is not None
            read_sql = reader.read_sql

            def read(sql: str) -> pa.Table:
                found = read_sql(sql)
                seq, bitmap = read_sql(settings).to_pylist()[0].values()
                reads.append((sql, seq, bitmap))
                return found

            with monkeypatch.context() as patched:
                patched.setattr(reader, "read_sql", read)
                yield reader

    monkeypatch.setattr(_columns, "columnar_reads", spied)
    with portfolio() as uow:
        loans, payments = uow.loans(PLATFORM), uow.payments(PLATFORM)
        for after, up_to in ((None, 3), (3, 6), (None, None)):
            loans.account_columns(after=after, up_to=up_to)
            loans.installment_columns(after=after, up_to=up_to)
            payments.payment_columns(after=after, up_to=up_to)
        assert [(seq, bitmap) for _, seq, bitmap in reads] == [("off", "off")] * 6 + [
            ("on", "on")
        ] * 3
        connection = uow.session.connection()
        for planning in ("SET LOCAL enable_seqscan = off", "SET LOCAL enable_bitmapscan = off"):
            connection.exec_driver_sql(planning)
        for sql, _, _ in reads[:6]:
            plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {sql}").scalars())
            assert "Seq Scan" not in plan, plan
            assert "Bitmap" not in plan, plan
            assert "Index Scan" in plan or "Index Only Scan" in plan, plan
        uow.rollback()
