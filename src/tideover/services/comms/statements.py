"""Rights and obligations statements and the US validation notice, as messages.

The statement of the platform's jurisdiction pack (``comms.statements``: CN, US,
UK, EU, each section with its legal sources) is shown as it is, or sent to one
borrower through the outbox.  The validation notice carries the content of
12 CFR 1006.34(c): the itemisation date, the itemisation (what was owed then;
interest, fees, payments and credits since; what is owed now — which must add
up, or nothing is sent), and the end of the validation period, the date by
which the consumer may dispute (``comms.validation``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from tideover.comms.catalogue import language_of
from tideover.comms.statements import statement, statement_text
from tideover.comms.validation import validation_period_end
from tideover.domain.borrowers import Borrower
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import NotFound, ValidationError
from tideover.domain.money import Money
from tideover.domain.permissions import Permission
from tideover.i18n import N_
from tideover.services.common import acting_with
from tideover.services.comms.results import (
    QueuedMessage,
    RightsStatement,
    StatementSection,
    StatementSource,
)
from tideover.services.platforms import settings_of
from tideover.services.queues.gate_packs import jurisdiction_pack
from tideover.services.unit_of_work import UnitOfWork

SEND_AT = time(10, 0)
LETTER_OR_EMAIL = ("letter", "email")
STATEMENT_QUEUED = "statement_queued"


def rights_statement(*, uow: UnitOfWork, platform: str, language: str) -> RightsStatement:
    """The statement of ``platform``'s jurisdiction, in ``language`` (zh-CN or en)."""
    if language not in ("zh-CN", "en"):
        raise ValidationError(N_("unknown language %(language)s"), language=repr(language))
    with uow:
        jurisdiction = settings_of(uow, platform).home_jurisdiction
    pack = jurisdiction_pack(jurisdiction)
    return RightsStatement(
        platform=platform,
        jurisdiction=jurisdiction,
        pack=pack,
        language=language,
        sections=[
            StatementSection(
                id=s.id,
                title=s.title[language],
                text=s.text[language],
                sources=[
                    StatementSource(document=x.document, article=x.article, confidence=x.confidence)
                    for x in s.sources
                ],
            )
            for s in statement(pack)
        ],
    )


def send_rights_statement(
    *,
    uow: UnitOfWork,
    platform: str,
    account_id: str,
    channel: str,
    by: str,
    clock: Clock | None = None,
) -> QueuedMessage:
    """Queue the statement for the account's borrower, in their language."""
    now = (clock or SystemClock()).now()
    with uow:
        jurisdiction = settings_of(uow, platform).home_jurisdiction
    pack = jurisdiction_pack(jurisdiction)

    with uow:
        delinquency = uow.delinquency(platform)
        days = [d for d in delinquency.dates() if d <= now.date()]
        status = delinquency.for_date(days[-1]).get(account_id) if days else None
    if status is None:
        raise ValidationError(
            N_(
                "account %(account_id)s has no delinquency snapshot yet: run the daily "
                "cycle first, so that the statement says what is owed"
            ),
            account_id=repr(account_id),
        )
    balance = status.outstanding_principal + status.overdue_total

    def payload(borrower: Borrower) -> dict[str, object]:
        return {
            "statement": statement_text(pack, language_of(borrower.locale)),
            "balance": {"minor": balance.minor, "currency": balance.currency.code},
        }

    return _queue(uow, platform, account_id, channel, by, now, "rights_statement", payload)


def send_validation_notice(
    *,
    uow: UnitOfWork,
    platform: str,
    account_id: str,
    channel: str,
    by: str,
    itemization_date: date,
    itemization: Money,
    interest: Money,
    fees: Money,
    payments: Money,
    credits: Money,
    current: Money,
    clock: Clock | None = None,
) -> QueuedMessage:
    """Queue the validation notice (12 CFR 1006.34) for the account's borrower; refused
    unless what was owed, plus interest and fees, less payments and credits, is what is
    owed now, to the minor unit."""
    amounts = (itemization, interest, fees, payments, credits, current)
    if len({m.currency for m in amounts}) != 1 or any(m.minor < 0 for m in amounts):
        raise ValidationError(
            N_("the itemisation's amounts must be in one currency and not negative"),
        )
    total = itemization.minor + interest.minor + fees.minor - payments.minor - credits.minor
    if total != current.minor:
        shown = Decimal(total).scaleb(-current.currency.minor_digits)
        raise ValidationError(
            N_(
                "the itemisation does not add up: it gives %(shown)s, not %(amount)s (12 "
                "CFR 1006.34(c)(2)(viii))"
            ),
            shown=shown,
            amount=current.amount,
        )
    now = (clock or SystemClock()).now()
    if itemization_date > now.date():
        raise ValidationError(N_("the itemisation date cannot be in the future"))

    def money(m: Money) -> dict[str, object]:
        return {"minor": m.minor, "currency": m.currency.code}

    def payload(_borrower: Borrower) -> dict[str, object]:
        return {
            "itemization_date": itemization_date.isoformat(),
            "itemization_amount": money(itemization),
            "interest_since": money(interest),
            "fees_since": money(fees),
            "payments_since": money(payments),
            "credits_since": money(credits),
            "current_amount": money(current),
            "validation_end": validation_period_end(now.date()).isoformat(),
        }

    return _queue(uow, platform, account_id, channel, by, now, "validation_notice", payload)


def _queue(
    uow: UnitOfWork,
    platform: str,
    account_id: str,
    channel: str,
    by: str,
    now: datetime,
    purpose: str,
    payload_of: object,
) -> QueuedMessage:
    if channel not in LETTER_OR_EMAIL:
        raise ValidationError(
            N_("a %(purpose)s goes by letter or e-mail, not %(channel)s"),
            purpose=purpose,
            channel=repr(channel),
        )
    with uow:
        who = acting_with(uow, platform, by, Permission.COMPLIANCE_READ)
        loan = uow.loans(platform).get(account_id)
        borrower = None if loan is None else uow.borrowers(platform).get(loan.borrower_id)
        if loan is None or borrower is None:
            raise NotFound(
                N_("no account %(account_id)s on platform %(platform)s"),
                account_id=repr(account_id),
                platform=repr(platform),
            )
        zone = ZoneInfo(settings_of(uow, platform).time_zone)
        today = now.astimezone(zone).date()
        step = f"{purpose}:{today.isoformat()}"
        template = f"{purpose}_{channel}"
        payload = payload_of(borrower)  # type: ignore[operator]
        record = uow.platforms.get(platform)
        if purpose == "validation_notice":
            payload["creditor_name"] = record.name if record is not None else platform
        added = uow.comms(platform).add_messages(
            today,
            [
                {
                    "account_id": account_id,
                    "borrower_id": borrower.borrower_id,
                    "step": step,
                    "channel": channel,
                    "template": template,
                    "tone": "neutral",
                    "segment": "-",
                    "arm": "-",
                    "treatment": "-",
                    "scheduled_at": max(now, datetime.combine(today, SEND_AT, zone)),
                    "state": "pending",
                    "rescheduled": False,
                    "rule_ids": [],
                    "run_id": 0,
                }
            ],
            [payload],
        )
        page, _ = uow.comms(platform).page(first=today, last=today, account_id=account_id)
        found = next((w.message_id for w in page if w.step == step), None)
        uow.audit(platform).append(
            STATEMENT_QUEUED,
            {
                "purpose": purpose,
                "account_id": account_id,
                "channel": channel,
                "by": who,
                "message_id": found,
            },
            at=now,
        )
        uow.commit()
    return QueuedMessage(
        message_id=found,
        account_id=account_id,
        borrower_id=borrower.borrower_id,
        channel=channel,
        template=template,
        step=step,
        queued=added == 1,
    )
