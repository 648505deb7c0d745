"""Isolation cases of the policy area (see ``tests/web/isolation.py``)."""

from __future__ import annotations

from pathlib import Path

from tests.web.conftest import CLOCK
from tests.web.isolation import Case
from tideover.bootstrap import App
from tideover.services.policy.versions import submit_policy

SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
).read_text(encoding="utf-8")


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
    "/api/v1/policy/versions/{number}/simulation": Case(_policy_version),
    "/policy/{number}/simulation": Case(_policy_version),
}
