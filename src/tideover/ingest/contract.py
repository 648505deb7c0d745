"""The column contract of imported files: one declaration per kind of record.

docs/import.md shows these tables as rendered by :func:`render_markdown`; a
test keeps the two identical, so the contract is written once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from tideover.domain.errors import UsageError
from tideover.domain.loans import Frequency, RepaymentMethod
from tideover.i18n import N_

Kind = Literal["borrowers", "loans", "payments"]
KINDS: tuple[Kind, ...] = ("borrowers", "loans", "payments")

MULTI_VALUE_SEPARATOR = ";"


class ColumnType(StrEnum):
    """How a column's text is read."""

    STRING = "string"
    ID = "id"  # letters and digits of any script and - _ . : / # @ (ingest/bounds.py)
    DATE = "date"  # ISO 8601 calendar date, YYYY-MM-DD
    AMOUNT = "amount"  # decimal in major units, at most the currency's minor digits
    RATE = "rate"  # a fraction (0.1299) or a percentage with "%" (12.99%)
    INTEGER = "integer"
    ENUM = "enum"  # one of ``Column.values``


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the contract."""

    name: str
    type: ColumnType
    required: bool
    description: str
    example: str
    values: tuple[str, ...] = ()  # the allowed values of an ENUM column
    multiple: bool = False  # several values separated by ";"
    max_length: int | None = None  # characters; what storage holds
    personal: bool = False  # personal data: a report shows it masked (domain/redact.py)
    free_text: bool = False  # may hold tabs and line breaks
    labels: tuple[str, ...] = ()  # other header names read as this column (Chinese exports)
    aliases: tuple[tuple[str, str], ...] = ()  # (spelling, value) of an ENUM's other spellings


@dataclass(frozen=True, slots=True)
class Contract:
    """The columns of one kind of record; other columns are kept as attributes."""

    kind: Kind
    id_column: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def header_names(self) -> dict[str, str]:
        """Every header read as a contract column (its name and labels) → the column."""
        names = {label.lower(): col.name for col in self.columns for label in col.labels}
        return names | {col.name: col.name for col in self.columns}


# Longest text each column may hold, as stored (adapters/orm.py); ids share one width.
# Phone, resident ID and address are stored encrypted or as text: their limits are
# generous bounds on what a real value can be, not storage widths.
_MAX_LENGTHS = {
    "borrower_id": 64,
    "loan_id": 64,
    "payment_id": 64,
    "reverses": 64,
    "name": 200,
    "phone": 200,
    "national_id": 32,
    "address": 500,
    "time_zone": 64,
    "email": 320,
    "product": 64,
    "channel": 32,
}
_PERSONAL = frozenset({"name", "phone", "national_id", "address", "email"})
_FREE_TEXT = frozenset({"address"})


def _col(
    name: str,
    type_: ColumnType,
    description: str,
    example: str,
    *,
    required: bool = False,
    values: tuple[str, ...] = (),
    multiple: bool = False,
    max_length: int | None = None,
    aliases: dict[str, tuple[str, ...]] | None = None,
) -> Column:
    length = max_length if max_length is not None else _MAX_LENGTHS.get(name)
    return Column(
        name,
        type_,
        required,
        description,
        example,
        values,
        multiple,
        length,
        personal=name in _PERSONAL,
        free_text=name in _FREE_TEXT,
        labels=_LABELS.get(name, ()),
        aliases=tuple(
            (spelling, value)
            for value, spellings in (aliases or {}).items()
            for spelling in spellings
        ),
    )


# The column names of Chinese lenders' own exports, read as the contract's columns
# without a mapping file (a file's other names are mapped with one: docs/import.md).
_LABELS: dict[str, tuple[str, ...]] = {
    "borrower_id": ("借款人编号", "客户编号", "客户号", "用户编号"),
    "name": ("姓名", "借款人姓名", "客户姓名"),
    "phone": ("手机号", "手机号码", "联系电话"),
    "national_id": ("身份证号", "身份证号码", "证件号码"),
    "address": ("地址", "居住地址", "通讯地址"),
    "time_zone": ("时区",),
    "locale": ("语言",),
    "email": ("电子邮箱", "邮箱"),
    "loan_id": ("借据号", "借据编号", "贷款编号"),
    "principal": ("本金", "借款金额", "放款金额", "贷款金额"),
    "currency": ("币种",),
    "annual_rate": ("年利率", "年化利率"),
    "term": ("期数", "贷款期数", "借款期数"),
    "method": ("还款方式",),
    "start_date": ("放款日期", "起息日"),
    "first_due_date": ("首期还款日", "首次还款日"),
    "frequency": ("还款频率",),
    "product": ("产品", "产品名称"),
    "payment_id": ("还款编号", "还款流水号", "交易流水号"),
    "amount": ("还款金额", "实还金额"),
    "paid_on": ("还款日期", "实还日期", "入账日期"),
    "reverses": ("冲正流水号", "被冲正还款编号"),
    "channel": ("还款渠道", "渠道"),
}

# Other spellings of the enum values: the glossary's Chinese names (DESIGN.md) and the
# words Chinese core systems print for them.
_METHOD_ALIASES = {
    RepaymentMethod.EQUAL_INSTALLMENT.value: ("等额本息", "按月等额本息", "annuity"),
    RepaymentMethod.EQUAL_PRINCIPAL.value: ("等额本金", "按月等额本金"),
    RepaymentMethod.INTEREST_ONLY.value: ("先息后本", "按月付息到期还本", "每月付息到期还本"),
    RepaymentMethod.BULLET.value: ("到期一次还本付息", "一次性还本付息", "利随本清"),
}
_FREQUENCY_ALIASES = {
    Frequency.MONTHLY.value: ("按月", "每月", "月"),
    Frequency.QUARTERLY.value: ("按季", "每季", "季", "按季度", "每季度"),
    Frequency.BIWEEKLY.value: ("双周", "每两周", "按双周"),
    Frequency.WEEKLY.value: ("按周", "每周", "周"),
}
_LOCALE_ALIASES = {
    "zh-CN": ("中文", "简体中文", "汉语", "zh"),
    "en-US": ("英文", "英语", "English", "en"),
    "en-GB": ("英式英语", "en-UK"),
}


T = ColumnType

BORROWERS = Contract(
    kind="borrowers",
    id_column="borrower_id",
    columns=(
        _col(
            "borrower_id",
            T.ID,
            "The platform's own borrower id, unique per platform.",
            "B0001",
            required=True,
        ),
        _col("name", T.STRING, "Full name.", "张伟", required=True),
        _col(
            "phone",
            T.STRING,
            "Phone numbers separated by `;`; a number without `+` is read as "
            "a Chinese (CN) number.",
            "13800138000;+85291234567",
            required=True,
            multiple=True,
        ),
        _col(
            "national_id",
            T.STRING,
            "18-character Chinese resident ID (居民身份证号); checksum, "
            "birth date and region are checked.",
            "11010519491231002X",
        ),
        _col("address", T.STRING, "Postal address.", "北京市朝阳区建国路 1 号"),
        _col(
            "time_zone",
            T.STRING,
            "IANA time zone of the address; when empty, the phone numbers' zones are used.",
            "Asia/Shanghai",
        ),
        _col(
            "locale",
            T.ENUM,
            "Language for notices.",
            "zh-CN",
            values=("zh-CN", "en-US", "en-GB"),
            aliases=_LOCALE_ALIASES,
        ),
        _col("email", T.STRING, "E-mail address.", "zhang.wei@example.com"),
    ),
)

LOANS = Contract(
    kind="loans",
    id_column="loan_id",
    columns=(
        _col(
            "loan_id",
            T.ID,
            "The platform's own loan id, unique per platform.",
            "L0001",
            required=True,
        ),
        _col(
            "borrower_id",
            T.ID,
            "An already imported borrower of the platform.",
            "B0001",
            required=True,
        ),
        _col(
            "principal",
            T.AMOUNT,
            "Amount lent, in major units (yuan, dollars), > 0.",
            "12000.00",
            required=True,
        ),
        _col("currency", T.STRING, "ISO 4217 code; empty means the platform's currency.", "CNY"),
        _col(
            "annual_rate",
            T.RATE,
            "Nominal annual rate: a fraction (`0.1299`) or a percentage "
            "with `%` (`12.99%`); a bare number above 1 is refused as ambiguous.",
            "0.1299",
            required=True,
        ),
        _col("term", T.INTEGER, "Number of installments, ≥ 1.", "12", required=True),
        _col(
            "method",
            T.ENUM,
            "Repayment method.",
            "equal-installment",
            required=True,
            values=tuple(m.value for m in RepaymentMethod),
            aliases=_METHOD_ALIASES,
        ),
        _col(
            "start_date",
            T.DATE,
            "Disbursement date, not after the business date.",
            "2026-01-15",
            required=True,
        ),
        _col(
            "first_due_date",
            T.DATE,
            "First due date, after `start_date`; empty means one period after `start_date`.",
            "2026-02-15",
        ),
        _col(
            "frequency",
            T.ENUM,
            "Installment frequency; empty means monthly.",
            "monthly",
            values=tuple(f.value for f in Frequency),
            aliases=_FREQUENCY_ALIASES,
        ),
        _col("product", T.STRING, "The platform's product name.", "cash-loan-12m"),
    ),
)

PAYMENTS = Contract(
    kind="payments",
    id_column="payment_id",
    columns=(
        _col(
            "payment_id",
            T.ID,
            "The platform's own payment id, unique per platform.",
            "P0001",
            required=True,
        ),
        _col("loan_id", T.ID, "An already imported loan of the platform.", "L0001", required=True),
        _col(
            "amount",
            T.AMOUNT,
            "Amount received, in major units, > 0 (a reversal repeats the original amount).",
            "1071.60",
            required=True,
        ),
        _col(
            "currency",
            T.STRING,
            "ISO 4217 code; empty means the platform's currency; must be the loan's currency.",
            "CNY",
        ),
        _col(
            "paid_on",
            T.DATE,
            "Value date, not after the business date.",
            "2026-02-15",
            required=True,
        ),
        _col(
            "reverses",
            T.ID,
            "The payment_id this record reverses (same loan, same amount).",
            "P0001",
        ),
        _col("channel", T.STRING, "How the money came in.", "bank-transfer"),
    ),
)

CONTRACTS: dict[str, Contract] = {c.kind: c for c in (BORROWERS, LOANS, PAYMENTS)}


def contract_for(kind: str) -> Contract:
    """The contract of ``kind`` (borrowers, loans or payments)."""
    found = CONTRACTS.get(kind)
    if found is None:
        raise UsageError(
            N_("unknown kind of record %(kind)s; expected one of %(kinds)s"),
            kind=repr(kind),
            kinds=tuple(KINDS),
        )
    return found


def render_markdown(contract: Contract) -> str:
    """The contract as a Markdown table (the one in docs/import.md)."""
    lines = [
        "| column | also read from | type | required | description | example |",
        "|---|---|---|---|---|---|",
    ]
    for col in contract.columns:
        type_text = col.type.value
        if col.max_length is not None:
            type_text += f" (≤ {col.max_length})"
        if col.values:
            type_text += ": " + " \\| ".join(_value_text(col, v) for v in col.values)
        labels = "、".join(col.labels) or "—"
        lines.append(
            f"| `{col.name}` | {labels} | {type_text} | {'yes' if col.required else 'no'} "
            f"| {col.description} | `{col.example}` |"
        )
    return "\n".join(lines) + "\n"


def _value_text(col: Column, value: str) -> str:
    others = [spelling for spelling, v in col.aliases if v == value]
    return f"`{value}`" + (f" ({'、'.join(others)})" if others else "")
