"""The day's KPI snapshot per segment and experiment arm, from the assigned accounts.

Every figure is a count of accounts and an amount (minor units) over a base of
accounts and amount, so rates are read without rounding anything twice:

- ``bucket/<label>``: open accounts and balance in the bucket, over all open ones;
- ``delinquent/30+`` and ``delinquent/90+``: open accounts more than 30 (90)
  days past due, over all open ones;
- ``roll/<bucket>``: accounts in the bucket on the previous date that are in a
  worse bucket today (amounts: their previous balance), over the bucket's
  accounts then;
- ``cure/<bucket>``: accounts delinquent in the bucket then, current today
  (or repaid), over the bucket's accounts then;
- contacts: ``planned``, ``allowed``, ``rescheduled``, ``dropped`` by channel,
  ``denied`` by rule id, and ``cost`` by channel (the actions that go ahead
  times the channel's cost per action).

Segments and arms are today's, so an account is measured where it is now.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb

from tideover.batch.assign import quote_literal
from tideover.batch.cycle.gate import GatedAction

KpiRow = dict[str, Any]


def _bucket_rank(labels: Sequence[str], column: str) -> str:
    whens = " ".join(f"WHEN {quote_literal(b)} THEN {i}" for i, b in enumerate(labels))
    return f"CASE {column} {whens} END"


def portfolio_kpis(
    con: duckdb.DuckDBPyConnection,
    *,
    assigned: str,
    previous: str | None,
    labels: Sequence[str],
    currency: str,
) -> list[KpiRow]:
    """Bucket, delinquency-rate, roll and cure figures (DuckDB, one pass per figure family)."""
    rows: list[KpiRow] = []
    open_sql = f"""
        WITH base AS (
            SELECT segment, arm, count(*) AS n, sum(balance_minor) AS amount
            FROM {assigned} WHERE is_open GROUP BY ALL)
        SELECT a.segment, a.arm, k.metric, k.key, count(*) AS accounts,
               sum(a.balance_minor) AS amount, any_value(b.n), any_value(b.amount)
        FROM {assigned} AS a
        JOIN base AS b USING (segment, arm)
        CROSS JOIN LATERAL (
            SELECT 'bucket' AS metric, a.bucket AS key
            UNION ALL SELECT 'delinquent', '30+' WHERE a.dpd > 30
            UNION ALL SELECT 'delinquent', '90+' WHERE a.dpd > 90
        ) AS k
        WHERE a.is_open
        GROUP BY ALL"""
    rows += _rows(con.execute(open_sql).fetchall(), currency)
    if previous is not None:
        rows += _moves(con, assigned, previous, labels, currency)
    return rows


def _moves(
    con: duckdb.DuckDBPyConnection,
    assigned: str,
    previous: str,
    labels: Sequence[str],
    currency: str,
) -> list[KpiRow]:
    then, now = _bucket_rank(labels, "p.bucket"), _bucket_rank(labels, "a.bucket")
    sql = f"""
        WITH moved AS (
            SELECT a.segment, a.arm, p.bucket AS key, p.balance_minor AS amount,
                   {now} > {then} AS rolled,
                   {then} > 0 AND ({now} = 0 OR NOT a.is_open) AS cured
            FROM {previous} AS p JOIN {assigned} AS a USING (account_id))
        SELECT segment, arm, 'roll', key,
               count(*) FILTER (WHERE rolled), coalesce(sum(amount) FILTER (WHERE rolled), 0),
               count(*), sum(amount)
        FROM moved GROUP BY ALL
        UNION ALL
        SELECT segment, arm, 'cure', key,
               count(*) FILTER (WHERE cured), coalesce(sum(amount) FILTER (WHERE cured), 0),
               count(*), sum(amount)
        FROM moved WHERE key <> {quote_literal(labels[0])} GROUP BY ALL"""
    return _rows(con.execute(sql).fetchall(), currency)


def _rows(result: Iterable[Sequence[Any]], currency: str) -> list[KpiRow]:
    return [
        {
            "segment": segment,
            "arm": arm,
            "metric": metric,
            "key": key,
            "accounts": int(accounts),
            "amount_minor": int(amount or 0),
            "base_accounts": None if base is None else int(base),
            "base_amount_minor": None if base_amount is None else int(base_amount),
            "currency": currency,
        }
        for segment, arm, metric, key, accounts, amount, base, base_amount in result
    ]


def contact_kpis(
    gated: Iterable[GatedAction], *, costs_minor: Mapping[str, int], currency: str
) -> list[KpiRow]:
    """Planned, allowed, rescheduled and dropped actions by channel; denials by rule; cost."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for g in gated:
        a = g.action
        counts[(a.segment, a.arm, "planned", a.channel)] += 1
        counts[(a.segment, a.arm, g.state, a.channel)] += 1
        for rule in g.rule_ids:
            counts[(a.segment, a.arm, "denied", rule)] += 1
        if g.state != "dropped":
            counts[(a.segment, a.arm, "cost", a.channel)] += 1
    return [
        {
            "segment": segment,
            "arm": arm,
            "metric": metric,
            "key": key,
            "accounts": n,
            "amount_minor": n * costs_minor.get(key, 0) if metric == "cost" else 0,
            "base_accounts": None,
            "base_amount_minor": None,
            "currency": currency,
        }
        for (segment, arm, metric, key), n in sorted(counts.items())
    ]
