"""``/api/v1/audit``: the platform's audit trail, searched and re-verified; read only.

Records come newest first.  A search for text goes in a POST body, never in the
address: an address is logged by every proxy on the way, and a text searched
for may be personal.  ``verification`` re-hashes the whole chain and says which
record was edited, deleted or reordered (``tideover audit verify``).  Payload
texts come masked to readers without ``pii:read``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from tideover.domain.permissions import Permission
from tideover.services.compliance.checks import verify_audit_trail
from tideover.services.compliance.results import AuditEntry, AuditVerification
from tideover.services.compliance.trail import MAX_TEXT, search_audit_trail
from tideover.web.deps import Authorized, Caller, PageDep, UowFactoryDep
from tideover.web.pagination import Page, paginate

router = APIRouter(prefix="/audit", tags=["audit"])

Reader = Annotated[Caller, Authorized(Permission.AUDIT_READ)]
Kind = Annotated[str | None, Query(max_length=32, description="Record kind.")]
First = Annotated[date | None, Query(alias="from", description="First day (platform's).")]
Last = Annotated[date | None, Query(alias="to", description="Last day (platform's).")]


class AuditSearch(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: str | None = Field(default=None, max_length=32)
    first: date | None = Field(default=None, alias="from")
    last: date | None = Field(default=None, alias="to")
    text: str | None = Field(default=None, max_length=MAX_TEXT, description="Text in a payload.")


@router.get("/records", response_model=Page[AuditEntry], summary="The audit trail")
def records(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    page: PageDep,
    kind: Kind = None,
    first: First = None,
    last: Last = None,
) -> Page[AuditEntry]:
    found = search_audit_trail(
        uow=uow(),
        platform=caller.platform,
        kind=kind or None,
        first=first,
        last=last,
        masked=not caller.may(Permission.PII_READ),
    )
    return paginate(request, found.records, page)


@router.post("/search", response_model=Page[AuditEntry], summary="Search the audit trail")
def search(
    request: Request, body: AuditSearch, caller: Reader, uow: UowFactoryDep, page: PageDep
) -> Page[AuditEntry]:
    """The records matching ``body``; the page links point here again, with the same body."""
    found = search_audit_trail(
        uow=uow(),
        platform=caller.platform,
        kind=body.kind or None,
        first=body.first,
        last=body.last,
        text=body.text,
        masked=not caller.may(Permission.PII_READ),
    )
    return paginate(request, found.records, page)


@router.get("/verification", response_model=AuditVerification, summary="Re-verify the hash chain")
def verification(caller: Reader, uow: UowFactoryDep) -> AuditVerification:
    return verify_audit_trail(uow=uow(), platform=caller.platform)
