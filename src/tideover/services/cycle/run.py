"""Use case: the daily cycle of one platform and business date, and its KPI report.

Crash safety comes from the shape of the run: a small transaction records the
run as ``running``; every stage then computes in memory (the DuckDB stages
never touch the database); one final transaction replaces the date's bucket
history, outbox, queue items and KPI snapshot, marks the run completed and
appends it to the audit trail.  A crash (or kill) anywhere before that commit
leaves the previous complete state as it was; a rerun replaces the date.
This is the one use case that commits more than once (see ``run_cycle``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import JsonValue

from tideover.adapters.database import connection_lost
from tideover.adapters.db_errors import database_error
from tideover.batch.cycle import CycleConfig, GateSettings, run_stages
from tideover.batch.cycle.stages import CycleResult
from tideover.compliance.contacts import ActorRole
from tideover.compliance.gate import compile_pack
from tideover.compliance.lint import check_jurisdiction, platform_pack_codes
from tideover.compliance.overrides import effective_pack
from tideover.compliance.rules import Pack
from tideover.domain.clock import Clock, business_date
from tideover.domain.errors import Conflict, TideoverError, ValidationError
from tideover.domain.money import Money
from tideover.domain.platforms import PlatformSettings
from tideover.domain.redact import scrub
from tideover.i18n import N_
from tideover.policy.document import CompiledPolicy, load_policy
from tideover.services.common import ProgressFn, no_progress
from tideover.services.compliance.checks import ledger_horizon
from tideover.services.cycle.flags import load_flags, with_flags
from tideover.services.cycle.ingest import ingest_inbox
from tideover.services.cycle.inputs import load_cycle_inputs as load_cycle_inputs
from tideover.services.cycle.outcomes import outcome_figures
from tideover.services.cycle.results import (
    CycleSummary,
    CycleVersions,
    InboxIngest,
    KpiFigure,
    KpiReport,
    ModelComparison,
)
from tideover.services.platforms import settings_of
from tideover.services.scoring.registry import challenger_models, champion_model
from tideover.services.unit_of_work import UnitOfWork

# Engines of the stages: the embedded default first; Spark is the optional extra.
ENGINES = ("duckdb", "spark")
# Illustrative costs per action in major units of the platform's currency, to be
# replaced by each platform's own (``--cost CHANNEL=AMOUNT``).
DEFAULT_COSTS: dict[str, Decimal] = {
    "sms": Decimal("0.05"),
    "email": Decimal("0.01"),
    "app_push": Decimal("0.00"),
    "letter": Decimal("1.50"),
    "robot_call": Decimal("0.10"),
    "human_call": Decimal("2.00"),
    "field_visit": Decimal("30.00"),
    "legal_referral": Decimal("200.00"),
}
CYCLE_AUDIT = "cycle_run"
FaultHook = Callable[[str], None]


def _no_fault(_stage: str) -> None:
    return None


@dataclass(frozen=True)
class PolicyChoice:
    """The policy a run applies and how it is named in the run's versions."""

    compiled: CompiledPolicy
    file: str | None  # a policy file, or
    version: int | None  # the platform's stored version in force
    sha256: str


class DroppedAction(TypedDict):
    account_id: str
    step: str
    rule_ids: list[str]


class CycleAuditEntry(TypedDict):
    """What the audit trail keeps of a completed run."""

    platform: str
    as_of: str
    run_id: int
    versions: dict[str, JsonValue]
    counts: dict[str, int]
    denied_by_rule: dict[str, int]
    dropped: list[DroppedAction]


def run_cycle(
    *,
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    clock: Clock,
    policy_file: Path | None = None,
    model_registry: Path | None = None,
    costs: Mapping[str, Decimal] | None = None,
    actor: ActorRole = ActorRole.CREDITOR,
    send_times: Mapping[str, clock_time] | None = None,
    progress: ProgressFn = no_progress,
    fault: FaultHook = _no_fault,
    engine: str = "duckdb",
    inbox: Path | None = None,
    scores_dir: Path | None = None,
    catch_up_by: str | None = None,
) -> CycleSummary:
    """Run every stage for ``platform`` on ``as_of``; replace that date's results; a summary.

    The policy is the platform's active, approved version, under the platform's own
    rule packs (its jurisdiction's, and any further pack the policy names); a policy
    written for another jurisdiction is refused.  ``policy_file`` makes the run a
    *what-if*: every stage is computed and the summary returned, but nothing is
    written, not even a run record (``summary.what_if``).  A date after the platform's
    business date is refused unless ``catch_up_by`` names the user who allows it (the
    audit trail keeps who and why); one run per platform and date at a time (another
    is refused at once, see ``adapters.locks``).  The model is the platform's champion
    in ``model_registry`` (no registry: no score, ``score`` and ``band`` are NULL).
    ``engine`` runs the stages on DuckDB or on Spark (``tideover[spark]``): same policy
    SQL, same results.  ``inbox``: a folder whose borrowers/loans/payments files are
    imported first (``services.cycle.ingest``).
    The registry's challengers are shadow-scored beside the champion (never used by
    the policy); with ``scores_dir`` every model's scores go, once the run has
    committed, to ``<scores_dir>/<platform>/<as_of>.parquet`` (``batch.cycle.shadow``).

    Unlike every other use case this one commits more than once, on purpose.  The
    run record is written and committed first, as ``running``, so that a run that
    crashes, is killed or loses its database leaves a visible record of itself (marked
    ``failed`` when the database can still be reached, else left ``running``) instead
    of nothing.  The inbox's files are then imported each in its own transaction (the
    import use case's).  Every result of the stages (bucket history, outbox, queue
    items, KPI snapshot, the run marked ``completed`` and its audit record) is
    committed in one final transaction, so a failure before it leaves the date's
    previous results whole.
    """
    run_stages_on = _engine(engine)  # refused before anything is read or written
    check_run_date(as_of)
    if inbox is not None and not inbox.is_dir():
        raise ValidationError(
            N_(
                "the inbox %(inbox)s is not a folder (missing, or a file): the day's "
                "files would be skipped"
            ),
            inbox=inbox,
        )
    what_if = policy_file is not None
    label = f"the daily cycle of {platform} for {as_of.isoformat()}"
    with uow.exclusive(f"cycle:{platform}:{as_of.isoformat()}", label=label):
        return _run(
            uow=uow,
            platform=platform,
            as_of=as_of,
            clock=clock,
            policy_file=policy_file,
            model_registry=model_registry,
            costs=costs,
            actor=actor,
            send_times=send_times,
            progress=progress,
            fault=fault,
            engine=engine,
            inbox=None if what_if else inbox,
            scores_dir=None if what_if else scores_dir,
            catch_up_by=catch_up_by,
            run_stages_on=run_stages_on,
        )


def check_run_date(as_of: date) -> None:
    """A business date the calendars know: 1990 to 2199 (beyond is a typing slip)."""
    if not date(1990, 1, 1) <= as_of <= date(2199, 12, 31):
        raise ValidationError(
            N_("%(as_of)s is not a plausible business date (1990 to 2199)"),
            as_of=as_of.isoformat(),
        )


def _run(
    *,
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    clock: Clock,
    policy_file: Path | None,
    model_registry: Path | None,
    costs: Mapping[str, Decimal] | None,
    actor: ActorRole,
    send_times: Mapping[str, clock_time] | None,
    progress: ProgressFn,
    fault: FaultHook,
    engine: str,
    inbox: Path | None,
    scores_dir: Path | None,
    catch_up_by: str | None,
    run_stages_on: Callable[..., CycleResult],
) -> CycleSummary:
    what_if = policy_file is not None
    choice = _policy(uow, platform, as_of, policy_file)
    artefact, model_version = champion_model(model_registry, platform)
    challengers = challenger_models(model_registry, platform)
    from tideover.batch.cycle.shadow import StagedScores, compare_models, scores_path

    staged: StagedScores | None = None
    with uow:
        platform_settings = settings_of(uow, platform)
        # Holds not ended by the start of the business day (the platform's midnight);
        # the gate then compares each hold's own start and end with the planned time.
        day_start = datetime.combine(as_of, clock_time.min, ZoneInfo(platform_settings.time_zone))
        holds = uow.holds(platform).gate_holds(at=day_start)
    overrides = platform_settings.rule_overrides
    jurisdiction = platform_settings.home_jurisdiction
    check_jurisdiction(jurisdiction, choice.compiled.policy)
    codes = platform_pack_codes(jurisdiction, choice.compiled.policy)
    packs = [effective_pack(code, overrides) for code in codes]
    versions = CycleVersions(
        policy=choice.compiled.policy.policy,
        policy_file=choice.file,
        policy_version=choice.version,
        policy_sha256=choice.sha256,
        model=model_version,
        challengers=[c.version for c in challengers],
        rule_packs={p.code: p.version for p in packs},
    )
    with uow:
        settings = settings_of(uow, platform)
        _refuse_past_date(uow, platform, as_of)
        _refuse_future_date(uow, platform, as_of, clock, catch_up_by)
        run_id = 0
        if not what_if:
            run_id = uow.cycle(platform).start_run(as_of, engine=engine, at=clock.now())
            uow.commit()
    timings: dict[str, float] = {}
    try:
        ingested = InboxIngest()
        if inbox is not None:
            progress("ingest", 0, 1)
            started = time.perf_counter()
            fault("ingest")
            ingested = ingest_inbox(uow=uow, platform=platform, inbox=inbox, as_of=as_of)
            timings["ingest"] = round(time.perf_counter() - started, 4)
            progress("ingest", 1, 1)
        progress("delinquency", 0, 1)
        started = time.perf_counter()
        fault("delinquency")
        loaded = load_cycle_inputs(uow, platform, as_of, settings, packs_horizon=_horizon(packs))
        flags = load_flags(uow, platform, as_of, settings.time_zone)
        zone = settings.time_zone
        accounts = with_flags(loaded.inputs.accounts, flags, as_of=as_of, time_zone=zone)
        loaded = replace(loaded, inputs=replace(loaded.inputs, accounts=accounts))
        since = _previous_run_date(uow, platform, as_of)
        outcomes = outcome_figures(  # recovery, promises, …
            uow, platform, as_of, since=since, start_of_day=loaded.book.start_of_day
        )
        loaded = replace(loaded, inputs=replace(loaded.inputs, outcomes=outcomes))
        timings["delinquency"] = round(time.perf_counter() - started, 4)
        progress("delinquency", 1, 1)
        config = CycleConfig(
            platform=platform,
            as_of=as_of,
            currency=settings.currency.code,
            minor_digits=settings.currency.minor_digits,
            bucket_labels=settings.buckets.labels,
            gate=GateSettings(
                tuple(compile_pack(p) for p in packs),
                actor=actor,
                send_times=send_times or {},
                holds=holds,
            ),
            costs_minor=_costs_minor(costs or DEFAULT_COSTS, settings),
        )
        loaded = replace(loaded, inputs=replace(loaded.inputs, challengers=tuple(challengers)))
        result = run_stages_on(
            choice.compiled, artefact, loaded.inputs, config, progress=progress, fault=fault
        )
        timings.update(result.timings)
        add_score_reasons(result.queue, result.scores)
        if result.scores is not None:  # each challenger against the champion
            shadow = [ModelComparison.of(c) for c in compare_models(result.scores)]
            versions = versions.model_copy(update={"shadow": shadow})
        else:  # no model, so no challenger was scored either
            versions = versions.model_copy(update={"challengers": []})
        result.counts.update(ingested.counts)
        if what_if:
            summary = _summary(platform, as_of, run_id, versions, timings, result, engine)
            return summary.model_copy(update={"what_if": True})
        progress("write", 0, 1)
        started = time.perf_counter()
        with uow:
            fault("write")
            _write(uow, platform, as_of, run_id, loaded.book.snapshot(), result)
            if scores_dir is not None and result.scores is not None:
                final = scores_path(scores_dir, platform, as_of)
                staged = StagedScores.write(result.scores, final, run_id=run_id)
            timings["write"] = round(time.perf_counter() - started, 4)
            summary = _summary(platform, as_of, run_id, versions, timings, result, engine)
            uow.cycle(platform).finish_run(
                run_id,
                status="completed",
                at=clock.now(),
                stages=timings,
                counts=result.counts,
                versions=versions.recorded(),
            )
            uow.audit(platform).append(CYCLE_AUDIT, _audit(summary, result), at=clock.now())
            fault("commit")  # everything written, nothing committed yet
            uow.commit()
        progress("write", 1, 1)
    except BaseException as exc:
        if staged is not None:
            staged.discard()  # the date's previous file stays as it was
        if not what_if:
            _mark_failed(uow, platform, run_id, clock, timings, versions, exc)
        lost = connection_lost(exc)
        if lost is not None:
            raise lost from exc
        raise
    scores_file = None if staged is None else str(staged.publish())
    return summary.model_copy(update={"scores_file": scores_file})


def _policy(uow: UnitOfWork, platform: str, as_of: date, path: Path | None) -> PolicyChoice:
    if path is not None:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return PolicyChoice(load_policy(path), file=str(path), version=None, sha256=digest)
    from tideover.services.policy.versions import active_policy

    compiled, version = active_policy(uow=uow, platform=platform, as_of=as_of)
    return PolicyChoice(compiled, file=None, version=version.version, sha256=version.sha256)


def add_score_reasons(queue: list[dict[str, Any]], scores: pa.Table | None) -> None:
    """The champion's top reason on each queue item's summary, for the collector.

    ``reason``: the reason code (``R-<FEATURE>``, ``tideover.scoring.reasons``) and
    the feature it names in en and zh; None without a model or a reason.
    """
    from tideover.batch.cycle.shadow import CHAMPION
    from tideover.policy.features import FEATURES
    from tideover.scoring.reasons import code_for

    named = {code_for(name): feature for name, feature in FEATURES.items()}
    codes: dict[str, str | None] = {}
    if scores is not None and queue:
        wanted = {item["account_id"] for item in queue}
        for row in (
            scores.filter(pc.equal(scores["role"], CHAMPION))
            .select(["account_id", "reason_code"])
            .to_pylist()
        ):
            if row["account_id"] in wanted:
                codes[row["account_id"]] = row["reason_code"]
    for item in queue:
        code = codes.get(item["account_id"])
        feature = named.get(code) if code else None
        item["summary"] = {
            **item["summary"],
            "reason": None
            if code is None
            else {
                "code": code,
                "en": feature.en if feature else code,
                "zh": feature.zh if feature else code,
            },
        }


def _engine(name: str) -> Callable[..., CycleResult]:
    """The stages of engine ``name``; Spark only when PySpark and Java are there."""
    if name == "duckdb":
        return run_stages
    if name == "spark":
        from tideover.batch.cycle.spark import require_spark, run_stages_spark

        require_spark()
        return run_stages_spark
    raise ValidationError(
        N_("unknown engine %(name)s; use one of %(engines)s"),
        name=repr(name),
        engines=tuple(ENGINES),
    )


def _previous_run_date(uow: UnitOfWork, platform: str, as_of: date) -> date | None:
    """The business date of the last completed run before ``as_of`` (the outcome window)."""
    with uow:
        return uow.cycle(platform).last_completed_date(before=as_of)


def _refuse_past_date(uow: UnitOfWork, platform: str, as_of: date) -> None:
    last = uow.cycle(platform).last_completed_date()
    if last is not None and as_of < last:
        raise Conflict(
            N_(
                "platform %(platform)s: %(as_of)s is before the last completed cycle "
                "(%(last)s); rerun that date or a later one"
            ),
            platform=repr(platform),
            as_of=as_of.isoformat(),
            last=last.isoformat(),
        )


def _refuse_future_date(
    uow: UnitOfWork, platform: str, as_of: date, clock: Clock, catch_up_by: str | None
) -> None:
    """A date after the platform's business date runs only when a user says so (audited):
    once run, it would make every real date "before the last run" and be refused."""
    today = business_date(clock, settings_of(uow, platform).time_zone)
    if as_of <= today:
        return
    if catch_up_by is None:
        raise ValidationError(
            N_(
                "platform %(platform)s: %(as_of)s is after its business date "
                "(%(today)s); a future date runs only with an explicit catch-up "
                "(--catch-up-by USER), which the audit trail records"
            ),
            platform=repr(platform),
            as_of=as_of.isoformat(),
            today=today.isoformat(),
        )
    from tideover.services.identity.users import resolve_actor

    actor = resolve_actor(uow, platform, catch_up_by)
    uow.audit(platform).append(
        "cycle_future_date",
        {"as_of": as_of.isoformat(), "business_date": today.isoformat(), "by": actor.username},
        at=clock.now(),
    )


def _stored_error(exc: BaseException) -> str:
    """What a failed run's record keeps of its error: coded, short, no personal data and no
    SQL or parameters (a driver error is reworded first)."""
    if isinstance(exc, TideoverError):
        text = f"[{exc.code}] {exc.en}"
    else:
        wrapped = database_error(exc)
        text = (
            f"[{wrapped.code}] {wrapped.en}"
            if wrapped is not None
            else f"{type(exc).__name__}: {exc}"
        )
    return scrub(text)[:2000]


def _horizon(packs: list[Pack]) -> timedelta:
    """How far back the ledger is read: the longest window any of the packs looks at."""
    return max((ledger_horizon(p) for p in packs), default=timedelta(days=1))


def _costs_minor(costs: Mapping[str, Decimal], settings: PlatformSettings) -> dict[str, int]:
    """Cost per action in minor units, rounded half-up once (``Money.of``)."""
    out = {}
    for channel, amount in costs.items():
        if amount < 0:
            raise ValidationError(
                N_("cost of %(channel)s must not be negative (given %(amount)s)"),
                channel=channel,
                amount=amount,
            )
        out[channel] = Money.of(str(amount), settings.currency).minor
    return out


# --- loading: the delinquency stage over stored loans ---------------------------------------
# ``load_cycle_inputs`` and the accounts table live in ``tideover.services.cycle.inputs``.


# --- writing and reporting -------------------------------------------------------------------


def _write(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    run_id: int,
    snapshot: pa.Table,
    result: CycleResult,
) -> None:
    uow.delinquency(platform).replace_columns(as_of, snapshot)
    repo = uow.cycle(platform)
    outbox = repo.replace_outbox(as_of, [{**r, "run_id": run_id} for r in result.outbox])
    queue = repo.replace_queue_items(as_of, [{**r, "run_id": run_id} for r in result.queue])
    repo.replace_kpis(as_of, result.kpis)
    result.counts["outbox_kept"] = outbox.kept
    result.counts["queue_items_kept"] = queue.kept
    # Collector work: items planned again kept their collector above; the rest is placed
    # now, stamped with the run's start (the injected clock), in this same transaction.
    from tideover.services.queues.items import assign_open_items

    (run,) = [r for r in repo.runs(as_of) if r.run_id == run_id]
    placed = assign_open_items(uow, platform, as_of, at=run.started_at)
    result.counts["queue_assignments_kept"] = queue.assignments_kept
    result.counts["queue_assignments_released"] = queue.assignments_released
    result.counts.update({f"queue_{k}": n for k, n in placed.counts().items()})


def _mark_failed(
    uow: UnitOfWork,
    platform: str,
    run_id: int,
    clock: Clock,
    timings: dict[str, float],
    versions: CycleVersions,
    exc: BaseException,
) -> None:
    """Best effort: when the database itself is gone, the run simply stays ``running``."""
    try:
        with uow:
            uow.cycle(platform).finish_run(
                run_id,
                status="failed",
                at=clock.now(),
                stages=timings,
                counts={},
                versions=versions.recorded(),
                error=_stored_error(exc),
            )
            uow.commit()
    except Exception:
        pass


def _summary(
    platform: str,
    as_of: date,
    run_id: int,
    versions: CycleVersions,
    timings: dict[str, float],
    result: CycleResult,
    engine: str,
) -> CycleSummary:
    return CycleSummary(
        platform=platform,
        as_of=as_of,
        run_id=run_id,
        engine=engine,
        versions=versions,
        stages=timings,
        counts=result.counts,
        segments=result.segments,
        arms=result.arms,
        denied_by_rule=_denied(result),
    )


def _denied(result: CycleResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for g in result.gated:
        for rule in g.rule_ids:
            counts[rule] = counts.get(rule, 0) + 1
    return dict(sorted(counts.items()))


def _audit(summary: CycleSummary, result: CycleResult) -> CycleAuditEntry:
    dropped: list[DroppedAction] = [
        {"account_id": g.action.account_id, "step": g.action.step, "rule_ids": list(g.rule_ids)}
        for g in result.gated
        if g.state == "dropped"
    ]
    return {
        "platform": summary.platform,
        "as_of": summary.as_of.isoformat(),
        "run_id": summary.run_id,
        "versions": summary.versions.recorded(),
        "counts": summary.counts,
        "denied_by_rule": summary.denied_by_rule,
        "dropped": dropped,
    }


def kpi_report(*, uow: UnitOfWork, platform: str, first: date, last: date) -> KpiReport:
    """The stored KPI rows of ``first..last`` with their rates (4 places, half-up).

    Complaint rows also carry ``per_1000``: complaints per 1,000 attempts (2
    places), computed from the stored counts, never from the rounded rate.
    ``buckets`` lists the platform's bucket labels, best first.
    """
    if last < first:
        raise ValidationError(
            N_("--to %(last)s is before --from %(first)s"),
            last=last.isoformat(),
            first=first.isoformat(),
        )
    with uow:
        rows = uow.cycle(platform).kpis(first, last)
        labels = settings_of(uow, platform).buckets.labels
    return KpiReport(
        platform=platform,
        first=first,
        last=last,
        buckets=list(labels),
        rows=[KpiFigure.of(r) for r in rows],
    )
