"""What every use case shares: who acts, the platform's "now and today", progress.

Imports point one way: feature modules import this one, never each other's
private helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from tideover.domain.clock import Clock, SystemClock, business_date
from tideover.domain.errors import ValidationError
from tideover.domain.identity import Actor, Role
from tideover.domain.permissions import Permission, permissions_of
from tideover.i18n import N_
from tideover.plans.cases import AUTOMATIC
from tideover.services.identity.users import resolve_actor
from tideover.services.platforms import settings_of
from tideover.services.unit_of_work import UnitOfWork

# (task label, units done, units in all); the CLI draws a Rich progress bar.
ProgressFn = Callable[[str, int, int], None]

ACTOR_MAX = 200


def no_progress(_label: str, _done: int, _total: int) -> None:
    """A listener that ignores everything."""


def actor_name(by: str) -> str:
    if not by.strip() or len(by) > ACTOR_MAX or by == AUTOMATIC:
        raise ValidationError(
            N_(
                "actor %(by)s must be 1 to %(actor_max)s characters and not "
                "%(automatic)s (reserved for automatic decisions)"
            ),
            by=repr(by),
            actor_max=ACTOR_MAX,
            automatic=repr(AUTOMATIC),
        )
    return by


def now_and_today(uow: UnitOfWork, platform: str, clock: Clock | None) -> tuple[datetime, date]:
    """The instant and the platform's business date (its IANA zone), inside an open uow."""
    clock = clock or SystemClock()
    return clock.now(), business_date(clock, settings_of(uow, platform).time_zone)


# The borrower acting for themself: through the portal, or staff keying in their own form.
BORROWER = "borrower"


def acting(uow: UnitOfWork, platform: str, by: str, *, roles: tuple[Role, ...] = ()) -> str:
    """Who acts, by the name decisions are recorded under: a stored, active user of the
    platform (its name as stored, so two spellings of one name are one person), or the
    borrower themself (``borrower``, ``borrower:<id>``).  Inside an open unit of work."""
    name = actor_name(by)  # never empty, never the name reserved for automatic decisions
    if name == BORROWER or name.startswith(f"{BORROWER}:"):
        return name
    return resolve_actor(uow, platform, name, roles=roles).username


def approval_roles(user: Actor) -> frozenset[str]:
    """The roles a user approves plans with, as the policies' approval matrices name them
    (a strategy manager is the matrices' ``manager``)."""
    held = {role.value for role in user.roles}
    if Role.STRATEGY_MANAGER in user.roles:
        held.add("manager")
    return frozenset(held)


def acting_with(uow: UnitOfWork, platform: str, by: str, permission: Permission) -> str:
    """``acting`` for a stored user who holds ``permission`` through one of their roles
    (``domain.permissions``): the CLI gets the same check as the console and the API."""
    user = resolve_actor(uow, platform, actor_name(by))
    if permission not in permissions_of(user.roles):
        raise ValidationError(
            N_("user %(username)s may not do this: it needs %(permission)s"),
            username=repr(user.username),
            permission=permission.value,
        )
    return user.username
