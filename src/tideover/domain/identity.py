"""Who acts: user names, how two names are compared, and the roles a person may hold.

Four eyes is only as strong as the comparison behind it.  Two spellings of one
name must never count as two people: ``Ops1``, ``OPS1``, full-width ``ｏｐｓ１``
and ``ops\\u200b1`` (a zero-width space inside) are all the user ``ops1``.  A
name is therefore compared through its *key*: Unicode NFKC (full-width and
compatibility forms folded, UAX #15), case-folded (``str.casefold``, full
Unicode case folding), with every invisible character removed (format
characters such as zero-width spaces and bidirectional overrides, controls)
and runs of spaces made one.  Handlers compare the stored user ids the keys
resolve to, never the strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from tideover.domain.errors import ValidationError
from tideover.i18n import N_

USERNAME_MAX = 64
# Letters and digits of any script, and . _ - @ inside: enough for e-mail-like logins and
# Chinese names, nothing that prints as something else or hides.
_USERNAME = re.compile(r"[^\W_](?:[\w.@-]*[^\W_])?")
_SPACES = re.compile(r"\s+")


class Role(StrEnum):
    """The roles of a platform's staff (DESIGN.md "Who uses it"); a user may hold several."""

    PLATFORM_ADMIN = "platform_admin"
    STRATEGY_MANAGER = "strategy_manager"
    COMPLIANCE_OFFICER = "compliance_officer"
    TEAM_LEAD = "team_lead"
    COLLECTOR = "collector"
    AUDITOR = "auditor"


def _invisible(char: str) -> bool:
    # Cf: format (zero-width, bidi controls, soft hyphen); Cc: controls; Co/Cs: private, surrogate.
    return unicodedata.category(char) in ("Cf", "Cc", "Co", "Cs")


def name_key(name: str) -> str:
    """The form two names are compared in: NFKC, case-folded, invisibles removed, spaces one."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    # Case folding can produce new compatibility forms (e.g. "ﬀ" stays, "ǅ"): normalise again.
    folded = unicodedata.normalize("NFKC", folded)
    visible = "".join(char for char in folded if not _invisible(char))
    return _SPACES.sub(" ", visible).strip()


def same_person(a: str, b: str) -> bool:
    """Whether two names denote one person (their keys are equal)."""
    return name_key(a) == name_key(b)


def check_username(name: str) -> str:
    """A new user's name: 1 to 64 letters, digits and ``. _ - @``, nothing invisible.

    It is refused rather than cleaned: a name that needs cleaning is a name
    someone could mistake for another.
    """
    if any(_invisible(char) for char in name) or not _USERNAME.fullmatch(name):
        raise ValidationError(
            N_(
                "a user name is 1 to 64 letters or digits, with . _ - @ only between "
                "them, and no invisible characters"
            ),
        )
    if len(name) > USERNAME_MAX:
        raise ValidationError(
            N_("a user name is at most %(username_max)s characters"),
            username_max=USERNAME_MAX,
        )
    if unicodedata.normalize("NFKC", name) != name:
        raise ValidationError(
            N_(
                "a user name must be written in its plain form (no full-width or "
                "compatibility characters)"
            ),
        )
    return name


def parse_roles(values: list[str] | tuple[str, ...]) -> tuple[Role, ...]:
    """Known roles, each once, in the order given; an unknown role is refused."""
    roles: list[Role] = []
    for value in values:
        try:
            role = Role(value.strip().lower())
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ValidationError(
                N_("unknown role %(value)s; known: %(known)s"),
                value=repr(value),
                known=known,
            ) from None
        if role not in roles:
            roles.append(role)
    if not roles:
        raise ValidationError(N_("a user needs at least one role"))
    return tuple(roles)


@dataclass(frozen=True, slots=True)
class Actor:
    """A person who acts on a platform: the stored user's id, name and roles."""

    user_id: int
    username: str
    roles: tuple[Role, ...]

    def has(self, role: Role) -> bool:
        return role in self.roles
