"""What a message is for, where it goes, in which language, and what it may say.

A template names one purpose and one channel and carries a body (and, for
e-mail and letters, a subject) in every language Tideover writes: Simplified
Chinese and English.  The variables a template may use are those of its
purpose (below) and the platform's own; anything else is refused when the
version is reviewed (``comms.review``), not discovered at send time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from tideover.domain.money import CNY, Money, currency


class Purpose(StrEnum):
    REMINDER = "reminder"
    OVERDUE_NOTICE = "overdue_notice"
    PROMISE_CONFIRMATION = "promise_confirmation"
    PLAN_OFFER = "plan_offer"
    PLAN_CONFIRMATION = "plan_confirmation"
    POLICY_CHANGE_NOTICE = "policy_change_notice"
    RIGHTS_STATEMENT = "rights_statement"
    VALIDATION_NOTICE = "validation_notice"
    HARDSHIP_DECISION = "hardship_decision"


class MessageChannel(StrEnum):
    """The channels the outbox sends on (calls and visits are people's work)."""

    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    APP_PUSH = "app_push"


# A channel with a subject line (the e-mail's Subject, the letter's heading, the push title).
WITH_SUBJECT = frozenset({MessageChannel.EMAIL, MessageChannel.LETTER, MessageChannel.APP_PUSH})

LANGUAGES = ("zh-CN", "en")


def language_of(locale: str) -> str:
    """The language Tideover writes to a reader of ``locale``: English for ``en*``,
    Simplified Chinese otherwise (the default of a Chinese platform)."""
    return "en" if locale.lower().startswith("en") else "zh-CN"


def babel_locale(language: str) -> str:
    return "en_US" if language == "en" else "zh_Hans_CN"


class Kind(StrEnum):
    """How a variable's value is written and checked."""

    TEXT = "text"  # free text from data (a name): checked by the message checker
    MONEY = "money"  # ``Money``: written by Babel in the reader's locale
    DATE = "date"  # ``date``: a long date in the reader's locale
    NUMBER = "number"  # ``int``: digits grouped in the reader's locale
    PLATFORM = "platform"  # the platform's own words (its name, service line): verbatim


# The platform's variables, available to every template.
PLATFORM_VARIABLES: Mapping[str, Kind] = MappingProxyType(
    {
        "platform_name": Kind.PLATFORM,
        "service_phone": Kind.PLATFORM,
        "pay_where": Kind.PLATFORM,  # where to pay: the official app or accounts
        "portal_url": Kind.PLATFORM,
    }
)

# Every message about a debt names the borrower, the account and what is owed.
_ACCOUNT: dict[str, Kind] = {
    "borrower_name": Kind.TEXT,
    "account_ref": Kind.TEXT,  # the account's last four characters, never the whole id
    "overdue_amount": Kind.MONEY,
    "balance": Kind.MONEY,
    "due_date": Kind.DATE,
    "dpd": Kind.NUMBER,
    "today": Kind.DATE,
}

VARIABLES: Mapping[Purpose, Mapping[str, Kind]] = MappingProxyType(
    {
        Purpose.REMINDER: MappingProxyType(dict(_ACCOUNT)),
        Purpose.OVERDUE_NOTICE: MappingProxyType(dict(_ACCOUNT)),
        Purpose.PROMISE_CONFIRMATION: MappingProxyType(
            {**_ACCOUNT, "promise_amount": Kind.MONEY, "promise_date": Kind.DATE}
        ),
        Purpose.PLAN_OFFER: MappingProxyType(
            {
                **_ACCOUNT,
                "plan_installment": Kind.MONEY,
                "plan_term": Kind.NUMBER,
                "plan_first_date": Kind.DATE,
                "offer_expires": Kind.DATE,
            }
        ),
        Purpose.PLAN_CONFIRMATION: MappingProxyType(
            {
                **_ACCOUNT,
                "plan_installment": Kind.MONEY,
                "plan_term": Kind.NUMBER,
                "plan_first_date": Kind.DATE,
            }
        ),
        Purpose.POLICY_CHANGE_NOTICE: MappingProxyType(
            {
                "borrower_name": Kind.TEXT,
                "account_ref": Kind.TEXT,
                "effective_from": Kind.DATE,
                "change_summary": Kind.TEXT,  # what changes for this borrower
                "change_reason": Kind.TEXT,
                "today": Kind.DATE,
            }
        ),
        Purpose.RIGHTS_STATEMENT: MappingProxyType(
            {
                "borrower_name": Kind.TEXT,
                "account_ref": Kind.TEXT,
                "balance": Kind.MONEY,
                "statement": Kind.TEXT,  # the jurisdiction's statement (comms.statements)
                "today": Kind.DATE,
            }
        ),
        Purpose.VALIDATION_NOTICE: MappingProxyType(
            {
                "borrower_name": Kind.TEXT,
                "account_ref": Kind.TEXT,
                "creditor_name": Kind.TEXT,
                "itemization_date": Kind.DATE,
                "itemization_amount": Kind.MONEY,
                "interest_since": Kind.MONEY,
                "fees_since": Kind.MONEY,
                "payments_since": Kind.MONEY,
                "credits_since": Kind.MONEY,
                "current_amount": Kind.MONEY,
                "validation_end": Kind.DATE,
                "today": Kind.DATE,
            }
        ),
        Purpose.HARDSHIP_DECISION: MappingProxyType(
            {
                "borrower_name": Kind.TEXT,
                "account_ref": Kind.TEXT,
                "decision": Kind.TEXT,
                "decision_reason": Kind.TEXT,
                "today": Kind.DATE,
            }
        ),
    }
)


def variables_of(purpose: Purpose) -> Mapping[str, Kind]:
    """Every variable a template of ``purpose`` may use: the purpose's and the platform's."""
    return {**VARIABLES[purpose], **PLATFORM_VARIABLES}


# --- sample values: what a template is rendered with when it is reviewed ----------------------

_TYPICAL = {
    Kind.MONEY: 123456,
    Kind.DATE: date(2026, 3, 5),
    Kind.NUMBER: 12,
}
# The longest plausible values: a template that fits with these fits every message.
_LONGEST = {
    Kind.MONEY: 99_999_999_99,
    Kind.DATE: date(2026, 12, 30),
    Kind.NUMBER: 999,
}
# How a value of each kind (text, money, date, number) shows in a message's shape.
SHAPE_MARK = {"t": "〔甲〕", "m": "0", "d": "1", "n": "2"}
_TEXT = {
    "zh-CN": {"typical": "张伟", "longest": "欧阳中华民国" * 2},
    "en": {"typical": "Jane Doe", "longest": "Maximilian Alexander Worthington"},
}
_PLATFORM = {
    "zh-CN": {
        "platform_name": "示例金融",
        "service_phone": "400-000-0000",
        "pay_where": "官方App",
        "portal_url": "https://example.cn/me",
    },
    "en": {
        "platform_name": "Example Finance",
        "service_phone": "+1 555 0100",
        "pay_where": "the official app",
        "portal_url": "https://example.com/me",
    },
}


def sample_values(
    purpose: Purpose, language: str, *, longest: bool = False, currency_code: str = "CNY"
) -> dict[str, object]:
    """Values for every variable of ``purpose``: typical ones, or the longest plausible."""
    money_currency = currency(currency_code) if currency_code != "CNY" else CNY
    values: dict[str, object] = {}
    table = _LONGEST if longest else _TYPICAL
    for name, kind in variables_of(purpose).items():
        if kind is Kind.MONEY:
            values[name] = Money(int(table[Kind.MONEY]), money_currency)  # type: ignore[call-overload]
        elif kind is Kind.DATE or kind is Kind.NUMBER:
            values[name] = table[kind]
        elif kind is Kind.PLATFORM:
            values[name] = _PLATFORM[language][name]
        else:
            text = _TEXT[language]["longest" if longest else "typical"]
            # an account's last four characters, never a name
            values[name] = ("9999" if longest else "0001") if name == "account_ref" else text
    return values
