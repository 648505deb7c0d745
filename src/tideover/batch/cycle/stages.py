"""The cycle's stages on DuckDB: features → score → assign → gate → dispatch → KPIs.

Each stage works on temporary tables of one DuckDB connection (Arrow in, Arrow
or plain rows out); nothing here touches the OLTP database, so a failure in any
stage leaves storage as it was.  ``fault`` is called with each stage's name as
the stage starts: tests inject a crash there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date
from decimal import Decimal
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from tideover.batch.assign import Codebook, case_sql, check_portfolio, layered_sql
from tideover.batch.cycle.features import check_accounts, features_sql
from tideover.batch.cycle.gate import (
    HUMAN_CHANNELS,
    GatedAction,
    GateSettings,
    PlannedAction,
)
from tideover.batch.cycle.gate_batch import gate_actions_batch
from tideover.batch.cycle.kpis import KpiRow, contact_kpis, outcome_kpis, portfolio_kpis
from tideover.compliance.jurisdictions import item_jurisdiction
from tideover.compliance.ledger import InMemoryLedger
from tideover.policy.document import CompiledPolicy
from tideover.policy.sql_text import quote_literal
from tideover.queues.priority import queue_priority
from tideover.scoring.artefact import Artefact

STAGES = ("features", "score", "assign", "gate", "dispatch", "kpis")
FaultHook = Callable[[str], None]
ProgressFn = Callable[[str, int, int], None]


def _ignore(*_args: object) -> None:
    return None


@dataclass(frozen=True)
class CycleConfig:
    platform: str
    as_of: date
    currency: str
    minor_digits: int
    bucket_labels: tuple[str, ...]
    gate: GateSettings
    costs_minor: Mapping[str, int] = field(default_factory=dict)  # policy channel -> cost


@dataclass(frozen=True)
class CycleInputs:
    """The accounts (see ``ACCOUNT_COLUMNS``) and, for rolls, the previous date's buckets."""

    accounts: pa.Table
    previous: pa.Table | None = None  # account_id, bucket, balance_minor
    ledger: InMemoryLedger = field(default_factory=InMemoryLedger)
    outcomes: pa.Table | None = None  # kpis.OUTCOME_SCHEMA: recovery, promises, plans, contacts
    challengers: tuple[Artefact, ...] = ()  # shadow-scored beside the champion, never used


@dataclass
class CycleResult:
    segments: dict[str, int]
    arms: dict[str, dict[str, int]]
    gated: list[GatedAction]
    outbox: list[dict[str, Any]]
    queue: list[dict[str, Any]]
    kpis: list[KpiRow]
    timings: dict[str, float]
    counts: dict[str, int]
    scores: pa.Table | None = None  # shadow.SCORES_SCHEMA: every model's scores; None unscored


def run_stages(
    compiled: CompiledPolicy,
    artefact: Artefact | None,
    inputs: CycleInputs,
    config: CycleConfig,
    *,
    progress: ProgressFn = _ignore,
    fault: FaultHook = _ignore,
    con: duckdb.DuckDBPyConnection | None = None,
) -> CycleResult:
    """Every stage after delinquency, timed; ``progress`` hears each stage start and end."""
    con = con or duckdb.connect()
    timings: dict[str, float] = {}
    book = Codebook.of(compiled, platform=config.platform)
    state: dict[str, Any] = {}

    def stage(name: str, work: Callable[[], Any]) -> None:
        progress(name, 0, 1)
        started = time.perf_counter()
        fault(name)
        state[name] = work()
        timings[name] = round(time.perf_counter() - started, 4)
        progress(name, 1, 1)

    con.register("cycle_accounts", inputs.accounts)
    stage("features", lambda: _features(con, config))
    stage("score", lambda: score_accounts(con, artefact, inputs.challengers))
    stage("assign", lambda: _assign(con, compiled, book, config.platform))
    stage("gate", lambda: _gate(con, compiled, config, inputs.ledger))
    gated: list[GatedAction] = state["gate"]
    offers = {k: [o.value for o in v.options] for k, v in compiled.policy.offers.items()}
    stage(
        "dispatch",
        lambda: dispatch(
            gated, config, offers=offers, regions=account_regions(inputs.accounts, gated)
        ),
    )
    if inputs.previous is not None:
        con.register("cycle_previous", inputs.previous)
    if inputs.outcomes is not None:
        con.register("cycle_outcomes", inputs.outcomes)
    has_outcomes = inputs.outcomes is not None
    stage("kpis", lambda: _kpis(con, gated, config, inputs.previous is not None, has_outcomes))
    return collect_result(state, inputs.accounts.num_rows, timings)


def collect_result(
    state: Mapping[str, Any], accounts: int, timings: dict[str, float]
) -> CycleResult:
    """What either engine's stages left in ``state``, as the cycle's result."""
    gated: list[GatedAction] = state["gate"]
    outbox, queue = state["dispatch"]
    segments, arms = state["assign"]
    return CycleResult(
        segments=segments,
        arms=arms,
        gated=gated,
        outbox=outbox,
        queue=queue,
        kpis=kpis_in_order(state["kpis"]),
        timings=timings,
        counts=_counts(accounts, gated, outbox, queue, state["kpis"]),
        scores=state["score"],
    )


def _features(con: duckdb.DuckDBPyConnection, config: CycleConfig) -> None:
    have = check_accounts(con, "cycle_accounts")
    sql = features_sql(have, relation="cycle_accounts", minor_digits=config.minor_digits)
    con.execute(f"CREATE OR REPLACE TEMP TABLE cycle_features AS {sql}")


def score_accounts(
    con: duckdb.DuckDBPyConnection,
    artefact: Artefact | None,
    challengers: Sequence[Artefact] = (),
) -> pa.Table | None:
    """``cycle_scores``: the champion's score (probability, 6 places) and band per account.

    ``challengers`` are shadow-scored on the same ``cycle_features``: their rows are
    returned with the champion's (``shadow.SCORES_SCHEMA``) and never reach
    ``cycle_scores``, so they cannot change a segment, an action or a queue.
    Without a champion ``cycle_scores`` is empty (score and band NULL) and the
    result is None.
    """
    if artefact is None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE cycle_scores "
            "(account_id VARCHAR, score DECIMAL(9,6), band VARCHAR)"
        )
        return None
    from tideover.batch.cycle.shadow import CHAMPION, score_models  # pandas: with a model only

    scores = score_models(con.table("cycle_features"), artefact, challengers, con=con)
    con.register("cycle_model_scores", scores)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cycle_scores AS SELECT account_id, "
        f"probability AS score, band FROM cycle_model_scores WHERE role = '{CHAMPION}'"
    )
    return scores


# The features with today's scores: the relation the compiled policy reads.
SCORED_FEATURES_SQL = (
    "SELECT f.*, s.score, s.band "
    "FROM cycle_features AS f LEFT JOIN cycle_scores AS s USING (account_id)"
)


def _assign(
    con: duckdb.DuckDBPyConnection, compiled: CompiledPolicy, book: Codebook, platform: str
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    con.execute(f"CREATE OR REPLACE TEMP VIEW cycle_scored_features AS {SCORED_FEATURES_SQL}")
    check_portfolio(
        con, "cycle_scored_features", compiled.features, null_counts={}, where="(daily cycle)"
    )
    sql = assigned_sql(compiled, book, platform, relation="cycle_scored_features")
    con.execute(f"CREATE OR REPLACE TEMP TABLE cycle_assigned AS {sql}")
    counts = con.execute("SELECT segment, arm, count(*) FROM cycle_assigned GROUP BY ALL")
    return tally(counts.fetchall(), compiled, book)


def assigned_sql(compiled: CompiledPolicy, book: Codebook, platform: str, *, relation: str) -> str:
    """Per account: what later stages carry, segment, arm, treatment, offers and action mask.

    DuckDB SQL from :func:`tideover.batch.assign.layered_sql`; the Spark engine
    transpiles this very statement.
    """

    def labels(source: str, names: list[str], default: str = "NULL") -> str:
        return case_sql(source, [(i, quote_literal(n)) for i, n in enumerate(names)], default)

    arm_labels = labels("a_arm", [arm for _, arm in book.arms], "''")
    layered = layered_sql(compiled, platform=platform, relation=relation, prefix="a_")
    return (
        "SELECT account_id, borrower_id, is_open, "
        "time_zones, dpd, bucket, overdue_minor, balance_minor, score, band, "
        f"{labels('a_seg', list(book.segments))} AS segment, "
        f"{arm_labels} AS arm, "
        f"{labels('a_trt', list(book.treatments))} AS treatment, "
        f"{labels('a_off', list(book.offers))} AS offers, "
        f"a_trt AS treatment_code, a_act AS actions FROM {layered} AS layered"
    )


def tally(
    counts: Iterable[Sequence[Any]], compiled: CompiledPolicy, book: Codebook
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Accounts per segment (every segment, zero when empty) and per experiment arm."""
    segments = dict.fromkeys(book.segments, 0)
    arms: dict[str, dict[str, int]] = {}
    for experiment, arm in book.arms:
        arms.setdefault(experiment, {})[arm] = 0
    experiment_of = {e.segment: e.id for e in compiled.policy.experiments}
    for segment, arm, n in counts:
        segments[segment] += n
        if arm:
            arms[experiment_of[segment]][arm] += n
    return segments, arms


def steps_table(compiled: CompiledPolicy) -> pa.Table:
    rows: list[dict[str, Any]] = []
    for code, (t_id, treatment) in enumerate(compiled.policy.treatments.items()):
        for index, step in enumerate(treatment.steps):
            rows.append(
                {
                    "treatment_code": code,
                    "step_index": index,
                    "step": f"{t_id}#{index}",
                    "channel": step.channel.value,
                    "template": step.template,
                    "tone": step.tone.value,
                    "queue": step.queue,
                    "priority": step.priority,
                }
            )
    schema = pa.schema(
        [
            ("treatment_code", pa.int32()),
            ("step_index", pa.int32()),
            ("step", pa.string()),
            ("channel", pa.string()),
            ("template", pa.string()),
            ("tone", pa.string()),
            ("queue", pa.string()),
            ("priority", pa.int32()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


# Open accounts × the steps of their treatment due today (set bits of the action mask),
# in a total order: the gate's ledger counts allowed contacts in this order.
PLANNED_SQL = (
    "SELECT a.account_id, a.borrower_id, a.time_zones, s.step, s.channel, s.template, "
    "s.tone, s.queue, s.priority, a.segment, a.arm, a.treatment, a.offers, a.dpd, "
    "a.bucket, a.overdue_minor, a.balance_minor, a.score, a.band "
    "FROM cycle_assigned AS a JOIN cycle_steps AS s ON a.treatment_code = s.treatment_code "
    "WHERE a.is_open AND (a.actions >> s.step_index) & 1 = 1 "
    "ORDER BY a.account_id, s.step_index"
)


def planned_actions(
    con: duckdb.DuckDBPyConnection, compiled: CompiledPolicy
) -> list[PlannedAction]:
    """The day's planned actions (``PLANNED_SQL``) as gate inputs."""
    con.register("cycle_steps", steps_table(compiled))
    rows = con.execute(PLANNED_SQL).fetchall()
    return actions_from_rows([d[0] for d in con.description or ()], rows)


def actions_from_rows(names: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[PlannedAction]:
    """One ``PlannedAction`` per row of the columns ``names`` (``time_zones`` as text).

    A hundred thousand actions a day at 10M accounts: each is made by filling a new
    instance's dict (the frozen dataclass's __init__ sets its twenty fields one
    ``object.__setattr__`` at a time, most of this function's time), the zones split
    once per distinct text.  Columns that are not exactly the fields go through the
    constructor, which names what is wrong.
    """
    fields = _PLANNED_FIELDS
    missing = fields - set(names) - {"time_barred"}
    if missing or not set(names) <= fields:
        return [_planned(dict(zip(names, values, strict=True))) for values in rows]
    at = list(names).index("time_zones")
    zones: dict[str, tuple[str, ...]] = {}
    new = object.__new__
    actions = []
    for values in rows:
        row = list(values)
        text = row[at]
        split = zones.get(text)
        if split is None:
            split = zones[text] = tuple(z for z in str(text).split(",") if z)
        row[at] = split
        action = new(PlannedAction)
        state = action.__dict__
        state["time_barred"] = False
        state.update(zip(names, row, strict=True))
        actions.append(action)
    return actions


_PLANNED_FIELDS = frozenset(f.name for f in dataclass_fields(PlannedAction))


def _planned(row: dict[str, Any]) -> PlannedAction:
    zones = tuple(z for z in str(row.pop("time_zones")).split(",") if z)
    return PlannedAction(time_zones=zones, **row)


def _gate(
    con: duckdb.DuckDBPyConnection,
    compiled: CompiledPolicy,
    config: CycleConfig,
    ledger: InMemoryLedger,
) -> list[GatedAction]:
    actions = planned_actions(con, compiled)
    return gate_actions_batch(actions, as_of=config.as_of, ledger=ledger, settings=config.gate)


def account_regions(accounts: pa.Table, gated: list[GatedAction]) -> dict[str, str | None]:
    """The borrower's region (``region`` column) of each account with human work today."""
    if "region" not in accounts.column_names:
        return {}
    human = sorted({g.action.account_id for g in gated if g.action.channel in HUMAN_CHANNELS})
    if not human:
        return {}
    mask = pc.is_in(accounts["account_id"], value_set=pa.array(human, pa.string()))
    picked = accounts.filter(mask)
    regions = picked["region"].to_pylist()
    return {
        account: None if region is None else str(region)
        for account, region in zip(picked["account_id"].to_pylist(), regions, strict=True)
    }


def dispatch(
    gated: list[GatedAction],
    config: CycleConfig,
    *,
    offers: Mapping[str, list[str]] | None = None,
    regions: Mapping[str, str | None] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Outbox rows (automatic channels) and queue item rows (human work), without run ids.

    A queue item's ``priority`` is :func:`tideover.queues.priority.queue_priority` of
    its action; its ``jurisdiction`` (who may work it) comes from its borrower's
    region (``regions`` by account id) under the packs the gate used
    (``tideover.compliance.jurisdictions``).
    """
    pack_codes = [pack.code for pack in config.gate.packs]
    outbox: list[dict[str, Any]] = []
    queue: list[dict[str, Any]] = []
    for g in gated:
        a = g.action
        row: dict[str, Any] = {
            "account_id": a.account_id,
            "borrower_id": a.borrower_id,
            "step": a.step,
            "channel": a.channel,
            "template": a.template,
            "tone": a.tone,
            "segment": a.segment,
            "arm": a.arm,
            "treatment": a.treatment,
            "rescheduled": g.state == "rescheduled",
            "rule_ids": list(g.rule_ids),
        }
        if a.channel not in HUMAN_CHANNELS:
            state = "dropped" if g.state == "dropped" else "pending"
            outbox.append({**row, "scheduled_at": g.at, "state": state})
            continue
        queue.append(
            {
                **row,
                "queue": a.queue or a.treatment,
                "priority": queue_priority(a),
                "due_at": g.at,
                "state": "dropped" if g.state == "dropped" else "open",
                "assigned_to": None,
                "jurisdiction": item_jurisdiction((regions or {}).get(a.account_id), pack_codes),
                "offers": list((offers or {}).get(a.offers or "", [])),
                "summary": _summary(a, config),
            }
        )
    return outbox, queue


def _summary(a: PlannedAction, config: CycleConfig) -> dict[str, Any]:
    """What a collector sees first; amounts as exact decimal text in major units."""
    unit = Decimal(1).scaleb(-config.minor_digits)
    return {
        "dpd": a.dpd,
        "bucket": a.bucket,
        "overdue": str(Decimal(a.overdue_minor) * unit),
        "balance": str(Decimal(a.balance_minor) * unit),
        "currency": config.currency,
        "score": None if a.score is None else str(a.score),
        "band": a.band,
        "segment": a.segment,
        "offers_id": a.offers,
    }


def _kpis(
    con: duckdb.DuckDBPyConnection,
    gated: list[GatedAction],
    config: CycleConfig,
    previous: bool,
    outcomes: bool = False,
) -> list[KpiRow]:
    rows = portfolio_kpis(
        con,
        assigned="cycle_assigned",
        previous="cycle_previous" if previous else None,
        labels=config.bucket_labels,
        currency=config.currency,
    )
    if outcomes:
        rows += outcome_kpis(
            con, assigned="cycle_assigned", outcomes="cycle_outcomes", currency=config.currency
        )
    return rows + contact_kpis(gated, costs_minor=config.costs_minor, currency=config.currency)


def kpis_in_order(rows: list[KpiRow]) -> list[KpiRow]:
    """The KPI rows in one order (segment, arm, metric, key): SQL grouping promises none,
    and both engines must give the same list."""
    fields = ("segment", "arm", "metric", "key")
    return sorted(rows, key=lambda r: tuple("" if r[f] is None else str(r[f]) for f in fields))


def _counts(
    accounts: int,
    gated: list[GatedAction],
    outbox: list[dict[str, Any]],
    queue: list[dict[str, Any]],
    kpis: list[KpiRow],
) -> dict[str, int]:
    states = [g.state for g in gated]
    return {
        "accounts": accounts,
        "actions": len(gated),
        "allowed": states.count("allowed"),
        "rescheduled": states.count("rescheduled"),
        "dropped": states.count("dropped"),
        "outbox": sum(1 for r in outbox if r["state"] == "pending"),
        "queue_items": sum(1 for r in queue if r["state"] == "open"),
        "kpi_rows": len(kpis),
    }
