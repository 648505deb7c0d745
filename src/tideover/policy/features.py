"""The feature catalogue: the only names a policy condition may use.

Every feature is one column of the daily per-account frame (and one key of the
single-account feature dict).  Money is in major units of the platform's
currency as an exact decimal, never a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FeatureType(StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    STRING = "string"
    BOOLEAN = "boolean"

    @property
    def is_numeric(self) -> bool:
        return self in (FeatureType.INTEGER, FeatureType.DECIMAL)


@dataclass(frozen=True)
class Feature:
    name: str
    type: FeatureType
    en: str
    zh: str
    nullable: bool = False


_I, _D, _S, _B = FeatureType.INTEGER, FeatureType.DECIMAL, FeatureType.STRING, FeatureType.BOOLEAN

FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("bucket", _S, "delinquency bucket (M0, M1 … M6+)", "账龄（M0、M1 … M6+）"),
        Feature("dpd", _I, "days past due", "逾期天数"),
        Feature("days_in_segment", _I, "days since the account entered its segment", "入群天数"),
        Feature("overdue_amount", _D, "amount overdue, major units", "逾期金额（元）"),
        Feature("balance", _D, "outstanding balance, major units", "剩余应还余额（元）"),
        Feature(
            "score", _D, "risk score: probability of rolling, 0–1", "风险分：滚动概率 0–1", True
        ),
        Feature("band", _S, "score band (A best … E worst)", "风险等级（A 最好 … E 最差）", True),
        Feature("product", _S, "product code", "产品代码"),
        Feature("region", _S, "borrower's region code", "借款人所在地区代码", True),
        Feature("hardship_flag", _B, "an open or granted hardship case", "有困难申请或已获减免"),
        Feature("vulnerable_flag", _B, "borrower known to be vulnerable", "弱势借款人"),
        Feature("dispute_flag", _B, "the debt is disputed", "债务有争议"),
        Feature("time_barred", _B, "the debt's limitation period has run", "债务已过诉讼时效"),
        Feature("promise_active", _B, "an unexpired promise to pay", "有未到期的还款承诺"),
        Feature("broken_promises", _I, "promises broken in the last 90 days", "近 90 天违约承诺数"),
        Feature(
            "days_since_last_contact",
            _I,
            "days since the last successful contact (null: never)",
            "距上次成功联系天数（空：从未联系）",
            True,
        ),
        Feature(
            "days_since_last_payment",
            _I,
            "days since the last payment (null: never paid)",
            "距上次还款天数（空：从未还款）",
            True,
        ),
        Feature("installments_overdue", _I, "unpaid installments past due", "逾期未还期数"),
        Feature("months_on_book", _I, "whole months since disbursement", "放款后月数"),
    )
}
