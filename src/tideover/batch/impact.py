"""Impact preview of a new policy version on the portfolio (DuckDB).

Which accounts and how much balance move from which segment/treatment to
which, and which accounts' treatment or offers change materially: the list
that will receive policy-change notices.  Each version's assignment is the
engine's (``batch.assign.layered_sql``), the fast path of
``tideover.policy.evaluate.decide`` for each account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tideover.batch.assign import (
    ROW_GROUP_SIZE,
    case_sql,
    check_portfolio,
    layered_sql,
    open_source,
)
from tideover.policy.document import CompiledPolicy
from tideover.policy.sql_text import quote_literal

# --- impact of a new version ------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """Accounts going from one (segment, treatment) to another, and their balance."""

    old_segment: str
    old_treatment: str
    new_segment: str
    new_treatment: str
    accounts: int
    balance: Decimal


@dataclass(frozen=True)
class Impact:
    accounts: int
    balance: Decimal
    moves: tuple[Move, ...]  # every (old, new) pair present, largest first
    material_accounts: int  # treatment or offers change in content
    material_balance: Decimal
    treatment_changed: int
    offers_changed: int


def _fingerprints(items: dict[str, Any]) -> dict[str, str]:
    """Content of treatments/offers without their display names: what a borrower sees."""
    return {
        key: json.dumps(value.model_dump(mode="json", exclude={"names"}), sort_keys=True)
        for key, value in items.items()
    }


def _class_cases(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[tuple[int, str]], ...]:
    prints_old, prints_new = _fingerprints(old), _fingerprints(new)
    classes: dict[str, int] = {}
    for text in (*prints_old.values(), *prints_new.values()):
        classes.setdefault(text, len(classes))
    return tuple(
        [(i, str(classes[prints[key]])) for i, key in enumerate(prints)]
        for prints in (prints_old, prints_new)
    )


def impact_sql(old: CompiledPolicy, new: CompiledPolicy, *, platform: str, relation: str) -> str:
    """Old and new assignment side by side in one scan, with the material-change flags."""
    both = layered_sql(
        new,
        platform=platform,
        relation=layered_sql(old, platform=platform, relation=relation, prefix="o_"),
        prefix="n_",
    )
    t_old, t_new = _class_cases(old.policy.treatments, new.policy.treatments)
    o_old, o_new = _class_cases(old.policy.offers, new.policy.offers)
    return (
        "SELECT account_id, balance, o_seg, o_trt, o_off, n_seg, n_trt, n_off, "
        f"{case_sql('o_trt', t_old)} <> {case_sql('n_trt', t_new)} AS treatment_changed, "
        f"{case_sql('o_off', o_old, '-1')} <> {case_sql('n_off', o_new, '-1')} AS offers_changed "
        f"FROM {both} AS compared"
    )


def impact(
    old: CompiledPolicy,
    new: CompiledPolicy,
    portfolio: Path | pa.Table,
    *,
    platform: str,
    out: Path | None = None,
) -> Impact:
    """What activating ``new`` instead of ``old`` changes for each account of ``portfolio``.

    With ``out``, the accounts whose treatment or offers change in content (not
    just in name) are written there with ids, for policy-change notices.
    """
    con = duckdb.connect()
    source = open_source(con, portfolio)
    needed = old.features | new.features | {"balance"}
    check_portfolio(
        con, source.relation, needed, null_counts=source.null_counts, where=source.where
    )
    query = impact_sql(old, new, platform=platform, relation=source.relation)
    con.execute(f"CREATE TEMP TABLE compared AS {query}")
    rows = con.execute(
        "SELECT o_seg, o_trt, n_seg, n_trt, count(*), sum(balance) FROM compared "
        "GROUP BY ALL ORDER BY count(*) DESC, 1, 2, 3, 4"
    ).fetchall()
    a, b = old.policy, new.policy
    segs_a, segs_b = [s.id for s in a.segments], [s.id for s in b.segments]
    trts_a, trts_b = list(a.treatments), list(b.treatments)
    moves = tuple(
        Move(segs_a[sa], trts_a[ta], segs_b[sb], trts_b[tb], n, Decimal(total or 0))
        for sa, ta, sb, tb, n, total in rows
    )
    totals = con.execute(
        "SELECT count(*), sum(balance), count(*) FILTER (treatment_changed OR offers_changed), "
        "sum(balance) FILTER (treatment_changed OR offers_changed), "
        "count(*) FILTER (treatment_changed), count(*) FILTER (offers_changed) FROM compared"
    ).fetchone()
    assert totals is not None  # an aggregate always returns one row
    if out is not None:
        _write_changes(con, old, new, out)
    return Impact(
        totals[0],
        Decimal(totals[1] or 0),
        moves,
        totals[2],
        Decimal(totals[3] or 0),
        totals[4],
        totals[5],
    )


def _write_changes(
    con: duckdb.DuckDBPyConnection, old: CompiledPolicy, new: CompiledPolicy, out: Path
) -> None:
    def label(column: str, names: list[str]) -> str:
        return case_sql(column, [(i, quote_literal(n)) for i, n in enumerate(names)])

    a, b = old.policy, new.policy
    columns = ", ".join(
        (
            "account_id",
            f"{label('o_seg', [s.id for s in a.segments])} AS old_segment",
            f"{label('n_seg', [s.id for s in b.segments])} AS new_segment",
            f"{label('o_trt', list(a.treatments))} AS old_treatment",
            f"{label('n_trt', list(b.treatments))} AS new_treatment",
            f"{label('o_off', list(a.offers))} AS old_offers",
            f"{label('n_off', list(b.offers))} AS new_offers",
            "treatment_changed",
            "offers_changed",
            "balance",
        )
    )
    con.execute(
        f"COPY (SELECT {columns} FROM compared WHERE treatment_changed OR offers_changed) "
        f"TO {quote_literal(str(out))} (FORMAT parquet, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
    )
