"""Use cases of the assignment engine: assign a portfolio, preview a new version's impact.

A portfolio is a Parquet file of per-account features or, for a stored
platform, its accounts on a date with the features built as the daily cycle
builds them; a policy is a file or the platform's active stored version.
Batch output goes to Parquet files, never to the OLTP database (DESIGN.md).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from tideover.batch.assign import assign_to_parquet
from tideover.batch.impact import impact
from tideover.policy.diff import diff_policies
from tideover.policy.document import CompiledPolicy, load_policy, parse_policy
from tideover.policy.hashing import assignment_key
from tideover.services.cycle.inputs import load_cycle_inputs
from tideover.services.platforms import check_platform_code, settings_of
from tideover.services.policy.results import (
    Assignment,
    Impact,
    MaterialChange,
    Move,
    PolicyChange,
    PolicyVersionInfo,
)
from tideover.services.policy.versions import active_policy
from tideover.services.scoring.registry import champion_model
from tideover.services.unit_of_work import UnitOfWork


def assign_policy_file(
    *, policy: Path, portfolio: Path, out: Path, platform: str, as_of: date
) -> Assignment:
    """Assign every account of ``portfolio`` under ``policy``; write ``out``; counts.

    ``as_of`` is the business date the features describe; it is recorded in the
    output's metadata (the features already carry the days past due).
    """
    assignment_key(platform, "x", "")  # refuse a platform id the hash cannot use, early
    compiled = load_policy(policy)
    report = assign_compiled(compiled, portfolio=portfolio, out=out, platform=platform, as_of=as_of)
    return report.model_copy(update={"file": str(policy)})


def assign_compiled(
    compiled: CompiledPolicy, *, portfolio: Path | pa.Table, out: Path, platform: str, as_of: date
) -> Assignment:
    """Assign every account of ``portfolio`` under an already checked policy; write ``out``."""
    summary = assign_to_parquet(
        compiled, portfolio, out, platform=platform, as_of=as_of.isoformat()
    )
    return Assignment(
        policy=compiled.policy.policy,
        platform=platform,
        as_of=as_of,
        portfolio="(Arrow table)" if isinstance(portfolio, pa.Table) else str(portfolio),
        out=str(out),
        accounts=summary.rows,
        segments=summary.segments,
        arms=summary.arms,
    )


def assign_active_policy(
    *, uow: UnitOfWork, platform: str, portfolio: Path, out: Path, as_of: date
) -> Assignment:
    """Assign every account of ``portfolio`` under the platform's active version."""
    compiled, version = active_policy(uow=uow, platform=platform, as_of=as_of)
    report = assign_compiled(compiled, portfolio=portfolio, out=out, platform=platform, as_of=as_of)
    return report.model_copy(update={"version": version.version, "sha256": version.sha256})


def impact_of_policy_files(
    *, old: Path, new: Path, portfolio: Path, platform: str, out: Path | None = None
) -> Impact:
    """Structural diff plus who moves where, and who changes materially (listed in ``out``)."""
    assignment_key(platform, "x", "")
    before, after = load_policy(old), load_policy(new)
    return _impact_report(
        before,
        after,
        portfolio,
        platform=platform,
        out=out,
        old=str(old),
        new=str(new),
        portfolio_label=str(portfolio),
    )


def _impact_report(
    before: CompiledPolicy,
    after: CompiledPolicy,
    portfolio: Path | pa.Table,
    *,
    platform: str,
    out: Path | None,
    old: str,
    new: str,
    portfolio_label: str,
    old_version: PolicyVersionInfo | None = None,
    as_of: date | None = None,
) -> Impact:
    result = impact(before, after, portfolio, platform=platform, out=out)
    return Impact(
        old=old,
        new=new,
        old_version=old_version,
        as_of=as_of,
        portfolio=portfolio_label,
        platform=platform,
        changes=[PolicyChange.of(c) for c in diff_policies(before.policy, after.policy)],
        accounts=result.accounts,
        balance=result.balance,
        moves=[
            Move(
                old_segment=m.old_segment,
                old_treatment=m.old_treatment,
                new_segment=m.new_segment,
                new_treatment=m.new_treatment,
                accounts=m.accounts,
                balance=m.balance,
            )
            for m in result.moves
        ],
        material=MaterialChange(
            accounts=result.material_accounts,
            balance=result.material_balance,
            treatment_changed=result.treatment_changed,
            offers_changed=result.offers_changed,
            out=None if out is None else str(out),
        ),
    )


# --- the platform's stored portfolio ----------------------------------------------------------


def load_accounts(*, uow: UnitOfWork, platform: str, as_of: date) -> tuple[pa.Table, int]:
    """The cycle's delinquency stage alone: the accounts table on ``as_of`` and the
    platform's currency minor digits (reads the database; computes in memory)."""
    with uow:
        settings = settings_of(uow, platform)
    # No contact ledger is needed here; the horizon only bounds what the cycle reads of it.
    loaded = load_cycle_inputs(uow, platform, as_of, settings, packs_horizon=timedelta(0))
    return loaded.inputs.accounts, settings.currency.minor_digits


def platform_features(
    *, uow: UnitOfWork, platform: str, as_of: date, model_registry: Path | None = None
) -> pa.Table:
    """The platform's open accounts on ``as_of`` with the policy's feature catalogue, built
    as the daily cycle builds them (same defaults; score and band from the champion in
    ``model_registry``, else NULL). Repaid loans are not part of the portfolio."""
    from tideover.batch.cycle.features import check_accounts, features_sql
    from tideover.batch.cycle.stages import score_accounts

    check_platform_code(platform)
    accounts, minor_digits = load_accounts(uow=uow, platform=platform, as_of=as_of)
    artefact, _version = champion_model(model_registry, platform)
    con = duckdb.connect()
    con.register("cycle_accounts", accounts)
    have = check_accounts(con, "cycle_accounts")
    sql = features_sql(have, relation="cycle_accounts", minor_digits=minor_digits)
    con.execute(f"CREATE TEMP TABLE cycle_features AS {sql}")
    score_accounts(con, artefact)
    return con.sql(
        "SELECT f.*, s.score, s.band FROM cycle_features AS f "
        "LEFT JOIN cycle_scores AS s USING (account_id) WHERE f.is_open ORDER BY f.account_id"
    ).to_arrow_table()


def assignment_path(data_dir: Path, platform: str, as_of: date) -> Path:
    """Where the platform's assignments of ``as_of`` live: ``assignments/<platform>/<date>``."""
    check_platform_code(platform)  # a code is a safe path component: no '/', no '..'
    return data_dir / "assignments" / platform / f"{as_of.isoformat()}.parquet"


def assign_stored_portfolio(
    *,
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    data_dir: Path,
    out: Path | None = None,
    model_registry: Path | None = None,
) -> Assignment:
    """Assign the platform's stored portfolio under its active version; write Parquet.

    The file is ``out`` or :func:`assignment_path`; it is written beside its
    destination and renamed over it, so a rerun replaces it atomically and a
    reader never sees half a file.
    """
    compiled, version = active_policy(uow=uow, platform=platform, as_of=as_of)
    features = platform_features(
        uow=uow, platform=platform, as_of=as_of, model_registry=model_registry
    )
    target = out if out is not None else assignment_path(data_dir, platform, as_of)
    with _atomic(target) as scratch:
        report = assign_compiled(
            compiled, portfolio=features, out=scratch, platform=platform, as_of=as_of
        )
    return report.model_copy(
        update={
            "portfolio": "stored",
            "out": str(target),
            "version": version.version,
            "sha256": version.sha256,
        }
    )


@contextmanager
def _atomic(target: Path) -> Iterator[Path]:
    """A scratch path in ``target``'s directory, fsynced and renamed onto ``target`` on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    scratch = Path(name)
    try:
        yield scratch
        with scratch.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)


def impact_on_platform(
    *,
    uow: UnitOfWork,
    platform: str,
    new: Path,
    as_of: date,
    old: Path | None = None,
    portfolio: Path | None = None,
    out: Path | None = None,
    model_registry: Path | None = None,
) -> Impact:
    """Impact of ``new`` against the platform's active version (or ``old``), on its stored
    portfolio of ``as_of`` (or the ``portfolio`` file): the adjustment plan's preview."""
    after = load_policy(new)
    old_version: PolicyVersionInfo | None = None
    if old is None:
        before, old_version = active_policy(uow=uow, platform=platform, as_of=as_of)
        old_label = f"{platform} active version {old_version.version}"
    else:
        before, old_label = load_policy(old), str(old)
    source: Path | pa.Table
    if portfolio is None:
        source = platform_features(
            uow=uow, platform=platform, as_of=as_of, model_registry=model_registry
        )
    else:
        source = portfolio
    return _impact_report(
        before,
        after,
        source,
        platform=platform,
        out=out,
        old=old_label,
        new=str(new),
        portfolio_label="stored" if portfolio is None else str(portfolio),
        old_version=old_version,
        as_of=as_of,
    )


def impact_of_version(
    *,
    uow: UnitOfWork,
    platform: str,
    version: int,
    as_of: date,
    model_registry: Path | None = None,
) -> Impact:
    """Impact of stored ``version`` against the active one on the stored portfolio of
    ``as_of``: the review's preview of who moves where and whose treatment changes."""
    with uow:
        stored = uow.policies(platform).get(version)
    after = parse_policy(stored.document, source=f"{platform} policy version {version}")
    before, old_version = active_policy(uow=uow, platform=platform, as_of=as_of)
    features = platform_features(
        uow=uow, platform=platform, as_of=as_of, model_registry=model_registry
    )
    return _impact_report(
        before,
        after,
        features,
        platform=platform,
        out=None,
        old=f"{platform} active version {old_version.version}",
        new=f"{platform} version {version}",
        portfolio_label="stored",
        old_version=old_version,
        as_of=as_of,
    )
