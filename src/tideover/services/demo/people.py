"""The demo lenders' staff: one user per role on each demo platform, with a public password.

``make demo`` prints them (and the README lists them) so that anyone can open the
console and work as each role.  They are created by ``demo`` (their ``created_by``),
which ``tideover serve`` refuses outside demo mode: their password is public.
"""

from __future__ import annotations

from collections.abc import Callable

from tideover.domain.identity import Role
from tideover.services.access.tokens import hash_password
from tideover.services.results import Result
from tideover.services.unit_of_work import UnitOfWork

DEMO_CREATOR = "demo"
# Public by construction (printed by `make demo`, in the README): demo mode only.
DEMO_PASSWORD = "tideover-demo-2026"
DEMO_AUTHOR, DEMO_REVIEWER = "demo-author", "demo-reviewer"

# (user name, roles): one per role, and the two who take the demo policy through four eyes.
DEMO_STAFF: tuple[tuple[str, tuple[Role, ...]], ...] = (
    ("admin", (Role.PLATFORM_ADMIN,)),
    ("manager", (Role.STRATEGY_MANAGER,)),
    ("cco", (Role.COMPLIANCE_OFFICER,)),
    ("lead", (Role.TEAM_LEAD,)),
    ("agent", (Role.COLLECTOR,)),
    ("auditor", (Role.AUDITOR,)),
    (DEMO_AUTHOR, (Role.STRATEGY_MANAGER,)),
    (DEMO_REVIEWER, (Role.COMPLIANCE_OFFICER, Role.STRATEGY_MANAGER)),
)


class DemoUser(Result):
    platform: str
    username: str
    roles: list[str]


def ensure_demo_users(*, uow_factory: Callable[[], UnitOfWork], platform: str) -> list[DemoUser]:
    """The demo staff of ``platform`` (created once, with the demo password)."""
    shown: list[DemoUser] = []
    password_hash: str | None = None
    with uow_factory() as uow:
        users = uow.users(platform)
        for username, roles in DEMO_STAFF:
            found = users.by_name(username)
            if found is None:
                password_hash = password_hash or hash_password(DEMO_PASSWORD)
                found = users.add(
                    username=username,
                    display_name=username,
                    roles=roles,
                    created_by=DEMO_CREATOR,
                )
                users.set_password_hash(found.user_id, password_hash)
            shown.append(
                DemoUser(platform=platform, username=username, roles=[r.value for r in roles])
            )
        uow.commit()
    return shown
