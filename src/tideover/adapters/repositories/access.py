"""Sign-in sessions, API keys and borrowers' one-time codes.

Looked up by a token's hash before the platform is known, so this repository
is not bound to a platform; every record it returns names its platform, and
the web layer scopes everything after that by it.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from tideover.adapters.orm import ApiKeyRow, BorrowerCodeRow, PlatformRow, UserRow, WebSessionRow
from tideover.adapters.repositories.users import UserRecord, stored_roles
from tideover.domain.errors import NotFound
from tideover.i18n import N_


@dataclass(frozen=True, slots=True)
class SessionRecord:
    session_pk: int
    platform: str
    subject: str  # staff | borrower
    user_id: int | None
    borrower_id: str | None
    csrf_token: str
    locale: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    # A staff session's user, read with it (None for a borrower's session or a user gone).
    user: UserRecord | None = None


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_id: str
    platform: str
    secret_hash: str
    name: str
    scopes: tuple[str, ...]
    created_by: int
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


# A session with its platform and its staff user (outer: a borrower's session has none).
_SESSION_BY_TOKEN = (
    select(
        WebSessionRow.id,
        PlatformRow.code,
        WebSessionRow.subject,
        WebSessionRow.user_id,
        WebSessionRow.borrower_id,
        WebSessionRow.csrf_token,
        WebSessionRow.locale,
        WebSessionRow.created_at,
        WebSessionRow.last_seen_at,
        WebSessionRow.expires_at,
        WebSessionRow.ended_at,
        UserRow.username,
        UserRow.display_name,
        UserRow.roles,
        UserRow.active,
        UserRow.failed_logins,
        UserRow.locked_until,
        UserRow.created_at.label("user_created_at"),
        UserRow.created_by,
    )
    .join(PlatformRow, PlatformRow.id == WebSessionRow.platform_id)
    .outerjoin(
        UserRow,
        and_(
            UserRow.id == WebSessionRow.user_id,
            UserRow.platform_id == WebSessionRow.platform_id,
        ),
    )
    .where(WebSessionRow.token_hash == bindparam("token_hash"))
)


class AccessRepository:
    """Sessions, API keys and one-time codes of every platform (each record names its own)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _platform_id(self, code: str) -> int:
        found = self._session.scalar(select(PlatformRow.id).where(PlatformRow.code == code))
        if found is None:
            raise NotFound(N_("unknown platform %(code)s"), code=repr(code))
        return int(found)

    # -- sessions ----------------------------------------------------------------------

    def add_session(
        self,
        *,
        platform: str,
        token_hash: str,
        subject: str,
        user_id: int | None,
        borrower_id: str | None,
        csrf_token: str,
        locale: str | None,
        at: datetime,
        expires_at: datetime,
    ) -> None:
        self._session.execute(
            insert(WebSessionRow).values(
                platform_id=self._platform_id(platform),
                token_hash=token_hash,
                subject=subject,
                user_id=user_id,
                borrower_id=borrower_id,
                csrf_token=csrf_token,
                locale=locale,
                created_at=at,
                last_seen_at=at,
                expires_at=expires_at,
            )
        )
        self._session.flush()

    def session_by_token(self, token_hash: str) -> SessionRecord | None:
        """The session of a token's hash, with its platform and its staff user in one query
        (every signed-in request asks this first)."""
        # Core, not the ORM: columns only, and the statement is built once.
        row = (
            self._session.connection()
            .execute(_SESSION_BY_TOKEN, {"token_hash": token_hash})
            .first()
        )
        if row is None:
            return None
        user = None
        if row.user_id is not None and row.username is not None:
            user = UserRecord(
                user_id=row.user_id,
                username=row.username,
                display_name=row.display_name,
                roles=stored_roles(row.roles),
                active=row.active,
                failed_logins=row.failed_logins,
                locked_until=row.locked_until,
                created_at=row.user_created_at,
                created_by=row.created_by,
            )
        return SessionRecord(
            session_pk=row.id,
            platform=row.code,
            subject=row.subject,
            user_id=row.user_id,
            borrower_id=row.borrower_id,
            csrf_token=row.csrf_token,
            locale=row.locale,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            ended_at=row.ended_at,
            user=user,
        )

    def touch_session(self, session_pk: int, *, at: datetime, expires_at: datetime) -> None:
        self._session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.id == session_pk)
            .values(last_seen_at=at, expires_at=expires_at)
        )
        self._session.flush()

    def set_session_locale(self, session_pk: int, locale: str) -> None:
        self._session.execute(
            update(WebSessionRow).where(WebSessionRow.id == session_pk).values(locale=locale)
        )
        self._session.flush()

    def end_session(self, session_pk: int, *, at: datetime) -> None:
        self._session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.id == session_pk, WebSessionRow.ended_at.is_(None))
            .values(ended_at=at)
        )
        self._session.flush()

    def end_user_sessions(self, platform: str, user_id: int, *, at: datetime) -> None:
        """Ends every session of a user (deactivated, password changed)."""
        self._session.execute(
            update(WebSessionRow)
            .where(
                WebSessionRow.platform_id == self._platform_id(platform),
                WebSessionRow.user_id == user_id,
                WebSessionRow.ended_at.is_(None),
            )
            .values(ended_at=at)
        )
        self._session.flush()

    # -- API keys ----------------------------------------------------------------------

    def add_api_key(
        self,
        *,
        platform: str,
        key_id: str,
        secret_hash: str,
        name: str,
        scopes: Sequence[str],
        created_by: int,
        at: datetime,
    ) -> None:
        self._session.execute(
            insert(ApiKeyRow).values(
                platform_id=self._platform_id(platform),
                key_id=key_id,
                secret_hash=secret_hash,
                name=name,
                scopes=list(scopes),
                created_by=created_by,
                created_at=at,
            )
        )
        self._session.flush()

    def api_key(self, key_id: str) -> ApiKeyRecord | None:
        query = (
            select(ApiKeyRow, PlatformRow.code)
            .join(PlatformRow, PlatformRow.id == ApiKeyRow.platform_id)
            .where(ApiKeyRow.key_id == key_id)
        )
        found = self._session.execute(query).first()
        return None if found is None else _key(*found)

    def api_keys(self, platform: str) -> builtins.list[ApiKeyRecord]:
        query = (
            select(ApiKeyRow, PlatformRow.code)
            .join(PlatformRow, PlatformRow.id == ApiKeyRow.platform_id)
            .where(ApiKeyRow.platform_id == self._platform_id(platform))
            .order_by(ApiKeyRow.id)
        )
        return [_key(row, code) for row, code in self._session.execute(query)]

    def key_used(self, key_id: str, *, at: datetime) -> None:
        self._session.execute(
            update(ApiKeyRow).where(ApiKeyRow.key_id == key_id).values(last_used_at=at)
        )
        self._session.flush()

    def revoke_api_key(self, platform: str, key_id: str, *, at: datetime) -> bool:
        result = self._session.execute(
            update(ApiKeyRow)
            .where(
                ApiKeyRow.platform_id == self._platform_id(platform),
                ApiKeyRow.key_id == key_id,
                ApiKeyRow.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        self._session.flush()
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # -- borrowers' one-time codes -----------------------------------------------------

    def add_code(
        self, *, platform: str, phone_hash: str, code_hash: str, at: datetime, expires_at: datetime
    ) -> None:
        self._session.execute(
            insert(BorrowerCodeRow).values(
                platform_id=self._platform_id(platform),
                phone_hash=phone_hash,
                code_hash=code_hash,
                created_at=at,
                expires_at=expires_at,
            )
        )
        self._session.flush()

    def codes_sent_since(self, platform: str, phone_hash: str, since: datetime) -> int:
        query = select(func.count()).where(
            BorrowerCodeRow.platform_id == self._platform_id(platform),
            BorrowerCodeRow.phone_hash == phone_hash,
            BorrowerCodeRow.created_at >= since,
        )
        return int(self._session.scalar(query) or 0)

    def live_code(
        self, platform: str, phone_hash: str, *, at: datetime
    ) -> tuple[int, str, int] | None:
        """The newest unused, unexpired code: (key, code hash, wrong tries so far)."""
        query = (
            select(BorrowerCodeRow.id, BorrowerCodeRow.code_hash, BorrowerCodeRow.attempts)
            .where(
                BorrowerCodeRow.platform_id == self._platform_id(platform),
                BorrowerCodeRow.phone_hash == phone_hash,
                BorrowerCodeRow.used_at.is_(None),
                BorrowerCodeRow.expires_at > at,
            )
            .order_by(BorrowerCodeRow.id.desc())
            .limit(1)
        )
        found = self._session.execute(query).first()
        return None if found is None else (int(found[0]), str(found[1]), int(found[2]))

    def code_tried(self, code_pk: int, *, used_at: datetime | None) -> None:
        """One more try of a code; ``used_at`` when it was the right one (never usable again)."""
        values: dict[str, object] = {"attempts": BorrowerCodeRow.attempts + 1}
        if used_at is not None:
            values["used_at"] = used_at
        self._session.execute(
            update(BorrowerCodeRow).where(BorrowerCodeRow.id == code_pk).values(**values)
        )
        self._session.flush()


def _key(row: ApiKeyRow, platform: str) -> ApiKeyRecord:
    return ApiKeyRecord(
        key_id=row.key_id,
        platform=platform,
        secret_hash=row.secret_hash,
        name=row.name,
        scopes=tuple(row.scopes),
        created_by=row.created_by,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
