"""Every page and API route that takes an id in its path, given ids no database can hold
or no route expects: a coded answer, never a 500 (PostgreSQL refuses a NUL in text; SQLite
an integer beyond 64 bits)."""

from __future__ import annotations

import re

from tests.web.conftest import sign_in
from tideover.bootstrap import App
from tideover.web.app import create_app

HOSTILE = ["a%00b", "%E2%80%AEx", "9" * 25, "-1", "%F0%9F%92%A9" * 30]
PARAM = re.compile(r"\{[^}]+\}")


def test_no_route_answers_a_hostile_id_with_a_500(core: App) -> None:
    app = create_app(core)
    routes = sorted(
        {
            c.path
            for included in app.routes
            for c in getattr(included, "effective_route_contexts", list)()
            if "GET" in c.methods and PARAM.search(c.path)
        }
    )
    assert len(routes) > 20  # the areas' routes are all here
    s = sign_in(core, "acme", "everyone")
    failures = []
    for path in routes:
        for value in HOSTILE:
            url = PARAM.sub(value, path)
            answer = s.client.get(url)
            if answer.status_code >= 500:
                failures.append((url, answer.status_code, answer.text[:200]))
    assert failures == []
