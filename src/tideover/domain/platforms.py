"""Per-platform settings of the portfolio core, stored as JSON with the platform."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tideover.domain.allocation import DEFAULT_WATERFALL, Component, Waterfall
from tideover.domain.contacts import check_time_zone
from tideover.domain.delinquency import DEFAULT_BUCKETS, BucketScheme
from tideover.domain.errors import ValidationError
from tideover.domain.money import DEFAULT_CURRENCY, Currency, Money, currency
from tideover.domain.penalty import DayCount, PenaltyPolicy
from tideover.i18n import N_

# 0.05 % a day (18.25 % a year on ACT/365): a common contractual 罚息 rate in
# Chinese consumer lending; platforms set their own.
_JURISDICTION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
# A platform that has not said where it collects is taken to collect where its money is.
_CURRENCY_JURISDICTION = {"CNY": "CN", "USD": "US", "GBP": "UK", "EUR": "EU"}

DEFAULT_PENALTY = PenaltyPolicy(annual_rate=Decimal("0.18"), day_count=DayCount.ACT_360)
MAX_REPAYMENT_ACCOUNTS = 10


@dataclass(frozen=True, slots=True)
class RepaymentAccount:
    """One of the platform's official accounts for repayments, shown to borrowers verbatim.

    Only the platform's own accounts belong here: paying a personal account is
    the classic collection fraud, and the NIFA 2018 convention (Art. 19)
    forbids asking for it.
    """

    payee: str  # the account holder: the platform's legal entity
    bank: str  # bank and branch, or the payment institution
    account: str  # account number, or the payment method's reference
    note: str = ""  # e.g. what to write as the payment reference

    def __post_init__(self) -> None:
        for name, limit in (("payee", 200), ("bank", 200), ("account", 100), ("note", 500)):
            value = getattr(self, name)
            if (
                not isinstance(value, str)
                or len(value) > limit
                or (name != "note" and not value.strip())
            ):
                raise ValidationError(
                    N_("repayment account: %(name)s must be text of 1 to %(limit)s characters"),
                    name=name,
                    limit=limit,
                )

    def to_dict(self) -> dict[str, str]:
        return {"payee": self.payee, "bank": self.bank, "account": self.account, "note": self.note}

    @classmethod
    def from_dict(cls, data: Any) -> RepaymentAccount:
        if not isinstance(data, dict) or set(data) - {"payee", "bank", "account", "note"}:
            raise ValidationError(
                N_("a repayment account has payee, bank, account and an optional note"),
            )
        return cls(
            payee=data.get("payee", ""),
            bank=data.get("bank", ""),
            account=data.get("account", ""),
            note=data.get("note", ""),
        )


@dataclass(frozen=True)
class PlatformSettings:
    """How one platform books its loans: currency, zone, buckets, waterfall, 罚息."""

    currency: Currency = DEFAULT_CURRENCY
    time_zone: str = "Asia/Shanghai"
    buckets: BucketScheme = DEFAULT_BUCKETS
    waterfall: Waterfall = DEFAULT_WATERFALL
    penalty: PenaltyPolicy = field(default=DEFAULT_PENALTY)
    # {pack: {rule id: {param: value}}}: stricter values than the compliance
    # packs' (docs/compliance.md); a looser one is refused when the platform is
    # saved (services/platforms.py), since the domain does not read the packs.
    rule_overrides: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # The law the platform collects under (ISO country, e.g. CN, US, GB as "UK", IE; a
    # sub-division after a hyphen).  Unset, it follows the currency (``home_jurisdiction``):
    # a platform is never gated by the law a policy file names instead of its own.
    jurisdiction: str | None = None
    # Where borrowers pay (the borrower portal shows them as written); empty: not published.
    repayment_accounts: tuple[RepaymentAccount, ...] = ()

    def __post_init__(self) -> None:
        check_time_zone(self.time_zone)
        if len(self.repayment_accounts) > MAX_REPAYMENT_ACCOUNTS:
            raise ValidationError(
                N_("at most %(max_repayment_accounts)s repayment accounts"),
                max_repayment_accounts=MAX_REPAYMENT_ACCOUNTS,
            )
        if self.jurisdiction is not None and not _JURISDICTION.fullmatch(self.jurisdiction):
            raise ValidationError(
                N_(
                    "jurisdiction %(jurisdiction)s must be a country code such as CN, US, "
                    "UK, IE, optionally with a region (US-NY)"
                ),
                jurisdiction=repr(self.jurisdiction),
            )

    @property
    def home_jurisdiction(self) -> str:
        """The platform's jurisdiction: as set, else the one its currency implies."""
        if self.jurisdiction is not None:
            return self.jurisdiction
        return _CURRENCY_JURISDICTION.get(self.currency.code, "CN")

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency.code,
            "time_zone": self.time_zone,
            "buckets": self.buckets.to_dict(),
            "waterfall": {
                "components": [c.value for c in self.waterfall.components],
                "installment_order": self.waterfall.installment_order,
                "mode": self.waterfall.mode,
            },
            "penalty": {
                "annual_rate": str(self.penalty.annual_rate),
                "day_count": self.penalty.day_count.value,
                "grace_days": self.penalty.grace_days,
                "late_fee": None
                if self.penalty.late_fee is None
                else str(self.penalty.late_fee.amount),
                "late_fee_after_days": self.penalty.late_fee_after_days,
                "includes_overdue_interest": self.penalty.includes_overdue_interest,
            },
            # Left out when empty, so settings stored before overrides existed stay unchanged.
            **({"rule_overrides": self.rule_overrides} if self.rule_overrides else {}),
            **({"jurisdiction": self.jurisdiction} if self.jurisdiction else {}),
            **(
                {"repayment_accounts": [a.to_dict() for a in self.repayment_accounts]}
                if self.repayment_accounts
                else {}
            ),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlatformSettings:
        """Settings from their stored form; missing keys take the defaults."""
        cur = currency(str(data.get("currency", DEFAULT_CURRENCY.code)))
        defaults = cls(currency=cur)
        waterfall = defaults.waterfall
        if "waterfall" in data:
            w = data["waterfall"]
            waterfall = Waterfall(
                components=tuple(Component(c) for c in w.get("components", ()))
                or waterfall.components,
                installment_order=w.get("installment_order", waterfall.installment_order),
                mode=w.get("mode", waterfall.mode),
            )
        penalty = defaults.penalty
        if "penalty" in data:
            p = data["penalty"]
            fee = p.get("late_fee")
            penalty = PenaltyPolicy(
                annual_rate=Decimal(str(p.get("annual_rate", penalty.annual_rate))),
                day_count=DayCount(p.get("day_count", penalty.day_count.value)),
                grace_days=int(p.get("grace_days", penalty.grace_days)),
                late_fee=None if fee is None else Money.of(str(fee), cur),
                late_fee_after_days=int(p.get("late_fee_after_days", penalty.late_fee_after_days)),
                includes_overdue_interest=bool(
                    p.get("includes_overdue_interest", penalty.includes_overdue_interest)
                ),
            )
        buckets = BucketScheme.from_dict(data["buckets"]) if "buckets" in data else defaults.buckets
        return cls(
            currency=cur,
            time_zone=str(data.get("time_zone", defaults.time_zone)),
            buckets=buckets,
            waterfall=waterfall,
            penalty=penalty,
            rule_overrides=data.get("rule_overrides") or {},
            jurisdiction=data.get("jurisdiction") or None,
            repayment_accounts=tuple(
                RepaymentAccount.from_dict(a) for a in data.get("repayment_accounts") or ()
            ),
        )
