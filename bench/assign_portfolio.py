"""A synthetic per-account feature portfolio (fixed seed) for the assignment engine.

Every column of the policy feature catalogue plus ``account_id`` (``A000000001`` …),
money and scores as exact decimals, written to Parquet in row groups of 262,144.
The mix, per account:

- ``dpd``: 45 % current (0), 35 % early (1–30), 20 % late (31–210, skewed short);
  ``bucket`` follows from it (M0, M1 … M6, M6+ by 30-day steps);
- ``score``: NULL for 5 %, else 0.000–0.999 rising with dpd; ``band`` A–E from it;
- flags: hardship 6 %, vulnerable 3 %, dispute 2 %, promise active 15 %;
- ``broken_promises`` 0–3, ``days_in_segment`` 0–90, contact/payment gaps with NULLs.

Usage: ``python bench/assign_portfolio.py OUT.parquet --accounts 1000000``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

DEFAULT_SEED = 20261128
CHUNK = 1_048_576  # four row groups


def _chunk(rng: np.random.Generator, first: int, n: int) -> pa.Table:
    kind = rng.choice(3, size=n, p=[0.45, 0.35, 0.20])
    dpd = np.where(
        kind == 0,
        0,
        np.where(kind == 1, rng.integers(1, 31, n), 31 + np.minimum(rng.geometric(1 / 40, n), 179)),
    )
    risk = np.clip(rng.normal(0.15 + dpd / 250, 0.15), 0, 0.999)
    score = np.where(rng.random(n) < 0.05, -1, np.floor(risk * 1000)).astype(np.int64)
    balance = rng.integers(50_000, 5_000_000, n)  # cents
    gap = rng.integers(0, 120, n)
    return pa.table(
        {
            "i": np.arange(first, first + n, dtype=np.int64),
            "dpd": dpd.astype(np.int32),
            "days_in_segment": rng.integers(0, 91, n, dtype=np.int32),
            "score_pm": score,
            "balance_c": balance,
            "overdue_c": (balance * rng.uniform(0, 0.3, n)).astype(np.int64) * (dpd > 0),
            "product": rng.choice(np.array(["cash", "card", "bnpl"]), n),
            "region": rng.choice(np.array(["", "east", "north", "south", "west"]), n),
            "hardship_flag": rng.random(n) < 0.06,
            "vulnerable_flag": rng.random(n) < 0.03,
            "dispute_flag": rng.random(n) < 0.02,
            "promise_active": rng.random(n) < 0.15,
            "broken_promises": rng.choice(4, n, p=[0.7, 0.15, 0.1, 0.05]).astype(np.int16),
            "contact_gap": np.where(rng.random(n) < 0.2, -1, gap).astype(np.int32),
            "payment_gap": np.where(rng.random(n) < 0.1, -1, gap + dpd).astype(np.int32),
            "installments_overdue": np.ceil(dpd / 30).astype(np.int16),
            "months_on_book": rng.integers(1, 48, n, dtype=np.int16),
        }
    )


# Decimals are built in SQL (exact: DECIMAL(18,0) * 0.01 is DECIMAL(18,2)), never via floats.
_SELECT = """
SELECT 'A' || lpad(CAST(i AS VARCHAR), 9, '0') AS account_id,
  CASE WHEN dpd = 0 THEN 'M0' WHEN dpd > 180 THEN 'M6+'
    ELSE 'M' || CAST((dpd + 29) // 30 AS VARCHAR) END AS bucket,
  dpd, days_in_segment,
  CAST(overdue_c AS DECIMAL(18, 0)) * 0.01 AS overdue_amount,
  CAST(balance_c AS DECIMAL(18, 0)) * 0.01 AS balance,
  CASE WHEN score_pm >= 0 THEN CAST(score_pm AS DECIMAL(4, 0)) * 0.001 END AS score,
  CASE WHEN score_pm < 0 THEN NULL WHEN score_pm < 100 THEN 'A' WHEN score_pm < 250 THEN 'B'
    WHEN score_pm < 450 THEN 'C' WHEN score_pm < 650 THEN 'D' ELSE 'E' END AS band,
  product, NULLIF(region, '') AS region,
  hardship_flag, vulnerable_flag, dispute_flag, promise_active, broken_promises,
  NULLIF(contact_gap, -1) AS days_since_last_contact,
  NULLIF(payment_gap, -1) AS days_since_last_payment,
  installments_overdue, months_on_book
FROM chunk
"""


def write_portfolio(path: Path, accounts: int, *, seed: int = DEFAULT_SEED) -> Path:
    """Write ``accounts`` synthetic accounts to ``path`` (same seed, same file content)."""
    rng = np.random.default_rng(seed)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    parts = []
    for number, first in enumerate(range(0, accounts, CHUNK)):
        chunk = _chunk(rng, first + 1, min(CHUNK, accounts - first))
        con.register("chunk", chunk)
        part = path.with_name(f".{path.name}.{number}")
        con.execute(f"COPY ({_SELECT}) TO '{part}' (FORMAT parquet, ROW_GROUP_SIZE 262144)")
        con.unregister("chunk")
        parts.append(str(part))
    con.execute(
        f"COPY (SELECT * FROM read_parquet({parts!r})) TO '{path}' "
        "(FORMAT parquet, ROW_GROUP_SIZE 262144)"
    )
    for part in parts:
        Path(part).unlink()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    write_portfolio(args.out, args.accounts, seed=args.seed)


if __name__ == "__main__":
    main()
