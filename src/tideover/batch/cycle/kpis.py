"""The day's KPI snapshot per segment and experiment arm, from the assigned accounts.

Every figure is a count of accounts and an amount (minor units) over a base of
accounts and amount, so rates are read without rounding anything twice:

- ``bucket/<label>``: open accounts and balance in the bucket, over all open ones;
- ``delinquent/30+`` and ``delinquent/90+``: open accounts more than 30 (90)
  days past due, over all open ones;
- ``roll/<bucket>``: accounts open in the bucket on the previous date and open
  in a worse bucket today (amount: their balance *today*), over the bucket's
  open accounts then and their balance then;
- ``cure/<bucket>``: accounts delinquent in the bucket then, current or closed
  today (amount: their balance then), over the bucket's open accounts then;
- contacts: ``planned``, ``allowed``, ``rescheduled``, ``dropped`` by channel,
  ``denied`` by rule id, and ``cost`` by channel (the actions that go ahead
  times the channel's cost per action);
- outcomes from storage (:func:`outcome_kpis`, per-account figures in
  ``OUTCOME_SCHEMA``): ``recovery`` by bucket at the start of the day,
  ``promises``, ``plans``, ``attempted`` by ledger channel and ``complaints``
  over attempts.

Segments and arms are today's, so an account is measured where it is now.
The portfolio figures are the reference definitions of :mod:`tideover.domain.kpis`
(which balance counts, and how closed, missing and new accounts are treated),
held to them by ``tests/unit/test_kpi_differential.py``.  The balance is the
accounts' ``balance_minor`` today and the bucket history's on the previous date
(principal plus overdue interest, fees and penalty on both); an account open on
the previous date means one owing then (``balance_minor > 0``).  An account of
the previous date missing from today's table (never so for stored loans, which
stay on the book once disbursed) stays in its bucket's base under segment and
arm ``''`` (:data:`NO_SEGMENT`), so that the platform's sum keeps it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from tideover.batch.cycle.gate import GatedAction
from tideover.domain.kpis import DELINQUENCY_THRESHOLDS
from tideover.policy.sql_text import quote_literal

KpiRow = dict[str, Any]
# Segment and arm of a previous date's account missing from today's table.
NO_SEGMENT = ""


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
    # One grouped pass over the open accounts; the per-(segment, arm) bases and the
    # delinquency rows are sums of its few result rows, done here exactly in integers.
    past = "".join(
        f", count(*) FILTER (WHERE dpd > {days}), sum(balance_minor) FILTER (WHERE dpd > {days})"
        for days in DELINQUENCY_THRESHOLDS.values()
    )
    open_sql = f"""
        SELECT segment, arm, bucket, count(*), sum(balance_minor){past}
        FROM {assigned} WHERE is_open
        GROUP BY segment, arm, bucket"""
    rows += _rows(_open_rows(con.execute(open_sql).fetchall()), currency)
    if previous is not None:
        rows += _moves(con, assigned, previous, labels, currency)
    return rows


def _open_rows(grouped: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Bucket rows and, where any account is past 30 (90) days, delinquency rows, each with
    the (segment, arm)'s open accounts and balance as the base."""
    groups: dict[tuple[Any, Any], list[Sequence[Any]]] = {}
    for row in grouped:
        groups.setdefault((row[0], row[1]), []).append(row)
    out: list[tuple[Any, ...]] = []
    for (segment, arm), members in groups.items():
        base_n = sum(int(r[3]) for r in members)
        base_amount = sum(int(r[4] or 0) for r in members)
        for r in members:
            out.append((segment, arm, "bucket", r[2], r[3], r[4], base_n, base_amount))
        for i, key in enumerate(DELINQUENCY_THRESHOLDS):
            n_at, amount_at = 5 + 2 * i, 6 + 2 * i
            n = sum(int(r[n_at]) for r in members)
            if n:
                amount = sum(int(r[amount_at] or 0) for r in members)
                out.append((segment, arm, "delinquent", key, n, amount, base_n, base_amount))
    return out


def _moves(
    con: duckdb.DuckDBPyConnection,
    assigned: str,
    previous: str,
    labels: Sequence[str],
    currency: str,
) -> list[KpiRow]:
    then, now = _bucket_rank(labels, "p.bucket"), _bucket_rank(labels, "a.bucket")
    gone = quote_literal(NO_SEGMENT)
    # Open then: owing then.  A LEFT JOIN keeps a missing account in the base; with no row
    # today its flags are NULL, and coalesce makes "neither rolled nor cured" explicit.
    # One grouped pass gives both families (the join is the costly part, on Spark a
    # shuffle of both sides): each group's roll row, and its cure row unless the bucket
    # is the first (no cure from current).
    sql = f"""
        WITH moved AS (
            SELECT coalesce(a.segment, {gone}) AS segment, coalesce(a.arm, {gone}) AS arm,
                   p.bucket AS key, p.balance_minor AS amount_then,
                   a.balance_minor AS amount_now,
                   coalesce(a.is_open AND {now} > {then}, FALSE) AS rolled,
                   coalesce({then} > 0 AND ({now} = 0 OR NOT a.is_open), FALSE) AS cured
            FROM {previous} AS p LEFT JOIN {assigned} AS a ON a.account_id = p.account_id
            WHERE p.balance_minor > 0)
        SELECT segment, arm, key, count(*), sum(amount_then),
               count(*) FILTER (WHERE rolled),
               coalesce(sum(amount_now) FILTER (WHERE rolled), 0),
               count(*) FILTER (WHERE cured),
               coalesce(sum(amount_then) FILTER (WHERE cured), 0)
        FROM moved GROUP BY segment, arm, key"""
    first = labels[0]
    rows: list[tuple[Any, ...]] = []
    for segment, arm, key, base, base_amount, *figures in con.execute(sql).fetchall():
        rolled, rolled_amount, cured, cured_amount = figures
        rows.append((segment, arm, "roll", key, rolled, rolled_amount, base, base_amount))
        if key is not None and key != first:  # SQL's key <> first: a NULL bucket is out
            rows.append((segment, arm, "cure", key, cured, cured_amount, base, base_amount))
    return _rows(rows, currency)


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


# --- outcomes recorded in storage: recovery, promises, plans, contacts and complaints -------

# Per-account figures the service loads from storage (``tideover.services.cycle.outcomes``),
# one row per account, metric and key; ``borrower_id`` places a contact recorded on a
# debt that is not one of today's accounts on the borrower's first account.
OUTCOME_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("borrower_id", pa.string()),
        ("metric", pa.string()),
        ("key", pa.string()),
        ("items", pa.int64()),
        ("amount_minor", pa.int64()),
    ]
)
# Input metrics (metric -> keys) and what they count:
#   received / <bucket at start of day>       net money received on the day (items 1)
#   start_overdue / <bucket at start of day>  overdue amount before the day's money (items 1)
#   promises / made | due | kept | broken     promises (amount: the promised amount)
#   plans / offered | accepted | active | completed | broken | cancelled
#                                             plan events on the day (amount: plan total)
#   plans / in_force                          a plan active at the end of the day
#   attempted / <ledger channel>              outbound contact attempts
#   complaints / all                          contacts whose result is a complaint
# Outcomes read over those decided the same day, and figures counted without a base.
DECIDED: dict[str, tuple[str, ...]] = {
    "promises": ("kept", "broken"),
    "plans": ("completed", "broken"),
}
COUNTED: dict[str, tuple[str, ...]] = {
    "promises": ("made", "due"),
    "plans": ("offered", "accepted", "active", "cancelled"),
}


def _of(metric: str, keys: Sequence[str]) -> str:
    listed = ", ".join(quote_literal(k) for k in keys)
    return f"(metric = {quote_literal(metric)} AND key IN ({listed}))"


def outcome_kpis(
    con: duckdb.DuckDBPyConnection, *, assigned: str, outcomes: str, currency: str
) -> list[KpiRow]:
    """Recovery, promises, plans, contacts and complaints by today's segment and arm.

    - ``recovery/<bucket>``: accounts overdue at the start of the day (their
      bucket then), how many received money and how much (net of reversals),
      over those accounts and their overdue amount then;
    - ``promises/made``, ``promises/due``: count and amount, no base;
      ``promises/kept`` and ``promises/broken`` over the promises decided that day;
    - ``plans/offered``, ``accepted``, ``active``, ``cancelled``: count and plan
      total, no base; ``plans/completed`` and ``plans/broken`` over the plans
      that ended either way that day; ``plans/in_force``: open accounts with a
      plan active at the end of the day and their balance, over open accounts;
    - ``attempted/<channel>``: outbound attempts in the contact ledger, no base;
    - ``complaints/all``: complaints over attempts (per 1,000 when read).

    Figures of an account not in ``assigned`` go to the borrower's first
    account; with neither, they are not attributed (a loan not yet disbursed).
    One statement of plain SQL (no temporary table, no row values), so the
    Spark engine runs it transpiled.
    """
    counted = " OR ".join(_of(m, keys) for m, keys in COUNTED.items())
    decided = [
        f"""
        SELECT segment, arm, {quote_literal(metric)}, {quote_literal(key)},
               coalesce(sum(items) FILTER (WHERE key = {quote_literal(key)}), 0),
               coalesce(sum(amount_minor) FILTER (WHERE key = {quote_literal(key)}), 0),
               sum(items), sum(amount_minor)
        FROM attributed WHERE {_of(metric, keys)}
        GROUP BY segment, arm"""
        for metric, keys in DECIDED.items()
        for key in keys
    ]
    sql = f"""
        WITH {_attributed_sql(assigned, outcomes)}
        SELECT segment, arm, metric, key, sum(items), sum(amount_minor), NULL, NULL
        FROM attributed WHERE {counted} OR metric = 'attempted'
        GROUP BY segment, arm, metric, key
        UNION ALL {" UNION ALL ".join(decided)}
        UNION ALL
        SELECT segment, arm, 'complaints', 'all',
               coalesce(sum(items) FILTER (WHERE metric = 'complaints'), 0), 0,
               coalesce(sum(items) FILTER (WHERE metric = 'attempted'), 0), NULL
        FROM attributed WHERE metric IN ('complaints', 'attempted')
        GROUP BY segment, arm
        UNION ALL
        {_in_force_sql(assigned)}
        UNION ALL
        {_recovery_sql(assigned, outcomes)}"""
    return _rows(con.execute(sql).fetchall(), currency)


def _attributed_sql(assigned: str, outcomes: str) -> str:
    """CTEs ending in ``attributed``: each figure with its account's segment and arm.

    The borrowers' first accounts are looked up only for the figures that need them.
    """
    return f"""
        figures AS (
            SELECT o.metric, o.key, o.items, o.amount_minor, o.borrower_id, a.account_id,
                   a.segment, a.arm
            FROM {outcomes} AS o LEFT JOIN {assigned} AS a ON a.account_id = o.account_id),
        owner AS (
            SELECT borrower_id, min(account_id) AS account_id FROM {assigned}
            WHERE borrower_id IN (SELECT borrower_id FROM figures WHERE account_id IS NULL)
            GROUP BY borrower_id),
        attributed AS (
            SELECT segment, arm, account_id, metric, key, items, amount_minor
            FROM figures WHERE account_id IS NOT NULL
            UNION ALL
            SELECT a.segment, a.arm, a.account_id, f.metric, f.key, f.items, f.amount_minor
            FROM figures AS f
            JOIN owner AS w ON w.borrower_id = f.borrower_id
            JOIN {assigned} AS a ON a.account_id = w.account_id
            WHERE f.account_id IS NULL)"""


def _in_force_sql(assigned: str) -> str:
    """Every segment and arm with open accounts gets the row, zero included, so the
    platform's share (summed over segments) keeps every open account in its base."""
    return f"""
        SELECT a.segment, a.arm, 'plans', 'in_force',
               count(*) FILTER (WHERE p.account_id IS NOT NULL),
               coalesce(sum(a.balance_minor) FILTER (WHERE p.account_id IS NOT NULL), 0),
               count(*), sum(a.balance_minor)
        FROM {assigned} AS a
        LEFT JOIN (SELECT DISTINCT account_id FROM attributed
                   WHERE metric = 'plans' AND key = 'in_force') AS p
          ON p.account_id = a.account_id
        WHERE a.is_open
        GROUP BY a.segment, a.arm"""


def _recovery_sql(assigned: str, outcomes: str) -> str:
    """:func:`tideover.domain.kpis.recovery_figures` in SQL.  An account without money on
    the day started it as it ends it (today's bucket and overdue amount); one with money
    carries its start-of-day figures in ``outcomes``."""
    return f"""
        SELECT segment, arm, 'recovery', bucket,
               count(*) FILTER (WHERE received > 0), sum(received), count(*), sum(overdue)
        FROM (
            SELECT a.segment, a.arm, coalesce(p.bucket, a.bucket) AS bucket,
                   coalesce(p.overdue, a.overdue_minor) AS overdue,
                   coalesce(p.received, 0) AS received
            FROM {assigned} AS a
            LEFT JOIN (
                SELECT account_id,
                       max(key) FILTER (WHERE metric = 'start_overdue') AS bucket,
                       sum(amount_minor) FILTER (WHERE metric = 'start_overdue') AS overdue,
                       sum(amount_minor) FILTER (WHERE metric = 'received') AS received
                FROM {outcomes} WHERE metric IN ('start_overdue', 'received')
                GROUP BY account_id) AS p
              ON p.account_id = a.account_id) AS s
        WHERE overdue > 0
        GROUP BY segment, arm, bucket"""
