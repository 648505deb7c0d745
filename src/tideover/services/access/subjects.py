"""The authenticated caller of a request: a staff user, a borrower, or a machine client.

Every read and write of the web layer starts from a subject: its platform
scopes every query, its permissions gate every action, and a borrower only
ever reaches their own records.
"""

from __future__ import annotations

from dataclasses import dataclass

from tideover.domain.identity import Actor, Role
from tideover.domain.permissions import Permission, permissions_of


@dataclass(frozen=True, slots=True)
class Staff:
    platform: str
    actor: Actor
    session_pk: int | None  # None when signed in by API key on a user's behalf
    csrf_token: str | None

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.actor.roles)

    @property
    def name(self) -> str:
        return self.actor.username

    @property
    def roles(self) -> tuple[Role, ...]:
        return self.actor.roles


@dataclass(frozen=True, slots=True)
class BorrowerSubject:
    platform: str
    borrower_id: str
    session_pk: int
    csrf_token: str


@dataclass(frozen=True, slots=True)
class Machine:
    """A client signed in with an API key: only the scopes the key was given."""

    platform: str
    key_id: str
    scopes: frozenset[Permission]
    actor: Actor  # the key's creator: decisions made with the key are recorded as theirs

    @property
    def permissions(self) -> frozenset[Permission]:
        return self.scopes

    @property
    def name(self) -> str:
        return self.actor.username


Subject = Staff | BorrowerSubject | Machine
