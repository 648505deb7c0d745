"""Every route is found by its own path after the features were put in sections, a path
outside every section is a coded 404, and a wrong method a 405 — the same answers as
when each request was tried against every route in turn."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Match

from tests.web.conftest import CLOCK
from tideover.bootstrap import App
from tideover.web import api, ui
from tideover.web.app import create_app
from tideover.web.routing import API_PREFIX, Section


def _routes() -> list[tuple[str, str]]:
    """(method, full path) of every route of the API's and the console's features."""
    found = []
    for prefix, features in ((API_PREFIX, api.FEATURES), ("", ui.FEATURES)):
        for feature in features:
            for route in feature.routes:
                if isinstance(route, APIRoute):
                    found += [(m, prefix + route.path) for m in sorted(route.methods)]
    return found


@pytest.fixture
def client(core: App) -> TestClient:
    return TestClient(create_app(core, clock=CLOCK, secure_cookies=False))


def test_every_route_is_reached_by_its_own_path(client: TestClient) -> None:
    routes = _routes()
    assert len(routes) > 100
    lost = []
    for method, route in routes:
        path = re.sub(r"\{[^}]+\}", "1", route)
        answer = client.request(method, path, headers={"Accept": "application/json"})
        # Anonymous: 401, a refused form (403, CSRF), a bad body (422), a redirect to sign in,
        # or the page itself — never "no such path" or "no such method".
        if answer.status_code in (404, 405) and answer.json().get("error", {}).get("code") in (
            None,
            "no_such_path",
            "method_not_allowed",
        ):
            lost.append(f"{method} {route}: {answer.status_code}")
    assert not lost, lost


def test_a_path_outside_every_section_is_a_coded_404(client: TestClient) -> None:
    for path in ("/api/v1/no-such-thing", "/api/v2/queue", "/no-such-page", "/api/v1x/me"):
        answer = client.get(path, headers={"Accept": "application/json"})
        assert answer.status_code == 404, path
        assert answer.json()["error"]["code"], path


def test_a_wrong_method_is_still_405(client: TestClient) -> None:
    assert client.delete("/api/v1/me").status_code == 405
    assert client.put("/api/v1/queue/items/1/call-check").status_code == 405


def test_a_section_refuses_a_path_outside_its_prefix_at_once() -> None:
    section = Section("/api/v1/queue")
    scope = {"type": "http", "path": "/api/v1/borrowers/1", "root_path": "", "method": "GET"}
    assert section.matches(scope) == (Match.NONE, {})
    below_root = {**scope, "path": "/tideover/api/v1/borrowers/1", "root_path": "/tideover"}
    assert section.matches(below_root) == (Match.NONE, {})
