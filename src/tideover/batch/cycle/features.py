"""The per-account feature frame of the policy catalogue, built in one DuckDB statement.

The accounts table carries what Tideover knows today (delinquency, balances,
product, borrower); every catalogue feature it lacks takes the documented
default of :data:`FEATURE_DEFAULTS` (``docs/cycle.md``, "Features"), so a policy
reading a feature Tideover has no data for yet behaves as for an account where
nothing happened: no hardship, no dispute, no promise, never contacted.
"""

from __future__ import annotations

import duckdb

from tideover.domain.errors import ValidationError
from tideover.i18n import N_
from tideover.policy.features import FEATURES

# Columns every accounts table must have: (name, meaning).
ACCOUNT_COLUMNS: dict[str, str] = {
    "account_id": "loan id (text)",
    "borrower_id": "borrower id (text)",
    "is_open": "false once the loan is fully repaid",
    "time_zones": "the borrower's candidate IANA zones, comma separated",
    "dpd": "days past due",
    "bucket": "delinquency bucket label",
    "overdue_minor": "amount overdue, minor units",
    "balance_minor": "outstanding balance, minor units",
    "product": "product code",
    "months_on_book": "whole months since disbursement",
    "installments_overdue": "unpaid installments past due",
}

# Catalogue features the accounts table may lack, and the SQL default each then takes.
FEATURE_DEFAULTS: dict[str, str] = {
    "region": "CAST(NULL AS VARCHAR)",
    # No segment history is kept yet: an account is taken to have entered its
    # segment when it fell due, so the segment clock runs with the DPD clock.
    "days_in_segment": "dpd",
    "hardship_flag": "FALSE",
    "vulnerable_flag": "FALSE",
    "dispute_flag": "FALSE",
    "time_barred": "FALSE",
    "promise_active": "FALSE",
    "broken_promises": "0",
    "days_since_last_contact": "CAST(NULL AS INTEGER)",
    "days_since_last_payment": "CAST(NULL AS INTEGER)",
}

# Passed through for the later stages (gate, dispatch, KPIs), beside the features.
CARRIED = ("borrower_id", "is_open", "time_zones", "overdue_minor", "balance_minor")


def unit_literal(minor_digits: int) -> str:
    """The SQL decimal literal of one minor unit in major units: ``0.01`` for two digits."""
    return "1" if minor_digits == 0 else "0." + "0" * (minor_digits - 1) + "1"


def columns_of(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    return {row[0].lower() for row in con.sql(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


def check_accounts(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    """The relation's columns; a missing required column is a ``ValidationError``."""
    have = columns_of(con, relation)
    missing = sorted(set(ACCOUNT_COLUMNS) - have)
    if missing:
        raise ValidationError(
            N_("the cycle's accounts table lacks column(s): %(missing)s"),
            missing=tuple(missing),
        )
    return have


def features_sql(have: set[str], *, relation: str, minor_digits: int) -> str:
    """SELECT of ``account_id``, every catalogue feature but score and band, and CARRIED."""
    unit = unit_literal(minor_digits)
    money = {
        "overdue_amount": f"CAST(overdue_minor AS DECIMAL(18,0)) * {unit}",
        "balance": f"CAST(balance_minor AS DECIMAL(18,0)) * {unit}",
    }
    selected = ["account_id"]
    for name in FEATURES:
        if name in ("score", "band"):
            continue
        if name in money:
            expression = money[name]
        elif name in have:
            default = FEATURE_DEFAULTS.get(name)
            expression = (
                f"COALESCE({name}, {default})" if default and "NULL" not in default else name
            )
        else:
            expression = FEATURE_DEFAULTS[name]
        selected.append(f"{expression} AS {name}")
    selected += list(CARRIED)
    return f"SELECT {', '.join(selected)} FROM {relation}"
