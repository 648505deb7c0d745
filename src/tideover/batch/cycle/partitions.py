"""The cycle's stages over a portfolio larger than memory: one partition of borrowers at a time.

The accounts (and yesterday's buckets and the day's outcomes) are split once
into Parquet partitions by a stable hash of the **borrower** — the first eight
hex digits of the MD5 of the borrower id, modulo the number of partitions,
identical in Python, DuckDB and Spark.  A borrower's accounts stay together
because two figures need them together: the gate's caps count a borrower's
contacts across all their loans, and an outcome recorded on a debt that is not
one of today's accounts goes to the borrower's first account.  Each partition
then goes through :func:`tideover.batch.cycle.stages.run_stages` on its own
DuckDB connection, closed before the next, so the peak memory is that of one
partition; the partitions' results are merged:

- segments, arms and every KPI row are sums (every KPI is a count and an amount
  over a base of counts and amounts, never a rate, so the sum of the parts is
  the whole; a row present in any partition is present in the whole);
- gated actions, outbox rows and queue items are put back in the unpartitioned
  engine's order (account id, then step number);
- the scores of every model are concatenated.

A partition that fails is tried again (``retries``); when it still fails the
run fails whole with that partition's error: nothing of a run is returned,
so nothing of it can be written (the service writes only a complete result).
``tests/unit/test_cycle_partitions.py`` proves the merged result identical to
the unpartitioned run's on random portfolios.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tideover.batch.cycle.gate import GatedAction
from tideover.batch.cycle.kpis import KpiRow
from tideover.batch.cycle.stages import (
    CycleConfig,
    CycleInputs,
    CycleResult,
    FaultHook,
    ProgressFn,
    _ignore,
    kpis_in_order,
    run_stages,
)
from tideover.compliance.ledger import InMemoryLedger
from tideover.policy.document import CompiledPolicy
from tideover.scoring.artefact import Artefact

PARTITION_COLUMN = "partition"
_KPI_KEY = ("segment", "arm", "metric", "key")
_KPI_SUMS = ("accounts", "amount_minor", "base_accounts", "base_amount_minor")


def partition_of(borrower_id: str, partitions: int) -> int:
    """The partition of a borrower: what :func:`partition_sql` computes in SQL."""
    return int(hashlib.md5(borrower_id.encode()).hexdigest()[:8], 16) % partitions


def partition_sql(column: str, partitions: int) -> str:
    """DuckDB SQL of :func:`partition_of` over ``column`` (an identifier)."""
    return f"(CAST(('0x' || substr(md5({column}), 1, 8)) AS BIGINT) % {int(partitions)})"


def split_parquet(
    source: str | pa.Table,
    folder: Path,
    partitions: int,
    *,
    by: str = "borrower_id",
    con: duckdb.DuckDBPyConnection | None = None,
) -> Path:
    """Write ``source`` (a Parquet path or glob, or an Arrow table) into ``folder`` as one
    Parquet folder per partition (``partition=k/``), streaming: DuckDB never holds it all."""
    con = con or duckdb.connect()
    if isinstance(source, pa.Table):
        con.register("split_source", source)
        relation = "split_source"
    else:
        relation = f"read_parquet({_quote(source)})"
    folder.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT *, {partition_sql(by, partitions)} AS {PARTITION_COLUMN} "
        f"FROM {relation}) TO {_quote(str(folder))} "
        f"(FORMAT parquet, PARTITION_BY ({PARTITION_COLUMN}), OVERWRITE_OR_IGNORE)"
    )
    return folder


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class PartitionedInputs:
    """Folders written by :func:`split_parquet` with the same number of partitions.

    ``previous`` must carry ``borrower_id`` beside ``account_id``, ``bucket`` and
    ``balance_minor`` (an account gone today is still counted in its partition).
    """

    accounts: Path
    partitions: int
    previous: Path | None = None
    outcomes: Path | None = None
    ledger: InMemoryLedger = field(default_factory=InMemoryLedger)
    challengers: tuple[Artefact, ...] = ()


def run_partitioned(
    compiled: CompiledPolicy,
    artefact: Artefact | None,
    inputs: PartitionedInputs,
    config: CycleConfig,
    *,
    retries: int = 1,
    memory_limit: str | None = None,
    progress: ProgressFn = _ignore,
    fault: FaultHook = _ignore,
) -> CycleResult:
    """Every stage after delinquency, partition by partition; the merged result.

    ``fault`` also hears ``partition:<k>`` as each try of partition ``k`` starts;
    ``memory_limit`` (DuckDB's, e.g. ``"4GB"``) bounds each partition's connection.
    """
    results: list[CycleResult] = []
    for k in range(inputs.partitions):
        progress("partitions", k, inputs.partitions)
        results.append(
            _with_retries(compiled, artefact, inputs, config, k, retries, fault, memory_limit)
        )
    progress("partitions", inputs.partitions, inputs.partitions)
    return merge_results(results)


def _with_retries(
    compiled: CompiledPolicy,
    artefact: Artefact | None,
    inputs: PartitionedInputs,
    config: CycleConfig,
    k: int,
    retries: int,
    fault: FaultHook,
    memory_limit: str | None,
) -> CycleResult:
    for attempt in range(retries + 1):
        try:
            fault(f"partition:{k}")
            return _one(compiled, artefact, inputs, config, k, memory_limit)
        except Exception:
            if attempt == retries:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _one(
    compiled: CompiledPolicy,
    artefact: Artefact | None,
    inputs: PartitionedInputs,
    config: CycleConfig,
    k: int,
    memory_limit: str | None,
) -> CycleResult:
    con = duckdb.connect()
    if memory_limit is not None:
        con.execute(f"SET memory_limit = {_quote(memory_limit)}")
    try:
        accounts = _read(con, inputs.accounts, k)
        assert accounts is not None  # the accounts folder is required
        part = CycleInputs(
            accounts,
            _read(con, inputs.previous, k),
            inputs.ledger,
            _read(con, inputs.outcomes, k),
            inputs.challengers,
        )
        return run_stages(compiled, artefact, part, config, con=con)
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection, folder: Path | None, k: int) -> pa.Table | None:
    """Partition ``k`` of ``folder`` without the partition column (no rows: none there)."""
    if folder is None:
        return None
    files = sorted((folder / f"{PARTITION_COLUMN}={k}").glob("*.parquet"))
    if files:
        listed = ", ".join(_quote(str(f)) for f in files)
        sql = f"SELECT * EXCLUDE ({PARTITION_COLUMN}) FROM read_parquet([{listed}])"
    else:  # an empty partition: the columns of any other one, no rows
        any_file = _quote(str(folder / "*" / "*.parquet"))
        sql = (
            f"SELECT * EXCLUDE ({PARTITION_COLUMN}) FROM read_parquet({any_file}, "
            "hive_partitioning = false) LIMIT 0"
        )
    table: pa.Table = con.sql(sql).to_arrow_table()
    return table


def merge_results(results: Sequence[CycleResult]) -> CycleResult:
    """The partitions' results as one run's (see the module doc)."""
    from tideover.batch.cycle.stages import _counts

    segments: dict[str, int] = {}
    arms: dict[str, dict[str, int]] = {}
    timings: dict[str, float] = {}
    kpis: dict[tuple[Any, ...], KpiRow] = {}
    gated: list[GatedAction] = []
    outbox: list[dict[str, Any]] = []
    queue: list[dict[str, Any]] = []
    scores = [r.scores for r in results if r.scores is not None]
    accounts = 0
    for r in results:
        for name, n in r.segments.items():
            segments[name] = segments.get(name, 0) + n
        for experiment, counts in r.arms.items():
            merged = arms.setdefault(experiment, {})
            for arm, n in counts.items():
                merged[arm] = merged.get(arm, 0) + n
        for stage, seconds in r.timings.items():
            timings[stage] = round(timings.get(stage, 0.0) + seconds, 4)
        for row in r.kpis:
            _add_kpi(kpis, row)
        gated += r.gated
        outbox += r.outbox
        queue += r.queue
        accounts += r.counts["accounts"]
    gated.sort(key=lambda g: _order(g.action.account_id, g.action.step))
    outbox.sort(key=lambda row: _order(row["account_id"], row["step"]))
    queue.sort(key=lambda row: _order(row["account_id"], row["step"]))
    rows = kpis_in_order(_rebased(list(kpis.values())))
    return CycleResult(
        segments=segments,
        arms=arms,
        gated=gated,
        outbox=outbox,
        queue=queue,
        kpis=rows,
        timings=timings,
        counts=_counts(accounts, gated, outbox, queue, rows),
        scores=pa.concat_tables(scores) if scores else None,
    )


def _order(account_id: str, step: str) -> tuple[bytes, int]:
    """The unpartitioned engine's order (``PLANNED_SQL``): account id as DuckDB sorts text
    (by its UTF-8 bytes), then the step's number within the treatment."""
    return account_id.encode(), int(step.rpartition("#")[2])


def _rebased(rows: list[KpiRow]) -> list[KpiRow]:
    """Bucket and delinquency rows over their segment and arm's open accounts and balance.

    Each partition gives those rows its own open accounts as the base, and a partition
    without an account in some bucket has no row to add its share to; the whole's base
    is the sum of the merged bucket rows, which count every open account once.
    """
    bases: dict[tuple[Any, Any], tuple[int, int]] = {}
    for row in rows:
        if row["metric"] == "bucket":
            n, amount = bases.get((row["segment"], row["arm"]), (0, 0))
            bases[(row["segment"], row["arm"])] = (
                n + row["accounts"],
                amount + row["amount_minor"],
            )
    for row in rows:
        if row["metric"] in ("bucket", "delinquent"):
            row["base_accounts"], row["base_amount_minor"] = bases[(row["segment"], row["arm"])]
    return rows


def _add_kpi(kpis: dict[tuple[Any, ...], KpiRow], row: KpiRow) -> None:
    key = tuple(row[f] for f in _KPI_KEY)
    found = kpis.get(key)
    if found is None:
        kpis[key] = dict(row)
        return
    for name in _KPI_SUMS:
        if found[name] is None or row[name] is None:
            found[name] = found[name] if row[name] is None else row[name]
        else:
            found[name] += row[name]


@contextmanager
def partitioned_folders(
    accounts: str | pa.Table,
    partitions: int,
    *,
    previous: str | pa.Table | None = None,
    outcomes: str | pa.Table | None = None,
    workdir: Path | None = None,
) -> Iterator[tuple[Path, Path | None, Path | None, float]]:
    """The three inputs split into partitions in a temporary folder, removed afterwards;
    also yields the seconds the split took."""
    root = Path(tempfile.mkdtemp(prefix="tideover-partitions-", dir=workdir))
    try:
        started = time.perf_counter()
        con = duckdb.connect()
        folders = [
            None if source is None else split_parquet(source, root / name, partitions, con=con)
            for name, source in (("accounts", accounts), ("previous", previous),
                                 ("outcomes", outcomes))
        ]  # fmt: skip
        con.close()
        seconds = time.perf_counter() - started
        assert folders[0] is not None
        yield folders[0], folders[1], folders[2], seconds
    finally:
        shutil.rmtree(root, ignore_errors=True)
