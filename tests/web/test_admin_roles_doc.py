"""``docs/roles.md`` and the code agree: the permission matrix of ``domain/permissions.py``
and the permission each page and endpoint of the compliance, audit, team and administration
areas asks for.

``python -m tests.web.test_admin_roles_doc`` prints both tables as the document holds them.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

from tideover.domain.identity import Role
from tideover.domain.permissions import ROLE_PERMISSIONS, Permission
from tideover.web import api, ui
from tideover.web.app import API_PREFIX

DOC = Path(__file__).parents[2] / "docs" / "roles.md"
P = Permission

# Every route of the four areas, with the permission it asks for (the auditor's search of
# the trail is a read, sent as a POST to keep its text out of the address).
ROUTES: dict[tuple[str, str], Permission] = {
    ("GET", "/api/v1/compliance/packs"): P.COMPLIANCE_READ,
    ("GET", "/api/v1/compliance/rules"): P.COMPLIANCE_READ,
    ("GET", "/api/v1/compliance/denials"): P.COMPLIANCE_READ,
    ("GET", "/api/v1/compliance/holds"): P.COMPLIANCE_READ,
    ("POST", "/api/v1/compliance/holds"): P.HOLDS_WRITE,
    ("POST", "/api/v1/compliance/holds/{hold_id}/lift"): P.HOLDS_WRITE,
    ("GET", "/api/v1/audit/records"): P.AUDIT_READ,
    ("POST", "/api/v1/audit/search"): P.AUDIT_READ,
    ("GET", "/api/v1/audit/verification"): P.AUDIT_READ,
    ("GET", "/api/v1/team/collectors"): P.QUEUE_ASSIGN,
    ("POST", "/api/v1/team/collectors"): P.QUEUE_ASSIGN,
    ("GET", "/api/v1/team/collectors/{collector_id}"): P.QUEUE_ASSIGN,
    ("PATCH", "/api/v1/team/collectors/{collector_id}"): P.QUEUE_ASSIGN,
    ("POST", "/api/v1/team/collectors/{collector_id}/hand-on"): P.QUEUE_ASSIGN,
    ("GET", "/api/v1/team/workload"): P.QUEUE_ASSIGN,
    ("POST", "/api/v1/team/assignments"): P.QUEUE_ASSIGN,
    ("GET", "/api/v1/team/assignments/{job_id}"): P.QUEUE_ASSIGN,
    ("GET", "/api/v1/admin/users"): P.USERS_ADMIN,
    ("POST", "/api/v1/admin/users"): P.USERS_ADMIN,
    ("GET", "/api/v1/admin/users/{user_id}"): P.USERS_ADMIN,
    ("PATCH", "/api/v1/admin/users/{user_id}"): P.USERS_ADMIN,
    ("PUT", "/api/v1/admin/users/{user_id}/password"): P.USERS_ADMIN,
    ("GET", "/api/v1/admin/api-keys"): P.API_KEYS_ADMIN,
    ("POST", "/api/v1/admin/api-keys"): P.API_KEYS_ADMIN,
    ("DELETE", "/api/v1/admin/api-keys/{key_id}"): P.API_KEYS_ADMIN,
    ("GET", "/api/v1/admin/channels"): P.SETTINGS_ADMIN,
    ("PUT", "/api/v1/admin/channels"): P.SETTINGS_ADMIN,
    ("POST", "/api/v1/admin/imports"): P.IMPORTS_WRITE,
    ("GET", "/api/v1/admin/imports/{job_id}"): P.IMPORTS_WRITE,
    ("GET", "/compliance"): P.COMPLIANCE_READ,
    ("GET", "/compliance/rules"): P.COMPLIANCE_READ,
    ("GET", "/compliance/denials"): P.COMPLIANCE_READ,
    ("GET", "/compliance/holds"): P.COMPLIANCE_READ,
    ("POST", "/compliance/holds"): P.HOLDS_WRITE,
    ("POST", "/compliance/holds/{hold_id}/lift"): P.HOLDS_WRITE,
    ("GET", "/audit"): P.AUDIT_READ,
    ("POST", "/audit"): P.AUDIT_READ,
    ("GET", "/audit/verify"): P.AUDIT_READ,
    ("GET", "/team"): P.QUEUE_ASSIGN,
    ("POST", "/team/collectors"): P.QUEUE_ASSIGN,
    ("GET", "/team/collectors/{collector_id}"): P.QUEUE_ASSIGN,
    ("POST", "/team/collectors/{collector_id}"): P.QUEUE_ASSIGN,
    ("POST", "/team/collectors/{collector_id}/hand-on"): P.QUEUE_ASSIGN,
    ("POST", "/team/assign"): P.QUEUE_ASSIGN,
    ("GET", "/team/jobs/{job_id}"): P.QUEUE_ASSIGN,
    ("GET", "/admin"): P.USERS_ADMIN,
    ("POST", "/admin/users"): P.USERS_ADMIN,
    ("GET", "/admin/users/{user_id}"): P.USERS_ADMIN,
    ("POST", "/admin/users/{user_id}"): P.USERS_ADMIN,
    ("POST", "/admin/users/{user_id}/password"): P.USERS_ADMIN,
    ("GET", "/admin/keys"): P.API_KEYS_ADMIN,
    ("POST", "/admin/keys"): P.API_KEYS_ADMIN,
    ("POST", "/admin/keys/{key_id}/revoke"): P.API_KEYS_ADMIN,
    ("GET", "/admin/channels"): P.SETTINGS_ADMIN,
    ("POST", "/admin/channels"): P.SETTINGS_ADMIN,
    ("GET", "/admin/imports"): P.IMPORTS_WRITE,
    ("POST", "/admin/imports"): P.IMPORTS_WRITE,
    ("GET", "/admin/jobs/{job_id}"): P.IMPORTS_WRITE,
}
AREAS = ("compliance", "audit", "team", "admin")


def area_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the four areas' routers serve."""
    found: set[tuple[str, str]] = set()
    for prefix, features in ((API_PREFIX, api.FEATURES), ("", ui.FEATURES)):
        for router in features:
            for route in router.routes:
                if isinstance(route, APIRoute) and route.path.strip("/").split("/")[0] in AREAS:
                    found |= {(m, prefix + route.path) for m in route.methods - {"HEAD"}}
    return found


def matrix_table() -> str:
    roles = list(Role)
    lines = [
        "| permission | " + " | ".join(f"`{r.value}`" for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for permission in Permission:
        cells = ["✓" if permission in ROLE_PERMISSIONS[r] else "" for r in roles]
        lines.append(f"| `{permission.value}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def routes_table() -> str:
    lines = ["| method | path | permission |", "|---|---|---|"]
    for (method, path), permission in ROUTES.items():
        lines.append(f"| {method} | `{path}` | `{permission.value}` |")
    return "\n".join(lines)


def _between(text: str, name: str) -> str:
    found = re.search(rf"<!-- {name}: begin -->\n(.*?)\n<!-- {name}: end -->", text, re.DOTALL)
    assert found is not None, f"docs/roles.md lost its {name} markers"
    return found.group(1)


def test_the_documented_matrix_is_the_codes() -> None:
    documented = _between(DOC.read_text(encoding="utf-8"), "matrix")
    assert documented == matrix_table(), (
        "docs/roles.md's matrix differs from domain/permissions.py; "
        "print the right one with: python -m tests.web.test_admin_roles_doc"
    )


def test_every_route_of_the_areas_is_documented_with_its_permission() -> None:
    assert area_routes() == set(ROUTES), "a route of the four areas is missing from ROUTES"
    documented = _between(DOC.read_text(encoding="utf-8"), "routes")
    assert documented == routes_table(), (
        "docs/roles.md's table of routes differs; "
        "print the right one with: python -m tests.web.test_admin_roles_doc"
    )


if __name__ == "__main__":
    print("<!-- matrix: begin -->", matrix_table(), "<!-- matrix: end -->", sep="\n")
    print()
    print("<!-- routes: begin -->", routes_table(), "<!-- routes: end -->", sep="\n")
