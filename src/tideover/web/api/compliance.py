"""``/api/v1/compliance``: rule packs with their legal sources, the gate's denials, holds.

Everyone holding ``compliance:read`` reads (the compliance officer, the team
lead, the auditor); only ``holds:write`` adds or lifts a hold, each change
audited.  A hold's reason is free text: it comes masked to readers without
``pii:read``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from tideover.compliance.contacts import HoldKind
from tideover.compliance.holds import MAX_REASON
from tideover.compliance.rules import Rule
from tideover.domain.permissions import Permission
from tideover.services.compliance.holds import add_hold, lift_stored_hold, platform_holds
from tideover.services.compliance.reports import denials_by_rule, list_packs, platform_rules
from tideover.services.compliance.results import (
    DeniedOnDay,
    HoldChange,
    HoldStatus,
    LiftedHolds,
    PackSummary,
)
from tideover.services.inputs import FREE_TEXT, NO_CONTROL, PlausibleInstant
from tideover.web.deps import Authorized, Caller, ClockDep, PageDep, UowFactoryDep
from tideover.web.pagination import Page, paginate

router = APIRouter(prefix="/compliance", tags=["compliance"])

Reader = Annotated[Caller, Authorized(Permission.COMPLIANCE_READ)]
HoldWriter = Annotated[Caller, Authorized(Permission.HOLDS_WRITE)]
First = Annotated[date | None, Query(alias="from", description="First business date.")]
Last = Annotated[date | None, Query(alias="to", description="Last business date.")]
HoldId = Annotated[str, PathParam(min_length=1, max_length=64, pattern=NO_CONTROL)]


class NewHold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    borrower_id: str = Field(min_length=1, max_length=64, pattern=NO_CONTROL)
    kind: HoldKind
    reason: str = Field(min_length=1, max_length=MAX_REASON, pattern=FREE_TEXT)
    debt_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=NO_CONTROL)
    start: PlausibleInstant | None = Field(default=None, description="Default: now.")
    end: PlausibleInstant | None = Field(default=None, description="Default: until lifted.")


class HoldLift(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=MAX_REASON, pattern=FREE_TEXT)


@router.get("/packs", response_model=Page[PackSummary], summary="The rule packs")
def packs(request: Request, caller: Reader, uow: UowFactoryDep, page: PageDep) -> Page[PackSummary]:
    return paginate(request, list_packs(uow=uow(), platform=caller.platform).packs, page)


@router.get("/rules", response_model=Page[Rule], summary="A pack's rules and legal sources")
def rules(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    page: PageDep,
    pack: Annotated[str, Query(min_length=1, max_length=16, description="A pack code: CN, US…")],
) -> Page[Rule]:
    found = platform_rules(uow=uow(), platform=caller.platform, pack=pack)
    return paginate(request, found.rules, page)


@router.get("/denials", response_model=Page[DeniedOnDay], summary="Denials by rule and day")
def denials(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    clock: ClockDep,
    page: PageDep,
    first: First = None,
    last: Last = None,
) -> Page[DeniedOnDay]:
    report = denials_by_rule(
        uow=uow(), platform=caller.platform, first=first, last=last, clock=clock
    )
    return paginate(request, report.rows, page)


@router.get("/holds", response_model=Page[HoldStatus], summary="Holds, disputes, complaints")
def holds(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    clock: ClockDep,
    page: PageDep,
    kind: HoldKind | None = None,
    include_ended: bool = False,
) -> Page[HoldStatus]:
    found = platform_holds(
        uow=uow(),
        platform=caller.platform,
        kind=kind,
        include_ended=include_ended,
        masked=not caller.may(Permission.PII_READ),
        clock=clock,
    )
    return paginate(request, found.holds, page)


@router.post("/holds", response_model=HoldChange, status_code=201, summary="Put on a hold")
def add(body: NewHold, caller: HoldWriter, uow: UowFactoryDep, clock: ClockDep) -> HoldChange:
    return add_hold(
        uow=uow(),
        platform=caller.platform,
        borrower_id=body.borrower_id,
        kind=body.kind,
        reason=body.reason,
        by=caller.name,
        start=body.start,
        end=body.end,
        debt_id=body.debt_id,
        clock=clock,
    )


@router.post("/holds/{hold_id}/lift", response_model=LiftedHolds, summary="Lift a hold")
def lift(
    hold_id: HoldId,
    body: HoldLift,
    caller: HoldWriter,
    uow: UowFactoryDep,
    clock: ClockDep,
) -> LiftedHolds:
    return lift_stored_hold(
        uow=uow(),
        platform=caller.platform,
        hold_id=hold_id,
        by=caller.name,
        reason=body.reason,
        clock=clock,
    )
