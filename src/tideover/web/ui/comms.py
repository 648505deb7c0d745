"""The messages area: templates under four eyes, the outbox, policy-change notices.

The same handlers as ``tideover templates …`` and ``tideover outbox …``: a template
is drafted here (its review's findings shown at once), approved by someone other
than its author (refused with the finding), activated; the outbox is listed with
its filters; the notices a policy version owes are previewed before activation.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tideover.comms.catalogue import LANGUAGES, MessageChannel, Purpose
from tideover.domain.identity import same_person
from tideover.domain.permissions import Permission
from tideover.services.comms.notices import policy_notices
from tideover.services.comms.outbox import OUTBOX_STATES, list_outbox
from tideover.services.comms.templates import (
    activate_template,
    approve_template,
    draft_template,
    list_templates,
    preview_template,
    reject_template,
    show_template,
)
from tideover.web.api.comms import NAME, etag
from tideover.web.deps import Authorized, Caller, ClockDep, UowFactoryDep
from tideover.web.ui.pages import render, texts_of
from tideover.web.ui.refusals import template_changed
from tideover.web.ui.words import N_

router = APIRouter(prefix="/comms")

Reader = Annotated[Caller, Authorized(Permission.POLICY_READ)]
Writer = Annotated[Caller, Authorized(Permission.POLICY_WRITE)]
Approver = Annotated[Caller, Authorized(Permission.POLICY_APPROVE)]
Activator = Annotated[Caller, Authorized(Permission.POLICY_ACTIVATE)]
Overseer = Annotated[Caller, Authorized(Permission.COMPLIANCE_READ)]
Etag = Annotated[str, Form(alias="etag", max_length=200)]
Text = Annotated[str, Form(max_length=40_000)]
PER_PAGE = 50

DONE = {
    "drafted": N_("Drafted; another person must approve it."),
    "approved": N_("Approved."),
    "rejected": N_("Sent back to its author."),
    "activated": N_("Active: this version is the one sent."),
}


def _done(name: str, version: int, key: str) -> Response:
    return RedirectResponse(f"/comms/templates/{name}/{version}?done={key}", status_code=303)


@router.get("", response_class=HTMLResponse)
def templates(request: Request, caller: Reader, uow: UowFactoryDep) -> HTMLResponse:
    listed = list_templates(uow=uow(), platform=caller.platform)
    return render(
        request,
        "comms/list.html",
        {"versions": list(reversed(listed.versions)), "builtin": listed.builtin},
        caller=caller,
    )


@router.get("/new", response_class=HTMLResponse)
def new(request: Request, caller: Writer) -> HTMLResponse:
    return render(request, "comms/new.html", _form_context({}), caller=caller)


def _form_context(values: dict[str, str]) -> dict[str, object]:
    return {
        "values": values,
        "purposes": [p.value for p in Purpose],
        "channels": [c.value for c in MessageChannel],
        "languages": LANGUAGES,
    }


@router.post("/templates", response_class=HTMLResponse)
def draft(
    request: Request,
    caller: Writer,
    uow: UowFactoryDep,
    clock: ClockDep,
    name: Annotated[str, Form(pattern=NAME)],
    purpose: Annotated[Purpose, Form()],
    channel: Annotated[MessageChannel, Form()],
    body_zh: Text,
    body_en: Text,
    subject_zh: Annotated[str, Form(max_length=1000)] = "",
    subject_en: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    subject = {k: v for k, v in (("zh-CN", subject_zh), ("en", subject_en)) if v.strip()}
    done = draft_template(
        uow=uow(),
        platform=caller.platform,
        template={
            "name": name,
            "purpose": purpose.value,
            "channel": channel.value,
            "body": {"zh-CN": body_zh, "en": body_en},
            "subject": subject,
        },
        by=caller.name,
        clock=clock,
    )
    return _done(done.info.name, done.info.version, "drafted")


@router.get("/templates/{name}/{version}", response_class=HTMLResponse)
def detail(
    request: Request, name: str, version: int, caller: Reader, uow: UowFactoryDep
) -> HTMLResponse:
    found = show_template(uow=uow(), platform=caller.platform, name=name, version=version)
    previews = [
        preview_template(
            uow=uow(), platform=caller.platform, name=name, version=version, language=language
        )
        for language in LANGUAGES
        if found.info.status != "rejected" and not found.findings
    ]
    own = same_person(found.info.author, caller.name)
    done = request.query_params.get("done")
    return render(
        request,
        "comms/detail.html",
        {
            "template": found,
            "previews": previews,
            "etag": etag(found.info),
            "own": own,
            "flash": texts_of(request).gettext(DONE[done]) if done in DONE else None,
            "may_approve": caller.may(Permission.POLICY_APPROVE)
            and found.info.status == "draft"
            and not own,
            "may_activate": caller.may(Permission.POLICY_ACTIVATE)
            and found.info.status == "approved",
        },
        caller=caller,
    )


def _same(uow: UowFactoryDep, caller: Caller, name: str, version: int, sent: str) -> None:
    current = show_template(uow=uow(), platform=caller.platform, name=name, version=version)
    if sent != etag(current.info):
        raise template_changed(name, version)


@router.post("/templates/{name}/{version}/approve")
def approve(
    name: str, version: int, caller: Approver, uow: UowFactoryDep, clock: ClockDep, sent: Etag
) -> Response:
    _same(uow, caller, name, version, sent)
    approve_template(
        uow=uow(),
        platform=caller.platform,
        name=name,
        version=version,
        by=caller.name,
        clock=clock,
    )
    return _done(name, version, "approved")


@router.post("/templates/{name}/{version}/reject")
def reject(
    name: str,
    version: int,
    caller: Approver,
    uow: UowFactoryDep,
    clock: ClockDep,
    sent: Etag,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    _same(uow, caller, name, version, sent)
    reject_template(
        uow=uow(),
        platform=caller.platform,
        name=name,
        version=version,
        by=caller.name,
        reason=reason,
        clock=clock,
    )
    return _done(name, version, "rejected")


@router.post("/templates/{name}/{version}/activate")
def activate(
    name: str, version: int, caller: Activator, uow: UowFactoryDep, clock: ClockDep, sent: Etag
) -> Response:
    _same(uow, caller, name, version, sent)
    activate_template(
        uow=uow(),
        platform=caller.platform,
        name=name,
        version=version,
        by=caller.name,
        clock=clock,
    )
    return _done(name, version, "activated")


@router.get("/outbox", response_class=HTMLResponse)
def outbox(
    request: Request,
    caller: Overseer,
    uow: UowFactoryDep,
    state: Annotated[
        Literal["", "pending", "sent", "delivered", "failed", "dropped"], Query()
    ] = "",
    channel: Annotated[Literal["", "sms", "email", "letter", "app_push"], Query()] = "",
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    account: Annotated[str, Query(max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    found = list_outbox(
        uow=uow(),
        platform=caller.platform,
        first=since,
        last=until,
        states=(state,) if state else (),
        channels=(channel,) if channel else (),
        account_id=account or None,
        offset=(page - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    last = max(1, -(-found.total // PER_PAGE))
    return render(
        request,
        "comms/outbox.html",
        {
            "page": found,
            "number": page,
            "last": last,
            "filters": {
                "state": state,
                "channel": channel,
                "account": account,
                "since": since.isoformat() if since else "",
                "until": until.isoformat() if until else "",
            },
            "states": OUTBOX_STATES,
            "channels": [c.value for c in MessageChannel],
        },
        caller=caller,
    )


@router.get("/notices", response_class=HTMLResponse)
def notices_form(request: Request, caller: Writer) -> HTMLResponse:
    return render(request, "comms/notices.html", {"preview": None, "values": {}}, caller=caller)


@router.post("/notices", response_class=HTMLResponse)
def notices_preview(
    request: Request,
    caller: Writer,
    uow: UowFactoryDep,
    clock: ClockDep,
    version: Annotated[int, Form(ge=1, le=1_000_000)],
    as_of: Annotated[date, Form()],
    effective_from: Annotated[date, Form()],
    reason_zh: Annotated[str, Form(min_length=1, max_length=500)],
    reason_en: Annotated[str, Form(min_length=1, max_length=500)],
) -> HTMLResponse:
    preview = policy_notices(
        uow=uow(),
        platform=caller.platform,
        version=version,
        as_of=as_of,
        effective_from=effective_from,
        reason={"zh-CN": reason_zh, "en": reason_en},
        clock=clock,
        preview_lines=20,
    )
    values = {
        "version": str(version),
        "as_of": as_of.isoformat(),
        "effective_from": effective_from.isoformat(),
        "reason_zh": reason_zh,
        "reason_en": reason_en,
    }
    return render(
        request, "comms/notices.html", {"preview": preview, "values": values}, caller=caller
    )
