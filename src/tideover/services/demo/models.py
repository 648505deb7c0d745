"""Use case: a champion and a challenger for a demo platform, trained on its own loans.

The training frame is the daily cycle's own: the cycle's loading
(``services.cycle_inputs.load_cycle_inputs``, which replays every loan's payments) and
its feature SQL (``batch.cycle.features``) at an **observation date**, and the
outcome a month later from the same loading at the **outcome date**:

- observation: ``as_of − 60`` days; every loan open that day is a row, with the
  cycle's features (so the models' inputs carry the names and types the cycle's
  ``cycle_features`` table has, and the cycle scores with them as they are);
- outcome: ``as_of − 30`` days; the row is **bad** (1) when the loan's bucket
  then is worse than on the observation date — it *rolled* — or it is in the
  platform's last bucket, where it cannot roll any further and counting it good
  would teach the model that the worst accounts are safe.

"Rolls within a month" is what the policy's ``score`` means (the feature
catalogue: "probability of rolling"), and on the demo book it has several times
the positives of "30+ days past due a month later" (demo-cn: 315 against 70 of
9,191 open loans), because it also counts loans that fall behind from current.

A scorecard is trained as champion and LightGBM as challenger with the model
use case (``services.scoring.train_model``: checks, cross-validation, report,
registry), both promoted.  Nothing happens when the platform already has a
champion.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from tideover.batch.cycle.features import check_accounts, features_sql
from tideover.batch.cycle.shadow import feature_frame
from tideover.domain.clock import Clock
from tideover.domain.platforms import PlatformSettings
from tideover.scoring.registry import ModelRegistry
from tideover.scoring.scorecard import ScorecardSettings
from tideover.services.common import ProgressFn, no_progress
from tideover.services.cycle.inputs import load_cycle_inputs
from tideover.services.demo.results import DemoModel, DemoModels
from tideover.services.platforms import settings_of
from tideover.services.scoring.models import train_model
from tideover.services.unit_of_work import UnitOfWork

TARGET = "rolled"
OBSERVATION_DAYS = 60
OUTCOME_DAYS = 30
# Three folds, not five: the demo trains on every run of a fresh machine, and
# with ~300 bad loans a fold still holds ~100 of them.
DEMO_FOLDS = 3
DEMO_TRAINER = "demo-trainer"
# Catalogue features the models may use.  Left out: ``bucket`` and
# ``days_in_segment`` (the DPD again, in other forms), the flags and counts the
# demo has no data for (constant), and ``region``: where a borrower lives can
# stand in for protected characteristics, and a creditworthiness system is
# judged by its effects as well as its inputs (US Regulation B, 12 CFR
# 1002.6(a), the "effects test" of the Equal Credit Opportunity Act).
MODEL_FEATURES = (
    "dpd",
    "installments_overdue",
    "overdue_amount",
    "balance",
    "months_on_book",
    "days_since_last_payment",
    "product",
)
KINDS = (("scorecard", "champion"), ("gbm", "challenger"))
# Bins of at least 2% of rows, not the default 5%: on a book where 2-3% of loans
# are behind, a 5% floor leaves no bin for them and the scorecard would drop DPD
# (demo-cn: cross-validated AUC 0.70 without DPD, 0.75 with it).
DEMO_SCORECARD = ScorecardSettings(min_bin_share=0.02)


def ensure_demo_models(
    *,
    uow_factory: Callable[[], UnitOfWork],
    platform: str,
    registry_dir: Path,
    as_of: date,
    clock: Clock,
    folds: int = DEMO_FOLDS,
    progress: ProgressFn = no_progress,
    language: str = "en",
) -> DemoModels:
    """Train, register and promote the platform's demo champion and challenger, once.

    Returns what was done: the versions and, when trained now, the training
    frame's size, bad rate and each model's cross-validated AUC.
    """
    registry = ModelRegistry(registry_dir)
    state = registry.state(platform)
    if state.champion is not None:
        return DemoModels(
            platform=platform,
            already_trained=True,
            champion=state.champion,
            challengers=list(state.challengers),
        )
    started = time.perf_counter()
    observed, outcome = as_of - timedelta(OBSERVATION_DAYS), as_of - timedelta(OUTCOME_DAYS)
    progress(f"{platform}: training data", 0, 4)
    frame = training_frame(
        uow_factory=uow_factory, platform=platform, observed=observed, outcome=outcome
    )
    models: list[DemoModel] = []
    with tempfile.TemporaryDirectory(prefix="tideover-demo-") as folder:
        data_path = Path(folder) / f"{platform}-rolled-{observed}-{outcome}.parquet"
        frame.to_parquet(data_path, index=False)
        constant = [n for n in MODEL_FEATURES if frame[n].nunique(dropna=False) <= 1]
        for step, (kind, role) in enumerate(KINDS, start=1):
            progress(f"{platform}: training {kind}", step, 4)
            trained = train_model(
                registry_dir=registry_dir,
                platform=platform,
                data_path=data_path,
                target=TARGET,
                kind=kind,
                id_column="account_id",
                exclude=constant,  # a constant column is refused, and says nothing
                folds=folds,
                created_by=DEMO_TRAINER,
                clock=clock,
                scorecard=DEMO_SCORECARD if kind == "scorecard" else None,
                language=language,  # the report.md beside each model, as the demo is read
            )
            auc = trained.cross_validation.auc
            models.append(
                DemoModel(
                    version=trained.version,
                    kind=kind,
                    role=role,
                    features=trained.features,
                    auc=round(auc.mean, 4),
                    auc_std=round(auc.std, 4),
                    seconds=trained.training_seconds,
                )
            )
    # Promoted only once both are registered: a crash before leaves no champion,
    # so the next call trains again.
    for model in models:
        registry.promote(
            platform=platform,
            version=model.version,
            role=model.role,
            by=DEMO_TRAINER,
            at=clock.now(),
        )
    progress(f"{platform}: models promoted", 4, 4)
    bad = int(frame[TARGET].sum())
    return DemoModels(
        platform=platform,
        already_trained=False,
        champion=models[0].version,
        challengers=[models[1].version],
        observation_date=observed,
        outcome_date=outcome,
        label="bucket worse a month later, or in the last bucket",
        rows=len(frame),
        bad=bad,
        bad_rate=round(bad / len(frame), 4) if len(frame) else None,
        models=models,
        seconds=round(time.perf_counter() - started, 2),
    )


def training_frame(
    *, uow_factory: Callable[[], UnitOfWork], platform: str, observed: date, outcome: date
) -> pd.DataFrame:
    """``account_id``, ``MODEL_FEATURES`` on ``observed`` and ``rolled`` (0/1) by ``outcome``,
    one row per loan open on ``observed``."""
    with uow_factory() as uow:
        settings = settings_of(uow, platform)
    con = duckdb.connect()
    for name, day in (("observed", observed), ("outcome", outcome)):
        _cycle_features(con, name, uow_factory(), platform, day, settings)
    labels = settings.buckets.labels
    order = pa.table({"bucket": list(labels), "position": list(range(len(labels)))})
    con.register("bucket_order", order)
    columns = ", ".join(f"o.{n}" for n in MODEL_FEATURES)
    relation = con.sql(
        f"SELECT o.account_id, {columns}, "
        f"CAST(b1.position > b0.position OR b1.position = {len(labels) - 1} AS INTEGER) "
        f"AS {TARGET} "
        "FROM observed AS o JOIN outcome AS x USING (account_id) "
        "JOIN bucket_order AS b0 ON b0.bucket = o.bucket "
        "JOIN bucket_order AS b1 ON b1.bucket = x.bucket "
        "WHERE o.is_open ORDER BY o.account_id"
    )
    # The pandas conversion the score stage uses, so the models see the types they will score.
    return feature_frame(relation, con)


def _cycle_features(
    con: duckdb.DuckDBPyConnection,
    name: str,
    uow: UnitOfWork,
    platform: str,
    day: date,
    settings: PlatformSettings,
) -> None:
    """Table ``name``: the cycle's features of every disbursed loan on ``day``."""
    # No contact ledger is used here; the horizon only bounds what the loading reads of it.
    loaded = load_cycle_inputs(uow, platform, day, settings, packs_horizon=timedelta(0))
    con.register(f"{name}_accounts", loaded.inputs.accounts)
    have = check_accounts(con, f"{name}_accounts")
    sql = features_sql(
        have, relation=f"{name}_accounts", minor_digits=settings.currency.minor_digits
    )
    con.execute(f"CREATE TABLE {name} AS {sql}")
