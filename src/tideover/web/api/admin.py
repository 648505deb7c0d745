"""``/api/v1/admin``: the platform administrator's users and roles, API keys, channel
settings and data imports.

Each part needs its own permission (``users:admin``, ``api_keys:admin``,
``settings:admin``, ``imports:write``), so an API key can be given one of them.
A new key is shown once, in the answer that creates it; a key never gets a
scope that whoever asks for it lacks.  An upload is imported all or nothing:
a small file in the request, a big one as a background job
(``/admin/imports/{job_id}``); either way the answer carries the per-record
report, every bad value masked.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, BinaryIO

from fastapi import APIRouter, File, Form, Header, Request, Response, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from tideover.domain.clock import Clock
from tideover.domain.errors import TideoverError
from tideover.domain.identity import Role
from tideover.domain.permissions import Permission
from tideover.i18n import N_
from tideover.services.access.signin import (
    ApiKeyInfo,
    NewApiKey,
    create_api_key,
    list_api_keys,
    revoke_api_key,
    set_password,
)
from tideover.services.access.tokens import MIN_PASSWORD
from tideover.services.channel_settings import (
    ChannelSettings,
    ChannelSettingsIn,
    save_channel_settings,
    show_channel_settings,
)
from tideover.services.identity.users import (
    UserInfo,
    add_user,
    change_user,
    list_users,
    show_user,
)
from tideover.services.inputs import NO_CONTROL
from tideover.services.jobs import JobInfo, job_info, start_job
from tideover.services.portfolio.results import ImportResult
from tideover.services.portfolio.uploads import (
    import_kind,
    import_upload,
    new_upload,
    upload_format,
)
from tideover.web.api.policy import PreconditionFailed
from tideover.web.deps import Authorized, Caller, ClockDep, NowDep, PageDep, UowFactoryDep
from tideover.web.pagination import Page, paginate

router = APIRouter(prefix="/admin", tags=["admin"])

UsersAdmin = Annotated[Caller, Authorized(Permission.USERS_ADMIN)]
KeysAdmin = Annotated[Caller, Authorized(Permission.API_KEYS_ADMIN)]
SettingsAdmin = Annotated[Caller, Authorized(Permission.SETTINGS_ADMIN)]
Importer = Annotated[Caller, Authorized(Permission.IMPORTS_WRITE)]
IfMatch = Annotated[str | None, Header(description="The ETag as last read.")]
UserId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
KeyId = Annotated[str, PathParam(min_length=1, max_length=64, pattern=NO_CONTROL)]
JobId = Annotated[str, PathParam(min_length=1, max_length=64, pattern=NO_CONTROL)]

IMPORT = "import"  # the job kind (services/jobs.py)
# Measured: 2,000 borrowers (138 KB) import in 0.45 s, 20,000 (1.4 MB) in 3.7 s on SQLite
# (6.0 s re-imported); up to this size a request answers within about a second.
IN_REQUEST_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


class UploadTooLarge(TideoverError):
    code = "too_large"
    http_status = 413


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64, pattern=NO_CONTROL)
    display_name: str | None = Field(default=None, max_length=200, pattern=NO_CONTROL)
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    password: str = Field(min_length=MIN_PASSWORD, max_length=1024)


class UserChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role] | None = Field(default=None, min_length=1, max_length=len(Role))
    active: bool | None = None


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=MIN_PASSWORD, max_length=1024)


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    scopes: list[Permission] = Field(min_length=1, max_length=len(Permission))


class ImportOutcome(BaseModel):
    """An import done in the request (``result``), or started as a job (``job``)."""

    result: ImportResult | None
    job: JobInfo | None


def user_etag(user: UserInfo) -> str:
    body = json.dumps([user.username, user.roles, user.active], separators=(",", ":"))
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def check_user(uow: UowFactoryDep, caller: Caller, user_id: int, sent: str | None) -> UserInfo:
    """The user as stored; refused (412) when it changed since ``sent`` was read."""
    current = show_user(uow=uow(), platform=caller.platform, user_id=user_id)
    if sent is not None and sent.strip() != user_etag(current):
        raise PreconditionFailed(N_("user %(user_id)s changed since it was read"), user_id=user_id)
    return current


def channels_etag(settings: ChannelSettings) -> str:
    return f'"{settings.version}"'


def data_dir(request: Request) -> Path:
    found: Path = request.app.state.core.settings.data_dir
    return found


def save_upload(source: BinaryIO, target: Path) -> int:
    """Copies an upload to ``target`` in chunks; refused (413) beyond the limit."""
    written = 0
    try:
        # The owner's only: an upload holds names, phone and ID numbers until it is imported.
        with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > MAX_UPLOAD_BYTES:
                    raise UploadTooLarge(
                        N_("an upload is at most %(mib)s MiB; split the file"),
                        mib=MAX_UPLOAD_BYTES // 2**20,
                    )
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return written


def start_import(
    *,
    uow: UowFactoryDep,
    caller: Caller,
    kind: str,
    upload: UploadFile,
    folder: Path,
    clock: Clock,
    now: datetime,
) -> ImportOutcome:
    """Saves the upload, then imports it now or queues the job, by its size."""
    records = import_kind(kind)
    upload_id, target = new_upload(folder, upload_format(upload.filename or ""))
    size = save_upload(upload.file, target)
    if size <= IN_REQUEST_BYTES:
        result = import_upload(
            uow=uow(),
            platform=caller.platform,
            kind=records,
            data_dir=folder,
            upload_id=upload_id,
            clock=clock,
        )
        return ImportOutcome(result=result, job=None)
    job = start_job(
        uow=uow(),
        platform=caller.platform,
        kind=IMPORT,
        params={"kind": records, "upload": upload_id},
        created_by=caller.actor.user_id,
        at=now,
    )
    return ImportOutcome(result=None, job=job)


# -- users ---------------------------------------------------------------------------------


@router.get("/users", response_model=Page[UserInfo], summary="The platform's users")
def users(
    request: Request, caller: UsersAdmin, uow: UowFactoryDep, page: PageDep, now: NowDep
) -> Page[UserInfo]:
    return paginate(request, list_users(uow=uow(), platform=caller.platform, now=now).users, page)


@router.post("/users", response_model=UserInfo, status_code=201, summary="Add a user")
def add(body: NewUser, caller: UsersAdmin, uow: UowFactoryDep, now: NowDep) -> UserInfo:
    added = add_user(
        uow=uow(),
        platform=caller.platform,
        username=body.username,
        roles=[r.value for r in body.roles],
        display_name=body.display_name,
        by=caller.name,
        at=now,
    )
    set_password(
        uow=uow(),
        platform=caller.platform,
        username=added.username,
        password=body.password,
        by=caller.name,
        at=now,
    )
    return added


@router.get("/users/{user_id}", response_model=UserInfo, summary="One user")
def user(
    user_id: UserId, caller: UsersAdmin, uow: UowFactoryDep, now: NowDep, response: Response
) -> UserInfo:
    found = show_user(uow=uow(), platform=caller.platform, user_id=user_id, now=now)
    response.headers["ETag"] = user_etag(found)
    return found


@router.patch("/users/{user_id}", response_model=UserInfo, summary="Change roles or access")
def change(
    user_id: UserId,
    body: UserChanges,
    caller: UsersAdmin,
    uow: UowFactoryDep,
    now: NowDep,
    if_match: IfMatch = None,
) -> UserInfo:
    """An administrator never changes their own roles or access (ask another)."""
    current = check_user(uow, caller, user_id, if_match)
    return change_user(
        uow=uow(),
        platform=caller.platform,
        username=current.username,
        by=caller.name,
        at=now,
        roles=None if body.roles is None else [r.value for r in body.roles],
        active=body.active,
    )


@router.put("/users/{user_id}/password", status_code=204, summary="Set a user's password")
def password(
    user_id: UserId, body: NewPassword, caller: UsersAdmin, uow: UowFactoryDep, now: NowDep
) -> Response:
    """Every session of the user ends."""
    current = show_user(uow=uow(), platform=caller.platform, user_id=user_id)
    set_password(
        uow=uow(),
        platform=caller.platform,
        username=current.username,
        password=body.password,
        by=caller.name,
        at=now,
    )
    return Response(status_code=204)


# -- API keys ------------------------------------------------------------------------------


@router.get("/api-keys", response_model=Page[ApiKeyInfo], summary="The API keys")
def keys(
    request: Request, caller: KeysAdmin, uow: UowFactoryDep, page: PageDep
) -> Page[ApiKeyInfo]:
    return paginate(request, list_api_keys(uow=uow(), platform=caller.platform), page)


@router.post(
    "/api-keys", response_model=NewApiKey, status_code=201, summary="Create a key (shown once)"
)
def create_key(body: NewKey, caller: KeysAdmin, uow: UowFactoryDep, now: NowDep) -> NewApiKey:
    return create_api_key(
        uow=uow(),
        platform=caller.platform,
        name=body.name,
        scopes=[s.value for s in body.scopes],
        by=caller.name,
        at=now,
        within=caller.permissions,
    )


@router.delete("/api-keys/{key_id}", status_code=204, summary="Revoke a key (at once)")
def revoke_key(
    key_id: KeyId,
    caller: KeysAdmin,
    uow: UowFactoryDep,
    now: NowDep,
) -> Response:
    revoke_api_key(uow=uow(), platform=caller.platform, key_id=key_id, by=caller.name, at=now)
    return Response(status_code=204)


# -- channel settings ------------------------------------------------------------------------


@router.get("/channels", response_model=ChannelSettings, summary="The channel settings")
def channels(caller: SettingsAdmin, uow: UowFactoryDep, response: Response) -> ChannelSettings:
    found = show_channel_settings(uow=uow(), platform=caller.platform)
    response.headers["ETag"] = channels_etag(found)
    return found


@router.put("/channels", response_model=ChannelSettings, summary="Replace the channel settings")
def save_channels(
    body: ChannelSettingsIn,
    caller: SettingsAdmin,
    uow: UowFactoryDep,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> ChannelSettings:
    saved = save_channel_settings(
        uow=uow(),
        platform=caller.platform,
        settings=body,
        expected_version=None if if_match is None else if_match.strip().strip('"'),
        by=caller.name,
        clock=clock,
    )
    response.headers["ETag"] = channels_etag(saved)
    return saved


# -- imports ---------------------------------------------------------------------------------


@router.post("/imports", response_model=ImportOutcome, summary="Import a file (all or nothing)")
def import_records(
    request: Request,
    caller: Importer,
    uow: UowFactoryDep,
    clock: ClockDep,
    now: NowDep,
    kind: Annotated[str, Form(max_length=16, description="borrowers, loans or payments")],
    file: Annotated[UploadFile, File(description="CSV, Parquet or JSON Lines")],
) -> ImportOutcome:
    return start_import(
        uow=uow,
        caller=caller,
        kind=kind,
        upload=file,
        folder=data_dir(request),
        clock=clock,
        now=now,
    )


@router.get("/imports/{job_id}", response_model=JobInfo, summary="An import run as a job")
def import_job(job_id: JobId, caller: Importer, uow: UowFactoryDep) -> JobInfo:
    return job_info(uow=uow(), platform=caller.platform, job_id=job_id, kind=IMPORT)
