"""The daily cycle's delinquency stage over stored loans: the former per-loan path against
the bulk one, side by side.

    .venv/bin/python bench/cycle_stored_bench.py --loans 10000 [--repeat 3] [--json]
    .venv/bin/python bench/cycle_stored_bench.py --loans 100000 --repeat 1 --db var/bench.db

Builds a stored portfolio (``stored_portfolio.py``, fixed seed) in a SQLite file (a
temporary one unless ``--db`` names a file, which is reused when it already holds the
portfolio; ``--url`` takes a PostgreSQL database instead), stores a bucket history for
the day before, then times ``load_cycle_inputs`` (what ``tideover cycle run`` times as
its ``delinquency`` stage, less the flags and outcome figures read beside it):

- **before**: the former code, kept below verbatim: ORM loans, borrowers and payments,
  ``position_as_of`` and ``delinquency_of`` per loan, one dict per account row;
- **after**: ``tideover.services.cycle.inputs.load_cycle_inputs``: plain rows, the
  schedule in force, the vectorised and per-loan replays.

Both must give the same accounts row and status for every loan without a schedule
version (the former code ignored plans and re-aging; those loans are counted, not
compared).  Exit status 1 on any other difference.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from stored_portfolio import DEFAULT_AS_OF, DEFAULT_SEED, PLATFORM, build_stored_portfolio
from tideover.adapters.database import make_engine, migrate, session_factory
from tideover.adapters.pii import PiiCipher
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.batch.cycle import CycleInputs
from tideover.domain.allocation import Component, position_as_of
from tideover.domain.delinquency import DelinquencyStatus, delinquency_of
from tideover.domain.loans import Loan
from tideover.domain.platforms import PlatformSettings
from tideover.services.cycle.inputs import ACCOUNTS_SCHEMA, load_cycle_inputs
from tideover.services.platforms import settings_of
from tideover.services.portfolio.positions import portfolio_delinquency
from tideover.services.unit_of_work import UnitOfWork

# A fixed key for the synthetic borrowers' phone numbers (the tests' key, so a database
# built by either can be reused).
BENCH_KEY = base64.urlsafe_b64encode(b"tideover-test-key-0123456789abcd").decode()


# -- the former delinquency stage, verbatim (services/cycle/run.py before the bulk read) ---------


@dataclass(frozen=True)
class Loaded:
    inputs: CycleInputs
    statuses: list[DelinquencyStatus]


def load_before(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    settings: PlatformSettings,
    *,
    packs_horizon: timedelta,
) -> Loaded:
    with uow:
        loans_repo = uow.loans(platform)
        payments = uow.payments(platform).by_loan()
        pauses = loans_repo.pauses_by_loan()
        borrowers = {b.borrower_id: b for b in uow.borrowers(platform).list_all()}
        rows: list[dict[str, Any]] = []
        statuses: list[DelinquencyStatus] = []
        for loan in loans_repo.list_all():
            if loan.terms.start_date > as_of:
                continue
            paid = payments.get(loan.loan_id, [])
            loan_pauses = pauses.get(loan.loan_id, [])
            position = position_as_of(
                loan, paid, as_of, waterfall=settings.waterfall, penalty=settings.penalty,
                pauses=loan_pauses,
            )  # fmt: skip
            status = delinquency_of(position, pauses=loan_pauses, scheme=settings.buckets)
            statuses.append(status)
            overdue_installments = sum(
                1
                for i in position.installments
                if i.due_date < as_of and (i.settled_on is None or i.settled_on > as_of)
            )
            rows.append(
                _account_row(loan, status, overdue_installments, paid, borrowers, as_of, settings)
            )
        history = uow.delinquency(platform)
        previous_date = history.previous_date(as_of)
        previous = None if previous_date is None else _previous(history.for_date(previous_date))
        since = datetime.combine(as_of, clock_time(0), UTC) - packs_horizon
        ledger = uow.contacts(platform).load_ledger(since=since)
    accounts = pa.Table.from_pylist(rows, schema=ACCOUNTS_SCHEMA)
    return Loaded(CycleInputs(accounts, previous, ledger), statuses)


def _account_row(
    loan: Loan,
    status: DelinquencyStatus,
    overdue_installments: int,
    payments: list[Any],
    borrowers: Mapping[str, Any],
    as_of: date,
    settings: PlatformSettings,
) -> dict[str, Any]:
    overdue = status.overdue_total.minor
    principal_overdue = status.overdue.get(Component.PRINCIPAL)
    balance = status.outstanding_principal.minor + overdue
    balance -= principal_overdue.minor if principal_overdue else 0
    reversed_ids = {p.reverses for p in payments if p.reverses}
    paid_days = [
        p.paid_on
        for p in payments
        if not p.reverses and p.payment_id not in reversed_ids and p.paid_on <= as_of
    ]
    borrower = borrowers.get(loan.borrower_id)
    zones = borrower.candidate_time_zones if borrower else ()
    attributes = borrower.attributes if borrower else {}
    start = loan.terms.start_date
    months = (as_of.year - start.year) * 12 + as_of.month - start.month
    return {
        "account_id": loan.loan_id,
        "borrower_id": loan.borrower_id,
        "is_open": bool(status.outstanding_principal.minor or overdue),
        "time_zones": ",".join(zones or (settings.time_zone,)),
        "dpd": status.dpd,
        "bucket": status.bucket,
        "overdue_minor": overdue,
        "balance_minor": balance,
        "product": loan.product or "",
        "region": attributes.get("region_code") or attributes.get("state"),
        "months_on_book": months - (1 if as_of.day < start.day else 0),
        "installments_overdue": overdue_installments,
        "days_since_last_payment": (as_of - max(paid_days)).days if paid_days else None,
    }


def _previous(statuses: Mapping[str, DelinquencyStatus]) -> pa.Table:
    rows = [
        {"account_id": k, "bucket": s.bucket, "balance_minor": s.outstanding_principal.minor}
        for k, s in statuses.items()
    ]
    schema = pa.schema(
        [("account_id", pa.string()), ("bucket", pa.string()), ("balance_minor", pa.int64())]
    )
    return pa.Table.from_pylist(rows, schema=schema)


# -- the benchmark ----------------------------------------------------------------------------


def prepare(url: str, loans: int, seed: int) -> tuple[Callable[[], SqlAlchemyUnitOfWork], dict]:
    """The database holding the portfolio (built unless it is there) and what it holds."""
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    cipher = PiiCipher(BENCH_KEY)

    def uow() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, cipher)

    with uow() as unit:
        known = unit.platforms.get(PLATFORM) is not None and unit.loans(PLATFORM).count()
    if known and known != loans:
        raise SystemExit(f"the database holds {known} bench loans, not {loans}; use another")
    started = time.perf_counter()
    counts = {"loans": known} if known else build_stored_portfolio(uow, loans, seed=seed)
    build = time.perf_counter() - started
    with uow() as unit:
        counts["payments"] = unit.payments(PLATFORM).count()
        settings = settings_of(unit, PLATFORM)
    day_before = DEFAULT_AS_OF - timedelta(days=1)
    with uow() as unit:
        has_history = unit.delinquency(PLATFORM).previous_date(DEFAULT_AS_OF) == day_before
    if not has_history:
        loaded = load_cycle_inputs(
            uow(), PLATFORM, day_before, settings, packs_horizon=timedelta(0)
        )
        with uow() as unit:
            unit.delinquency(PLATFORM).replace(day_before, loaded.statuses)
            unit.commit()
    return uow, {**counts, "build_seconds": round(build, 1)}


def timed(run: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def compare(before: Loaded, after: Any, versioned: set[str]) -> dict[str, int]:
    old_rows = before.inputs.accounts.to_pylist()
    new_rows = after.inputs.accounts.to_pylist()
    if [r["account_id"] for r in old_rows] != [r["account_id"] for r in new_rows]:
        return {"accounts_differ": 1}
    differ = changed = 0
    for old, new, s_old, s_new in zip(
        old_rows, new_rows, before.statuses, after.statuses, strict=True
    ):
        same = old == new and s_old == s_new
        if old["account_id"] in versioned:
            changed += not same
        else:
            differ += not same
    return {"differ": differ, "versioned": len(versioned), "versioned_changed": changed}


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{args.db or Path(folder) / 'bench.db'}"
        uow, counts = prepare(url, args.loans, args.seed)
        with uow() as unit:
            settings = settings_of(unit, PLATFORM)
            keys = set(unit.schedules(PLATFORM).schedules_in_force(DEFAULT_AS_OF))
            versioned = {row[1] for row in unit.loans(PLATFORM).account_rows() if row[0] in keys}
            book = portfolio_delinquency(unit, PLATFORM, DEFAULT_AS_OF, settings)
        single = book.positions.one_by_one
        paths = {
            "vectorised": len(book.loan_ids) - single,
            "one_by_one": single,
            "domain": len(book.positions.needs_domain),
        }
        horizon = timedelta(days=31)

        def after() -> Any:
            return load_cycle_inputs(
                uow(), PLATFORM, DEFAULT_AS_OF, settings, packs_horizon=horizon
            )

        def before() -> Loaded:
            return load_before(uow(), PLATFORM, DEFAULT_AS_OF, settings, packs_horizon=horizon)

        new_seconds, new = timed(after, args.repeat)
        old_seconds, old = timed(before, 0 if args.skip_before else args.repeat)
        report: dict[str, Any] = {
            "loans": args.loans,
            "database": "postgresql" if args.url else "sqlite",
            "portfolio": counts,
            "paths": paths,
            "after_seconds": [round(s, 3) for s in new_seconds],
            "after_median": round(statistics.median(new_seconds), 3),
        }
        report["after_loans_per_second"] = round(args.loans / report["after_median"])
        if old is not None:
            report["before_seconds"] = [round(s, 3) for s in old_seconds]
            report["before_median"] = round(statistics.median(old_seconds), 3)
            report["ratio"] = round(report["before_median"] / report["after_median"], 1)
            report["check"] = compare(old, new, versioned)
    report["peak_memory_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    report["machine"] = {
        "cores": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--loans", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--db", type=Path, help="SQLite file to build or reuse")
    parser.add_argument("--url", help="a PostgreSQL URL instead of SQLite")
    parser.add_argument("--skip-before", action="store_true", help="time the bulk path only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['loans']:,} loans on {report['database']}: {report['portfolio']}")
        print(f"paths   {report['paths']}")
        print(f"after   {report['after_seconds']} s, median {report['after_median']} s "
              f"({report['after_loans_per_second']:,} loans/s)")  # fmt: skip
        if "before_median" in report:
            print(f"before  {report['before_seconds']} s, median {report['before_median']} s")
            print(f"ratio   {report['ratio']}x   check {report['check']}")
        print(f"peak {report['peak_memory_mib']} MiB, machine {report['machine']}")
    check = report.get("check", {})
    return 1 if check.get("differ") or check.get("accounts_differ") else 0


if __name__ == "__main__":
    sys.exit(main())
