"""Every error a request can meet, answered in one place, in the reader's language.

``TideoverError`` carries a stable code, an HTTP status and its message, read
here through the ``tideover`` catalogue (as are this module's own texts); a
request's input that fails validation is a ``request_invalid`` error listing
each field; anything else is an ``internal_error`` with nothing of its cause in
the answer (it goes to the log, with personal data scrubbed).  An htmx request
gets an HTML fragment, a page request an HTML page, an API request JSON.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tideover.domain.errors import TideoverError
from tideover.i18n import N_, Wording
from tideover.web.i18n import Texts

log = logging.getLogger("tideover.web")

# What an HTTP error of the framework (no route, wrong method...) is called and says.
_STATUS_TEXT = {
    401: ("not_signed_in", N_("Please sign in.")),
    403: ("forbidden", N_("You may not do this.")),
    404: ("not_found", N_("Nothing here.")),
    405: ("method_not_allowed", N_("This address does not take that method.")),
    412: ("precondition_failed", N_("It changed since you read it; reload and try again.")),
    413: ("too_large", N_("The upload is too large.")),
    429: ("too_many_requests", N_("Too many requests; wait a moment.")),
}
_OTHER_STATUS = ("http_error", N_("The request could not be served."))


def safe_next(path: str | None) -> str:
    """A path to return to after signing in: on this site only (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    if any(ord(c) < 32 for c in path):
        return "/"
    return path


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "") or "HX-Request" in request.headers


def _texts(request: Request) -> Texts:
    texts = getattr(request.state, "texts", None)
    return texts if isinstance(texts, Texts) else Texts("zh_CN")


def error_response(
    request: Request,
    status: int,
    code: str,
    said: Wording,
    details: list[dict[str, Any]] | None = None,
) -> Response:
    """The answer to an error: its code and ``said`` in the request's language (an API
    request also gets both languages, ``en`` and ``zh``)."""
    texts = _texts(request)
    message = said.in_language(texts.language)
    if status == 401 and _wants_html(request):
        target = "/login?next=" + quote(safe_next(request.url.path), safe="/")
        if request.url.path.startswith("/borrower"):
            target = "/borrower/login"
        if "HX-Request" in request.headers:
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    if _wants_html(request):
        from tideover.web.ui.pages import render

        template = "fragments/error.html" if "HX-Request" in request.headers else "error.html"
        response = render(
            request,
            template,
            {"status": status, "code": code, "message": message, "details": details or []},
            status_code=status,
        )
        if "HX-Request" in request.headers:
            # htmx swaps error answers too, into the element that asked.
            response.headers["HX-Reswap"] = "innerHTML"
        return response
    body: dict[str, Any] = {"code": code, "message": message, "en": said.en, "zh": said.zh}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(TideoverError)
    async def tideover_error(request: Request, exc: TideoverError) -> Response:
        return error_response(request, exc.http_status, exc.code, exc.wording)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {
                "field": ".".join(str(p) for p in error.get("loc", ()) if p != "body"),
                "problem": str(error.get("type", "invalid")),
            }
            for error in exc.errors()[:50]
        ]
        fields = ", ".join(d["field"] for d in details) or "(request)"
        return error_response(
            request,
            422,
            "request_invalid",
            Wording(N_("the request is not valid: %(fields)s"), fields=fields),
            details,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code, text = _STATUS_TEXT.get(exc.status_code, _OTHER_STATUS)
        response = error_response(request, exc.status_code, code, Wording(text))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    async def database_failure(request: Request, exc: Exception) -> Response:
        """A value the database refused (a NUL on PostgreSQL, an integer beyond 64 bits), a
        lost server, a busy pool: coded, in both languages, without SQL or parameters."""
        from tideover.adapters.db_errors import database_error

        coded = database_error(exc)
        if coded is None:
            return await internal_error(request, exc)
        log.warning("database error on %s: %s", request.method, coded.en)
        return error_response(request, coded.http_status, coded.code, coded.wording)

    # What a driver raises for a value it cannot send is not always wrapped by SQLAlchemy
    # (SQLite's OverflowError, an unpaired surrogate's UnicodeEncodeError).
    for kind in (SQLAlchemyError, OverflowError, UnicodeEncodeError):
        app.add_exception_handler(kind, database_failure)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        from tideover.domain.redact import scrub

        log.error(
            "internal error on %s %s: %s",
            request.method,
            request.url.path,
            scrub(f"{type(exc).__name__}: {exc}"),
        )
        return error_response(
            request,
            500,
            "internal_error",
            Wording(N_("something went wrong on our side; it has been logged")),
        )
