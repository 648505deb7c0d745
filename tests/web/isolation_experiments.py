"""Isolation cases of the experiment results (see ``tests/web/isolation.py``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.web.conftest import CLOCK
from tests.web.isolation import Case
from tideover.bootstrap import App
from tideover.services.policy.versions import (
    activate_policy_version,
    approve_policy_version,
    submit_policy,
)

SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
).read_text(encoding="utf-8")


def _experiment(core: App) -> tuple[dict[str, str], str]:
    """acme runs the supportive example, whose experiment only acme's pages may show."""
    number = submit_policy(
        uow=core.uow(), platform="acme", text=SUPPORTIVE, by="manager", clock=CLOCK
    ).version
    approve_policy_version(uow=core.uow(), platform="acme", version=number, by="cco", clock=CLOCK)
    activate_policy_version(
        uow=core.uow(), platform="acme", version=number, by="manager", effective=date(2026, 5, 1),
        clock=CLOCK,
    )  # fmt: skip
    return {"experiment_id": "early-tone"}, "Warmer wording in early reminders"


CASES: dict[str, Case] = {"/api/v1/experiments/{experiment_id}": Case(_experiment)}
