"""The console in a real browser: Debian's Chromium driven by Playwright, no download.

A live server (uvicorn, loopback only, stopped after the test) serves the app on
the SQLite test database.  Without Chromium (no root to install it) the tests are
skipped and the run's closing lines say so; ``TIDEOVER_REQUIRE_BROWSER=1`` (set by
CI) turns that into a failure.  A failing test leaves a screenshot of the page in
``var/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine
from tests.conftest import TEST_PII_KEY
from tests.web.conftest import PASSWORD, PASSWORD_HASH, PLATFORMS, ROLES

from tideover.bootstrap import App, open_app
from tideover.config import Settings
from tideover.domain.clock import Clock
from tideover.web.app import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parents[2] / "var" / "screenshots"

# Chromium as root, headless, with nothing that reaches out of this machine.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _require() -> None:
    if not Path(CHROMIUM).exists():
        reason = "no Chromium (make test installs it from Debian with root)"
        if os.environ.get("TIDEOVER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests REQUIRED but {reason}")
        pytest.skip(reason)


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Browser tests run on SQLite only: the API suite covers PostgreSQL."""
    return f"sqlite:///{tmp_path / 'tideover.db'}"


@pytest.fixture
def core(engine: Engine, database_url: str) -> Iterator[App]:
    from tideover.services.identity.users import add_user

    settings = Settings(mode="test", database_url=database_url, pii_key=TEST_PII_KEY)
    with open_app(settings) as app:
        with app.uow() as uow:
            for code in PLATFORMS:
                uow.platforms.ensure(code, name=code.title(), currency="CNY", settings={})
            uow.commit()
        for code in PLATFORMS:
            add_user(
                uow=app.uow(), platform=code, username="admin", roles=ROLES["admin"], at=_now()
            )
            for name, roles in ROLES.items():
                if name != "admin":
                    add_user(
                        uow=app.uow(),
                        platform=code,
                        username=name,
                        roles=roles,
                        by="admin",
                        at=_now(),
                    )
        with app.uow() as uow:
            for code in PLATFORMS:
                users = uow.users(code)
                for user in users.list():
                    users.set_password_hash(user.user_id, PASSWORD_HASH)
            uow.commit()
        yield app


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_clock() -> Clock | None:
    """The live server's clock: the system's, unless a test module overrides this fixture
    (a flow that depends on the hour, such as the call gate's, sets its own)."""
    return None


@pytest.fixture
def live_url(core: App, live_clock: Clock | None) -> Iterator[str]:
    """The console served on a free loopback port for the length of one test."""
    _require()
    port = _free_port()
    config = uvicorn.Config(
        create_app(core, clock=live_clock, secure_cookies=False),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the console did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """The page's size: a desktop's, unless a test module overrides this fixture (the
    borrower portal is tried at a phone's 360 px)."""
    return {"width": 1280, "height": 900}


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest, viewport: dict[str, int]) -> Iterator[Any]:
    """A fresh browser context and page; a screenshot is kept when the test fails."""
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            opened.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]


def sign_in(page: Any, base: str, username: str, language: str) -> None:
    """Signs ``username`` of ``acme`` in through the login form, in ``language``."""
    page.goto(f"{base}/login?lang={language}")
    page.fill("input[name=platform]", "acme")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
