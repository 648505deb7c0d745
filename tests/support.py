"""Set-ups several suites share, done the way a lender's operators do them.

``activate_policy`` makes a policy file the platform's active version through the
four-eyes workflow (an author submits, another user approves, the version is
activated); the daily cycle runs only an active, approved version, so a test that
wants "the cycle under this policy" goes through it (``cycle_under``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tideover.adapters.repositories import PlatformRecord, PlatformRepository, UserRepository
from tideover.domain.clock import FixedClock
from tideover.domain.identity import Role
from tideover.domain.money import Currency
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
        uow=unit, platform=platform, version=number, by=AUTHOR, effective=EFFECTIVE, clock=clock
    )


def cycle_under(policy_file: Path | None, **options: Any) -> CycleSummary:
    """The daily cycle (``run_cycle(**options)``) under ``policy_file`` made active first."""
    if policy_file is not None:
        activate_policy(options["uow"], options["platform"], policy_file)
    return run_cycle(**options)


# -- the cast of every platform a test creates ------------------------------------------

# The names integration and CLI tests give whoever acts.  The product records decisions only
# against stored, active users of the platform, so every platform such a test creates gets
# these users, each holding every staff role (tests of roles and identities make their own).
CAST = (
    "a", "admin", "agent", "agent-1", "agent-7", "alice", "amy", "ana", "ann", "author",
    "b", "bo", "bob", "boss", "c", "c1", "c2", "carol", "cco", "collector1", "collector2",
    "collector3", "dave", "lead", "lead-7", "lee", "manager", "r", "r1", "reviewer", "reviewer2",
    "sup", "supervisor", "x",
)  # fmt: skip
EVERY_ROLE = tuple(role for role in Role)
CAST_CREATOR = "test-cast"


def install_cast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every platform created from now on (by the repository, whatever the path: a
    fixture, a handler or an in-process CLI command) gets the :data:`CAST` in the same
    transaction."""
    original = PlatformRepository.ensure

    def ensure_with_cast(
        self: PlatformRepository,
        code: str,
        *,
        name: str,
        currency: Currency | str,
        settings: Mapping[str, Any],
    ) -> PlatformRecord:
        existed = self.get(code) is not None
        record = original(self, code, name=name, currency=currency, settings=settings)
        if not existed:
            users = UserRepository(self._session, code)
            for username in CAST:
                if users.by_name(username) is None:
                    users.add(
                        username=username,
                        display_name=username,
                        roles=EVERY_ROLE,
                        created_by=CAST_CREATOR,
                    )
        return record

    monkeypatch.setattr(PlatformRepository, "ensure", ensure_with_cast)
