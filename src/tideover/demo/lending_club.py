"""Lending Club rows normalised into typed loan records.

Two extracts are understood: the 2018 Q1 loans of ``openintro::loans_full_schema``
(status, installment and amounts paid as of a mid-2018 snapshot) and the 2016 Q1
loans of ``modeldata::lending_club`` (amount, rate, term, state and a good/bad
outcome only).  Amounts become ``Decimal`` with two places, rates fractions.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from tideover.domain.errors import ValidationError
from tideover.i18n import N_

CENT = Decimal("0.01")


class LoanStatus(StrEnum):
    """Lending Club's loan statuses, with the DPD range each implies here."""

    CURRENT = "Current"
    IN_GRACE = "In Grace Period"
    LATE_16_30 = "Late (16-30 days)"
    LATE_31_120 = "Late (31-120 days)"
    CHARGED_OFF = "Charged Off"
    FULLY_PAID = "Fully Paid"

    @property
    def dpd_range(self) -> tuple[int, int | None]:
        """Inclusive DPD bounds on the snapshot date (``None``: no upper bound)."""
        return _DPD_RANGES[self]

    @property
    def is_delinquent(self) -> bool:
        return self.dpd_range[0] > 0


# LC's own status names give the first four ranges.  LC charges a loan off at
# 150 DPD; a charged-off loan here is one that stopped paying long ago, past
# the last bucket (M6+, over 180 days).
_DPD_RANGES: dict[LoanStatus, tuple[int, int | None]] = {
    LoanStatus.CURRENT: (0, 0),
    LoanStatus.FULLY_PAID: (0, 0),
    LoanStatus.IN_GRACE: (1, 15),
    LoanStatus.LATE_16_30: (16, 30),
    LoanStatus.LATE_31_120: (31, 120),
    LoanStatus.CHARGED_OFF: (181, None),
}

# The last month whose installments the 2018 Q1 amounts include: loans issued
# in January show five installments paid, February four, March three.
SNAPSHOT_2018Q1 = date(2018, 6, 1)
# The 2016 Q1 extract carries no dates; its outcome is taken as of December
# 2016 (an assumption, documented in docs/data.md).
SNAPSHOT_2016Q1 = date(2016, 12, 1)
ISSUE_MONTHS_2016Q1 = (date(2016, 1, 1), date(2016, 2, 1), date(2016, 3, 1))

# A "bad" 2016 loan is "charged off, defaulted, or 21-120 days late"
# (modeldata documentation); which of these it was is drawn with these weights.
BAD_STATUS_WEIGHTS: tuple[tuple[LoanStatus, int], ...] = (
    (LoanStatus.LATE_16_30, 1),
    (LoanStatus.LATE_31_120, 2),
    (LoanStatus.CHARGED_OFF, 1),
)


@dataclass(frozen=True, slots=True)
class LcLoan:
    """One Lending Club loan, as the demo portfolio needs it."""

    source: str  # "2018q1" or "2016q1"
    row: int  # the source's own row number
    amount: Decimal
    annual_rate: Decimal  # fraction: 0.1407 is 14.07 % a year
    term: int  # months
    grade: str
    sub_grade: str
    status: LoanStatus
    status_derived: bool  # True when drawn from a good/bad outcome
    issue_month: date  # first day of the month
    months_on_book: int  # installments fallen due by the snapshot
    state: str
    installment: Decimal | None = None
    balance: Decimal | None = None
    paid_total: Decimal | None = None
    paid_principal: Decimal | None = None
    paid_interest: Decimal | None = None
    paid_late_fees: Decimal | None = None
    annual_income: Decimal | None = None
    purpose: str = ""
    emp_title: str = ""

    @property
    def key(self) -> str:
        return f"{self.source}-{self.row}"

    @property
    def paid_installments(self) -> int | None:
        """Whole installments the recorded payments cover (late fees excluded)."""
        if self.paid_total is None or not self.installment:
            return None
        paid = self.paid_total - (self.paid_late_fees or Decimal(0))
        # 1 % slack: LC accrues interest daily, so equal installments differ by cents.
        return math.floor(paid / self.installment + Decimal("0.01"))


def _money(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return Decimal(f"{float(value):.2f}")


def _required(value: Decimal | None, what: str, row: int) -> Decimal:
    if value is None:
        raise ValidationError(
            N_("Lending Club row %(row)s: %(what)s is missing"),
            row=row,
            what=what,
        )
    return value


def _rate(percent: Any, row: int) -> Decimal:
    value = _required(_money(percent), "interest rate", row)
    return value / 100


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip


def _issue_month(text: str) -> date:
    """``"Mar-2018"`` as the first day of that month."""
    name, _, year = text.partition("-")
    return date(int(year), _MONTHS.index(name) + 1, 1)


def record_2018q1(row: Mapping[str, Any]) -> LcLoan:
    """One row of ``loans_full_schema`` as an ``LcLoan``."""
    number = int(row["rownames"])
    issued = _issue_month(str(row["issue_month"]))
    return LcLoan(
        source="2018q1",
        row=number,
        amount=_required(_money(row["loan_amount"]), "loan amount", number),
        annual_rate=_rate(row["interest_rate"], number),
        term=int(row["term"]),
        grade=str(row["grade"]),
        sub_grade=str(row["sub_grade"]),
        status=LoanStatus(str(row["loan_status"])),
        status_derived=False,
        issue_month=issued,
        months_on_book=_months_between(issued, SNAPSHOT_2018Q1),
        state=str(row["state"]),
        installment=_money(row["installment"]),
        balance=_money(row["balance"]),
        paid_total=_money(row["paid_total"]),
        paid_principal=_money(row["paid_principal"]),
        paid_interest=_money(row["paid_interest"]),
        paid_late_fees=_money(row["paid_late_fees"]),
        annual_income=_money(row["annual_income"]),
        purpose=_text(row.get("loan_purpose")),
        emp_title=_text(row.get("emp_title")),
    )


def record_2016q1(row: Mapping[str, Any], *, seed: int) -> LcLoan:
    """One row of ``modeldata::lending_club``; the missing facts are drawn from ``seed``."""
    number = int(row["rownames"])
    # One generator per row, so a loan comes out the same from a sample or the whole set.
    rng = random.Random(f"{seed}:2016q1:{number}")
    issued = rng.choice(ISSUE_MONTHS_2016Q1)
    if str(row["Class"]) == "good":
        status = LoanStatus.CURRENT
    else:
        statuses, weights = zip(*BAD_STATUS_WEIGHTS, strict=True)
        status = rng.choices(statuses, weights)[0]
    sub_grade = str(row["sub_grade"])
    return LcLoan(
        source="2016q1",
        row=number,
        amount=_required(_money(row["funded_amnt"]), "funded amount", number),
        annual_rate=_rate(row["int_rate"], number),
        term=int(str(row["term"]).removeprefix("term_")),
        grade=sub_grade[:1],
        sub_grade=sub_grade,
        status=status,
        status_derived=True,
        issue_month=issued,
        months_on_book=_months_between(issued, SNAPSHOT_2016Q1),
        state=str(row["addr_state"]),
        annual_income=_money(row["annual_inc"]),
    )


def records_from(rows: Iterable[Mapping[str, Any]], *, seed: int = 0) -> list[LcLoan]:
    """Rows of either extract (told apart by their columns) as ``LcLoan`` records."""
    result: list[LcLoan] = []
    for row in rows:
        if "loan_status" in row:
            result.append(record_2018q1(row))
        elif "Class" in row:
            result.append(record_2016q1(row, seed=seed))
        else:
            raise ValidationError(
                N_(
                    "a row is neither from loans_full_schema nor from modeldata lending_club "
                    "(columns: %(columns)s)"
                ),
                columns=", ".join(sorted(row))[:200],
            )
    return result


def records_from_frame(frame: Any, *, seed: int = 0) -> list[LcLoan]:
    """A pandas DataFrame of either extract as ``LcLoan`` records."""
    rows: list[dict[str, Any]] = frame.to_dict(orient="records")
    return records_from(rows, seed=seed)
