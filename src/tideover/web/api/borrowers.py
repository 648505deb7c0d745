"""``/api/v1/borrowers``: the borrower 360.

Readers: anyone holding ``borrower:read`` (team lead, strategy manager,
compliance officer, auditor) sees any borrower of the platform; a collector
(``queue:work`` only) sees the borrowers of their queue items (a week after the
item, see ``services.portfolio.borrower_view``), any other is 404.  Names, ID and
phone numbers are masked unless the caller holds ``pii:read``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from tideover.domain.permissions import Permission
from tideover.i18n import N_
from tideover.services.portfolio.borrower_results import BorrowerView
from tideover.services.portfolio.borrower_view import borrower_view
from tideover.web.api.queue import Scope, ScoresDir, scope_of
from tideover.web.deps import (
    Authorized,
    Caller,
    ClockDep,
    Forbidden,
    ReadUowDep,
    UowFactoryDep,
)

router = APIRouter(prefix="/borrowers", tags=["borrowers"])

Staff = Annotated[Caller, Authorized()]
BorrowerId = Annotated[str, Path(min_length=1, max_length=64)]


async def viewer_scope(request: Request, caller: Staff, uow: UowFactoryDep) -> Scope:
    """Who the caller may look at: every borrower, or those of their own queue."""
    if caller.may(Permission.BORROWER_READ):
        return Scope(caller, None)
    if caller.may(Permission.QUEUE_WORK):
        return await scope_of(request, caller, uow)
    raise Forbidden(
        N_("your role may not do this (needs %(borrower_read)s or %(queue_work)s)"),
        borrower_read=Permission.BORROWER_READ,
        queue_work=Permission.QUEUE_WORK,
    )


Viewer = Annotated[Scope, Depends(viewer_scope)]


@router.get("/{borrower_id}", response_model=BorrowerView, summary="The borrower 360")
def borrower(
    borrower_id: BorrowerId,
    scope: Viewer,
    uow: ReadUowDep,
    clock: ClockDep,
    scores: ScoresDir,
) -> BorrowerView:
    return borrower_view(
        uow=uow(),
        platform=scope.caller.platform,
        borrower_id=borrower_id,
        reveal_pii=scope.caller.may(Permission.PII_READ),
        collector=scope.collector,
        scores_dir=scores,
        clock=clock,
    )
