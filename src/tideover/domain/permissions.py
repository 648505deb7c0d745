"""What each role may do: the permission matrix (docs/roles.md renders it).

A permission is a verb on an area.  Staff hold the union of their roles'
permissions; an API key holds the scopes it was given (a subset of these
permissions); a borrower holds only ``self`` permissions, always limited to
their own records.  Four eyes is not a permission: approving needs the
permission *and* a person other than the author.
"""

from __future__ import annotations

from enum import StrEnum

from tideover.domain.identity import Role
from tideover.i18n import N_


class Permission(StrEnum):
    KPI_READ = "kpi:read"
    POLICY_READ = "policy:read"
    POLICY_WRITE = "policy:write"  # draft, submit, preview impact
    POLICY_APPROVE = "policy:approve"  # approve, reject (never one's own)
    POLICY_ACTIVATE = "policy:activate"  # activate, roll back
    CYCLE_RUN = "cycle:run"
    QUEUE_WORK = "queue:work"  # my queue, borrower 360, log outcomes, offer plans in my limit
    QUEUE_ASSIGN = "queue:assign"  # collectors, capacity, assignment
    BORROWER_READ = "borrower:read"  # borrower 360 of any borrower
    PII_READ = "pii:read"  # unmasked ID and phone numbers
    PLANS_APPROVE = "plans:approve"
    COMPLIANCE_READ = "compliance:read"  # rule packs, denials, holds, complaints
    HOLDS_WRITE = "holds:write"
    AUDIT_READ = "audit:read"
    USERS_ADMIN = "users:admin"
    API_KEYS_ADMIN = "api_keys:admin"
    IMPORTS_WRITE = "imports:write"
    SETTINGS_ADMIN = "settings:admin"


P = Permission

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLATFORM_ADMIN: frozenset(
        {
            P.KPI_READ,
            P.POLICY_READ,
            P.USERS_ADMIN,
            P.API_KEYS_ADMIN,
            P.IMPORTS_WRITE,
            P.SETTINGS_ADMIN,
            P.CYCLE_RUN,
            P.AUDIT_READ,
        }
    ),
    Role.STRATEGY_MANAGER: frozenset(
        {
            P.KPI_READ,
            P.POLICY_READ,
            P.POLICY_WRITE,
            P.POLICY_APPROVE,
            P.POLICY_ACTIVATE,
            P.CYCLE_RUN,
            P.BORROWER_READ,
        }
    ),
    Role.COMPLIANCE_OFFICER: frozenset(
        {
            P.KPI_READ,
            P.POLICY_READ,
            P.POLICY_APPROVE,
            P.COMPLIANCE_READ,
            P.HOLDS_WRITE,
            P.AUDIT_READ,
            P.BORROWER_READ,
            P.PII_READ,
            P.PLANS_APPROVE,
        }
    ),
    Role.TEAM_LEAD: frozenset(
        {
            P.KPI_READ,
            P.QUEUE_WORK,
            P.QUEUE_ASSIGN,
            P.BORROWER_READ,
            P.PLANS_APPROVE,
            P.COMPLIANCE_READ,
        }
    ),
    Role.COLLECTOR: frozenset({P.QUEUE_WORK}),
    Role.AUDITOR: frozenset(
        {P.KPI_READ, P.POLICY_READ, P.COMPLIANCE_READ, P.AUDIT_READ, P.BORROWER_READ}
    ),
}


def permissions_of(roles: tuple[Role, ...] | list[Role]) -> frozenset[Permission]:
    """The union of the roles' permissions."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def parse_scopes(values: list[str] | tuple[str, ...]) -> tuple[Permission, ...]:
    """API-key scopes: known permissions, each once."""
    from tideover.domain.errors import ValidationError

    scopes: list[Permission] = []
    for value in values:
        try:
            scope = Permission(value.strip())
        except ValueError:
            known = ", ".join(p.value for p in Permission)
            raise ValidationError(
                N_("unknown scope %(value)s; known: %(known)s"),
                value=repr(value),
                known=known,
            ) from None
        if scope not in scopes:
            scopes.append(scope)
    if not scopes:
        raise ValidationError(N_("an API key needs at least one scope"))
    return tuple(scopes)
