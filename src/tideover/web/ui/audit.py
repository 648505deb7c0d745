"""The audit trail's pages: the records, searched, and a button that re-verifies the chain.

Read only, for the compliance officer, the auditor and the platform
administrator (``audit:read``).  The filters of a plain view (kind, days) may go
in the address; a text search is sent in a form's body, never in the address,
and its pages are asked the same way.  Payload texts are masked for readers
without ``pii:read``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from tideover.domain.permissions import Permission
from tideover.services.compliance.checks import verify_audit_trail
from tideover.services.compliance.trail import MAX_TEXT, search_audit_trail
from tideover.web.deps import Authorized, Caller, PageParams, UowFactoryDep
from tideover.web.pagination import Page, paginate
from tideover.web.ui.compliance import show

router = APIRouter(prefix="/audit")

Reader = Annotated[Caller, Authorized(Permission.AUDIT_READ)]
PER_PAGE = 50


def _page(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    *,
    kind: str | None,
    first: date | None,
    last: date | None,
    text: str | None,
    page: int,
) -> HTMLResponse:
    found = search_audit_trail(
        uow=uow(),
        platform=caller.platform,
        kind=kind or None,
        first=first,
        last=last,
        text=text,
        masked=not caller.may(Permission.PII_READ),
    )
    shown: Page[object] = paginate(request, found.records, PageParams(page, PER_PAGE))
    last_page = max(1, -(-shown.total // PER_PAGE))
    return show(
        request,
        "audit/trail.html",
        {
            "kinds": found.kinds,
            "records": shown.items,
            "total": shown.total,
            "page": page,
            "last_page": last_page,
            "kind": kind or "",
            "first": first,
            "last": last,
            "text": text or "",
            "payload": lambda value: json.dumps(value, ensure_ascii=False, indent=2),
        },
        caller=caller,
    )


@router.get("", response_class=HTMLResponse)
def trail(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    return _page(request, caller, uow, kind=kind, first=first, last=last, text=None, page=page)


@router.post("", response_class=HTMLResponse)
def search(
    request: Request,
    caller: Reader,
    uow: UowFactoryDep,
    kind: Annotated[str | None, Form(max_length=32)] = None,
    first: Annotated[date | None, Form(alias="from")] = None,
    last: Annotated[date | None, Form(alias="to")] = None,
    text: Annotated[str | None, Form(max_length=MAX_TEXT)] = None,
    page: Annotated[int, Form(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The search form: same page, the text kept out of the address."""
    return _page(request, caller, uow, kind=kind, first=first, last=last, text=text, page=page)


@router.get("/verify", response_class=HTMLResponse)
def verify(request: Request, caller: Reader, uow: UowFactoryDep) -> HTMLResponse:
    """The chain re-verified: a fragment for the button, a page without script."""
    result = verify_audit_trail(uow=uow(), platform=caller.platform)
    template = "audit/verify.html" if "HX-Request" in request.headers else "audit/verified.html"
    return show(request, template, {"result": result}, caller=caller)
