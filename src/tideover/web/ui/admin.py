"""The platform administrator's pages: users and roles, API keys, channel settings, data
imports by file upload with the per-record report.

Each page needs its own permission (``users:admin``, ``api_keys:admin``,
``settings:admin``, ``imports:write``).  A new API key is shown on the page that
creates it, once; it is never in an address.  A big upload is imported by a
background job whose page shows the same report when it ends.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from tideover.domain.identity import Role
from tideover.domain.permissions import Permission
from tideover.services.access.signin import (
    create_api_key,
    list_api_keys,
    revoke_api_key,
    set_password,
)
from tideover.services.access.tokens import MIN_PASSWORD
from tideover.services.channel_settings import save_channel_settings, show_channel_settings
from tideover.services.identity.users import add_user, change_user, list_users, show_user
from tideover.services.inputs import NO_CONTROL
from tideover.services.jobs import job_info
from tideover.services.portfolio.results import ImportResult
from tideover.services.portfolio.uploads import KINDS
from tideover.web.api.admin import (
    IMPORT,
    JobId,
    KeyId,
    UserId,
    check_user,
    data_dir,
    start_import,
    user_etag,
)
from tideover.web.deps import Authorized, Caller, ClockDep, NowDep, UowFactoryDep
from tideover.web.ui.compliance import finished, flash, show
from tideover.web.ui.words import N_

router = APIRouter(prefix="/admin")

UsersAdmin = Annotated[Caller, Authorized(Permission.USERS_ADMIN)]
KeysAdmin = Annotated[Caller, Authorized(Permission.API_KEYS_ADMIN)]
SettingsAdmin = Annotated[Caller, Authorized(Permission.SETTINGS_ADMIN)]
Importer = Annotated[Caller, Authorized(Permission.IMPORTS_WRITE)]
Password = Annotated[str, Form(min_length=MIN_PASSWORD, max_length=1024)]
Roles = Annotated[list[Role], Form(min_length=1, max_length=len(Role))]
Text = Annotated[str, Form(max_length=254, pattern=NO_CONTROL)]

DONE = {
    "added": N_("The user is added; they can sign in with the password you gave."),
    "changed": N_("The user is changed."),
    "password": N_("The password is set; the user's sessions have ended."),
    "revoked": N_("The key is revoked; it no longer works."),
    "saved": N_("The channel settings are saved."),
}


@router.get("", response_class=HTMLResponse)
def users(request: Request, caller: UsersAdmin, uow: UowFactoryDep, now: NowDep) -> HTMLResponse:
    listed = list_users(uow=uow(), platform=caller.platform, now=now)
    return show(
        request,
        "admin/users.html",
        {"users": listed.users, "roles": list(Role), "flash": flash(request, DONE)},
        caller=caller,
    )


@router.post("/users")
def add(
    request: Request,
    caller: UsersAdmin,
    uow: UowFactoryDep,
    now: NowDep,
    username: Annotated[str, Form(min_length=1, max_length=64, pattern=NO_CONTROL)],
    roles: Roles,
    password: Password,
    display_name: Annotated[str | None, Form(max_length=200, pattern=NO_CONTROL)] = None,
) -> Response:
    added = add_user(
        uow=uow(),
        platform=caller.platform,
        username=username.strip(),
        roles=[r.value for r in roles],
        display_name=display_name,
        by=caller.name,
        at=now,
    )
    set_password(
        uow=uow(),
        platform=caller.platform,
        username=added.username,
        password=password,
        by=caller.name,
        at=now,
    )
    return finished(request, f"/admin/users/{added.user_id}?done=added")


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user(
    request: Request, user_id: UserId, caller: UsersAdmin, uow: UowFactoryDep, now: NowDep
) -> HTMLResponse:
    found = show_user(uow=uow(), platform=caller.platform, user_id=user_id, now=now)
    return show(
        request,
        "admin/user.html",
        {
            "user": found,
            "etag": user_etag(found),
            "roles": list(Role),
            "own": found.username == caller.name,
            "flash": flash(request, DONE),
        },
        caller=caller,
    )


@router.post("/users/{user_id}")
def change(
    request: Request,
    user_id: UserId,
    caller: UsersAdmin,
    uow: UowFactoryDep,
    now: NowDep,
    etag_sent: Annotated[str, Form(alias="etag", max_length=200)],
    roles: Roles,
    active: Annotated[bool, Form()] = False,
) -> Response:
    """The whole form: its roles replace the user's; an unticked box takes their access."""
    current = check_user(uow, caller, user_id, etag_sent)
    change_user(
        uow=uow(),
        platform=caller.platform,
        username=current.username,
        by=caller.name,
        at=now,
        roles=[r.value for r in roles],
        active=active,
    )
    return finished(request, f"/admin/users/{user_id}?done=changed")


@router.post("/users/{user_id}/password")
def password(
    request: Request,
    user_id: UserId,
    caller: UsersAdmin,
    uow: UowFactoryDep,
    now: NowDep,
    new_password: Annotated[str, Form(alias="password", min_length=MIN_PASSWORD, max_length=1024)],
) -> Response:
    current = show_user(uow=uow(), platform=caller.platform, user_id=user_id)
    set_password(
        uow=uow(),
        platform=caller.platform,
        username=current.username,
        password=new_password,
        by=caller.name,
        at=now,
    )
    return finished(request, f"/admin/users/{user_id}?done=password")


@router.get("/keys", response_class=HTMLResponse)
def keys(request: Request, caller: KeysAdmin, uow: UowFactoryDep) -> HTMLResponse:
    return show(
        request,
        "admin/keys.html",
        {
            "keys": list_api_keys(uow=uow(), platform=caller.platform),
            "scopes": [p for p in Permission if caller.may(p)],
            "flash": flash(request, DONE),
        },
        caller=caller,
    )


@router.post("/keys", response_class=HTMLResponse)
def create_key(
    request: Request,
    caller: KeysAdmin,
    uow: UowFactoryDep,
    now: NowDep,
    name: Annotated[str, Form(min_length=1, max_length=200, pattern=NO_CONTROL)],
    scopes: Annotated[list[Permission], Form(min_length=1, max_length=len(Permission))],
) -> HTMLResponse:
    """The key is on this page only: it is not stored, and never put in an address."""
    created = create_api_key(
        uow=uow(),
        platform=caller.platform,
        name=name,
        scopes=[s.value for s in scopes],
        by=caller.name,
        at=now,
        within=caller.permissions,
    )
    return show(request, "admin/key_created.html", {"key": created}, caller=caller)


@router.post("/keys/{key_id}/revoke")
def revoke_key(
    request: Request, key_id: KeyId, caller: KeysAdmin, uow: UowFactoryDep, now: NowDep
) -> Response:
    revoke_api_key(uow=uow(), platform=caller.platform, key_id=key_id, by=caller.name, at=now)
    return finished(request, "/admin/keys?done=revoked")


@router.get("/channels", response_class=HTMLResponse)
def channels(request: Request, caller: SettingsAdmin, uow: UowFactoryDep) -> HTMLResponse:
    return show(
        request,
        "admin/channels.html",
        {
            "settings": show_channel_settings(uow=uow(), platform=caller.platform),
            "flash": flash(request, DONE),
        },
        caller=caller,
    )


@router.post("/channels")
def save_channels(
    request: Request,
    caller: SettingsAdmin,
    uow: UowFactoryDep,
    clock: ClockDep,
    version: Annotated[str, Form(max_length=64)],
    sms_provider: Annotated[str, Form(max_length=16)] = "none",
    sms_signature: Text = "",
    sms_sender_id: Text = "",
    email_sender_address: Text = "",
    email_sender_name: Text = "",
    email_reply_to: Text = "",
    quiet_start: Text = "",
    quiet_end: Text = "",
) -> Response:
    """Empty fields are "not set"; the handler validates the whole and says what is wrong."""

    def given(value: str) -> str | None:
        return value.strip() or None

    save_channel_settings(
        uow=uow(),
        platform=caller.platform,
        settings={
            "sms": {
                "provider": sms_provider,
                "signature": given(sms_signature),
                "sender_id": given(sms_sender_id),
            },
            "email": {
                "sender_address": given(email_sender_address),
                "sender_name": given(email_sender_name),
                "reply_to": given(email_reply_to),
            },
            "quiet_hours": {"start": given(quiet_start), "end": given(quiet_end)},
        },
        expected_version=version,
        by=caller.name,
        clock=clock,
    )
    return finished(request, "/admin/channels?done=saved")


@router.get("/imports", response_class=HTMLResponse)
def imports(request: Request, caller: Importer) -> HTMLResponse:
    return show(request, "admin/imports.html", {"kinds": KINDS}, caller=caller)


@router.post("/imports", response_class=HTMLResponse)
def upload(
    request: Request,
    caller: Importer,
    uow: UowFactoryDep,
    clock: ClockDep,
    now: NowDep,
    kind: Annotated[str, Form(max_length=16)],
    file: Annotated[UploadFile, File()],
) -> Response:
    """A small file's report at once; a big one's job page, which shows it when done."""
    outcome = start_import(
        uow=uow,
        caller=caller,
        kind=kind,
        upload=file,
        folder=data_dir(request),
        clock=clock,
        now=now,
    )
    if outcome.job is not None:
        return finished(request, f"/admin/jobs/{outcome.job.job_id}")
    return show(request, "admin/import_report.html", {"result": outcome.result}, caller=caller)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job(request: Request, job_id: JobId, caller: Importer, uow: UowFactoryDep) -> HTMLResponse:
    """An import run as a job; while it runs, htmx asks for this fragment again every 2 s."""
    found = job_info(uow=uow(), platform=caller.platform, job_id=job_id, kind=IMPORT)
    result = ImportResult.model_validate(found.result) if found.result else None
    template = "admin/job_status.html" if "HX-Request" in request.headers else "admin/job.html"
    return show(request, template, {"job": found, "result": result}, caller=caller)
