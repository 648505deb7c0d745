"""``/api/v1/comms``: message templates (four eyes), the outbox, notices and statements.

A template version's ETag is its text's hash and its status: a change sent with
``If-Match`` is refused (412) when the version moved on since it was read.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tideover.comms.catalogue import MessageChannel, Purpose
from tideover.domain.errors import TideoverError
from tideover.domain.permissions import Permission
from tideover.i18n import N_
from tideover.services.comms.notices import policy_notices
from tideover.services.comms.outbox import (
    list_outbox,
    record_receipt,
    set_opt_out,
    show_outbox_message,
)
from tideover.services.comms.results import (
    ConsentResult,
    NoticePreview,
    OutboxItem,
    ReceiptResult,
    RenderedPreview,
    RightsStatement,
    TemplateDetail,
    TemplateVersionInfo,
)
from tideover.services.comms.statements import rights_statement
from tideover.services.comms.templates import (
    TemplateIn,
    activate_template,
    approve_template,
    draft_template,
    list_templates,
    preview_template,
    reject_template,
    show_template,
)
from tideover.services.jobs import JobInfo, start_job
from tideover.web.deps import Authorized, Caller, ClockDep, PageDep, UowFactoryDep
from tideover.web.pagination import Page, PageLinks, paginate

router = APIRouter(prefix="/comms", tags=["communications"])

Reader = Annotated[Caller, Authorized(Permission.POLICY_READ)]
Writer = Annotated[Caller, Authorized(Permission.POLICY_WRITE)]
Approver = Annotated[Caller, Authorized(Permission.POLICY_APPROVE)]
Activator = Annotated[Caller, Authorized(Permission.POLICY_ACTIVATE)]
Overseer = Annotated[Caller, Authorized(Permission.COMPLIANCE_READ)]
Operator = Annotated[Caller, Authorized(Permission.CYCLE_RUN)]
IfMatch = Annotated[str | None, Header(description="The version's ETag as last read.")]
Language = Literal["zh-CN", "en"]
NAME = r"^[a-z][a-z0-9_]{0,127}$"


class PreconditionFailed(TideoverError):
    code = "precondition_failed"
    http_status = 412


class TemplateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME)
    purpose: Purpose
    channel: MessageChannel
    body: dict[Language, str] = Field(description="The text per language.")
    subject: dict[Language, str] = Field(default_factory=dict)


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class Receipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["delivered", "failed"]


class OptOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    borrower_id: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    channel: MessageChannel
    opted_out: bool = True
    source: str = Field(default="staff", min_length=1, max_length=64, pattern=r"^[ -~]+$")


class NoticeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date
    effective_from: date
    reason_zh: str = Field(min_length=1, max_length=500)
    reason_en: str = Field(min_length=1, max_length=500)


def etag(info: TemplateVersionInfo) -> str:
    return f'"{info.sha256[:32]}-{info.status}"'


def _check(
    uow: UowFactoryDep, caller: Caller, name: str, version: int, if_match: str | None
) -> None:
    if if_match is None:
        return
    current = show_template(uow=uow(), platform=caller.platform, name=name, version=version)
    if if_match.strip() != etag(current.info):
        raise PreconditionFailed(
            N_("template %(name)s version %(version)s changed since it was read"),
            name=name,
            version=version,
        )


# --- templates ---------------------------------------------------------------------------------


@router.get("/templates", response_model=Page[TemplateVersionInfo], summary="Template versions")
def templates(
    request: Request, caller: Reader, uow: UowFactoryDep, page: PageDep
) -> Page[TemplateVersionInfo]:
    return paginate(request, list_templates(uow=uow(), platform=caller.platform).versions, page)


@router.get(
    "/templates/{name}/versions/{version}",
    response_model=TemplateDetail,
    summary="One version, with its review's findings",
)
def template(
    name: str, version: int, caller: Reader, uow: UowFactoryDep, response: Response
) -> TemplateDetail:
    found = show_template(uow=uow(), platform=caller.platform, name=name, version=version)
    response.headers["ETag"] = etag(found.info)
    return found


@router.get(
    "/templates/{name}/versions/{version}/preview",
    response_model=RenderedPreview,
    summary="A version rendered with sample values",
)
def preview(
    name: str,
    version: int,
    caller: Reader,
    uow: UowFactoryDep,
    language: Annotated[Language, Query()] = "zh-CN",
) -> RenderedPreview:
    return preview_template(
        uow=uow(), platform=caller.platform, name=name, version=version, language=language
    )


@router.post("/templates", response_model=TemplateDetail, status_code=201, summary="Draft")
def draft(
    body: TemplateBody, caller: Writer, uow: UowFactoryDep, clock: ClockDep
) -> TemplateDetail:
    return draft_template(
        uow=uow(),
        platform=caller.platform,
        template=TemplateIn.model_validate(body.model_dump()),
        by=caller.name,
        clock=clock,
    )


@router.post(
    "/templates/{name}/versions/{version}/approve",
    response_model=TemplateVersionInfo,
    summary="Approve (four eyes; refused with the review's findings)",
)
def approve(
    name: str,
    version: int,
    caller: Approver,
    uow: UowFactoryDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> TemplateVersionInfo:
    _check(uow, caller, name, version, if_match)
    return approve_template(
        uow=uow(),
        platform=caller.platform,
        name=name,
        version=version,
        by=caller.name,
        clock=clock,
    )


@router.post(
    "/templates/{name}/versions/{version}/reject",
    response_model=TemplateVersionInfo,
    summary="Reject with a reason",
)
def reject(
    name: str,
    version: int,
    body: Rejection,
    caller: Approver,
    uow: UowFactoryDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> TemplateVersionInfo:
    _check(uow, caller, name, version, if_match)
    return reject_template(
        uow=uow(),
        platform=caller.platform,
        name=name,
        version=version,
        by=caller.name,
        reason=body.reason,
        clock=clock,
    )


@router.post(
    "/templates/{name}/versions/{version}/activate",
    response_model=TemplateVersionInfo,
    summary="Make an approved version the one sent",
)
def activate(
    name: str,
    version: int,
    caller: Activator,
    uow: UowFactoryDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> TemplateVersionInfo:
    _check(uow, caller, name, version, if_match)
    return activate_template(
        uow=uow(),
        platform=caller.platform,
        name=name,
        version=version,
        by=caller.name,
        clock=clock,
    )


# --- the outbox --------------------------------------------------------------------------------


@router.get("/outbox", response_model=Page[OutboxItem], summary="Outbox messages")
def outbox(
    request: Request,
    caller: Overseer,
    uow: UowFactoryDep,
    page: PageDep,
    since: date | None = None,
    until: date | None = None,
    state: Annotated[
        list[Literal["pending", "sent", "delivered", "failed", "dropped"]] | None, Query()
    ] = None,
    channel: Annotated[list[MessageChannel] | None, Query()] = None,
    account: Annotated[
        str | None, Query(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    ] = None,
) -> Page[OutboxItem]:
    found = list_outbox(
        uow=uow(),
        platform=caller.platform,
        first=since,
        last=until,
        states=tuple(state or ()),
        channels=tuple(c.value for c in channel or ()),
        account_id=account,
        offset=page.offset,
        limit=page.per_page,
    )

    def link(number: int) -> str:
        return str(request.url.include_query_params(page=number, per_page=page.per_page))

    last = max(1, -(-found.total // page.per_page))
    return Page[OutboxItem](
        items=found.items,
        total=found.total,
        page=page.page,
        per_page=page.per_page,
        links=PageLinks(
            self=link(page.page),
            next=link(page.page + 1) if page.page < last else None,
            prev=link(page.page - 1) if page.page > 1 else None,
        ),
    )


@router.get("/outbox/{message_id}", response_model=OutboxItem, summary="One outbox message")
def outbox_message(message_id: int, caller: Overseer, uow: UowFactoryDep) -> OutboxItem:
    return show_outbox_message(uow=uow(), platform=caller.platform, message_id=message_id)


@router.post(
    "/outbox/{message_id}/receipt",
    response_model=ReceiptResult,
    summary="A provider's delivery receipt",
)
def receipt(
    message_id: int, body: Receipt, caller: Operator, uow: UowFactoryDep, clock: ClockDep
) -> ReceiptResult:
    return record_receipt(
        uow=uow(),
        platform=caller.platform,
        message_id=message_id,
        status=body.status,
        clock=clock,
    )


@router.post(
    "/outbox/run",
    response_model=JobInfo,
    status_code=202,
    summary="Send what is due (a background job)",
)
def run(caller: Operator, uow: UowFactoryDep, clock: ClockDep) -> JobInfo:
    return start_job(
        uow=uow(),
        platform=caller.platform,
        kind="outbox",
        params={},
        created_by=caller.actor.user_id,
        at=clock.now(),
    )


@router.post("/opt-outs", response_model=ConsentResult, summary="A borrower's channel opt-out")
def opt_out(body: OptOut, caller: Overseer, uow: UowFactoryDep, clock: ClockDep) -> ConsentResult:
    return set_opt_out(
        uow=uow(),
        platform=caller.platform,
        borrower_id=body.borrower_id,
        channel=body.channel.value,
        opted_out=body.opted_out,
        source=body.source,
        clock=clock,
    )


# --- notices and statements -------------------------------------------------------------------


@router.post(
    "/notices/{version}/preview",
    response_model=NoticePreview,
    summary="The policy-change notices a version would send (nothing written)",
)
def notices_preview(
    version: int, body: NoticeRequest, caller: Writer, uow: UowFactoryDep, clock: ClockDep
) -> NoticePreview:
    return policy_notices(
        uow=uow(),
        platform=caller.platform,
        version=version,
        as_of=body.as_of,
        effective_from=body.effective_from,
        reason={"zh-CN": body.reason_zh, "en": body.reason_en},
        clock=clock,
    )


@router.post(
    "/notices/{version}/send",
    response_model=NoticePreview,
    summary="Queue the notices of the active version (once per account)",
)
def notices_send(
    version: int, body: NoticeRequest, caller: Activator, uow: UowFactoryDep, clock: ClockDep
) -> NoticePreview:
    return policy_notices(
        uow=uow(),
        platform=caller.platform,
        version=version,
        as_of=body.as_of,
        effective_from=body.effective_from,
        reason={"zh-CN": body.reason_zh, "en": body.reason_en},
        queue=True,
        by=caller.name,
        clock=clock,
    )


@router.get(
    "/rights",
    response_model=RightsStatement,
    summary="The jurisdiction's rights statement, with its sources",
)
def rights(
    caller: Reader, uow: UowFactoryDep, language: Annotated[Language, Query()] = "zh-CN"
) -> RightsStatement:
    return rights_statement(uow=uow(), platform=caller.platform, language=language)
