"""The whole OpenAPI document fuzzed (schemathesis), signed in as a user holding every role:
whatever the generated request, the answer is never a 500.

Every operation gets a handful of generated requests (within and outside the schema):
staff operations as a user with every role, the portal's as a borrower, signing in as a
stranger; signing out is left out so that the sessions last the run.  SQLite only: the PostgreSQL
half of the suite covers the same handlers, and a NUL (which only PostgreSQL refuses) is
tried on every route by ``test_hostile_ids.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.web.conftest import CLOCK, Session, sign_in
from tests.web.portal_support import api_sign_in, with_data_dir
from tideover.bootstrap import App
from tideover.web.app import create_app

MAX_EXAMPLES = 8


def _headers(session: Session) -> dict[str, str]:
    cookie = "; ".join(f"{k}={v}" for k, v in session.client.cookies.items())
    return {"X-CSRF-Token": session.csrf, "Cookie": cookie}


SIGNING = ("/api/v1/session", "/api/v1/borrower/session", "/api/v1/borrower/code")


@dataclass
class Seen:
    failures: list[tuple[str, str, int, str]] = field(default_factory=list)
    lost: list[tuple[str, str]] = field(default_factory=list)  # a session that did not last
    answered: Counter[int] = field(default_factory=Counter)


def fuzz(operation: Any, sent: dict[str, str], seen: Seen) -> None:
    """``MAX_EXAMPLES`` generated requests to ``operation`` with the headers ``sent``."""

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(case: Any) -> None:
        response = case.call(headers=sent)
        seen.answered[response.status_code] += 1
        if response.status_code == 401 and sent:
            seen.lost.append((case.method, case.formatted_path))
        if response.status_code >= 500:
            seen.failures.append((case.method, case.formatted_path, response.status_code,
                                  response.text[:300]))  # fmt: skip

    check()


def test_no_request_gets_a_500(core: App, database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the fuzz runs on SQLite (see the module doc)")
    core = with_data_dir(core, tmp_path)  # the borrower's codes go to its SMS sink
    app = create_app(core, clock=CLOCK, secure_cookies=False)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    staff = _headers(sign_in(core, "acme", "everyone"))
    borrower = _headers(api_sign_in(core, tmp_path, "B1"))
    seen = Seen()
    operations = 0
    for found in schema.get_all_operations():
        operation = found.ok()  # type: ignore[union-attr]  # an invalid one fails right here
        if operation.method.upper() == "DELETE" and operation.path in SIGNING:
            continue  # signing out would end the run's sessions
        operations += 1
        # Signing in (even refused) ends the session it is sent with (no fixation): those
        # routes are fuzzed as a stranger; the portal's as the borrower B1.
        if operation.path in SIGNING:
            fuzz(operation, {}, seen)
        elif operation.path.startswith("/api/v1/borrower/"):
            fuzz(operation, borrower, seen)
        else:
            fuzz(operation, staff, seen)
    assert operations > 40  # every area's operations were fuzzed
    assert seen.failures == []
    assert seen.lost == []
    assert seen.answered[200] > 100  # signed in, the operations did their work
