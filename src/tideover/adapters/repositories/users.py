"""The users of one platform: who may act, with which roles; found by the key of a name."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from tideover.adapters.orm import UserRow
from tideover.adapters.repositories._base import PlatformScoped
from tideover.domain.errors import Conflict, NotFound
from tideover.domain.identity import Actor, Role, name_key
from tideover.i18n import N_


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A stored user (the password hash stays in storage; see ``password_hash``)."""

    user_id: int
    username: str
    display_name: str
    roles: tuple[Role, ...]
    active: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    created_by: str

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.username, self.roles)


class UserRepository(PlatformScoped):
    """The people who act on one platform; a name is found through its key, never as typed."""

    def add(
        self, *, username: str, display_name: str, roles: Sequence[Role], created_by: str
    ) -> UserRecord:
        """Stores a new, active user; a name with the key of an existing one is a ``Conflict``."""
        key = name_key(username)
        existing = self.by_name(username)
        if existing is not None:
            raise name_taken(username, existing, self.platform_code)
        try:
            self._session.execute(
                insert(UserRow).values(
                    platform_id=self._platform_id,
                    username=username,
                    name_key=key,
                    display_name=display_name,
                    roles=[r.value for r in roles],
                    active=True,
                    created_by=created_by,
                )
            )
            self._session.flush()
        except IntegrityError as exc:  # the same name added concurrently
            raise Conflict(
                N_("user %(username)s was added concurrently on platform %(platform_code)s"),
                username=repr(username),
                platform_code=repr(self.platform_code),
            ) from exc
        found = self.by_name(username)
        assert found is not None
        return found

    def by_name(self, name: str) -> UserRecord | None:
        """The user whose name has the key of ``name`` (``Ops1`` finds ``ops1``)."""
        row = self._session.scalars(
            select(UserRow).where(
                UserRow.platform_id == self._platform_id, UserRow.name_key == name_key(name)
            )
        ).first()
        return None if row is None else _record(row)

    def get(self, user_id: int) -> UserRecord | None:
        row = self._session.scalars(
            select(UserRow).where(UserRow.platform_id == self._platform_id, UserRow.id == user_id)
        ).first()
        return None if row is None else _record(row)

    def require(self, user_id: int) -> UserRecord:
        found = self.get(user_id)
        if found is None:
            raise NotFound(
                N_("no user %(user_id)s on platform %(platform_code)s"),
                user_id=user_id,
                platform_code=repr(self.platform_code),
            )
        return found

    def list(self) -> builtins.list[UserRecord]:
        query = select(UserRow).where(UserRow.platform_id == self._platform_id).order_by(UserRow.id)
        return [_record(row) for row in self._session.scalars(query)]

    def update(
        self, user_id: int, *, roles: Sequence[Role] | None = None, active: bool | None = None
    ) -> UserRecord:
        """Changes a user's roles or whether they may act; the name never changes."""
        values: dict[str, object] = {}
        if roles is not None:
            values["roles"] = [r.value for r in roles]
        if active is not None:
            values["active"] = active
        self.require(user_id)
        if values:
            self._session.execute(
                update(UserRow)
                .where(UserRow.platform_id == self._platform_id, UserRow.id == user_id)
                .values(**values)
            )
            self._session.flush()
        return self.require(user_id)

    def password_hash(self, user_id: int) -> str | None:
        return self._session.scalar(
            select(UserRow.password_hash).where(
                UserRow.platform_id == self._platform_id, UserRow.id == user_id
            )
        )

    def set_password_hash(self, user_id: int, password_hash: str | None) -> None:
        self._set(user_id, password_hash=password_hash, failed_logins=0, locked_until=None)

    def record_login(
        self, user_id: int, *, failed_logins: int, locked_until: datetime | None
    ) -> None:
        """Stores the lock-out counters after a sign-in attempt."""
        self._set(user_id, failed_logins=failed_logins, locked_until=locked_until)

    def _set(self, user_id: int, **values: object) -> None:
        self.require(user_id)
        self._session.execute(
            update(UserRow)
            .where(UserRow.platform_id == self._platform_id, UserRow.id == user_id)
            .values(**values)
        )
        self._session.flush()


def _record(row: UserRow) -> UserRecord:
    return UserRecord(
        user_id=row.id,
        username=row.username,
        display_name=row.display_name,
        roles=stored_roles(row.roles),
        active=row.active,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def name_taken(username: str, existing: UserRecord, platform: str) -> Conflict:
    """The refusal of a new user whose name has the key of ``existing``'s."""
    return Conflict(
        N_(
            "user %(username)s would be confused with the existing user "
            "%(existing_username)s on platform %(platform_code)s"
        ),
        username=repr(username),
        existing_username=repr(existing.username),
        platform_code=repr(platform),
    )


def stored_roles(stored: Sequence[str]) -> tuple[Role, ...]:
    """The roles of a stored list; a name no longer a role is dropped, never an error."""
    return tuple(Role(r) for r in stored if r in Role._value2member_map_)
