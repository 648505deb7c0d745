"""The daily cycle on the embedded engine (DuckDB over Arrow): pure stages, no database.

:func:`tideover.batch.cycle.stages.run_stages` turns a table of accounts (one
row per loan, delinquency already computed) into assignments, gated actions
split into outbox messages and queue items, and a KPI snapshot.  The service
:mod:`tideover.services.cycle.run` feeds it from storage and writes the results;
``bench/cycle_bench.py`` feeds it a synthetic portfolio.
"""

from tideover.batch.cycle.features import ACCOUNT_COLUMNS, FEATURE_DEFAULTS
from tideover.batch.cycle.gate import GateSettings, PlannedAction
from tideover.batch.cycle.stages import (
    STAGES,
    CycleConfig,
    CycleInputs,
    CycleResult,
    FaultHook,
    run_stages,
)

__all__ = [
    "ACCOUNT_COLUMNS",
    "FEATURE_DEFAULTS",
    "STAGES",
    "CycleConfig",
    "CycleInputs",
    "CycleResult",
    "FaultHook",
    "GateSettings",
    "PlannedAction",
    "run_stages",
]
