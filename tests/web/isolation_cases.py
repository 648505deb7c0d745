"""For every route that takes an id: how to make a record of platform ``acme`` to ask for.

``tests/web/test_isolation.py`` asks each route, as a user of platform ``beta`` holding
every role (and, for the borrower portal, as another borrower of ``acme``), for the
record made here, and requires a 404 that reveals nothing of it.  A route with a path
parameter that has no case here fails the suite: add its case with the route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.web.conftest import CLOCK, Session
from tideover.bootstrap import App
from tideover.services.policy.versions import submit_policy

SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """Makes the record on ``acme``; returns the path parameters and a text only it shows.

    ``borrower``: a portal route, asked by another borrower of ``acme`` (signed in by
    this function) instead of by a user of ``beta``.
    """

    make: Callable[[App], tuple[dict[str, str], str]]
    borrower: Callable[[App], Session] | None = None
    body: dict[str, str] = field(default_factory=dict)  # a valid body (JSON or form fields)


def _policy_version(core: App) -> tuple[dict[str, str], str]:
    version = submit_policy(
        uow=core.uow(), platform="acme", text=SUPPORTIVE, by="manager", clock=CLOCK
    )
    return {"number": str(version.version)}, version.sha256


CASES: dict[str, Case] = {
    "/api/v1/policy/versions/{number}": Case(_policy_version),
    "/api/v1/policy/versions/{number}/approve": Case(_policy_version),
    "/api/v1/policy/versions/{number}/reject": Case(_policy_version, body={"reason": "no"}),
    "/api/v1/policy/versions/{number}/activate": Case(_policy_version),
    "/policy/{number}": Case(_policy_version),
    "/policy/{number}/approve": Case(_policy_version, body={"etag": '"x"'}),
    "/policy/{number}/reject": Case(_policy_version, body={"etag": '"x"', "reason": "no"}),
    "/policy/{number}/activate": Case(_policy_version, body={"etag": '"x"'}),
}
