"""The cycle's stages on DuckDB: features → score → assign → gate → dispatch → KPIs.

Each stage works on temporary tables of one DuckDB connection (Arrow in, Arrow
or plain rows out); nothing here touches the OLTP database, so a failure in any
stage leaves storage as it was.  ``fault`` is called with each stage's name as
the stage starts: tests inject a crash there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import pyarrow as pa

from tideover.batch.assign import Codebook, case_sql, check_portfolio, layered_sql, quote_literal
from tideover.batch.cycle.features import check_accounts, features_sql
from tideover.batch.cycle.gate import (
    HUMAN_CHANNELS,
    GatedAction,
    GateSettings,
    PlannedAction,
    gate_actions,
)
from tideover.batch.cycle.kpis import KpiRow, contact_kpis, portfolio_kpis
from tideover.compliance.ledger import InMemoryLedger
from tideover.policy.document import CompiledPolicy
from tideover.scoring.artefact import Artefact

STAGES = ("features", "score", "assign", "gate", "dispatch", "kpis")
FaultHook = Callable[[str], None]
ProgressFn = Callable[[str, int, int], None]
SCORE_PLACES = Decimal("0.000001")  # the score feature: a probability with 6 places
# Risk of an unscored account when ranking queue work: an even chance, said out loud.
DEFAULT_RISK = Decimal("0.5")


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
    stage("score", lambda: score_accounts(con, artefact))
    stage("assign", lambda: _assign(con, compiled, book, config.platform))
    stage("gate", lambda: _gate(con, compiled, config, inputs.ledger))
    gated: list[GatedAction] = state["gate"]
    offers = {k: [o.value for o in v.options] for k, v in compiled.policy.offers.items()}
    stage("dispatch", lambda: dispatch(gated, config, offers=offers))
    outbox, queue = state["dispatch"]
    if inputs.previous is not None:
        con.register("cycle_previous", inputs.previous)
    stage("kpis", lambda: _kpis(con, gated, config, inputs.previous is not None))
    segments, arms = state["assign"]
    return CycleResult(
        segments=segments,
        arms=arms,
        gated=gated,
        outbox=outbox,
        queue=queue,
        kpis=state["kpis"],
        timings=timings,
        counts=_counts(inputs.accounts.num_rows, gated, outbox, queue, state["kpis"]),
    )


def _features(con: duckdb.DuckDBPyConnection, config: CycleConfig) -> None:
    have = check_accounts(con, "cycle_accounts")
    sql = features_sql(have, relation="cycle_accounts", minor_digits=config.minor_digits)
    con.execute(f"CREATE OR REPLACE TEMP TABLE cycle_features AS {sql}")


def score_accounts(con: duckdb.DuckDBPyConnection, artefact: Artefact | None) -> int:
    if artefact is None:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE cycle_scores "
            "(account_id VARCHAR, score DECIMAL(9,6), band VARCHAR)"
        )
        return 0
    from tideover.scoring.scoring import score_frame  # pandas: only when a model is used

    frame = con.sql("SELECT * FROM cycle_features").df()
    scored = score_frame(artefact, frame, id_column="account_id", top=1)
    table = pa.table(
        {
            "account_id": pa.array(scored["account_id"].astype(str), pa.string()),
            "probability": pa.array(scored["probability"].to_numpy(), pa.float64()),
            "band": pa.array(scored["band"].astype(str), pa.string()),
        }
    )
    con.register("cycle_scored", table)
    # The probability is a model output, not money: rounded to 6 places once, here.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cycle_scores AS SELECT account_id, "
        "CAST(round(probability, 6) AS DECIMAL(9,6)) AS score, band FROM cycle_scored"
    )
    return len(table)


def _assign(
    con: duckdb.DuckDBPyConnection, compiled: CompiledPolicy, book: Codebook, platform: str
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cycle_scored_features AS SELECT f.*, s.score, s.band "
        "FROM cycle_features AS f LEFT JOIN cycle_scores AS s USING (account_id)"
    )
    check_portfolio(
        con, "cycle_scored_features", compiled.features, null_counts={}, where="(daily cycle)"
    )

    def labels(source: str, names: list[str], default: str = "NULL") -> str:
        return case_sql(source, [(i, quote_literal(n)) for i, n in enumerate(names)], default)

    arm_labels = labels("a_arm", [arm for _, arm in book.arms], "''")
    layered = layered_sql(
        compiled, platform=platform, relation="cycle_scored_features", prefix="a_"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cycle_assigned AS SELECT account_id, borrower_id, is_open, "
        "time_zones, dpd, bucket, overdue_minor, balance_minor, score, band, "
        f"{labels('a_seg', list(book.segments))} AS segment, "
        f"{arm_labels} AS arm, "
        f"{labels('a_trt', list(book.treatments))} AS treatment, "
        f"{labels('a_off', list(book.offers))} AS offers, "
        f"a_trt AS treatment_code, a_act AS actions FROM {layered} AS layered"
    )
    segments = dict.fromkeys(book.segments, 0)
    arms: dict[str, dict[str, int]] = {}
    for experiment, arm in book.arms:
        arms.setdefault(experiment, {})[arm] = 0
    experiment_of = {e.segment: e.id for e in compiled.policy.experiments}
    counts = con.execute("SELECT segment, arm, count(*) FROM cycle_assigned GROUP BY ALL")
    for segment, arm, n in counts.fetchall():
        segments[segment] += n
        if arm:
            arms[experiment_of[segment]][arm] += n
    return segments, arms


def _steps_table(compiled: CompiledPolicy) -> pa.Table:
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


def planned_actions(
    con: duckdb.DuckDBPyConnection, compiled: CompiledPolicy
) -> list[PlannedAction]:
    """Open accounts × the steps of their treatment due today (set bits of the action mask)."""
    con.register("cycle_steps", _steps_table(compiled))
    rows = con.execute(
        "SELECT a.account_id, a.borrower_id, a.time_zones, s.step, s.channel, s.template, "
        "s.tone, s.queue, s.priority, a.segment, a.arm, a.treatment, a.offers, a.dpd, "
        "a.bucket, a.overdue_minor, a.balance_minor, a.score, a.band "
        "FROM cycle_assigned AS a JOIN cycle_steps AS s ON a.treatment_code = s.treatment_code "
        "WHERE a.is_open AND (a.actions >> s.step_index) & 1 = 1 "
        "ORDER BY a.account_id, s.step_index"
    ).fetchall()
    names = [d[0] for d in con.description or ()]
    actions = []
    for values in rows:
        r = dict(zip(names, values, strict=True))
        zones = tuple(z for z in str(r.pop("time_zones")).split(",") if z)
        actions.append(PlannedAction(time_zones=zones, **r))
    return actions


def _gate(
    con: duckdb.DuckDBPyConnection,
    compiled: CompiledPolicy,
    config: CycleConfig,
    ledger: InMemoryLedger,
) -> list[GatedAction]:
    actions = planned_actions(con, compiled)
    return gate_actions(actions, as_of=config.as_of, ledger=ledger, settings=config.gate)


def queue_priority(action: PlannedAction) -> int:
    """Expected amount at stake × urgency: balance × risk × the step's priority / 100.

    Risk is the score (probability of rolling), ``DEFAULT_RISK`` when unscored;
    rounded half-up to a whole minor unit, so ties are rare and the order exact.
    """
    risk = action.score if action.score is not None else DEFAULT_RISK
    urgency = Decimal(action.priority or 0) / 100
    value = Decimal(action.balance_minor) * risk * urgency
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def dispatch(
    gated: list[GatedAction], config: CycleConfig, *, offers: Mapping[str, list[str]] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Outbox rows (automatic channels) and queue item rows (human work), without run ids."""
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
    con: duckdb.DuckDBPyConnection, gated: list[GatedAction], config: CycleConfig, previous: bool
) -> list[KpiRow]:
    rows = portfolio_kpis(
        con,
        assigned="cycle_assigned",
        previous="cycle_previous" if previous else None,
        labels=config.bucket_labels,
        currency=config.currency,
    )
    return rows + contact_kpis(gated, costs_minor=config.costs_minor, currency=config.currency)


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
