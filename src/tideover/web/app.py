"""The web application: the console's pages and the REST API on the same use cases.

``create_app`` wires one :class:`tideover.bootstrap.App` (settings, database,
PII cipher) into FastAPI, with the error handlers, the security headers, the
language of each request, the templates and the static files served by the
app itself (no CDN).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from tideover.bootstrap import App
from tideover.domain.clock import Clock, SystemClock
from tideover.web import errors
from tideover.web.i18n import RequestLanguage
from tideover.web.routing import API_PREFIX
from tideover.web.security import SecurityHeaders

STATIC_VERSION = "1"  # part of static URLs, so a release never serves a stale cached file


def _package_dir(name: str) -> Path:
    return Path(str(resources.files("tideover.web").joinpath(name)))


def templates() -> Jinja2Templates:
    found = Jinja2Templates(directory=_package_dir("templates"))
    found.env.autoescape = True
    found.env.globals["static_version"] = STATIC_VERSION
    return found


def create_app(core: App, *, clock: Clock | None = None, secure_cookies: bool = True) -> FastAPI:
    """The console and the API over ``core``'s database, on ``clock`` (the system's).

    ``secure_cookies=False`` only for plain HTTP on a loopback address (demo, tests).
    """
    from tideover.web.api import router as api_router
    from tideover.web.ui import router as ui_router

    app = FastAPI(
        title="Tideover",
        version="1.0",
        description=(
            "Collection policy as data, run every day over the portfolio. Every list is a "
            "page; every error has a stable code and a message in English and Chinese."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.core = core
    app.state.clock = clock or SystemClock()
    app.state.templates = templates()
    app.state.secure_cookies = secure_cookies
    errors.install(app)
    app.add_middleware(RequestLanguage)
    app.add_middleware(SecurityHeaders)

    app.mount("/static", StaticFiles(directory=_package_dir("static")), name="static")
    app.include_router(api_router, prefix=API_PREFIX)
    app.include_router(ui_router)
    return app
