"""Signing in and out of the console, and its start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tideover.services.access.signin import SignInRefused, sign_in_staff, sign_out
from tideover.services.access.subjects import BorrowerSubject, Staff
from tideover.services.access.tokens import same
from tideover.web.deps import NowDep, UowFactoryDep, subject_of
from tideover.web.errors import safe_next
from tideover.web.sessions import end_cookie, set_session_cookie
from tideover.web.ui.pages import MENU, render, texts_of

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    subject = subject_of(request)
    if isinstance(subject, Staff):
        for href, _label, needed in MENU:
            if needed in subject.permissions:
                return RedirectResponse(href, status_code=303)
        return RedirectResponse("/account", status_code=303)
    if isinstance(subject, BorrowerSubject):
        return RedirectResponse("/borrower", status_code=303)
    return RedirectResponse("/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next_path": safe_next(next)})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    uow: UowFactoryDep,
    now: NowDep,
    platform: Annotated[str, Form(max_length=63)],
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    texts = texts_of(request)
    try:
        started = sign_in_staff(
            uow=uow(),
            platform=platform.strip(),
            username=username.strip(),
            password=password,
            at=now,
            locale=texts.language,
        )
    except SignInRefused as exc:
        return render(
            request,
            "login.html",
            {
                "error": exc.message(texts.language),
                "platform": platform,
                "username": username,
                "next_path": safe_next(next),
            },
            status_code=401,
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, started)
    return response


@router.post("/logout")
async def logout(request: Request, uow: UowFactoryDep, now: NowDep) -> Response:
    """Ends the session (when the form carries its CSRF token) and forgets the cookie."""
    subject = subject_of(request)
    if isinstance(subject, Staff) and subject.session_pk is not None and subject.csrf_token:
        token = (await request.form()).get("csrf_token")
        if isinstance(token, str) and same(token, subject.csrf_token):
            sign_out(uow=uow(), session_pk=subject.session_pk, at=now)
    response = RedirectResponse("/login", status_code=303)
    end_cookie(response)
    return response
