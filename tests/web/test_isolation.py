"""Every route that takes an id, asked by another platform's user: a 404 that says nothing.

Generated from the app's route table, so a new route is covered as soon as it exists
(and fails here until its area's ``tests/web/isolation_<area>.py`` has its case).
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from tests.web.conftest import sign_in
from tests.web.isolation import all_cases
from tideover.bootstrap import App
from tideover.web import api, ui
from tideover.web.app import API_PREFIX


def _routes() -> list[tuple[str, str]]:
    """(method, path) of every API and console route with a path parameter."""
    found: list[tuple[str, str]] = []
    for prefix, features in ((API_PREFIX, api.FEATURES), ("", ui.FEATURES)):
        for router in features:
            for route in router.routes:
                if isinstance(route, APIRoute) and "{" in route.path:
                    for method in sorted(route.methods - {"HEAD"}):
                        found.append((method, prefix + route.path))
    return found


ROUTES = _routes()
CASES = all_cases()


def test_every_route_with_an_id_has_an_isolation_case() -> None:
    missing = sorted({path for _, path in ROUTES} - set(CASES))
    assert not missing, f"add isolation cases for: {missing}"


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_another_platform_gets_a_404_that_reveals_nothing(
    core: App, method: str, path: str
) -> None:
    case = CASES[path]
    params, secret = case.make(core)
    url = path
    for name, value in params.items():
        url = url.replace("{" + name + "}", value)
    assert not re.search(r"{\w+}", url), url
    caller = case.borrower(core) if case.borrower else sign_in(core, "beta", "everyone")
    headers = {"X-CSRF-Token": caller.csrf, "Accept": "application/json"}
    if path.startswith("/api/"):
        answer = caller.client.request(method, url, headers=headers, json=case.body)
    else:
        answer = caller.client.request(
            method, url, headers=headers, data={"csrf_token": caller.csrf, **case.body}
        )
    assert answer.status_code == 404, (method, url, answer.status_code, answer.text[:300])
    assert secret not in answer.text
    assert "acme" not in answer.text
