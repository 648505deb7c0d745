"""The session cookie: HttpOnly, SameSite=Lax, and Secure unless the app was told it runs
on plain HTTP (``tideover serve`` on a loopback address in demo mode)."""

from __future__ import annotations

from fastapi import Request, Response

from tideover.services.access.signin import ABSOLUTE, NewSession
from tideover.web.deps import SESSION_COOKIE


def set_session_cookie(request: Request, response: Response, session: NewSession) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=int(ABSOLUTE.total_seconds()),  # the server ends it sooner when idle
        httponly=True,
        secure=bool(request.app.state.secure_cookies),
        samesite="lax",
        path="/",
    )


def end_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
