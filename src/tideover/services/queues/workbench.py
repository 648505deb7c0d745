"""The collector's workbench, read side: my queue, one item, plan options within my limit,
and the message checker on a draft.

Who sees what is part of every read.  A collector (``collector`` given: the
collector record of the signed-in user, see :func:`collector_for`) sees only the
items assigned to them; a team lead (``collector`` None) sees every item of the
platform.  An item outside the reader's scope is ``NotFound``, like an item of
another platform, so its id reveals nothing.

"Within the collector's approval limit" is the plans engine's approval matrix
(``tideover.plans.approval.required_role`` over the active policy's offer limits,
``services.plans.relief.offer_limits_of``): an option approved automatically
(``system``) is the collector's to offer and binds at once; any other is offered
too, but waits for the role the matrix names (``needs_approval_by``: team lead,
manager) before the borrower can accept it — and never by the one who offered it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tideover.adapters.repositories import QueueItem
from tideover.compliance.contacts import ActorRole, Channel, Target
from tideover.compliance.gate import check_message
from tideover.domain.clock import Clock
from tideover.domain.errors import NotFound, ValidationError
from tideover.domain.identity import name_key
from tideover.i18n import N_
from tideover.plans import ApplicationStatus, HardshipApplication
from tideover.plans.cases import AUTOMATIC
from tideover.services.common import now_and_today
from tideover.services.plans.relief import offer_limits_of, offer_plan, priced_options
from tideover.services.plans.results import OptionSummary, PlanInfo
from tideover.services.queues.gate_packs import platform_packs
from tideover.services.queues.work_results import (
    ItemPlanOptions,
    OfferableOption,
    QueuePage,
    TextFinding,
    TextVerdict,
    WorkItem,
)
from tideover.services.unit_of_work import UnitOfWork

MAX_DRAFT = 2000  # characters of a message a collector drafts
ITEM_STATES = ("open", "assigned", "done", "dropped")


def collector_for(*, uow: UnitOfWork, platform: str, username: str) -> str | None:
    """The collector id a staff user works as: the collector whose id is the user's name
    (compared as names are, ``domain.identity.name_key``); None when there is none."""
    with uow:
        collectors = uow.collectors(platform)
        found = collectors.get(username)
        if found is not None:
            return found.collector_id
        key = name_key(username)
        return next(
            (c.collector_id for c in collectors.list() if name_key(c.collector_id) == key), None
        )


def queue_page(
    *,
    uow: UnitOfWork,
    platform: str,
    collector: str | None,
    as_of: date | None = None,
    states: tuple[str, ...] = (),
    offset: int = 0,
    limit: int = 50,
) -> QueuePage:
    """A page of the queue in rank order (precedence, priority, id): ``collector``'s items,
    or every item with ``collector`` None; of ``as_of`` (default: every date)."""
    unknown = sorted(set(states) - set(ITEM_STATES))
    if unknown:
        raise ValidationError(
            N_("unknown item state %(unknown)s; one of %(item_states)s"),
            unknown=repr(unknown[0]),
            item_states=tuple(ITEM_STATES),
        )
    with uow:
        items, total = uow.queues(platform).page(
            as_of=as_of, collector=collector, states=states, offset=offset, limit=limit
        )
    return QueuePage(
        platform=platform,
        as_of=as_of,
        collector=collector,
        total=total,
        items=[WorkItem.of(i) for i in items],
    )


def require_item(uow: UnitOfWork, platform: str, item_id: int, collector: str | None) -> QueueItem:
    """The item inside the caller's scope (inside an open uow), else ``NotFound``."""
    item = uow.queues(platform).item(item_id)
    if item is None or (collector is not None and item.assigned_to != collector):
        raise NotFound(
            N_("queue item %(item_id)s not found on platform %(platform)s"),
            item_id=item_id,
            platform=repr(platform),
        )
    return item


def work_item(*, uow: UnitOfWork, platform: str, item_id: int, collector: str | None) -> WorkItem:
    """One item of the caller's scope."""
    with uow:
        return WorkItem.of(require_item(uow, platform, item_id, collector))


def item_plan_options(
    *,
    uow: UnitOfWork,
    platform: str,
    item_id: int,
    collector: str | None,
    clock: Clock | None = None,
) -> ItemPlanOptions:
    """The engine's plan options for the item's loan, each marked within the collector's
    limit or not (see the module doc); none without an application under review."""
    with uow:
        _, today = now_and_today(uow, platform, clock)
        item = require_item(uow, platform, item_id, collector)
        case = _application_under_review(uow, platform, item.account_id)
        if case is None:
            return ItemPlanOptions(
                item_id=item_id,
                loan_id=item.account_id,
                application_id=None,
                currency=None,
                options=[],
            )
        limits = offer_limits_of(uow, platform)
        score = item.summary.get("score")
        _, result = priced_options(
            uow,
            platform,
            case,
            item.account_id,
            today,
            limits,
            None if score is None else Decimal(str(score)),
        )
    options = []
    for evaluation in result.evaluations:
        summary = OptionSummary.of(evaluation)
        if not summary.offered:
            continue
        role = summary.approval
        options.append(
            OfferableOption(
                option=summary,
                within_limit=role == AUTOMATIC,
                needs_approval_by=None if role == AUTOMATIC else role,
            )
        )
    return ItemPlanOptions(
        item_id=item_id,
        loan_id=item.account_id,
        application_id=case.application_id,
        currency=result.snapshot.currency.code,
        options=options,
    )


def offer_item_plan(
    *,
    uow: UnitOfWork,
    platform: str,
    item_id: int,
    collector: str | None,
    option_id: str,
    by: str,
    clock: Clock | None = None,
) -> PlanInfo:
    """Offers one option for the item's loan (``plans offer``): approved at once within the
    collector's limit, else waiting for the role the approval matrix names."""
    with uow:
        item = require_item(uow, platform, item_id, collector)
        case = _application_under_review(uow, platform, item.account_id)
    if case is None:
        raise ValidationError(
            N_(
                "loan %(account_id)s has no hardship application under review; plan "
                "options are priced on one"
            ),
            account_id=repr(item.account_id),
        )
    return offer_plan(
        uow=uow,  # a unit of work is opened again once the first has closed
        platform=platform,
        application_id=case.application_id,
        loan_id=item.account_id,
        option_id=option_id,
        by=by,
        clock=clock,
    )


def _application_under_review(
    uow: UnitOfWork, platform: str, loan_id: str
) -> HardshipApplication | None:
    cases = uow.applications(platform).for_loans([loan_id])
    found = [c for c in cases if c.status is ApplicationStatus.UNDER_REVIEW]
    return found[-1].application if found else None


def check_draft(
    *,
    uow: UnitOfWork,
    platform: str,
    text: str,
    channel: Channel = Channel.SMS,
    target: Target = Target.DEBTOR,
) -> TextVerdict:
    """A collector's draft through the message checker of every pack the platform applies."""
    if len(text) > MAX_DRAFT:
        raise ValidationError(
            N_("a message is at most %(max_draft)s characters"), max_draft=MAX_DRAFT
        )
    with uow:
        packs = platform_packs(uow, platform)
    findings = [
        TextFinding(
            pack=pack.code,
            rule_ids=list(f.rule_ids),
            category=f.category,
            start=f.start,
            end=f.end,
            matched=f.matched,
            en=f.en,
            zh=f.zh,
        )
        for pack in packs
        for f in check_message(text, pack, channel=channel, actor=ActorRole.CREDITOR, target=target)
    ]
    return TextVerdict(packs=[p.code for p in packs], blocking=bool(findings), findings=findings)
