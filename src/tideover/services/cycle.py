"""Use case: the daily cycle of one platform and business date, and its KPI report.

Crash safety comes from the shape of the run: a small transaction records the
run as ``running``; every stage then computes in memory (the DuckDB stages
never touch the database); one final transaction replaces the date's bucket
history, outbox, queue items and KPI snapshot, marks the run completed and
appends it to the audit trail.  A crash (or kill) anywhere before that commit
leaves the previous complete state as it was; a rerun replaces the date.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from tideover.batch.cycle import CycleConfig, CycleInputs, GateSettings, run_stages
from tideover.batch.cycle.stages import CycleResult
from tideover.compliance.contacts import ActorRole
from tideover.compliance.gate import compile_pack
from tideover.compliance.lint import pack_codes
from tideover.compliance.overrides import effective_pack
from tideover.compliance.rules import Pack
from tideover.domain.allocation import Component, position_as_of
from tideover.domain.clock import Clock
from tideover.domain.delinquency import DelinquencyStatus, delinquency_of
from tideover.domain.errors import Conflict, ValidationError
from tideover.domain.loans import Loan
from tideover.domain.money import Money
from tideover.domain.platforms import PlatformSettings
from tideover.policy.document import CompiledPolicy, load_policy
from tideover.services.compliance import ledger_horizon
from tideover.services.platforms import settings_of
from tideover.services.progress import ProgressFn, no_progress
from tideover.services.unit_of_work import UnitOfWork

ENGINE = "duckdb"
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
    compiled: CompiledPolicy
    versions: dict[str, Any]


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
) -> dict[str, Any]:
    """Run every stage for ``platform`` on ``as_of``; replace that date's results; a summary.

    The policy is ``policy_file`` or else the platform's active version; the
    model is the platform's champion in ``model_registry`` (no registry: no
    score, ``score`` and ``band`` are NULL).
    """
    choice = _policy(uow, platform, as_of, policy_file)
    artefact, model_version = champion_model(model_registry, platform)
    with uow:
        platform_settings = settings_of(uow, platform)
        # Holds not ended by the start of the business day (the platform's midnight);
        # the gate then compares each hold's own start and end with the planned time.
        day_start = datetime.combine(as_of, clock_time.min, ZoneInfo(platform_settings.time_zone))
        holds = uow.holds(platform).gate_holds(at=day_start)
    overrides = platform_settings.rule_overrides
    packs = [effective_pack(code, overrides) for code in pack_codes(choice.compiled.policy)]
    versions = {
        **choice.versions,
        "model": model_version,
        "rule_packs": {p.code: p.version for p in packs},
    }
    with uow:
        settings = settings_of(uow, platform)
        _refuse_past_date(uow, platform, as_of)
        run_id = uow.cycle(platform).start_run(as_of, engine=ENGINE, at=clock.now())
        uow.commit()
    timings: dict[str, float] = {}
    try:
        progress("delinquency", 0, 1)
        started = time.perf_counter()
        fault("delinquency")
        loaded = load_cycle_inputs(uow, platform, as_of, settings, packs_horizon=_horizon(packs))
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
        result = run_stages(
            choice.compiled, artefact, loaded.inputs, config, progress=progress, fault=fault
        )
        timings.update(result.timings)
        progress("write", 0, 1)
        started = time.perf_counter()
        with uow:
            fault("write")
            _write(uow, platform, as_of, run_id, loaded.statuses, result)
            timings["write"] = round(time.perf_counter() - started, 4)
            summary = _summary(platform, as_of, run_id, versions, timings, result)
            uow.cycle(platform).finish_run(
                run_id,
                status="completed",
                at=clock.now(),
                stages=timings,
                counts=result.counts,
                versions=versions,
            )
            uow.audit(platform).append(CYCLE_AUDIT, _audit(summary, result), at=clock.now())
            fault("commit")  # everything written, nothing committed yet
            uow.commit()
        progress("write", 1, 1)
    except BaseException as exc:
        _mark_failed(uow, platform, run_id, clock, timings, versions, exc)
        raise
    return summary


def _policy(uow: UnitOfWork, platform: str, as_of: date, path: Path | None) -> PolicyChoice:
    if path is not None:
        compiled = load_policy(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return PolicyChoice(
            compiled,
            {"policy": compiled.policy.policy, "policy_file": str(path), "policy_sha256": digest},
        )
    from tideover.services.policy import active_policy

    compiled, version = active_policy(uow=uow, platform=platform, as_of=as_of)
    return PolicyChoice(
        compiled,
        {
            "policy": compiled.policy.policy,
            "policy_version": version["version"],
            "policy_sha256": version["sha256"],
        },
    )


def champion_model(registry: Path | None, platform: str) -> tuple[Any, str | None]:
    if registry is None:
        return None, None
    from tideover.scoring.registry import ModelRegistry

    artefact = ModelRegistry(registry).load(platform)  # NotFound without a champion
    return artefact, artefact.version


def _refuse_past_date(uow: UnitOfWork, platform: str, as_of: date) -> None:
    last = uow.cycle(platform).last_completed_date()
    if last is not None and as_of < last:
        raise Conflict(
            f"platform {platform!r}: {as_of.isoformat()} is before the last completed cycle "
            f"({last.isoformat()}); rerun that date or a later one",
            f"平台 {platform!r}：{as_of.isoformat()} 早于最近一次完成的日终批处理"
            f"（{last.isoformat()}）；请重跑该日期或更晚的日期",
        )


def _horizon(packs: list[Pack]) -> timedelta:
    """How far back the ledger is read: the longest window any of the packs looks at."""
    return max((ledger_horizon(p) for p in packs), default=timedelta(days=1))


def _costs_minor(costs: Mapping[str, Decimal], settings: PlatformSettings) -> dict[str, int]:
    """Cost per action in minor units, rounded half-up once (``Money.of``)."""
    out = {}
    for channel, amount in costs.items():
        if amount < 0:
            raise ValidationError(
                f"cost of {channel} must not be negative (given {amount})",
                f"{channel} 的单次成本不能为负数（给定 {amount}）",
            )
        out[channel] = Money.of(str(amount), settings.currency).minor
    return out


# --- loading: the delinquency stage over stored loans ---------------------------------------


@dataclass(frozen=True)
class Loaded:
    inputs: CycleInputs
    statuses: list[DelinquencyStatus]


def load_cycle_inputs(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    settings: PlatformSettings,
    *,
    packs_horizon: timedelta,
) -> Loaded:
    """Positions of every disbursed loan on ``as_of`` (the domain's allocation), as columns."""
    with uow:
        loans_repo = uow.loans(platform)
        payments = uow.payments(platform).by_loan()
        pauses = loans_repo.pauses_by_loan()
        borrowers = {b.borrower_id: b for b in uow.borrowers(platform).list_all()}
        rows: list[dict[str, Any]] = []
        statuses: list[DelinquencyStatus] = []
        for loan in loans_repo.list_all():
            if loan.terms.start_date > as_of:
                continue  # not yet disbursed
            paid = payments.get(loan.loan_id, [])
            loan_pauses = pauses.get(loan.loan_id, [])
            position = position_as_of(
                loan,
                paid,
                as_of,
                waterfall=settings.waterfall,
                penalty=settings.penalty,
                pauses=loan_pauses,
            )
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


ACCOUNTS_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("borrower_id", pa.string()),
        ("is_open", pa.bool_()),
        ("time_zones", pa.string()),
        ("dpd", pa.int32()),
        ("bucket", pa.string()),
        ("overdue_minor", pa.int64()),
        ("balance_minor", pa.int64()),
        ("product", pa.string()),
        ("region", pa.string()),
        ("months_on_book", pa.int32()),
        ("installments_overdue", pa.int32()),
        ("days_since_last_payment", pa.int32()),
    ]
)


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
    # Balance: principal still outstanding plus the overdue interest, fees and penalty.
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
        # Without a zone from address or phone, the platform's own zone is the candidate.
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
        {
            "account_id": loan_id,
            "bucket": s.bucket,
            "balance_minor": s.outstanding_principal.minor,
        }
        for loan_id, s in statuses.items()
    ]
    schema = pa.schema(
        [("account_id", pa.string()), ("bucket", pa.string()), ("balance_minor", pa.int64())]
    )
    return pa.Table.from_pylist(rows, schema=schema)


# --- writing and reporting -------------------------------------------------------------------


def _write(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    run_id: int,
    statuses: list[DelinquencyStatus],
    result: CycleResult,
) -> None:
    uow.delinquency(platform).replace(as_of, statuses)
    repo = uow.cycle(platform)
    outbox = repo.replace_outbox(as_of, [{**r, "run_id": run_id} for r in result.outbox])
    queue = repo.replace_queue_items(as_of, [{**r, "run_id": run_id} for r in result.queue])
    repo.replace_kpis(as_of, result.kpis)
    result.counts["outbox_kept"] = outbox.kept
    result.counts["queue_items_kept"] = queue.kept


def _mark_failed(
    uow: UnitOfWork,
    platform: str,
    run_id: int,
    clock: Clock,
    timings: dict[str, float],
    versions: dict[str, Any],
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
                versions=versions,
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            uow.commit()
    except Exception:
        pass


def _summary(
    platform: str,
    as_of: date,
    run_id: int,
    versions: dict[str, Any],
    timings: dict[str, float],
    result: CycleResult,
) -> dict[str, Any]:
    return {
        "platform": platform,
        "as_of": as_of.isoformat(),
        "run_id": run_id,
        "engine": ENGINE,
        "versions": versions,
        "stages": timings,
        "counts": result.counts,
        "segments": result.segments,
        "arms": result.arms,
        "denied_by_rule": _denied(result),
    }


def _denied(result: CycleResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for g in result.gated:
        for rule in g.rule_ids:
            counts[rule] = counts.get(rule, 0) + 1
    return dict(sorted(counts.items()))


def _audit(summary: dict[str, Any], result: CycleResult) -> dict[str, Any]:
    dropped = [
        {"account_id": g.action.account_id, "step": g.action.step, "rule_ids": list(g.rule_ids)}
        for g in result.gated
        if g.state == "dropped"
    ]
    keep = ("platform", "as_of", "run_id", "versions", "counts", "denied_by_rule")
    return {**{k: summary[k] for k in keep}, "dropped": dropped}


def kpi_report(*, uow: UnitOfWork, platform: str, first: date, last: date) -> dict[str, Any]:
    """The stored KPI rows of ``first..last`` with their rates (4 places, half-up)."""
    if last < first:
        raise ValidationError(
            f"--to {last.isoformat()} is before --from {first.isoformat()}",
            f"--to {last.isoformat()} 早于 --from {first.isoformat()}",
        )
    with uow:
        rows = uow.cycle(platform).kpis(first, last)
    return {
        "platform": platform,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "rows": [_kpi_json(r) for r in rows],
    }


def _rate(part: int, whole: int | None) -> str | None:
    if not whole:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _kpi_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "as_of": row["as_of"].isoformat(),
        "segment": row["segment"],
        "arm": row["arm"],
        "metric": row["metric"],
        "key": row["key"],
        "accounts": row["accounts"],
        "amount_minor": row["amount_minor"],
        "base_accounts": row["base_accounts"],
        "base_amount_minor": row["base_amount_minor"],
        "account_rate": _rate(row["accounts"], row["base_accounts"]),
        "amount_rate": _rate(row["amount_minor"], row["base_amount_minor"]),
        "currency": row["currency"],
    }
