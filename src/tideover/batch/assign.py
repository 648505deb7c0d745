"""The assignment engine: a whole portfolio through a policy in one SQL statement (DuckDB).

For every account: its segment (first match wins), experiment arm (the portable
hash of :mod:`tideover.policy.hashing`, split by
:func:`tideover.policy.evaluate.arm_bounds`), treatment, whether the treatment's
stop condition holds, the steps due today and the allowed offers — exactly what
:func:`tideover.policy.decide` (the reference) gives for one account.  This is
its fast path for whole portfolios, under the differential tests of
``tests/unit/test_assign_engine.py`` and ``tests/unit/test_policy_evaluate.py``
(and ``tests/integration/test_spark_assign.py`` for the Spark transpilation).

The SQL is compiled from the policy's checked condition trees in layers (one
derived table per step, so the digest and bucket are computed once per row) and
written in DuckDB's dialect; sqlglot transpiles it to Spark SQL unchanged in
meaning (no engine-specific function: ``md5``, ``substr``, ``instr``, ``CASE``).

Outputs are small integer codes (``TINYINT``/``SMALLINT``): writing codes rather
than strings halves Parquet encoding time.  :class:`Codebook` maps them back and
travels in the output file's key-value metadata.  ``actions`` is a bit mask over
the treatment's steps: bit *i* set = step *i* is due today.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tideover.domain.errors import ValidationError
from tideover.i18n import N_, Clauses, Wording
from tideover.policy.document import CompiledPolicy
from tideover.policy.evaluate import arm_bounds
from tideover.policy.features import FEATURES, FeatureType
from tideover.policy.hashing import bucket_from_digest_sql, bucket_sql, digest_sql
from tideover.policy.model import Experiment, Step
from tideover.policy.sql_text import quote_literal

ROW_GROUP_SIZE = 262_144  # ~256k rows per group lets DuckDB parallelise (performance.md)
MAX_STEPS = 63  # the action mask is a signed 64-bit integer
OUTPUT_COLUMNS = ("account_id", "segment", "arm", "treatment", "stopped", "actions", "offers")
CODEBOOK_KEY = "tideover.codebook"


@dataclass(frozen=True)
class Codebook:
    """What the integer codes of an assignment file mean (positions in these tuples)."""

    policy: str
    platform: str
    segments: tuple[str, ...]
    treatments: tuple[str, ...]
    arms: tuple[tuple[str, str], ...]  # (experiment id, arm id)
    offers: tuple[str, ...]
    steps: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    as_of: str | None = None

    @classmethod
    def of(cls, compiled: CompiledPolicy, *, platform: str, as_of: str | None = None) -> Codebook:
        policy = compiled.policy
        return cls(
            policy=policy.policy,
            platform=platform,
            segments=tuple(s.id for s in policy.segments),
            treatments=tuple(policy.treatments),
            arms=tuple((e.id, a.id) for e in policy.experiments for a in e.arms),
            offers=tuple(policy.offers),
            steps={
                t_id: tuple(s.model_dump(mode="json", exclude_none=True) for s in t.steps)
                for t_id, t in policy.treatments.items()
            },
            as_of=as_of,
        )

    def to_json(self) -> str:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Codebook:
        data = json.loads(text)
        data["arms"] = tuple(tuple(pair) for pair in data["arms"])
        for key in ("segments", "treatments", "offers"):
            data[key] = tuple(data[key])
        data["steps"] = {k: tuple(v) for k, v in data["steps"].items()}
        return cls(**data)


def decode_actions(mask: int) -> tuple[int, ...]:
    """The step indices set in an ``actions`` mask."""
    return tuple(i for i in range(MAX_STEPS) if mask >> i & 1)


def _code_type(count: int) -> str:
    return "TINYINT" if count <= 127 else "SMALLINT"


def case_sql(subject: str, pairs: list[tuple[int, str]], default: str = "NULL") -> str:
    if not pairs:
        return default
    whens = " ".join(f"WHEN {key} THEN {value}" for key, value in pairs)
    return f"CASE {subject} {whens} ELSE {default} END"


def segment_case_sql(compiled: CompiledPolicy, values: Sequence[str] | None = None) -> str:
    """One CASE giving each row its segment: the first whose condition holds, else the default.

    ``values`` are the SQL of each segment in policy order (the engine passes their
    positions); the quoted segment ids by default.
    """
    segments = compiled.policy.segments
    value = list(values) if values is not None else [quote_literal(s.id) for s in segments]
    # CASE, like WHERE, takes a NULL condition as not matching, as the Python evaluator does.
    whens = " ".join(
        f"WHEN {compiled.segment_conditions[s.id].sql('duckdb')} THEN {value[i]}"
        for i, s in enumerate(segments)
        if not s.default
    )
    default = next(value[i] for i, s in enumerate(segments) if s.default)
    return f"CASE {whens} ELSE {default} END" if whens else default


def arm_case_sql(
    experiment: Experiment,
    *,
    platform: str,
    bucket: str | None = None,
    values: Sequence[str] | None = None,
) -> str:
    """A CASE giving each row its arm of ``experiment`` from its bucket (``arm_bounds``).

    ``bucket`` is an expression already holding the row's bucket (the engine computes
    it once per row); by default the portable bucket of ``account_id``.  ``values``
    are the SQL of each arm in document order; the quoted arm ids by default.
    """
    bounds = arm_bounds(experiment)
    value = list(values) if values is not None else [quote_literal(arm.id) for arm, _ in bounds]
    row_bucket = bucket or bucket_sql(platform, experiment.id, "account_id")
    whens = " ".join(
        f"WHEN {row_bucket} < {end} THEN {value[i]}" for i, (_, end) in enumerate(bounds[:-1])
    )
    return f"CASE {whens} ELSE {value[-1]} END"


def _due_sql(step: Step, day: str) -> str:
    """``step_due`` of the evaluator; lint guarantees ``until >= at`` for repeats."""
    if step.every is None or step.until is None or step.until < step.at:
        return f"{day} = {step.at}"
    if step.every == 1:
        return f"{day} BETWEEN {step.at} AND {step.until}"
    return f"({day} BETWEEN {step.at} AND {step.until} AND ({day} - {step.at}) % {step.every} = 0)"


def _mask_sql(steps: list[Step], day: str) -> str:
    # The first term is cast so the whole sum is BIGINT in every engine (no 32-bit overflow).
    terms = [f"CASE WHEN {_due_sql(s, day)} THEN {1 << i} ELSE 0 END" for i, s in enumerate(steps)]
    terms[0] = f"CAST({terms[0]} AS BIGINT)"
    return " + ".join(terms)


def _layers(compiled: CompiledPolicy, platform: str, p: str) -> Iterator[tuple[str, str]]:
    """(column, expression) in dependency order; each becomes one derived table."""
    policy = compiled.policy
    seg_code = {s.id: i for i, s in enumerate(policy.segments)}
    trt_code = {t: i for i, t in enumerate(policy.treatments)}
    yield f"{p}seg", segment_case_sql(compiled, [str(i) for i in range(len(policy.segments))])
    digests = [
        (seg_code[e.segment], digest_sql(platform, e.id, "account_id")) for e in policy.experiments
    ]
    yield f"{p}dig", case_sql(f"{p}seg", digests)  # at most one experiment per segment
    yield f"{p}bkt", bucket_from_digest_sql(f"{p}dig")
    arm_cases, arm_trt, first = [], [], 0
    for experiment in policy.experiments:
        codes = range(first, first + len(experiment.arms))
        arm_trt += [
            (code, str(trt_code[arm.treatment]))
            for code, arm in zip(codes, experiment.arms, strict=True)
        ]
        case = arm_case_sql(
            experiment, platform=platform, bucket=f"{p}bkt", values=[str(c) for c in codes]
        )
        arm_cases.append((seg_code[experiment.segment], case))
        first += len(experiment.arms)
    yield f"{p}arm", case_sql(f"{p}seg", arm_cases)
    by_segment = [(i, str(trt_code[s.treatment])) for i, s in enumerate(policy.segments)]
    yield f"{p}trt", case_sql(f"{p}arm", arm_trt, case_sql(f"{p}seg", by_segment))
    stops = [(trt_code[t], f"({c.sql('duckdb')})") for t, c in compiled.stop_conditions.items()]
    yield f"{p}stop", f"COALESCE({case_sql(f'{p}trt', stops)}, FALSE)"
    masks = [
        (trt_code[t_id], _mask_sql(t.steps, t.clock.value))
        for t_id, t in policy.treatments.items()
        if t.steps
    ]
    yield f"{p}act", f"CASE WHEN {p}stop THEN 0 ELSE {case_sql(f'{p}trt', masks, '0')} END"
    offer_code = {o: i for i, o in enumerate(policy.offers)}
    offers = [(i, str(offer_code[s.offers])) for i, s in enumerate(policy.segments) if s.offers]
    yield f"{p}off", case_sql(f"{p}seg", offers)


def _check_steps(compiled: CompiledPolicy) -> None:
    for t_id, treatment in compiled.policy.treatments.items():
        if len(treatment.steps) > MAX_STEPS:
            raise ValidationError(
                N_(
                    "treatment %(t_id)s has %(count)s steps; the assignment engine handles "
                    "at most %(max_steps)s (its action mask is 64-bit)"
                ),
                t_id=repr(t_id),
                count=len(treatment.steps),
                max_steps=MAX_STEPS,
            )


def layered_sql(compiled: CompiledPolicy, *, platform: str, relation: str, prefix: str) -> str:
    """``relation`` with the policy's columns ``{prefix}seg``, ``…arm`` etc. added."""
    _check_steps(compiled)
    query = relation
    for depth, (column, expression) in enumerate(_layers(compiled, platform, prefix)):
        query = f"(SELECT *, {expression} AS {column} FROM {query} AS {prefix}l{depth})"
    return query


def assignment_sql(
    compiled: CompiledPolicy, *, platform: str, relation: str = "portfolio", labels: bool = False
) -> str:
    """The SELECT giving :data:`OUTPUT_COLUMNS` per account (DuckDB SQL).

    ``relation`` is a table name or a table function (``read_parquet('f')``).
    With ``labels`` the columns hold ids (strings) instead of integer codes.
    """
    policy = compiled.policy
    book = Codebook.of(compiled, platform=platform)
    inner = layered_sql(compiled, platform=platform, relation=relation, prefix="a_")

    def column(source: str, names: tuple[str, ...] | list[str]) -> str:
        if labels:
            return case_sql(source, [(i, quote_literal(n)) for i, n in enumerate(names)])
        return f"CAST({source} AS {_code_type(len(names))})"

    arms = [arm for _, arm in book.arms]
    selected = [
        "account_id",
        f"{column('a_seg', book.segments)} AS segment",
        f"{column('a_arm', arms)} AS arm",
        f"{column('a_trt', book.treatments)} AS treatment",
        "a_stop AS stopped",
        "a_act AS actions",
        f"{column('a_off', list(policy.offers))} AS offers",
    ]
    return f"SELECT {', '.join(selected)} FROM {inner} AS assigned"


def spark_sql(compiled: CompiledPolicy, *, platform: str, relation: str = "portfolio") -> str:
    """The same statement in Spark SQL, transpiled by sqlglot."""
    import sqlglot

    sql = assignment_sql(compiled, platform=platform, relation=relation)
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


# --- the portfolio's columns ------------------------------------------------------------------

_ACCEPTED = {
    FeatureType.INTEGER: (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
    ),
    FeatureType.BOOLEAN: ("BOOLEAN",),
    FeatureType.STRING: ("VARCHAR",),
}


def _type_fits(kind: FeatureType, sql_type: str) -> bool:
    if kind is FeatureType.DECIMAL:
        # Money and scores are exact: a DOUBLE would compare differently at the boundaries
        # (0.6 is not a double) from the evaluator, which refuses floats too.
        return sql_type.startswith("DECIMAL") or sql_type in _ACCEPTED[FeatureType.INTEGER]
    return sql_type in _ACCEPTED[kind]


def check_portfolio(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    needed: frozenset[str],
    *,
    null_counts: dict[str, int | None],
    where: str,
) -> None:
    """Refuse a portfolio lacking a needed feature, of a wrong type, or with NULLs not allowed."""
    types = {
        row[0].lower(): str(row[1])
        for row in con.sql(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    }
    problems: list[Wording] = []
    account = types.get("account_id")
    if account is None or not (account == "VARCHAR" or account in _ACCEPTED[FeatureType.INTEGER]):
        problems.append(Wording(N_("account_id: missing or not text/integer")))
    for name in sorted(needed):
        feature, sql_type = FEATURES[name], types.get(name)
        if sql_type is None:
            problems.append(Wording(N_("%(name)s: missing"), name=name))
        elif not _type_fits(feature.type, sql_type):
            problems.append(
                Wording(
                    N_("%(name)s: %(sql_type)s is not %(type)s"),
                    name=name,
                    sql_type=sql_type,
                    type=feature.type,
                )
            )
        elif not feature.nullable and _nulls(con, relation, name, null_counts):
            problems.append(Wording(N_("%(name)s: has NULLs but may not"), name=name))
    if problems:
        raise ValidationError(
            N_("portfolio %(where)s cannot be assigned: %(problems)s"),
            where=where,
            problems=Clauses(problems),
        )


def _nulls(
    con: duckdb.DuckDBPyConnection, relation: str, name: str, known: dict[str, int | None]
) -> bool:
    count = known.get(name)
    if count is None:  # no statistics: count them
        row = con.execute(f"SELECT count(*) - count({name}) FROM {relation}").fetchone()
        count = int(row[0]) if row else 0
    return count > 0


def parquet_null_counts(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, int | None]:
    """NULLs per top-level column from the file's statistics (None where a group has none)."""
    rows = con.execute(
        "SELECT lower(path_in_schema), CASE WHEN bool_and(stats_null_count IS NOT NULL) "
        "THEN sum(stats_null_count) END FROM parquet_metadata(?) GROUP BY 1",
        [str(path)],
    ).fetchall()
    return {name: None if n is None else int(n) for name, n in rows}


def table_null_counts(table: pa.Table) -> dict[str, int | None]:
    return {name.lower(): table.column(name).null_count for name in table.column_names}


# --- running it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A portfolio opened on a connection: the SQL relation to read and its NULL counts."""

    relation: str
    null_counts: dict[str, int | None]
    where: str


def open_source(con: duckdb.DuckDBPyConnection, portfolio: Path | pa.Table) -> Source:
    """A Parquet file (read in place, streamed) or an Arrow table (registered, not copied)."""
    if isinstance(portfolio, pa.Table):
        con.register("portfolio_input", portfolio)
        return Source("portfolio_input", table_null_counts(portfolio), "(Arrow table)")
    if not portfolio.is_file():
        raise ValidationError(
            N_("portfolio file %(portfolio)s does not exist"), portfolio=portfolio
        )
    return Source(
        f"read_parquet({quote_literal(str(portfolio))})",
        parquet_null_counts(con, portfolio),
        str(portfolio),
    )


@dataclass(frozen=True)
class AssignmentSummary:
    rows: int
    segments: dict[str, int]  # every segment, in policy order, zero when empty
    arms: dict[str, dict[str, int]]  # experiment -> arm -> accounts
    codebook: Codebook


def assign_to_parquet(
    compiled: CompiledPolicy,
    portfolio: Path | pa.Table,
    out: Path,
    *,
    platform: str,
    as_of: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> AssignmentSummary:
    """Assign every account and write :data:`OUTPUT_COLUMNS` to ``out``: one streaming COPY."""
    con = con or duckdb.connect()
    source = open_source(con, portfolio)
    check_portfolio(
        con, source.relation, compiled.features, null_counts=source.null_counts, where=source.where
    )
    book = Codebook.of(compiled, platform=platform, as_of=as_of)
    query = assignment_sql(compiled, platform=platform, relation=source.relation)
    con.execute(
        f"COPY ({query}) TO {quote_literal(str(out))} "
        f"(FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_SIZE}, "
        f"KV_METADATA {{{quote_literal(CODEBOOK_KEY)}: {quote_literal(book.to_json())}}})"
    )
    return summarise(con, out, book)


def summarise(con: duckdb.DuckDBPyConnection, out: Path, book: Codebook) -> AssignmentSummary:
    """Accounts per segment and per experiment arm, read back from an assignment file."""
    counts = con.execute(
        "SELECT segment, arm, count(*) FROM read_parquet(?) GROUP BY ALL", [str(out)]
    ).fetchall()
    segments = dict.fromkeys(book.segments, 0)
    arms: dict[str, dict[str, int]] = {}
    for experiment, arm in book.arms:
        arms.setdefault(experiment, {})[arm] = 0
    for segment, arm, n in counts:
        segments[book.segments[segment]] += n
        if arm is not None:
            experiment, arm_id = book.arms[arm]
            arms[experiment][arm_id] += n
    return AssignmentSummary(sum(segments.values()), segments, arms, book)


def assign_to_table(
    compiled: CompiledPolicy, portfolio: Path | pa.Table, *, platform: str, labels: bool = False
) -> pa.Table:
    """The assignments in memory (for tests and small portfolios)."""
    con = duckdb.connect()
    source = open_source(con, portfolio)
    check_portfolio(
        con, source.relation, compiled.features, null_counts=source.null_counts, where=source.where
    )
    query = assignment_sql(compiled, platform=platform, relation=source.relation, labels=labels)
    return con.sql(query).to_arrow_table()


def read_codebook(path: Path) -> Codebook:
    rows = duckdb.execute(
        "SELECT value FROM parquet_kv_metadata(?) WHERE key = ?", [str(path), CODEBOOK_KEY]
    ).fetchall()
    if not rows:
        raise ValidationError(
            N_("%(path)s is not an assignment file (no %(codebook_key)s metadata)"),
            path=path,
            codebook_key=CODEBOOK_KEY,
        )
    return Codebook.from_json(bytes(rows[0][0]).decode("utf-8"))
