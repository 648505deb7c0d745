"""Use cases on a platform's users: add, list, change roles, deactivate; resolve who acts.

Every decision a person takes (a policy approval, a plan approval, a cycle
roll-back) names a stored, active user; two names are one user when their keys
are equal (``tideover.domain.identity``), and four eyes compares user ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tideover.adapters.repositories import UserRecord
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.domain.identity import Actor, Role, check_username, parse_roles
from tideover.i18n import N_
from tideover.services.results import Instant, Result
from tideover.services.unit_of_work import UnitOfWork

# Who created a platform's first user: nobody was there to do it (``tideover users add``
# without ``--by`` on a platform with no users).
SETUP = "setup"


class UserInfo(Result):
    """A user as shown to an administrator (never a password hash)."""

    user_id: int
    username: str
    display_name: str
    roles: list[str]
    active: bool
    locked: bool
    created_at: Instant
    created_by: str

    @classmethod
    def of(cls, record: UserRecord, *, now: datetime | None = None) -> UserInfo:
        locked = record.locked_until is not None and (now is None or record.locked_until > now)
        return cls(
            user_id=record.user_id,
            username=record.username,
            display_name=record.display_name,
            roles=[r.value for r in record.roles],
            active=record.active,
            locked=locked,
            created_at=record.created_at,
            created_by=record.created_by,
        )


class UserList(Result):
    platform: str
    users: list[UserInfo]


def resolve_actor(
    uow: UnitOfWork, platform: str, name: str, *, roles: Sequence[Role] = ()
) -> Actor:
    """The active user ``name`` denotes on ``platform`` (inside an open unit of work).

    ``roles``: the user must hold one of them.  An unknown or deactivated name
    is refused: a decision is never recorded against a person who does not exist.
    """
    found = uow.users(platform).by_name(name)
    if found is None or not found.active:
        raise ValidationError(
            N_(
                "no active user %(name)s on platform %(platform)s (names are compared "
                "ignoring case, width and invisible characters); add one with `tideover "
                "users add`"
            ),
            name=repr(name),
            platform=repr(platform),
        )
    if roles and not any(found.actor.has(role) for role in roles):
        wanted = ", ".join(r.value for r in roles)
        raise ValidationError(
            N_("user %(username)s may not do this: it needs the role %(wanted)s"),
            username=repr(found.username),
            wanted=wanted,
        )
    return found.actor


def add_user(
    *,
    uow: UnitOfWork,
    platform: str,
    username: str,
    roles: Sequence[str],
    display_name: str | None = None,
    by: str | None = None,
    at: datetime,
) -> UserInfo:
    """Add a user.  The platform's first user needs no ``by``; later ones are added by an
    active platform administrator, and every addition is in the audit trail."""
    check_username(username)
    parsed = parse_roles(tuple(roles))
    with uow:
        users = uow.users(platform)
        if by is None:
            if users.list():
                raise ValidationError(
                    N_(
                        "platform %(platform)s has users: say who adds this one (--by, a "
                        "platform administrator)"
                    ),
                    platform=repr(platform),
                )
            creator = SETUP
        else:
            creator = resolve_actor(uow, platform, by, roles=(Role.PLATFORM_ADMIN,)).username
        record = users.add(
            username=username,
            display_name=(display_name or username).strip()[:200] or username,
            roles=parsed,
            created_by=creator,
        )
        uow.audit(platform).append(
            "user_added",
            {
                "user_id": record.user_id,
                "username": record.username,
                "roles": list(parsed),
                "by": creator,
            },
            at=at,
        )
        uow.commit()
    return UserInfo.of(record, now=at)


def change_user(
    *,
    uow: UnitOfWork,
    platform: str,
    username: str,
    by: str,
    at: datetime,
    roles: Sequence[str] | None = None,
    active: bool | None = None,
) -> UserInfo:
    """Change a user's roles or deactivate (reactivate) them; a platform administrator
    does it, never to themselves (the last administrator cannot remove their own power)."""
    parsed = None if roles is None else parse_roles(tuple(roles))
    with uow:
        admin = resolve_actor(uow, platform, by, roles=(Role.PLATFORM_ADMIN,))
        users = uow.users(platform)
        target = users.by_name(username)
        if target is None:
            raise NotFound(
                N_("no user %(username)s on platform %(platform)s"),
                username=repr(username),
                platform=repr(platform),
            )
        if target.user_id == admin.user_id:
            raise Conflict(
                N_("an administrator does not change their own roles or access; ask another"),
            )
        record = users.update(target.user_id, roles=parsed, active=active)
        uow.audit(platform).append(
            "user_changed",
            {
                "user_id": record.user_id,
                "username": record.username,
                "roles": [r.value for r in record.roles],
                "active": record.active,
                "by": admin.username,
            },
            at=at,
        )
        uow.commit()
    return UserInfo.of(record, now=at)


def list_users(*, uow: UnitOfWork, platform: str, now: datetime | None = None) -> UserList:
    with uow:
        records = uow.users(platform).list()
    return UserList(platform=platform, users=[UserInfo.of(r, now=now) for r in records])


def show_user(
    *, uow: UnitOfWork, platform: str, user_id: int, now: datetime | None = None
) -> UserInfo:
    """One user of ``platform`` by id; ``NotFound`` for an id it does not have."""
    with uow:
        record = uow.users(platform).get(user_id)
    if record is None:
        raise NotFound(
            N_("no user %(user_id)s on platform %(platform)s"),
            user_id=user_id,
            platform=repr(platform),
        )
    return UserInfo.of(record, now=now)
