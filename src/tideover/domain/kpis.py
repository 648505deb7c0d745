"""The reference definitions of the portfolio KPIs: delinquency, roll, cure and recovery rates.

Every figure is a count of accounts and an amount (integer minor units) over a
base of accounts and amount (:class:`Figure`); a rate is one over the other,
computed when read, so nothing is rounded twice.  The portfolio report
(``domain.delinquency.roll_rates``) calls these functions; the daily cycle's
KPI statements (``batch.cycle.kpis``, on DuckDB and transpiled for Spark) and
the KPI chart (sums of the cycle's stored figures) are held to them on random
portfolios by ``tests/unit/test_kpi_differential.py``.

**The balance.** An account's balance on a date is what the borrower owes that
day: the principal not yet repaid, due or not, plus the interest, fees and
penalty that fell due and are unpaid.  Interest not yet due is not owed and
not counted.  It is the balance of the cycle's accounts table, of the policy
feature ``balance`` and of the bucket history as the cycle reads it; from a
``DelinquencyStatus`` it is ``domain.delinquency.balance_of``.  It is larger
than the loan balance of Chinese bank statistics (贷款余额, principal only) by
the overdue interest, fees and penalty, which a collector is collecting too;
the portfolio report shows principal and overdue apart.

**Open, closed, missing.**  An account is *open* on a date while it owes
anything (balance above zero) and *closed* once nothing is owed (repaid or
settled).  A record read back from the bucket history has no open flag: there
open means a balance above zero (:meth:`AccountState.from_history`), which is
the same thing.  Tideover has no charge-off status: a loan the lender writes
off stays on the book, open, in its bucket (the last, open-ended one once old
enough) until it is repaid or settled, so it stays in every base; in the last
bucket it cannot roll, there being nothing worse.  An account is *missing* on a
date when there is no record of it at all (never the case for loans in storage,
which stay on the book once disbursed; possible in a caller's own tables).

**Figures** (``labels`` are the platform's buckets, best first; the first is current):

- *Bucket mix* (:func:`bucket_figures`): open accounts in the bucket and their
  balance, over all open accounts and their balance.
- *Delinquency rate* 30+ and 90+ (:func:`delinquency_figures`): open accounts
  *more than* 30 (90) days past due and their balance, over all open accounts
  and their balance.  With the default buckets (M1 = 1–30 DPD) 30+ is M2 and
  worse, 90+ is M4 and worse.  This is the ratio the Federal Reserve publishes
  as a delinquency rate (delinquent over total loans, by amount; "Charge-Off and
  Delinquency Rates on Loans and Leases at Commercial Banks"), which counts a
  loan from its thirtieth day past due: Tideover's 30+ starts a day later, at
  the edge of its buckets.
- *Roll rate* of bucket B (:func:`roll_figures`, 迁徙率): the base is the
  accounts open in B on the earlier date and their balance *then*; an account
  rolled when on the later date it is open and in a worse bucket (skipping
  buckets included); the amount is the balance of those that rolled on the
  *later* date.  This is the common Chinese form "M1→M2 迁徙率 = 本期 M2 余额 /
  上期 M1 余额" and the balance form of the US card "roll rate" (this month's
  60-day delinquent balance over last month's 30-day balance: Investopedia,
  "Roll Rate"); the China banking regulator's migration ratios
  (风险迁徙类指标, 《商业银行风险监管核心指标（试行）》, 银监发〔2005〕89号)
  likewise count a migrated loan at its balance at the end of the period.
  (The regulator also deducts from the base what the period repaid of it;
  the consumer-lending form above, used here, does not.)  A loan that falls
  from 1,000.00 in M1 to 600.00 in M2 rolls 0.6 of its bucket's balance.
- *Cure rate* of a delinquent bucket B (:func:`cure_figures`, 治愈率): the same
  base as B's roll rate; an account cured when on the later date it is closed
  or in the first (current) bucket; the amount is the cured accounts' balance
  on the *earlier* date, the delinquent balance that came back: a cure by
  paying off leaves no later balance to count.
- *Roll-rate matrix* (:func:`transition_figures`, 迁徙矩阵): the same base as
  B's roll rate, split by where each account is on the later date — every
  bucket, ``closed`` or ``missing``; the amount is the balance on the later
  date (``closed`` and ``missing`` have none).  A row's worse buckets sum to
  B's roll figure by count and amount, and the first bucket plus ``closed``
  to B's cure count: the matrix adds detail, never a second definition.
- *Recovery rate* (:func:`recovery_figures`, 回收率), per business date and by
  the bucket each account started the day in: the base is the accounts overdue
  at the start of the day and that overdue amount (principal, interest, fees
  and penalty due and unpaid, before the day's money); the amount is the money
  received on the day from those accounts, net of reversals valued that day
  (it can be negative, and the rate can pass 1 when a borrower pays ahead);
  the count is those whose net money was above zero.  An account not overdue
  at the start of the day is not in it: a current borrower paying on the due
  date is not a recovery.  The start of the day, not the previous snapshot, is
  the base, because the previous snapshot may be weeks old and miss
  installments that fell due since.  This is not the credit-loss "recovery"
  netted against charge-offs: Tideover measures collections on debt still on
  the book.

The treatment of each kind of account, in one place:

============================  ============  =================  ===============
account                       in the base   rolled             cured
============================  ============  =================  ===============
open then, worse bucket now   yes           yes (later bal.)   no
open then, closed now         yes           no                 yes, if B > 0
open then, missing now        yes           no                 no
closed then (nothing owed)    no            —                  —
new since then (appearing)    no            —                  —
written off by the lender     yes (open)    as any open one    as any open one
============================  ============  =================  ===============
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tideover.domain.errors import ValidationError
from tideover.i18n import N_

# Key -> days past due that an open account must exceed to count in that delinquency rate.
DELINQUENCY_THRESHOLDS: Mapping[str, int] = {"30+": 30, "90+": 90}


@dataclass(frozen=True, slots=True)
class AccountState:
    """One account on one date, as every KPI reads it (the balance of the module doc)."""

    bucket: str
    dpd: int
    balance_minor: int
    is_open: bool

    @classmethod
    def from_history(cls, bucket: str, balance_minor: int, dpd: int = 0) -> AccountState:
        """A record of the bucket history, which carries no open flag: open means owing."""
        return cls(bucket, dpd, balance_minor, balance_minor > 0)


@dataclass(frozen=True, slots=True)
class Figure:
    """``accounts`` and ``amount_minor`` over ``base_accounts`` and ``base_amount_minor``."""

    accounts: int = 0
    amount_minor: int = 0
    base_accounts: int = 0
    base_amount_minor: int = 0

    def __add__(self, other: Figure) -> Figure:
        return Figure(
            self.accounts + other.accounts,
            self.amount_minor + other.amount_minor,
            self.base_accounts + other.base_accounts,
            self.base_amount_minor + other.base_amount_minor,
        )

    @property
    def account_rate(self) -> Decimal | None:
        return None if self.base_accounts == 0 else Decimal(self.accounts) / self.base_accounts

    @property
    def amount_rate(self) -> Decimal | None:
        if self.base_amount_minor == 0:
            return None
        return Decimal(self.amount_minor) / Decimal(self.base_amount_minor)


@dataclass(frozen=True, slots=True)
class DayMoney:
    """One account's money on a business date: where it started the day and what came in.

    ``start_bucket`` and ``start_overdue_minor`` are the account replayed without the
    day's payments (an account that received nothing starts the day as it ends it);
    ``received_minor`` is the day's money net of the day's reversals.
    """

    start_bucket: str
    start_overdue_minor: int
    received_minor: int


def _ranks(labels: Sequence[str]) -> dict[str, int]:
    if not labels:
        raise ValidationError(N_("no buckets to measure"))
    return {label: i for i, label in enumerate(labels)}


def _rank(ranks: Mapping[str, int], label: str) -> int:
    try:
        return ranks[label]
    except KeyError:
        known = ", ".join(ranks)
        raise ValidationError(
            N_("unknown bucket %(label)s; known: %(known)s"),
            label=repr(label),
            known=known,
        ) from None


def bucket_figures(accounts: Iterable[AccountState], labels: Sequence[str]) -> dict[str, Figure]:
    """Per bucket: its open accounts and their balance, over every open account and balance."""
    ranks = _ranks(labels)
    counts = dict.fromkeys(labels, Figure())
    for a in accounts:
        if a.is_open:
            _rank(ranks, a.bucket)
            counts[a.bucket] += Figure(1, a.balance_minor)
    base = sum(counts.values(), Figure())
    return {
        label: Figure(f.accounts, f.amount_minor, base.accounts, base.amount_minor)
        for label, f in counts.items()
    }


def delinquency_figures(accounts: Iterable[AccountState]) -> dict[str, Figure]:
    """Per :data:`DELINQUENCY_THRESHOLDS` key: open accounts past it, over every open account."""
    open_accounts = [a for a in accounts if a.is_open]
    base_n = len(open_accounts)
    base_amount = sum(a.balance_minor for a in open_accounts)
    figures = {}
    for key, days in DELINQUENCY_THRESHOLDS.items():
        past = [a for a in open_accounts if a.dpd > days]
        figures[key] = Figure(len(past), sum(a.balance_minor for a in past), base_n, base_amount)
    return figures


def rolled(before: AccountState, after: AccountState | None, labels: Sequence[str]) -> bool:
    """Whether an account in a bucket on the earlier date rolled by the later one."""
    return _rolled(before, after, _ranks(labels))


def cured(before: AccountState, after: AccountState | None, labels: Sequence[str]) -> bool:
    """Whether an account delinquent on the earlier date is closed or current on the later one."""
    return _cured(before, after, _ranks(labels))


def _rolled(before: AccountState, after: AccountState | None, ranks: Mapping[str, int]) -> bool:
    if after is None or not after.is_open:
        return False
    return _rank(ranks, after.bucket) > _rank(ranks, before.bucket)


def _cured(before: AccountState, after: AccountState | None, ranks: Mapping[str, int]) -> bool:
    if _rank(ranks, before.bucket) == 0 or after is None:
        return False
    return not after.is_open or _rank(ranks, after.bucket) == 0


def roll_figures(
    earlier: Mapping[str, AccountState],
    later: Mapping[str, AccountState],
    labels: Sequence[str],
) -> dict[str, Figure]:
    """Per bucket (every label, empty ones included): its roll rate between the two dates.

    Both mappings are keyed by account id; see the module doc for the base, the
    balance and the accounts closed, missing or new.
    """
    ranks = _ranks(labels)
    figures = dict.fromkeys(labels, Figure())
    for account_id, before in earlier.items():
        _rank(ranks, before.bucket)
        if not before.is_open:
            continue
        after = later.get(account_id)
        if after is not None and _rolled(before, after, ranks):
            figures[before.bucket] += Figure(1, after.balance_minor, 1, before.balance_minor)
        else:
            figures[before.bucket] += Figure(0, 0, 1, before.balance_minor)
    return figures


def cure_figures(
    earlier: Mapping[str, AccountState],
    later: Mapping[str, AccountState],
    labels: Sequence[str],
) -> dict[str, Figure]:
    """Per delinquent bucket (every label but the first): its cure rate between the two dates."""
    ranks = _ranks(labels)
    figures = dict.fromkeys(labels[1:], Figure())
    for account_id, before in earlier.items():
        if _rank(ranks, before.bucket) == 0 or not before.is_open:
            continue
        back = _cured(before, later.get(account_id), ranks)
        amount = before.balance_minor if back else 0
        figures[before.bucket] += Figure(int(back), amount, 1, before.balance_minor)
    return figures


CLOSED = "closed"
MISSING = "missing"


def transition_figures(
    earlier: Mapping[str, AccountState],
    later: Mapping[str, AccountState],
    labels: Sequence[str],
) -> dict[str, dict[str, Figure]]:
    """The roll-rate matrix: for each bucket (every label), where its open accounts of the
    earlier date are on the later one — each label, :data:`CLOSED` or :data:`MISSING`.

    Each cell's base is the row's: the bucket's open accounts then and their balance
    then; its amount is the balance on the later date.  See the module doc.
    """
    ranks = _ranks(labels)
    cells = {label: dict.fromkeys([*labels, CLOSED, MISSING], Figure()) for label in labels}
    base = dict.fromkeys(labels, Figure())
    for account_id, before in earlier.items():
        _rank(ranks, before.bucket)
        if not before.is_open:
            continue
        base[before.bucket] += Figure(0, 0, 1, before.balance_minor)
        after = later.get(account_id)
        if after is None:
            to, amount = MISSING, 0
        elif not after.is_open:
            to, amount = CLOSED, 0
        else:
            _rank(ranks, after.bucket)
            to, amount = after.bucket, after.balance_minor
        cells[before.bucket][to] += Figure(1, amount)
    return {
        label: {
            to: Figure(
                f.accounts, f.amount_minor, base[label].base_accounts, base[label].base_amount_minor
            )
            for to, f in row.items()
        }
        for label, row in cells.items()
    }


def recovery_figures(days: Iterable[DayMoney]) -> dict[str, Figure]:
    """Per bucket at the start of the day (those with any account overdue then): recovery."""
    figures: dict[str, Figure] = {}
    for day in days:
        if day.start_overdue_minor <= 0:
            continue
        paid = Figure(int(day.received_minor > 0), day.received_minor, 1, day.start_overdue_minor)
        figures[day.start_bucket] = figures.get(day.start_bucket, Figure()) + paid
    return figures
