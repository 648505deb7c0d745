"""Starting the console: what it refuses outside demo mode (the demo's known accounts), and
the app each worker process serves when ``tideover serve --workers N`` runs several."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tideover.bootstrap import App, open_app
from tideover.config import load_settings
from tideover.domain.errors import ConfigurationError
from tideover.i18n import N_
from tideover.services.demo.people import DEMO_CREATOR

if TYPE_CHECKING:
    from fastapi import FastAPI

# Set by ``tideover serve`` for its worker processes: "0" when it chose plain-HTTP cookies.
SECURE_COOKIES = "TIDEOVER_SERVE_SECURE_COOKIES"


def refuse_unsafe_accounts(core: App) -> None:
    """Refuse demo accounts outside demo mode (the PII key is checked by the settings)."""
    if core.settings.mode == "demo":
        return
    with core.uow() as uow:
        for platform in uow.platforms.list():
            for user in uow.users(platform.code).list():
                if user.active and user.created_by == DEMO_CREATOR:
                    raise ConfigurationError(
                        N_(
                            "platform %(platform)s has the demo's user %(username)s, whose "
                            "password is public; deactivate it before serving outside demo mode"
                        ),
                        platform=repr(platform.code),
                        username=repr(user.username),
                    )


def worker_app() -> FastAPI:
    """The app of one worker process of ``tideover serve --workers N`` (uvicorn imports and
    calls this in each): the settings from the environment, as the command read them."""
    from tideover.web.app import create_app

    core = open_app(load_settings())
    return create_app(core, secure_cookies=os.environ.get(SECURE_COOKIES, "1") != "0")
