"""The feature catalogue: the only names a policy condition may use.

Every feature is one column of the daily per-account frame (and one key of the
single-account feature dict).  Money is in major units of the platform's
currency as an exact decimal, never a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tideover.i18n import N_, Worded, Wording


class FeatureType(StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    STRING = "string"
    BOOLEAN = "boolean"

    @property
    def is_numeric(self) -> bool:
        return self in (FeatureType.INTEGER, FeatureType.DECIMAL)


@dataclass(frozen=True)
class Feature(Worded):
    name: str
    type: FeatureType
    wording: Wording
    nullable: bool = False


_I, _D, _S, _B = FeatureType.INTEGER, FeatureType.DECIMAL, FeatureType.STRING, FeatureType.BOOLEAN

FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("bucket", _S, Wording(N_("delinquency bucket (M0, M1 … M6+)"))),
        Feature("dpd", _I, Wording(N_("days past due"))),
        Feature("days_in_segment", _I, Wording(N_("days since the account entered its segment"))),
        Feature("overdue_amount", _D, Wording(N_("amount overdue, major units"))),
        Feature("balance", _D, Wording(N_("outstanding balance, major units"))),
        Feature("score", _D, Wording(N_("risk score: probability of rolling, 0–1")), True),
        Feature("band", _S, Wording(N_("score band (A best … E worst)")), True),
        Feature("product", _S, Wording(N_("product code"))),
        Feature("region", _S, Wording(N_("borrower's region code")), True),
        Feature("hardship_flag", _B, Wording(N_("an open or granted hardship case"))),
        Feature("vulnerable_flag", _B, Wording(N_("borrower known to be vulnerable"))),
        Feature("dispute_flag", _B, Wording(N_("the debt is disputed"))),
        Feature("time_barred", _B, Wording(N_("the debt's limitation period has run"))),
        Feature("promise_active", _B, Wording(N_("an unexpired promise to pay"))),
        Feature("broken_promises", _I, Wording(N_("promises broken in the last 90 days"))),
        Feature(
            "days_since_last_contact",
            _I,
            Wording(N_("days since the last successful contact (null: never)")),
            True,
        ),
        Feature(
            "days_since_last_payment",
            _I,
            Wording(N_("days since the last payment (null: never paid)")),
            True,
        ),
        Feature("installments_overdue", _I, Wording(N_("unpaid installments past due"))),
        Feature("months_on_book", _I, Wording(N_("whole months since disbursement"))),
    )
}
