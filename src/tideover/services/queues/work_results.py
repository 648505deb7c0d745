"""What the collector's workbench use cases return: the queue page, the call check, a call
started, an outcome logged, and the plan options within the collector's approval limit.

Field names and order are the JSON the API serves (``/api/v1/queue``); amounts
are in major units, written as exact decimal strings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tideover.adapters.repositories import QueueItem
from tideover.services.compliance.results import DenialReason, HoldInfo
from tideover.services.plans.results import OptionSummary, PromiseInfo
from tideover.services.portfolio.borrower_results import ReasonCode
from tideover.services.results import Exact, Instant, Result


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class WorkItem(Result):
    """A queue item as a collector works it: the action, the account's figures, the score."""

    item_id: int
    as_of: date
    account_id: str
    borrower_id: str
    step: str
    queue: str
    channel: str
    jurisdiction: str
    priority: int
    precedence: int
    state: str
    assigned_to: str | None
    due_at: Instant | None
    callback_at: Instant | None
    template: str | None
    tone: str
    segment: str
    offers: list[str]
    dpd: int | None
    bucket: str | None
    overdue: Exact | None
    balance: Exact | None
    currency: str | None
    score: Exact | None
    band: str | None
    reason: ReasonCode | None

    @classmethod
    def of(cls, item: QueueItem) -> WorkItem:
        s = item.summary
        reason = s.get("reason")
        code = reason.get("code") if isinstance(reason, dict) else None
        return cls(
            item_id=item.item_id,
            as_of=item.as_of,
            account_id=item.account_id,
            borrower_id=item.borrower_id,
            step=item.step,
            queue=item.queue,
            channel=item.channel,
            jurisdiction=item.jurisdiction,
            priority=item.priority,
            precedence=item.precedence,
            state=item.state,
            assigned_to=item.assigned_to,
            due_at=item.due_at,
            callback_at=item.callback_at,
            template=item.template,
            tone=item.tone,
            segment=item.segment,
            offers=list(item.offers),
            dpd=s.get("dpd") if isinstance(s.get("dpd"), int) else None,
            bucket=None if s.get("bucket") is None else str(s["bucket"]),
            overdue=_decimal(s.get("overdue")),
            balance=_decimal(s.get("balance")),
            currency=None if s.get("currency") is None else str(s["currency"]),
            score=_decimal(s.get("score")),
            band=None if s.get("band") is None else str(s["band"]),
            reason=None
            if not isinstance(code, str) or not isinstance(reason, dict)
            else ReasonCode(
                code=code, en=str(reason.get("en") or code), zh=str(reason.get("zh") or code)
            ),
        )


class QueuePage(Result):
    """One page of a queue (one collector's, or everyone's for a team lead) and its total."""

    platform: str
    as_of: date | None
    collector: str | None
    total: int
    items: list[WorkItem]


class LocalTime(Result):
    """An instant in one of the borrower's candidate time zones."""

    zone: str
    at: Instant


class CallVerdict(Result):
    """The gate's answer to "may I call now?": the rules that deny it and the next time
    every pack allows it (None: no later time would do, e.g. while a hold lasts)."""

    item_id: int
    borrower_id: str
    debt_id: str
    channel: str
    checked_at: Instant
    allowed: bool
    packs: list[str]
    rule_ids: list[str]
    reasons: list[DenialReason]
    earliest_allowed: Instant | None
    earliest_allowed_local: list[LocalTime]


class StartedCall(Result):
    """A call the gate allowed, recorded in the contact ledger as planned; its outcome is
    logged against ``attempt_id``."""

    item_id: int
    attempt_id: str
    borrower_id: str
    debt_id: str
    at: Instant
    verdict: CallVerdict


class LoggedOutcome(Result):
    """A call's outcome: what the ledger records, the item done, and what it raised."""

    item_id: int
    attempt_id: str
    outcome: str
    ledger_outcome: str
    ledger_result: str | None
    at: Instant
    by: str
    promise: PromiseInfo | None
    holds_raised: list[HoldInfo]
    audit_seq: int


class OfferableOption(Result):
    """A plan option the engine generated, and whether the collector may offer it at once
    (``within_limit``) or it goes to ``needs_approval_by`` once offered."""

    option: OptionSummary
    within_limit: bool
    needs_approval_by: str | None


class ItemPlanOptions(Result):
    """The options for the item's loan under the borrower's application under review;
    without one there are none (``application_id`` None): the engine prices an
    application's income and expenditure, never a guess."""

    item_id: int
    loan_id: str
    application_id: str | None
    currency: str | None
    options: list[OfferableOption]


class TextFinding(Result):
    pack: str
    rule_ids: list[str]
    category: str
    start: int
    end: int
    matched: str
    en: str
    zh: str


class TextVerdict(Result):
    """The message checker on a collector's draft; every finding blocks sending it."""

    packs: list[str]
    blocking: bool
    findings: list[TextFinding]
