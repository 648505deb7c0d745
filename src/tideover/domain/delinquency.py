"""Days past due (逾期天数), delinquency buckets (账龄) and roll rates (迁徙率).

DPD is the business date minus the oldest unpaid due date, minus the days
that fell inside a pause (payment holiday, breathing space): a paused
period does not age the debt.

This module is the reference.  The per-loan replay (``batch.replay``) calls
:func:`overdue_days` and :func:`merge_pauses` themselves; the vectorised
fast path ``batch.delinquency`` (``compute_delinquency``, its own
``merge_pauses``) mirrors :func:`days_past_due`, :func:`merge_pauses` and
:meth:`BucketScheme.bucket_for` over whole columns, under the differential
tests of ``tests/unit/test_batch_delinquency.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from tideover.domain.days import day_number
from tideover.domain.errors import CurrencyMismatch, ValidationError
from tideover.domain.kpis import AccountState, cure_figures, roll_figures
from tideover.domain.money import DEFAULT_CURRENCY, Currency, Money
from tideover.i18n import N_, Wording

if TYPE_CHECKING:
    from tideover.domain.allocation import Component, LoanPosition


# -- pauses and days past due ---------------------------------------------


@dataclass(frozen=True, slots=True)
class PausePeriod:
    """Days (``start`` and ``end`` both included) during which a debt does not age."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                N_("pause period ends (%(end)s) before it starts (%(start)s)"),
                end=self.end,
                start=self.start,
            )


def merge_pauses(pauses: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Day ranges ``(start, end)`` (both included, day numbers) sorted and joined where they
    overlap or touch, so a day inside two pauses is counted once.

    The one pause merge: :func:`days_past_due` and the replay (``batch.replay``) use it;
    the vectorised ``batch.delinquency.merge_pauses`` mirrors it per loan.
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(pauses):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _day_ranges(pauses: Iterable[PausePeriod]) -> list[tuple[int, int]]:
    """Pause periods as merged day-number ranges (:func:`merge_pauses`)."""
    return merge_pauses((day_number(p.start), day_number(p.end)) for p in pauses)


def paused_days(after: date, up_to: date, pauses: Sequence[PausePeriod]) -> int:
    """Number of days ``d`` with ``after < d <= up_to`` inside any pause."""
    return _paused(day_number(after), day_number(up_to), _day_ranges(pauses))


def _paused(after: int, up_to: int, merged: Sequence[tuple[int, int]]) -> int:
    count = 0
    for start, end in merged:
        low = start if start > after else after + 1
        high = end if end < up_to else up_to
        if low <= high:
            count += high - low + 1
    return count


def overdue_days(due: int, day: int, merged: Sequence[tuple[int, int]]) -> int:
    """:func:`days_past_due` on day numbers, with the pauses already merged (:func:`merge_pauses`).

    The replay calls it once per installment and payment, hence the merged input.
    """
    if day <= due:
        return 0
    return max(0, day - due - _paused(due, day, merged))


def days_past_due(
    oldest_unpaid_due: date | None, as_of: date, pauses: Sequence[PausePeriod] = ()
) -> int:
    """DPD on ``as_of``: days since the oldest unpaid due date, paused days excluded.

    0 when nothing is unpaid or ``as_of`` is on or before the due date.
    """
    if oldest_unpaid_due is None or as_of <= oldest_unpaid_due:
        return 0
    return overdue_days(day_number(oldest_unpaid_due), day_number(as_of), _day_ranges(pauses))


# -- buckets ---------------------------------------------------------------


def _bad_scheme(why: Wording) -> ValidationError:
    return ValidationError(N_("invalid bucket scheme: %(why)s"), why=why)


@dataclass(frozen=True, slots=True)
class Bucket:
    """A DPD range ``min_dpd..max_dpd`` (inclusive); ``max_dpd=None`` is open-ended."""

    label: str
    min_dpd: int
    max_dpd: int | None

    def __post_init__(self) -> None:
        if not self.label.strip():
            raise _bad_scheme(Wording(N_("a bucket has an empty label")))
        if self.min_dpd < 0 or (self.max_dpd is not None and self.max_dpd < self.min_dpd):
            raise _bad_scheme(
                Wording(
                    N_("bucket %(label)s has range %(min_dpd)s..%(max_dpd)s"),
                    label=repr(self.label),
                    min_dpd=self.min_dpd,
                    max_dpd=self.max_dpd,
                ),
            )

    def contains(self, dpd: int) -> bool:
        return self.min_dpd <= dpd and (self.max_dpd is None or dpd <= self.max_dpd)


@dataclass(frozen=True, slots=True)
class BucketScheme:
    """Contiguous buckets from DPD 0 upwards; only the last is open-ended."""

    buckets: tuple[Bucket, ...]

    def __post_init__(self) -> None:
        if not self.buckets:
            raise _bad_scheme(Wording(N_("no buckets")))
        if self.buckets[0].min_dpd != 0:
            raise _bad_scheme(Wording(N_("the first bucket must start at DPD 0")))
        if self.buckets[-1].max_dpd is not None:
            raise _bad_scheme(Wording(N_("the last bucket must be open-ended")))
        if len({b.label for b in self.buckets}) != len(self.buckets):
            raise _bad_scheme(Wording(N_("bucket labels repeat")))
        for before, after in pairwise(self.buckets):
            if before.max_dpd is None or after.min_dpd != before.max_dpd + 1:
                raise _bad_scheme(
                    Wording(
                        N_("%(label)s and %(after_label)s are not contiguous"),
                        label=repr(before.label),
                        after_label=repr(after.label),
                    ),
                )

    @classmethod
    def from_upper_bounds(cls, labels: Sequence[str], bounds: Sequence[int]) -> BucketScheme:
        """Buckets named ``labels`` whose inclusive upper DPD are ``bounds`` (one fewer)."""
        if len(bounds) != len(labels) - 1:
            raise _bad_scheme(
                Wording(
                    N_("%(labels)s labels need %(needed)s upper bounds, got %(bounds)s"),
                    labels=len(labels),
                    needed=len(labels) - 1,
                    bounds=len(bounds),
                ),
            )
        lows = [0, *(b + 1 for b in bounds)]
        highs: list[int | None] = [*bounds, None]
        return cls(
            tuple(Bucket(lb, lo, hi) for lb, lo, hi in zip(labels, lows, highs, strict=True))
        )

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(b.label for b in self.buckets)

    def bucket_for(self, dpd: int) -> Bucket:
        """The bucket holding ``dpd`` (negative DPD is refused)."""
        for bucket in self.buckets:
            if bucket.contains(dpd):
                return bucket
        raise ValidationError(N_("DPD must not be negative, got %(dpd)s"), dpd=dpd)

    def index_of(self, label: str) -> int:
        """Position of ``label``, 0 being the current (best) bucket."""
        try:
            return self.labels.index(label)
        except ValueError:
            raise ValidationError(
                N_("unknown bucket %(label)s; known: %(labels)s"),
                label=repr(label),
                labels=tuple(self.labels),
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in platform settings."""
        return {
            "buckets": [
                {"label": b.label, "min_dpd": b.min_dpd, "max_dpd": b.max_dpd} for b in self.buckets
            ]
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BucketScheme:
        """Inverse of ``to_dict``; malformed data raises ``ValidationError``."""
        try:
            rows = data["buckets"]
            buckets = tuple(
                Bucket(str(r["label"]), _int(r["min_dpd"]), _opt_int(r.get("max_dpd")))
                for r in rows
            )
        except (KeyError, TypeError) as exc:
            raise _bad_scheme(Wording(N_("malformed settings (%(exc)s)"), exc=repr(exc))) from exc
        return cls(buckets)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)


DEFAULT_BUCKETS = BucketScheme.from_upper_bounds(
    ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+"), (0, 30, 60, 90, 120, 150, 180)
)


# -- status of one loan ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DelinquencyStatus:
    """Where one loan stands on ``as_of``: DPD, bucket and what is overdue."""

    loan_id: str
    as_of: date
    dpd: int
    bucket: str
    oldest_unpaid_due: date | None
    overdue: dict[Component, Money]
    outstanding_principal: Money

    @property
    def overdue_total(self) -> Money:
        result = Money.zero(self.outstanding_principal.currency)
        for amount in self.overdue.values():
            result = result + amount
        return result


def delinquency_of(
    position: LoanPosition,
    *,
    pauses: Sequence[PausePeriod] = (),
    scheme: BucketScheme = DEFAULT_BUCKETS,
    ages_from: date | None = None,
) -> DelinquencyStatus:
    """The delinquency status of a replayed loan position.

    ``ages_from`` (a re-aged schedule, ``domain.schedule_in_force``): only
    installments due on or after it count for the oldest unpaid due date and DPD.
    """
    from tideover.domain.allocation import Component  # allocation imports this module

    if ages_from is None:
        oldest = position.oldest_unpaid_due_date
    else:
        oldest = position.oldest_unpaid_due_since(ages_from)
    dpd = days_past_due(oldest, position.as_of, pauses)
    return DelinquencyStatus(
        loan_id=position.loan_id,
        as_of=position.as_of,
        dpd=dpd,
        bucket=scheme.bucket_for(dpd).label,
        oldest_unpaid_due=oldest,
        overdue={c: position.overdue(c) for c in Component},
        outstanding_principal=position.outstanding_principal,
    )


# -- roll rates and transitions -----------------------------------------------


@dataclass(frozen=True, slots=True)
class RollRate:
    """Accounts and balance in ``from_bucket`` before, and how much rolled to a worse one.

    The definitions are :mod:`tideover.domain.kpis`' (:func:`~tideover.domain.kpis.roll_figures`):
    ``accounts`` and ``balance`` are the accounts open in the bucket on the earlier
    date and their balance then (:func:`balance_of`); ``rolled_balance`` is the
    balance, on the later date, of those that rolled (本期余额 / 上期余额).
    """

    from_bucket: str
    accounts: int
    rolled_accounts: int
    balance: Money
    rolled_balance: Money

    @property
    def account_rate(self) -> Decimal | None:
        return None if self.accounts == 0 else Decimal(self.rolled_accounts) / self.accounts

    @property
    def balance_rate(self) -> Decimal | None:
        if self.balance.minor == 0:
            return None
        return Decimal(self.rolled_balance.minor) / Decimal(self.balance.minor)


def balance_of(status: DelinquencyStatus) -> Money:
    """What is owed on the status date: principal not yet repaid plus overdue interest,
    fees and penalty (the KPIs' balance, :mod:`tideover.domain.kpis`)."""
    from tideover.domain.allocation import Component  # allocation imports this module

    principal = status.outstanding_principal
    overdue_principal = status.overdue.get(Component.PRINCIPAL, Money.zero(principal.currency))
    return principal + status.overdue_total - overdue_principal


def account_state(status: DelinquencyStatus) -> AccountState:
    """The status as the KPIs read it: bucket, DPD, balance, open while anything is owed."""
    balance = balance_of(status).minor
    return AccountState(status.bucket, status.dpd, balance, balance > 0)


def _states(
    statuses: Mapping[str, DelinquencyStatus], currency: Currency
) -> dict[str, AccountState]:
    for status in statuses.values():
        if status.outstanding_principal.currency != currency:
            raise CurrencyMismatch(
                N_("cannot combine %(currency)s with %(outstanding_principal_currency)s"),
                currency=currency,
                outstanding_principal_currency=status.outstanding_principal.currency,
            )
    return {loan_id: account_state(status) for loan_id, status in statuses.items()}


def _currency_of(*statuses: Mapping[str, DelinquencyStatus]) -> Currency:
    for mapping in statuses:
        for status in mapping.values():
            return status.outstanding_principal.currency
    return DEFAULT_CURRENCY


def roll_rates(
    previous: Mapping[str, DelinquencyStatus],
    current: Mapping[str, DelinquencyStatus],
    scheme: BucketScheme = DEFAULT_BUCKETS,
) -> dict[str, RollRate]:
    """Roll rate per bucket between two dates; statuses are keyed by loan id.

    :func:`tideover.domain.kpis.roll_figures` over :func:`account_state`: a roll
    is a move to a strictly worse bucket; accounts closed on the earlier date are
    in no base; accounts missing from ``current`` stay in the base and count as
    not rolled.  Mixed currencies raise ``CurrencyMismatch``.
    """
    cur = _currency_of(previous, current)
    figures = roll_figures(_states(previous, cur), _states(current, cur), scheme.labels)
    return {
        label: RollRate(
            label,
            f.base_accounts,
            f.accounts,
            Money(f.base_amount_minor, cur),
            Money(f.amount_minor, cur),
        )
        for label, f in figures.items()
    }


def transition_matrix(
    previous: Mapping[str, DelinquencyStatus],
    current: Mapping[str, DelinquencyStatus],
    scheme: BucketScheme = DEFAULT_BUCKETS,
) -> dict[tuple[str, str], int]:
    """Account counts per (from bucket, to bucket), over loans present on both dates."""
    matrix = {(a, b): 0 for a in scheme.labels for b in scheme.labels}
    for loan_id, before in previous.items():
        after = current.get(loan_id)
        if after is not None:
            scheme.index_of(before.bucket), scheme.index_of(after.bucket)  # validate labels
            matrix[(before.bucket, after.bucket)] += 1
    return matrix


def cure_counts(
    previous: Mapping[str, DelinquencyStatus],
    current: Mapping[str, DelinquencyStatus],
    scheme: BucketScheme = DEFAULT_BUCKETS,
) -> dict[str, int]:
    """Per delinquent bucket, how many accounts are current or closed on the later date
    (:func:`tideover.domain.kpis.cure_figures`)."""
    cur = _currency_of(previous, current)
    figures = cure_figures(_states(previous, cur), _states(current, cur), scheme.labels)
    return {label: f.accounts for label, f in figures.items()}
