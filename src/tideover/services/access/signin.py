"""Use cases of signing in and out: staff passwords, sessions, API keys, borrowers' codes.

Staff sign in with a password; five wrong ones in a row lock the account for
fifteen minutes, and the answer never says whether the name or the password
was wrong.  A session ends after thirty idle minutes or twelve hours, and
signing in always starts a new one.  Machine clients present an API key
(``Authorization: Bearer tdo_<id>_<secret>``): its scopes, within what its
creator may do, are all it may do.  Borrowers sign in with a six-digit code
sent to a phone number on their record through the platform's SMS channel;
codes are limited per number and expire after five minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tideover.domain.errors import Conflict, NotFound, TideoverError, ValidationError
from tideover.domain.identity import Actor, Role
from tideover.domain.permissions import Permission, parse_scopes, permissions_of
from tideover.i18n import N_
from tideover.services.access.subjects import BorrowerSubject, Machine, Staff
from tideover.services.access.tokens import (
    MIN_PASSWORD,
    hash_password,
    new_api_key,
    new_code,
    new_token,
    password_matches,
    same,
    split_api_key,
    token_hash,
)
from tideover.services.identity.users import resolve_actor
from tideover.services.results import Instant, Result
from tideover.services.unit_of_work import UnitOfWork

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
CODE_LIFE = timedelta(minutes=5)
CODES_PER_WINDOW, CODE_WINDOW = 3, timedelta(minutes=15)
CODES_PER_DAY = 10
CODE_TRIES = 5


# Sends a sign-in code to a phone: the platform's SMS channel (``adapters.channels``).
SendSms = Callable[[str, str], None]


class SignInRefused(TideoverError):
    """Wrong name or password (which one is never said), or a locked account."""

    code = "sign_in_refused"
    http_status = 401


class NotSignedIn(TideoverError):
    code = "not_signed_in"
    http_status = 401


class TooManyCodes(TideoverError):
    code = "too_many_codes"
    http_status = 429


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just started: the token goes in the cookie, never anywhere else."""

    token: str
    csrf_token: str
    expires_at: datetime
    subject: Staff | BorrowerSubject


class ApiKeyInfo(Result):
    key_id: str
    name: str
    scopes: list[str]
    created_at: Instant
    last_used_at: Instant | None
    revoked_at: Instant | None


class NewApiKey(ApiKeyInfo):
    """A key just created: ``key`` is shown this once and never stored."""

    key: str


def _refused() -> SignInRefused:
    return SignInRefused(
        N_("wrong user name or password, or the account is locked for a while"),
    )


def sign_in_staff(
    *,
    uow: UnitOfWork,
    platform: str,
    username: str,
    password: str,
    at: datetime,
    locale: str | None = None,
) -> NewSession:
    """A new session for a staff user whose password matches; ``SignInRefused`` otherwise."""
    with uow:
        if uow.platforms.get(platform) is None:
            password_matches(None, password)  # the same time as a real check
            raise _refused()
        users = uow.users(platform)
        found = users.by_name(username)
        if found is None or not found.active:
            password_matches(None, password)
            raise _refused()
        if found.locked_until is not None and found.locked_until > at:
            raise _refused()
        if not password_matches(users.password_hash(found.user_id), password):
            failures = found.failed_logins + 1
            locked = at + LOCK_FOR if failures >= MAX_FAILURES else None
            users.record_login(
                found.user_id, failed_logins=0 if locked else failures, locked_until=locked
            )
            if locked is not None:
                uow.audit(platform).append(
                    "user_locked", {"user_id": found.user_id, "until": locked.isoformat()}, at=at
                )
            uow.commit()
            raise _refused()
        users.record_login(found.user_id, failed_logins=0, locked_until=None)
        session = _start(uow, platform, at, locale, actor=found.actor)
        uow.commit()
    return session


def _start(
    uow: UnitOfWork,
    platform: str,
    at: datetime,
    locale: str | None,
    *,
    actor: Actor | None = None,
    borrower_id: str | None = None,
) -> NewSession:
    token, csrf = new_token(), new_token()
    expires = at + IDLE
    uow.access.add_session(
        platform=platform,
        token_hash=token_hash(token),
        subject="staff" if actor is not None else "borrower",
        user_id=None if actor is None else actor.user_id,
        borrower_id=borrower_id,
        csrf_token=csrf,
        locale=locale,
        at=at,
        expires_at=expires,
    )
    # The session's key is read back by the next request; the caller needs only these.
    subject: Staff | BorrowerSubject
    if actor is not None:
        subject = Staff(platform, actor, None, csrf)
    else:
        assert borrower_id is not None
        subject = BorrowerSubject(platform, borrower_id, 0, csrf)
    return NewSession(token=token, csrf_token=csrf, expires_at=expires, subject=subject)


def session_subject(
    *, uow: UnitOfWork, token: str, at: datetime
) -> tuple[Staff | BorrowerSubject, str | None] | None:
    """The subject of a live session token (and its locale), its idle time renewed; None
    for an unknown, ended or expired session or a user no longer active."""
    with uow:
        access = uow.access
        found = access.session_by_token(token_hash(token))
        if found is None or found.ended_at is not None or found.expires_at <= at:
            return None
        if at - found.created_at >= ABSOLUTE:
            access.end_session(found.session_pk, at=at)
            uow.commit()
            return None
        subject: Staff | BorrowerSubject
        if found.user_id is not None:
            user = found.user
            if user is None or not user.active:
                access.end_session(found.session_pk, at=at)
                uow.commit()
                return None
            subject = Staff(found.platform, user.actor, found.session_pk, found.csrf_token)
        else:
            assert found.borrower_id is not None
            subject = BorrowerSubject(
                found.platform, found.borrower_id, found.session_pk, found.csrf_token
            )
        # Renew the idle timeout at most once a minute: not one write per request.
        if at - found.last_seen_at > timedelta(minutes=1):
            access.touch_session(found.session_pk, at=at, expires_at=at + IDLE)
            uow.commit()
        return subject, found.locale


def sign_out(*, uow: UnitOfWork, session_pk: int, at: datetime) -> None:
    with uow:
        uow.access.end_session(session_pk, at=at)
        uow.commit()


def remember_locale(*, uow: UnitOfWork, session_pk: int, locale: str) -> None:
    with uow:
        uow.access.set_session_locale(session_pk, locale)
        uow.commit()


def set_password(
    *, uow: UnitOfWork, platform: str, username: str, password: str, by: str | None, at: datetime
) -> None:
    """Set a user's password: the user themself (``by`` None, from the console's own form)
    or a platform administrator; every session of the user ends."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            N_("a password is at least %(min_password)s characters"),
            min_password=MIN_PASSWORD,
        )
    with uow:
        target = resolve_actor(uow, platform, username)
        if by is not None:
            resolve_actor(uow, platform, by, roles=(Role.PLATFORM_ADMIN,))
        uow.users(platform).set_password_hash(target.user_id, hash_password(password))
        uow.access.end_user_sessions(platform, target.user_id, at=at)
        uow.audit(platform).append(
            "password_set", {"user_id": target.user_id, "by": by or target.username}, at=at
        )
        uow.commit()


# -- API keys --------------------------------------------------------------------------


def create_api_key(
    *,
    uow: UnitOfWork,
    platform: str,
    name: str,
    scopes: list[str],
    by: str,
    at: datetime,
    within: frozenset[Permission] | None = None,
) -> NewApiKey:
    """A new key with ``scopes``, each one its creator (an administrator) holds.

    ``within``: what the request asking for it may do, when that is less than its
    creator's roles (a key asking for a key): a key never mints a wider one.
    """
    parsed = parse_scopes(scopes)
    with uow:
        admin = resolve_actor(uow, platform, by, roles=(Role.PLATFORM_ADMIN,))
        held = permissions_of(admin.roles)
        if within is not None:
            held &= within
        beyond = [s for s in parsed if s not in held]
        if beyond:
            raise ValidationError(
                N_(
                    "a key cannot be given scopes its creator (or the key asking) lacks: %(beyond)s"
                ),
                beyond=tuple(beyond),
            )
        key_id, secret, key = new_api_key()
        uow.access.add_api_key(
            platform=platform,
            key_id=key_id,
            secret_hash=token_hash(secret),
            name=name.strip()[:200] or key_id,
            scopes=[s.value for s in parsed],
            created_by=admin.user_id,
            at=at,
        )
        uow.audit(platform).append(
            "api_key_created",
            {"key_id": key_id, "scopes": [s.value for s in parsed], "by": admin.username},
            at=at,
        )
        uow.commit()
    return NewApiKey(
        key_id=key_id,
        name=name,
        scopes=[s.value for s in parsed],
        created_at=at,
        last_used_at=None,
        revoked_at=None,
        key=key,
    )


def revoke_api_key(*, uow: UnitOfWork, platform: str, key_id: str, by: str, at: datetime) -> None:
    with uow:
        admin = resolve_actor(uow, platform, by, roles=(Role.PLATFORM_ADMIN,))
        if not uow.access.revoke_api_key(platform, key_id, at=at):
            raise NotFound(N_("no live API key %(key_id)s"), key_id=repr(key_id))
        uow.audit(platform).append(
            "api_key_revoked", {"key_id": key_id, "by": admin.username}, at=at
        )
        uow.commit()


def list_api_keys(*, uow: UnitOfWork, platform: str) -> list[ApiKeyInfo]:
    with uow:
        keys = uow.access.api_keys(platform)
    return [
        ApiKeyInfo(
            key_id=k.key_id,
            name=k.name,
            scopes=list(k.scopes),
            created_at=k.created_at,
            last_used_at=k.last_used_at,
            revoked_at=k.revoked_at,
        )
        for k in keys
    ]


def api_key_subject(*, uow: UnitOfWork, key: str, at: datetime) -> Machine | None:
    """The client a bearer key denotes, or None (unknown, wrong secret, revoked, creator
    gone).  Its permissions are the key's scopes that its creator still holds."""
    parts = split_api_key(key)
    if parts is None:
        return None
    key_id, secret = parts
    with uow:
        found = uow.access.api_key(key_id)
        if found is None or found.revoked_at is not None:
            return None
        if not same(found.secret_hash, token_hash(secret)):
            return None
        creator = uow.users(found.platform).get(found.created_by)
        if creator is None or not creator.active:
            return None
        scopes = frozenset(Permission(s) for s in found.scopes) & permissions_of(creator.roles)
        if found.last_used_at is None or at - found.last_used_at > timedelta(minutes=1):
            uow.access.key_used(key_id, at=at)
            uow.commit()
    return Machine(platform=found.platform, key_id=key_id, scopes=scopes, actor=creator.actor)


# -- borrowers' one-time codes -----------------------------------------------------------


def request_borrower_code(
    *, uow: UnitOfWork, platform: str, phone: str, at: datetime, send: SendSms
) -> None:
    """Send a sign-in code to ``phone`` if a borrower of the platform has it.  The answer is
    the same either way (nobody learns whose number it is); codes are rate-limited."""
    with uow:
        if uow.platforms.get(platform) is None:
            return
        borrowers = uow.borrowers(platform)
        phone_hash = borrowers.phone_hash(phone)
        access = uow.access
        if access.codes_sent_since(platform, phone_hash, at - CODE_WINDOW) >= CODES_PER_WINDOW:
            raise _too_many()
        if access.codes_sent_since(platform, phone_hash, at - timedelta(days=1)) >= CODES_PER_DAY:
            raise _too_many()
        if not borrowers.find_by_phone(phone):
            return
        code = new_code()
        access.add_code(
            platform=platform,
            phone_hash=phone_hash,
            code_hash=token_hash(f"{phone_hash}:{code}"),
            at=at,
            expires_at=at + CODE_LIFE,
        )
        uow.commit()
    send(phone, code)


def _too_many() -> TooManyCodes:
    return TooManyCodes(
        N_("too many codes asked for this number; wait a few minutes"),
    )


def sign_in_borrower(
    *,
    uow: UnitOfWork,
    platform: str,
    phone: str,
    code: str,
    at: datetime,
    locale: str | None = None,
) -> NewSession:
    """A borrower's session for the right, live code; ``SignInRefused`` otherwise."""
    refused = SignInRefused(N_("the code is wrong or has expired"))
    with uow:
        if uow.platforms.get(platform) is None:
            raise refused
        borrowers = uow.borrowers(platform)
        phone_hash = borrowers.phone_hash(phone)
        live = uow.access.live_code(platform, phone_hash, at=at)
        if live is None:
            raise refused
        code_pk, code_hash, tries = live
        right = same(code_hash, token_hash(f"{phone_hash}:{code.strip()}"))
        if tries >= CODE_TRIES:
            raise refused
        uow.access.code_tried(code_pk, used_at=at if right else None)
        if not right:
            uow.commit()
            raise refused
        [borrower, *others] = borrowers.find_by_phone(phone)
        if others:
            raise Conflict(
                N_("this number belongs to several borrowers; please call the platform"),
            )
        session = _start(uow, platform, at, locale, borrower_id=borrower.borrower_id)
        uow.commit()
    return session
