"""Set-ups several suites share, done the way a lender's operators do them.

``activate_policy`` makes a policy file the platform's active version through the
four-eyes workflow (an author submits, another user approves, the version is
activated); the daily cycle runs only an active, approved version, so a test that
wants "the cycle under this policy" goes through it (``cycle_under``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tideover.domain.clock import FixedClock
from tideover.services.cycle.results import CycleSummary
from tideover.services.cycle.run import run_cycle
from tideover.services.identity.users import add_user
from tideover.services.policy.versions import (
    activate_policy_version,
    approve_policy_version,
    submit_policy,
)
from tideover.services.unit_of_work import UnitOfWork

AUTHOR, APPROVER, ADMIN = "policy-author", "policy-approver", "policy-admin"
# Effective from long before any test's business date, so every date runs under it.
EFFECTIVE = date(2000, 1, 1)
SET_UP_AT = datetime(2000, 1, 1, tzinfo=UTC)


def ensure_users(uow: Callable[[], UnitOfWork] | UnitOfWork, platform: str) -> None:
    """An administrator, a policy author and an approver on ``platform`` (once)."""
    unit = uow() if callable(uow) else uow
    with unit:
        names = {u.username for u in unit.users(platform).list()}
    if ADMIN not in names:
        by = None if not names else _an_admin(unit, platform)
        add_user(uow=unit, platform=platform, username=ADMIN, roles=["platform_admin"], by=by,
                 at=SET_UP_AT)  # fmt: skip
    for name, role in ((AUTHOR, "strategy_manager"), (APPROVER, "compliance_officer")):
        if name not in names:
            add_user(uow=unit, platform=platform, username=name, roles=[role], by=ADMIN,
                     at=SET_UP_AT)  # fmt: skip


def _an_admin(unit: UnitOfWork, platform: str) -> str:
    with unit:
        for user in unit.users(platform).list():
            if user.active and any(r.value == "platform_admin" for r in user.roles):
                return user.username
    raise AssertionError(f"platform {platform} has users but no administrator")


def activate_policy(uow: Callable[[], UnitOfWork] | UnitOfWork, platform: str, path: Path) -> None:
    """``path`` becomes the platform's active version (nothing done if it already is)."""
    unit = uow() if callable(uow) else uow
    text = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with unit:
        active = unit.policies(platform).active()
    if active is not None and active.sha256 == digest:
        return
    ensure_users(unit, platform)
    clock = FixedClock(SET_UP_AT)
    number = submit_policy(uow=unit, platform=platform, text=text, by=AUTHOR, clock=clock).version
    approve_policy_version(uow=unit, platform=platform, version=number, by=APPROVER, clock=clock)
    activate_policy_version(
        uow=unit, platform=platform, version=number, by=APPROVER, effective=EFFECTIVE, clock=clock
    )


def cycle_under(policy_file: Path | None, **options: Any) -> CycleSummary:
    """The daily cycle (``run_cycle(**options)``) under ``policy_file`` made active first."""
    if policy_file is not None:
        activate_policy(options["uow"], options["platform"], policy_file)
    return run_cycle(**options)
