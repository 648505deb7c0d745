"""The dependencies every endpoint declares: who calls, what they may do, the page asked.

An endpoint never reads a cookie or a header itself: it names ``Authorized(...)``
with the permission it needs and receives a :class:`Caller` whose platform
scopes everything it does.  A browser session must send its CSRF token with
every change (form field ``csrf_token`` or header ``X-CSRF-Token``); a bearer
API key needs none (no browser sends it by itself).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from tideover.domain.clock import Clock
from tideover.domain.errors import TideoverError
from tideover.domain.identity import Actor
from tideover.domain.permissions import Permission
from tideover.i18n import N_
from tideover.services.access.signin import api_key_subject, session_subject
from tideover.services.access.subjects import BorrowerSubject, Machine, Staff
from tideover.services.access.tokens import same
from tideover.services.unit_of_work import UnitOfWork
from tideover.web.i18n import Texts

SESSION_COOKIE = "tideover_session"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class Forbidden(TideoverError):
    code = "forbidden"
    http_status = 403


class SignInNeeded(TideoverError):
    code = "not_signed_in"
    http_status = 401


class CsrfRefused(TideoverError):
    code = "csrf_refused"
    http_status = 403


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated staff member or API client of a request."""

    platform: str
    actor: Actor
    permissions: frozenset[Permission]
    session_pk: int | None
    csrf_token: str | None
    via_api_key: bool

    @property
    def name(self) -> str:
        return self.actor.username

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions


async def uow_factory(request: Request) -> Callable[[], UnitOfWork]:
    factory: Callable[[], UnitOfWork] = request.app.state.core.uow
    return factory


async def read_uow_factory(request: Request) -> Callable[[], UnitOfWork]:
    """Units of work for a route that only reads: each statement commits on its own, so no
    transaction is begun before the first and rolled back after the last — two round trips
    to the database fewer a request.  Under PostgreSQL's READ COMMITTED, which Tideover uses,
    each statement of a transaction sees its own snapshot anyway: the reads see the same."""
    core = request.app.state.core
    factory: Callable[[], UnitOfWork] = core.autocommit_uow or core.uow
    return factory


async def clock(request: Request) -> Clock:
    found: Clock = request.app.state.clock
    return found


async def now(request: Request) -> datetime:
    found: Clock = request.app.state.clock
    return found.now()


async def texts(request: Request) -> Texts:
    found = getattr(request.state, "texts", None)
    return found if isinstance(found, Texts) else Texts("zh_CN")


# The dependencies above and below are ``async``: FastAPI runs a plain ``def`` one in a
# worker thread, a hop that costs more than these take.
UowFactoryDep = Annotated[Callable[[], UnitOfWork], Depends(uow_factory)]
ReadUowDep = Annotated[Callable[[], UnitOfWork], Depends(read_uow_factory)]
ClockDep = Annotated[Clock, Depends(clock)]
NowDep = Annotated[datetime, Depends(now)]
TextsDep = Annotated[Texts, Depends(texts)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def subject_of(request: Request) -> Staff | BorrowerSubject | Machine | None:
    """The caller of ``request`` (cached on it), or None when nobody is signed in."""
    if hasattr(request.state, "subject"):
        cached: Staff | BorrowerSubject | Machine | None = request.state.subject
        return cached
    found: Staff | BorrowerSubject | Machine | None = None
    at = request.app.state.clock.now()
    core = request.app.state.core
    uow: Callable[[], UnitOfWork] = core.autocommit_uow or core.uow
    key = _bearer(request)
    if key is not None:
        found = api_key_subject(uow=uow(), key=key, at=at)
        if found is None:
            raise SignInNeeded(N_("the API key is unknown or revoked"))
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            session = session_subject(uow=uow(), token=token, at=at)
            if session is not None:
                found, _locale = session
    request.state.subject = found
    return found


def _check_csrf(request: Request, expected: str | None) -> None:
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token") or getattr(request.state, "form_csrf", None)
    if expected is None or sent is None or not same(sent, expected):
        raise CsrfRefused(
            N_("the form is out of date or did not come from this site; reload the page"),
        )


async def _read_form_csrf(request: Request) -> None:
    """Reads a form body's ``csrf_token`` (FastAPI caches the parsed form for the endpoint)."""
    content_type = request.headers.get("content-type", "")
    if request.method not in SAFE_METHODS and (
        content_type.startswith("application/x-www-form-urlencoded")
        or content_type.startswith("multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        request.state.form_csrf = value if isinstance(value, str) else None


def Authorized(*needed: Permission) -> object:  # noqa: N802 - reads as a declaration
    """A dependency giving the staff :class:`Caller` who holds every permission ``needed``."""

    async def dependency(request: Request) -> Caller:
        await _read_form_csrf(request)
        subject = subject_of(request)
        if isinstance(subject, Staff):
            _check_csrf(request, subject.csrf_token)
            caller = Caller(
                subject.platform,
                subject.actor,
                subject.permissions,
                subject.session_pk,
                subject.csrf_token,
                via_api_key=False,
            )
        elif isinstance(subject, Machine):
            caller = Caller(
                subject.platform, subject.actor, subject.permissions, None, None, via_api_key=True
            )
        else:
            raise SignInNeeded(N_("please sign in"))
        missing = [p for p in needed if not caller.may(p)]
        if missing:
            raise Forbidden(
                N_("your role may not do this (needs %(missing)s)"),
                missing=tuple(missing),
            )
        return caller

    return Depends(dependency)


async def current_borrower(request: Request) -> BorrowerSubject:
    await _read_form_csrf(request)
    subject = subject_of(request)
    if not isinstance(subject, BorrowerSubject):
        raise SignInNeeded(N_("please sign in with your phone number"))
    _check_csrf(request, subject.csrf_token)
    return subject


CurrentBorrower = Annotated[BorrowerSubject, Depends(current_borrower)]


@dataclass(frozen=True, slots=True)
class PageParams:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


async def page_params(
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=200, description="Items per page.")] = 50,
) -> PageParams:
    return PageParams(page, per_page)


PageDep = Annotated[PageParams, Depends(page_params)]
