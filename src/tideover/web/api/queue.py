"""``/api/v1/queue``: the collector's workbench — my queue, one item, "may I call now?",
a call started, its outcome, plan options within my limit, and the message checker.

Who works what: a collector (``queue:work``) is the collector record named like
their user name and sees only the items assigned to them; a team lead
(``queue:assign``) sees and may work every item of the platform.  An item outside
the caller's scope answers 404, as one of another platform does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from tideover.compliance.contacts import Channel, Target
from tideover.domain.permissions import Permission
from tideover.services.plans.results import PlanInfo
from tideover.services.queues.call_gate import CallGate
from tideover.services.queues.calls import CallOutcome, log_outcome, start_call
from tideover.services.queues.work_results import (
    CallVerdict,
    ItemPlanOptions,
    LoggedOutcome,
    QueuePage,
    StartedCall,
    TextVerdict,
    WorkItem,
)
from tideover.services.queues.workbench import (
    ITEM_STATES,
    MAX_DRAFT,
    check_draft,
    collector_for,
    item_plan_options,
    offer_item_plan,
    queue_page,
    work_item,
)
from tideover.web.deps import (
    Authorized,
    Caller,
    ClockDep,
    NowDep,
    PageDep,
    ReadUowDep,
    UowFactoryDep,
)
from tideover.web.pagination import Page, PageLinks

router = APIRouter(prefix="/queue", tags=["queue"])

Worker = Annotated[Caller, Authorized(Permission.QUEUE_WORK)]
NOBODY = ""  # the scope of a user with no collector record: no item is assigned to ""
WHO_TTL = 30.0  # seconds a user's collector record is kept in process


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose items the caller works: ``collector`` None for a team lead (every item)."""

    caller: Caller
    collector: str | None

    @property
    def lead(self) -> bool:
        return self.collector is None


async def scope_of(request: Request, caller: Caller, uow: UowFactoryDep) -> Scope:
    """The caller's scope.  A user's collector record is kept ``WHO_TTL`` seconds by the
    app, so only a miss reads the database (in a worker thread, never on the event loop);
    a user with none is not kept, so the record a team lead adds counts at once."""
    if caller.may(Permission.QUEUE_ASSIGN):
        return Scope(caller, None)
    kept: dict[tuple[str, str], tuple[str, float]] = _app_dict(request, "collectors")
    key = (caller.platform, caller.name)
    found = kept.get(key)
    if found is not None and time.monotonic() - found[1] <= WHO_TTL:
        return Scope(caller, found[0])
    collector = await run_in_threadpool(
        collector_for, uow=uow(), platform=caller.platform, username=caller.name
    )
    if collector is None:
        kept.pop(key, None)
        return Scope(caller, NOBODY)
    kept[key] = (collector, time.monotonic())
    return Scope(caller, collector)


def _app_dict(request: Request, name: str) -> dict[tuple[str, str], tuple[str, float]]:
    """A dictionary the app keeps under ``name`` (made on first use; one event loop per
    process reads and writes it, so it needs no lock)."""
    found = getattr(request.app.state, name, None)
    if not isinstance(found, dict):
        found = {}
        setattr(request.app.state, name, found)
    return found


async def worker_scope(request: Request, caller: Worker, uow: UowFactoryDep) -> Scope:
    return await scope_of(request, caller, uow)


WorkScope = Annotated[Scope, Depends(worker_scope)]


async def call_gate(request: Request) -> CallGate:
    """The process's call gate (one per app, made on first use)."""
    gate = getattr(request.app.state, "call_gate", None)
    if not isinstance(gate, CallGate):
        gate = request.app.state.call_gate = CallGate()
    return gate


Gate = Annotated[CallGate, Depends(call_gate)]


async def scores_dir(request: Request) -> Path:
    data: Path = request.app.state.core.settings.data_dir
    return data / "scores"


ScoresDir = Annotated[Path, Depends(scores_dir)]


def page_of(request: Request, found: QueuePage, params: PageDep) -> Page[WorkItem]:
    """A ``Page`` of a queue page the database cut (not a list cut in memory)."""

    def link(page: int) -> str:
        return str(request.url.include_query_params(page=page, per_page=params.per_page))

    last = max(1, -(-found.total // params.per_page))
    return Page[WorkItem](
        items=found.items,
        total=found.total,
        page=params.page,
        per_page=params.per_page,
        links=PageLinks(
            self=link(params.page),
            next=link(params.page + 1) if params.page < last else None,
            prev=link(params.page - 1) if params.page > 1 else None,
        ),
    )


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: CallOutcome
    attempt_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="The call started, if any."
    )
    promise_amount: Decimal | None = Field(
        default=None, gt=0, max_digits=15, decimal_places=2, description="Major units."
    )
    promise_date: date | None = None


class OfferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    option_id: str = Field(min_length=1, max_length=64)


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_DRAFT)
    channel: Channel = Channel.SMS
    target: Target = Target.DEBTOR


States = Annotated[
    list[str] | None,
    Query(description=f"Item states to list ({', '.join(ITEM_STATES)}); all by default."),
]


@router.get("", response_model=Page[WorkItem], summary="My queue (a team lead: everyone's)")
def queue(
    request: Request,
    scope: WorkScope,
    uow: ReadUowDep,
    page: PageDep,
    as_of: date | None = None,
    state: States = None,
) -> Page[WorkItem]:
    found = queue_page(
        uow=uow(),
        platform=scope.caller.platform,
        collector=scope.collector,
        as_of=as_of,
        states=tuple(state or ()),
        offset=page.offset,
        limit=page.per_page,
    )
    return page_of(request, found, page)


@router.get("/items/{item_id}", response_model=WorkItem, summary="One item of my queue")
def item(item_id: int, scope: WorkScope, uow: ReadUowDep) -> WorkItem:
    return work_item(
        uow=uow(), platform=scope.caller.platform, item_id=item_id, collector=scope.collector
    )


@router.get("/items/{item_id}/call-check", response_model=CallVerdict, summary="May I call now?")
async def call_check(
    item_id: int, scope: WorkScope, uow: UowFactoryDep, gate: Gate, now: NowDep
) -> CallVerdict:
    # Answered on the event loop from what the gate keeps (a dialler asks before every
    # call); only a question that needs storage goes to a worker thread.
    platform, collector = scope.caller.platform, scope.collector
    kept = gate.kept_verdict(
        platform=platform, item_id=item_id, collector=collector, at=now, refresh=uow
    )
    if kept is not None:
        return kept
    return await run_in_threadpool(
        gate.verdict, uow=uow(), platform=platform, item_id=item_id, collector=collector, at=now
    )


@router.post(
    "/items/{item_id}/calls",
    response_model=StartedCall,
    status_code=201,
    summary="Start a call (the gate asked again; refused when it denies)",
)
def call(
    item_id: int, scope: WorkScope, uow: UowFactoryDep, clock: ClockDep, gate: Gate
) -> StartedCall:
    return start_call(
        uow=uow(),
        platform=scope.caller.platform,
        item_id=item_id,
        collector=scope.collector,
        by=scope.caller.name,
        clock=clock,
        gate=gate,
    )


@router.post(
    "/items/{item_id}/outcome", response_model=LoggedOutcome, summary="Log a call's outcome"
)
def outcome(
    item_id: int, body: OutcomeIn, scope: WorkScope, uow: UowFactoryDep, clock: ClockDep, gate: Gate
) -> LoggedOutcome:
    return log_outcome(
        uow=uow(),
        platform=scope.caller.platform,
        item_id=item_id,
        collector=scope.collector,
        by=scope.caller.name,
        outcome=body.outcome,
        attempt_id=body.attempt_id,
        promise_amount=body.promise_amount,
        promise_due=body.promise_date,
        clock=clock,
        gate=gate,
    )


@router.get(
    "/items/{item_id}/plan-options",
    response_model=ItemPlanOptions,
    summary="Plan options, each within my approval limit or not",
)
def plan_options(
    item_id: int, scope: WorkScope, uow: UowFactoryDep, clock: ClockDep
) -> ItemPlanOptions:
    return item_plan_options(
        uow=uow(),
        platform=scope.caller.platform,
        item_id=item_id,
        collector=scope.collector,
        clock=clock,
    )


@router.post(
    "/items/{item_id}/plan-offers",
    response_model=PlanInfo,
    status_code=201,
    summary="Offer a plan option (above my limit: it waits for approval)",
)
def offer(
    item_id: int, body: OfferIn, scope: WorkScope, uow: UowFactoryDep, clock: ClockDep
) -> PlanInfo:
    return offer_item_plan(
        uow=uow(),
        platform=scope.caller.platform,
        item_id=item_id,
        collector=scope.collector,
        option_id=body.option_id,
        by=scope.caller.name,
        clock=clock,
    )


@router.post("/message-check", response_model=TextVerdict, summary="Check a draft message")
def message_check(body: DraftIn, caller: Worker, uow: UowFactoryDep) -> TextVerdict:
    return check_draft(
        uow=uow(),
        platform=caller.platform,
        text=body.text,
        channel=body.channel,
        target=body.target,
    )
