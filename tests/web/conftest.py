"""The web app on the real test databases: two platforms, a user per role, a test client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import TEST_PII_KEY
from tideover.bootstrap import App, open_app
from tideover.config import Settings
from tideover.domain.clock import FixedClock
from tideover.services.access.tokens import hash_password
from tideover.services.identity.users import add_user
from tideover.web.app import create_app

CLOCK = FixedClock(datetime(2026, 6, 1, 3, 0, tzinfo=UTC))  # 11:00 in Shanghai
PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(PASSWORD)
PLATFORMS = ("acme", "beta")
ROLES = {
    "admin": ["platform_admin"],
    "manager": ["strategy_manager"],
    "manager2": ["strategy_manager"],
    "cco": ["compliance_officer"],
    "lead": ["team_lead"],
    "agent": ["collector"],
    "auditor": ["auditor"],
    # every role at once: the caller of another platform in the isolation suite
    "everyone": [
        "platform_admin",
        "strategy_manager",
        "compliance_officer",
        "team_lead",
        "collector",
        "auditor",
    ],
}


@pytest.fixture
def core(engine: Engine, database_url: str) -> Iterator[App]:
    settings = Settings(mode="test", database_url=database_url, pii_key=TEST_PII_KEY)
    with open_app(settings) as app:
        with app.uow() as uow:
            for code in PLATFORMS:
                uow.platforms.ensure(
                    code, name=code.title(), currency="CNY", settings={"time_zone": "Asia/Shanghai"}
                )
            uow.commit()
        at = CLOCK.now()
        for code in PLATFORMS:
            add_user(uow=app.uow(), platform=code, username="admin", roles=ROLES["admin"], at=at)
            for name, roles in ROLES.items():
                if name != "admin":
                    add_user(
                        uow=app.uow(), platform=code, username=name, roles=roles, by="admin", at=at
                    )
        with app.uow() as uow:  # one Argon2 hash for all: hashing is slow on purpose
            for code in PLATFORMS:
                users = uow.users(code)
                for user in users.list():
                    users.set_password_hash(user.user_id, PASSWORD_HASH)
            uow.commit()
        yield app


@pytest.fixture
def web(core: App) -> TestClient:
    return TestClient(create_app(core, clock=CLOCK, secure_cookies=False))


@dataclass
class Session:
    client: TestClient
    csrf: str

    def post(self, url: str, **kwargs: object) -> object:
        headers = {"X-CSRF-Token": self.csrf, **dict(kwargs.pop("headers", {}) or {})}  # type: ignore[call-overload]
        return self.client.post(url, headers=headers, **kwargs)  # type: ignore[arg-type]


def sign_in(core: App, platform: str, username: str) -> Session:
    """A fresh client signed in as ``username`` of ``platform`` (through the API)."""
    client = TestClient(create_app(core, clock=CLOCK, secure_cookies=False))
    answer = client.post(
        "/api/v1/session", json={"platform": platform, "username": username, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return Session(client, answer.json()["csrf_token"])
