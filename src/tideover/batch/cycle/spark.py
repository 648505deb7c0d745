"""The cycle's stages on Apache Spark (PySpark, the optional extra ``tideover[spark]``).

:func:`run_stages_spark` has the contract of
:func:`tideover.batch.cycle.stages.run_stages` and gives the same results; the
policy logic is written once, in the DuckDB engine's SQL, and runs here after
sqlglot transpiles it to Spark SQL:

- **features, assign, planned actions, portfolio KPIs**: the very statements
  of the DuckDB engine (``features_sql``, ``SCORED_FEATURES_SQL``,
  ``assigned_sql`` over ``layered_sql``, ``PLANNED_SQL`` and the KPI queries of
  :mod:`tideover.batch.cycle.kpis`), each transpiled once per run.
- **score**: ``mapInArrow``: each Arrow batch of features, cast to the DuckDB
  engine's feature types so the models see the very same frame, goes on a
  Python worker through the scoring the DuckDB engine uses
  (:func:`tideover.batch.cycle.shadow.score_models`: champion and challengers,
  probability rounded to 6 places by the same SQL); the champion's rows then
  join the features by ``SCORED_FEATURES_SQL``.  Scores are identical and the
  scoring spreads over the partitions; the models travel to the workers
  pickled with the function.
- **gate**: on the driver, over the planned actions collected and put in the
  DuckDB engine's order (account, step).  The in-memory ledger counts each allowed
  contact against the caps of the borrower's later actions, so the order
  decides the outcome; the stored holds and the ledger are the driver's.  At
  about 1 % of accounts planned a day this is small; gating per partition
  (partitioned by borrower, each partition given its slice of the ledger) is
  the way out if it ever is not.
- **dispatch**: the DuckDB engine's Python over the gated actions.
- **checks**: required columns and feature types are checked on a zero-row
  DuckDB twin of the same statements (the same error as the DuckDB engine);
  NULLs in features that may not be NULL are counted on Spark.

Each stage ends in an action (a count, a collect), but only what is expensive to
compute again is cached: the features and the model scores when a model scores
them (the scoring runs Python).  The assigned accounts are not: Spark's in-memory
copy of them costs several times the statement, which the gate and the KPIs
then run again in their own passes (``bench/RESULTS.md``, 2026-12-07); their
timings include that pass.  The planned actions are sorted on the driver (a
total order in Spark is a sampled, range-partitioned shuffle) and the run
switches off Spark's inferred join filters (:data:`NO_INFERRED_FILTERS`).
PySpark is imported only when a session is made or given: the module itself
imports without it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tideover.batch.assign import Codebook, check_portfolio
from tideover.batch.cycle.features import check_accounts, features_sql
from tideover.batch.cycle.gate import HUMAN_CHANNELS, GatedAction
from tideover.batch.cycle.gate_batch import gate_actions_batch
from tideover.batch.cycle.stages import (
    PLANNED_SQL,
    SCORED_FEATURES_SQL,
    CycleConfig,
    CycleInputs,
    CycleResult,
    FaultHook,
    ProgressFn,
    _features,
    _ignore,
    _kpis,
    account_regions,
    actions_from_rows,
    assigned_sql,
    collect_result,
    dispatch,
    score_accounts,
    steps_table,
    tally,
)
from tideover.domain.errors import TideoverError
from tideover.i18n import N_
from tideover.policy.document import CompiledPolicy
from tideover.policy.features import FEATURES
from tideover.scoring.artefact import Artefact

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Rows per Arrow batch handed to the scoring workers: large enough that the
# model's per-call overhead vanishes, small enough to stay well inside memory.
SCORE_BATCH_ROWS = 262_144
# The champion's rows of every model's scores: what the policy reads as ``score`` and
# ``band`` (the DuckDB score stage's own filter).
CHAMPION_SCORES_SQL = (
    "SELECT account_id, probability AS score, band FROM cycle_model_scores WHERE role = 'champion'"
)
# PySpark warns about pandas 3 wherever it might use pandas; this engine hands it Arrow only.
PANDAS_WARNING = "PySpark does not yet fully support pandas"
# The temporary views a run makes (the DuckDB engine's table names), dropped after it.
VIEWS = (
    "cycle_accounts",
    "cycle_features",
    "cycle_model_scores",
    "cycle_scores",
    "cycle_scored_features",
    "cycle_assigned",
    "cycle_steps",
    "cycle_previous",
    "cycle_outcomes",
)


class EngineUnavailable(TideoverError):
    """The engine asked for cannot run here (its optional packages or runtime are missing)."""

    code = "engine_unavailable"
    http_status = 503


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def require_spark() -> None:
    """Refuse, in both languages, when PySpark or a Java runtime is missing."""
    if importlib.util.find_spec("pyspark") is None:
        raise EngineUnavailable(
            N_(
                "the Spark engine needs PySpark, which is not installed: pip install "
                "'tideover[spark]' (and Java 17 or newer)"
            ),
        )
    if _java() is None:
        raise EngineUnavailable(
            N_(
                "the Spark engine needs a Java runtime (17 or newer): none on the PATH "
                "or in JAVA_HOME"
            ),
        )


def local_session(*, cores: int | None = None, memory: str = "4g") -> SparkSession:
    """A local-mode session on this machine (one JVM; Python workers for scoring)."""
    require_spark()
    # Loopback only: a local session has no business on the network.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # The scoring workers must run this interpreter (it has Tideover), not any ``python3``.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    threads = cores or os.cpu_count() or 1
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", PANDAS_WARNING, FutureWarning)
        session = _build(threads, memory)
    session.sparkContext.setLogLevel("ERROR")
    return session


def _build(threads: int, memory: str) -> SparkSession:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{threads}]")
        .appName("tideover-cycle")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(threads))
        .config("spark.sql.session.timeZone", "UTC")
        # No table is ever saved: keep Spark's warehouse folder out of the working directory.
        .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "tideover-spark"))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(SCORE_BATCH_ROWS))
        .getOrCreate()
    )


@lru_cache(maxsize=64)
def to_spark_sql(sql: str) -> str:
    """One DuckDB statement of the engine in Spark SQL (sqlglot)."""
    import sqlglot

    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = tree.transform(_explicit_group_by).transform(_any_value_ignoring_nulls)
    return str(tree.sql(dialect="spark"))


def _explicit_group_by(node: Any) -> Any:
    """``GROUP BY ALL`` spelt out: the selected expressions without an aggregate.

    Spark infers ``GROUP BY ALL`` less generously than DuckDB (it gives up on
    some ``UNION`` branches); constants are left out, as they do not split groups
    and Spark would read an integer constant as a column position.
    """
    from sqlglot import exp

    group = node.args.get("group") if isinstance(node, exp.Select) else None
    if group is None or not group.args.get("all"):
        return node
    keys = [
        e.unalias().copy()
        for e in node.expressions
        if e.find(exp.AggFunc) is None and not isinstance(e.unalias(), exp.Literal | exp.Null)
    ]
    # No key at all: one group, as without GROUP BY.
    node.set("group", exp.Group(expressions=keys) if keys else None)
    return node


def _any_value_ignoring_nulls(node: Any) -> Any:
    """DuckDB's ``any_value`` skips NULLs; Spark's does so with a second argument.

    sqlglot writes ``ANY_VALUE(x) IGNORE NULLS``, which Spark cannot parse before
    a ``FILTER`` clause; ``ANY_VALUE(x, TRUE)`` means the same and parses anywhere.
    """
    from sqlglot import exp

    inner = node.this if isinstance(node, exp.IgnoreNulls) else node
    if isinstance(inner, exp.AnyValue):
        return exp.Anonymous(this="ANY_VALUE", expressions=[inner.this, exp.true()])
    return node


class SparkSqlConnection:
    """Enough of a DuckDB connection for the KPI queries: each statement is transpiled.

    :mod:`tideover.batch.cycle.kpis` is written against DuckDB; handing it this
    object runs the same statements on Spark, so the KPI logic stays in one place.
    """

    def __init__(self, spark: SparkSession) -> None:
        self._spark = spark
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, sql: str, parameters: object = None) -> SparkSqlConnection:
        if parameters is not None:
            raise TypeError("parameters are not supported: the statements are transpiled whole")
        self._rows = [tuple(row) for row in self._spark.sql(to_spark_sql(sql)).collect()]
        return self

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows


def run_stages_spark(
    compiled: CompiledPolicy,
    artefact: Artefact | None,
    inputs: CycleInputs,
    config: CycleConfig,
    *,
    progress: ProgressFn = _ignore,
    fault: FaultHook = _ignore,
    spark: SparkSession | None = None,
    accounts_parquet: str | None = None,
) -> CycleResult:
    """Every stage after delinquency on Spark.

    The session is ``spark``, else the active one, else a local session made for
    this run (and stopped after it).  ``accounts_parquet``: the accounts are read by
    the executors from these Parquet files (a path every node sees: shared or object
    storage) instead of being sent from the driver; ``inputs.accounts`` then only
    gives their columns (it may have no rows).
    """
    session, own_session = _session(spark)
    scratch = Path(tempfile.mkdtemp(prefix="tideover-spark-"))
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", PANDAS_WARNING, FutureWarning)
            source = _Accounts.of(session, inputs.accounts, accounts_parquet)
            source.scratch = scratch
            with _tuned(session):
                return _run(compiled, artefact, inputs, config, session, progress, fault, source)
    finally:
        # A session that died with the run has nothing left to free: keep its error.
        with contextlib.suppress(Exception):
            _unpersist(session, *VIEWS)
            for name in VIEWS:
                session.catalog.dropTempView(name)
        if own_session:
            session.stop()
        shutil.rmtree(scratch, ignore_errors=True)


# Spark infers "x IS NOT NULL" for the columns of an inner join and pushes it down to
# the scan, writing each computed column of the policy's layers out in full there: the
# planned actions' join (on the treatment and the action mask) then evaluated the whole
# policy, digest included, twice per account and compiled an expression of thousands of
# nodes (1M accounts, warm: 3.6-4.7 s against 1.3-2.6 s without).  The rule only adds
# filters; the rows are the same without it.
NO_INFERRED_FILTERS = "org.apache.spark.sql.catalyst.optimizer.InferFiltersFromConstraints"


@contextlib.contextmanager
def _tuned(spark: SparkSession) -> Iterator[None]:
    """The run's own SQL settings on ``spark``, the session's own put back after it."""
    key = "spark.sql.optimizer.excludedRules"
    before = spark.conf.get(key, None)
    rules = [r for r in (before or "").split(",") if r]
    spark.conf.set(key, ",".join([*rules, NO_INFERRED_FILTERS]))
    try:
        yield
    finally:
        if before is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, before)


def _session(spark: SparkSession | None) -> tuple[SparkSession, bool]:
    if spark is not None:
        return spark, False
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    if "PYSPARK_GATEWAY_PORT" in os.environ:
        # Launched by spark-submit: the master and resources are the submission's own.
        session = SparkSession.builder.appName("tideover-cycle").getOrCreate()
        return session, False
    return local_session(), True


def _unpersist(spark: SparkSession, *views: str) -> None:
    """Free the cached rows behind these views (those that exist)."""
    for name in views:
        if spark.catalog.tableExists(name):
            spark.table(name).unpersist()


def _run(
    compiled: CompiledPolicy,
    artefact: Artefact | None,
    inputs: CycleInputs,
    config: CycleConfig,
    spark: SparkSession,
    progress: ProgressFn,
    fault: FaultHook,
    source: _Accounts,
) -> CycleResult:
    timings: dict[str, float] = {}
    state: dict[str, Any] = {}
    book = Codebook.of(compiled, platform=config.platform)
    twin = _twin(source.columns, config)

    def stage(name: str, work: Callable[[], Any]) -> None:
        progress(name, 0, 1)
        started = time.perf_counter()
        fault(name)
        state[name] = work()
        timings[name] = round(time.perf_counter() - started, 4)
        progress(name, 1, 1)

    stage(
        "features",
        lambda: _spark_features(spark, twin, source, config, scored=artefact is not None),
    )
    stage("score", lambda: _spark_score(spark, twin, state["features"], artefact, inputs, source))
    stage("assign", lambda: _spark_assign(spark, twin, compiled, book, config.platform))
    if artefact is None:
        source.rows = sum(state["assign"][0].values())
    stage("gate", lambda: _spark_gate(spark, compiled, config, inputs))
    gated: list[GatedAction] = state["gate"]
    offers = {k: [o.value for o in v.options] for k, v in compiled.policy.offers.items()}
    stage(
        "dispatch",
        lambda: dispatch(gated, config, offers=offers, regions=source.regions(gated)),
    )
    if inputs.previous is not None:
        to_spark(spark, inputs.previous, source.scratch).createOrReplaceTempView("cycle_previous")
    if inputs.outcomes is not None:
        to_spark(spark, inputs.outcomes, source.scratch).createOrReplaceTempView("cycle_outcomes")
    con = cast(duckdb.DuckDBPyConnection, SparkSqlConnection(spark))
    previous, outcomes = inputs.previous is not None, inputs.outcomes is not None
    stage("kpis", lambda: _kpis(con, gated, config, previous, outcomes))
    return collect_result(state, source.rows, timings)


@dataclass
class _Accounts:
    """Where the accounts come from: the driver's Arrow table, or Parquet files the
    executors read themselves (the driver then reads only ids and regions it needs)."""

    spark: SparkSession
    columns: pa.Table  # at least the schema
    parquet: str | None
    rows: int = 0
    scratch: Path | None = None  # where large tables are handed to a local session

    @classmethod
    def of(cls, spark: SparkSession, accounts: pa.Table, parquet: str | None) -> _Accounts:
        if parquet is None:
            return cls(spark, accounts, None, accounts.num_rows)
        import pyarrow.parquet as pq

        schema = pq.read_schema(_local(parquet)) if Path(_local(parquet)).is_file() else None
        columns = accounts.slice(0, 0) if schema is None else schema.empty_table()
        return cls(spark, columns, parquet)

    def frame(self) -> DataFrame:
        if self.parquet is None:
            return to_spark(self.spark, self.columns, self.scratch)
        return self.spark.read.parquet(self.parquet)

    def regions(self, gated: list[GatedAction]) -> dict[str, str | None]:
        if self.parquet is None:
            return account_regions(self.columns, gated)
        human = sorted({g.action.account_id for g in gated if g.action.channel in HUMAN_CHANNELS})
        if not human or "region" not in self.columns.column_names:
            return {}
        picked = self.spark.table("cycle_accounts").where(
            self.spark.table("cycle_accounts")["account_id"].isin(human)
        )
        return {
            str(row["account_id"]): None if row["region"] is None else str(row["region"])
            for row in picked.select("account_id", "region").collect()
        }

    def ids(self) -> pa.Table:
        """The account ids in input order (the DuckDB engine's order of scores)."""
        if self.parquet is None:
            return self.columns.select(["account_id"])
        import pyarrow.parquet as pq

        # The files in name order (pyarrow's dataset order), as the DuckDB engine reads them;
        # Spark's own scan order follows split sizes, not names.
        return pq.read_table(_local(self.parquet), columns=["account_id"])


# Tables at least this large go to a local-mode session through a Parquet file rather
# than through PySpark's Arrow stream (one Python thread feeding the JVM: several
# seconds a million accounts, bench/RESULTS.md).
PARQUET_HANDOFF_ROWS = 200_000


def to_spark(spark: SparkSession, table: pa.Table, scratch: Path | None = None) -> DataFrame:
    """``table`` as a DataFrame.  In local mode, given a ``scratch`` folder, a large one is
    written there as Parquet and read back by the JVM's own reader, in parallel; on a
    cluster (whose executors do not see this machine's disk) and for small tables,
    PySpark's Arrow transfer."""
    master = spark.sparkContext.master or ""
    if scratch is None or table.num_rows < PARQUET_HANDOFF_ROWS or not master.startswith("local"):
        return spark.createDataFrame(table)
    import pyarrow.parquet as pq

    folder = Path(tempfile.mkdtemp(prefix="handoff-", dir=scratch))
    pq.write_table(table, folder / "part-0.parquet", row_group_size=1 << 20)
    return spark.read.parquet(str(folder))


def _local(path: str) -> str:
    return path.removeprefix("file://")


def _twin(accounts: pa.Table, config: CycleConfig) -> duckdb.DuckDBPyConnection:
    """The DuckDB engine's statements over no rows: their columns and types, nothing more."""
    con = duckdb.connect()
    con.register("cycle_accounts", accounts.slice(0, 0))
    check_accounts(con, "cycle_accounts")  # a missing column: the DuckDB engine's own error
    _features(con, config)
    score_accounts(con, None)
    con.execute(f"CREATE TEMP TABLE cycle_scored_features AS {SCORED_FEATURES_SQL}")
    return con


def _arrow_schema(con: duckdb.DuckDBPyConnection, relation: str) -> pa.Schema:
    return con.sql(f"SELECT * FROM {relation}").to_arrow_table().schema


def _spark_features(
    spark: SparkSession,
    twin: duckdb.DuckDBPyConnection,
    source: _Accounts,
    config: CycleConfig,
    *,
    scored: bool,
) -> DataFrame:
    from pyspark import StorageLevel

    source.frame().createOrReplaceTempView("cycle_accounts")
    sql = features_sql(
        check_accounts(twin, "cycle_accounts"),
        relation="cycle_accounts",
        minor_digits=config.minor_digits,
    )
    features = spark.sql(to_spark_sql(sql))
    if scored:  # read twice (scoring, then assignment): computed once
        features = features.persist(StorageLevel.MEMORY_AND_DISK)
        source.rows = features.count()
    # Unscored, the features are read once, by the assignment: no copy is kept, and the
    # count comes from the assignment's tally.
    features.createOrReplaceTempView("cycle_features")
    return features


def _spark_score(
    spark: SparkSession,
    twin: duckdb.DuckDBPyConnection,
    features: DataFrame,
    artefact: Artefact | None,
    inputs: CycleInputs,
    source: _Accounts,
) -> pa.Table | None:
    """``cycle_scores`` (the champion's) and every model's rows (``shadow.SCORES_SCHEMA``)."""
    from pyspark import StorageLevel
    from pyspark.sql.pandas.types import from_arrow_schema

    if artefact is None:
        empty = spark.createDataFrame(twin.sql("SELECT * FROM cycle_scores").to_arrow_table())
        empty.createOrReplaceTempView("cycle_scores")
        return None
    from tideover.batch.cycle.shadow import SCORES_SCHEMA

    plain = _plain(SCORES_SCHEMA)
    score = _batch_scorer(
        artefact, inputs.challengers, _arrow_schema(twin, "cycle_features"), plain
    )
    scores = features.mapInArrow(score, from_arrow_schema(plain))
    scores = scores.persist(StorageLevel.MEMORY_AND_DISK)
    scores.createOrReplaceTempView("cycle_model_scores")
    spark.sql(to_spark_sql(CHAMPION_SCORES_SQL)).createOrReplaceTempView("cycle_scores")
    models = [artefact.version, *(c.version for c in inputs.challengers)]
    return _in_input_order(scores.toArrow().cast(SCORES_SCHEMA), source.ids(), models)


def _plain(schema: pa.Schema) -> pa.Schema:
    """``schema`` with dictionary columns as their values: Spark reads no Arrow dictionary."""
    return pa.schema(
        pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
        for f in schema
    )


def _batch_scorer(
    artefact: Artefact,
    challengers: Sequence[Artefact],
    features_schema: pa.Schema,
    scores_schema: pa.Schema,
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function each worker runs: the DuckDB engine's model scoring, batch by batch."""

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from tideover.batch.cycle.shadow import score_models

        con = duckdb.connect()
        for batch in batches:
            if batch.num_rows == 0:
                continue
            # Spark's decimal precision may differ (same values): DuckDB's types, exactly,
            # so the models see the very frame the DuckDB engine gives them.
            features = pa.Table.from_batches([batch]).cast(features_schema)
            scores = score_models(features, artefact, challengers, con=con)
            yield from scores.cast(scores_schema).to_batches()

    return score


def _in_input_order(scores: pa.Table, accounts: pa.Table, models: list[str]) -> pa.Table:
    """The DuckDB engine's row order: model by model, accounts as they came in."""
    position = pc.index_in(scores.column("account_id"), value_set=accounts.column("account_id"))
    model = pc.index_in(scores.column("model_version"), value_set=pa.array(models, pa.string()))
    keys = pa.table({"model": model, "position": position})
    return scores.take(pc.sort_indices(keys, [("model", "ascending"), ("position", "ascending")]))


def _spark_assign(
    spark: SparkSession,
    twin: duckdb.DuckDBPyConnection,
    compiled: CompiledPolicy,
    book: Codebook,
    platform: str,
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    scored = spark.sql(to_spark_sql(SCORED_FEATURES_SQL))
    scored.createOrReplaceTempView("cycle_scored_features")
    check_portfolio(
        twin,
        "cycle_scored_features",
        compiled.features,
        null_counts=_null_counts(scored, compiled.features),
        where="(daily cycle, Spark)",
    )
    sql = assigned_sql(compiled, book, platform, relation="cycle_scored_features")
    # Not cached: building Spark's in-memory copy of every account (nine text columns)
    # costs several times the statement itself (1M accounts: 8.6 s against 1.2 s), and
    # only the gate's and the KPIs' few passes read it again (bench/RESULTS.md).  Those
    # passes start from the cached features and model scores when there are any, so they
    # stay cached until the run ends.
    assigned = spark.sql(to_spark_sql(sql))
    assigned.createOrReplaceTempView("cycle_assigned")
    counts = assigned.groupBy("segment", "arm").count().collect()
    return tally([tuple(row) for row in counts], compiled, book)


def _null_counts(scored: DataFrame, needed: frozenset[str]) -> dict[str, int | None]:
    """NULLs per needed feature that may not be NULL, in one pass."""
    names = sorted(n for n in needed if n in FEATURES and not FEATURES[n].nullable)
    if not names:
        return {}
    row = scored.selectExpr(*(f"count(*) - count({n}) AS {n}" for n in names)).first()
    return {n: int(row[n]) if row is not None else 0 for n in names}


def _spark_gate(
    spark: SparkSession, compiled: CompiledPolicy, config: CycleConfig, inputs: CycleInputs
) -> list[GatedAction]:
    spark.createDataFrame(steps_table(compiled)).createOrReplaceTempView("cycle_steps")
    sql, keys = _unordered(PLANNED_SQL)
    planned = _sorted(spark.sql(sql).toArrow(), keys)
    actions = actions_from_rows(planned.column_names, _rows(planned))
    return gate_actions_batch(
        actions, as_of=config.as_of, ledger=inputs.ledger, settings=config.gate
    )


@lru_cache(maxsize=8)
def _unordered(sql: str) -> tuple[str, tuple[str, ...]]:
    """``sql`` in Spark SQL without its ``ORDER BY``, each sort key selected as a column.

    A total order in Spark is a range-partitioned shuffle, and over a relation that is
    not cached its sampling computes every account once more; the planned actions are
    about 1 % of the accounts and sort on the driver in a blink (:func:`_sorted`).
    """
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    order = tree.args.get("order")
    if order is None or not isinstance(tree, exp.Select):
        return to_spark_sql(sql), ()
    keys = []
    for k, ordered in enumerate(order.expressions):
        if ordered.args.get("desc"):
            raise ValueError("only ascending sort keys are sorted on the driver")
        keys.append(f"_order_{k}")
        tree = tree.select(exp.alias_(ordered.this.copy(), keys[-1]), copy=False)
    tree.set("order", None)
    return to_spark_sql(tree.sql(dialect="duckdb")), tuple(keys)


def _sorted(table: pa.Table, keys: Sequence[str]) -> pa.Table:
    """The rows in the order of ``keys`` (ascending; text by its bytes, as DuckDB and
    Spark compare it), without the key columns."""
    if not keys:
        return table
    order = pc.sort_indices(table, [(k, "ascending") for k in keys])
    return table.take(order).drop_columns(list(keys))


def _rows(table: pa.Table) -> Iterator[Sequence[Any]]:
    return zip(*(column.to_pylist() for column in table.columns), strict=True)
