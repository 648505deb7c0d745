"""``/api/v1/session`` and ``/api/v1/me``: sign in and out, and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tideover.services.access.signin import sign_in_staff, sign_out
from tideover.services.access.subjects import Staff
from tideover.web.deps import Authorized, Caller, NowDep, TextsDep, UowFactoryDep
from tideover.web.sessions import end_cookie, set_session_cookie

router = APIRouter(tags=["session"])


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: str = Field(min_length=1, max_length=63)
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class SignedIn(BaseModel):
    platform: str
    username: str
    roles: list[str]
    permissions: list[str]
    csrf_token: str | None


@router.post("/session", response_model=SignedIn, summary="Sign in with a password")
def create_session(
    body: SignIn,
    request: Request,
    response: Response,
    uow: UowFactoryDep,
    now: NowDep,
    texts: TextsDep,
) -> SignedIn:
    started = sign_in_staff(
        uow=uow(),
        platform=body.platform,
        username=body.username,
        password=body.password,
        at=now,
        locale=texts.language,
    )
    set_session_cookie(request, response, started)
    staff = started.subject
    assert isinstance(staff, Staff)
    return SignedIn(
        platform=staff.platform,
        username=staff.name,
        roles=[r.value for r in staff.roles],
        permissions=sorted(p.value for p in staff.permissions),
        csrf_token=started.csrf_token,
    )


@router.delete("/session", status_code=204, summary="Sign out")
def delete_session(
    caller: Annotated[Caller, Authorized()], response: Response, uow: UowFactoryDep, now: NowDep
) -> None:
    if caller.session_pk is not None:
        sign_out(uow=uow(), session_pk=caller.session_pk, at=now)
    end_cookie(response)


@router.get("/me", response_model=SignedIn, summary="Who is signed in")
def me(caller: Annotated[Caller, Authorized()]) -> SignedIn:
    return SignedIn(
        platform=caller.platform,
        username=caller.name,
        roles=[r.value for r in caller.actor.roles],
        permissions=sorted(p.value for p in caller.permissions),
        csrf_token=caller.csrf_token,
    )
