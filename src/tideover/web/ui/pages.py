"""Rendering a console page: the template, the reader's language, the caller's menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from tideover.domain.permissions import Permission
from tideover.web.deps import Caller
from tideover.web.i18n import Texts


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: str
    current: bool


# (path, label msgid, the permission that shows it)
MENU: tuple[tuple[str, str, Permission], ...] = (
    ("/kpi", "KPIs", Permission.KPI_READ),
    ("/policy", "Policy", Permission.POLICY_READ),
    ("/experiments", "Experiments", Permission.KPI_READ),
    ("/queue", "My queue", Permission.QUEUE_WORK),
    ("/team", "Team", Permission.QUEUE_ASSIGN),
    ("/compliance", "Compliance", Permission.COMPLIANCE_READ),
    ("/comms", "Messages", Permission.POLICY_READ),
    ("/audit", "Audit trail", Permission.AUDIT_READ),
    ("/admin", "Administration", Permission.USERS_ADMIN),
)


def texts_of(request: Request) -> Texts:
    found = getattr(request.state, "texts", None)
    return found if isinstance(found, Texts) else Texts("zh_CN")


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    caller: Caller | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    texts = texts_of(request)
    nav = []
    if caller is not None:
        for href, label, needed in MENU:
            if caller.may(needed):
                current = request.url.path == href or request.url.path.startswith(href + "/")
                nav.append(NavItem(href, texts.gettext(label), current))
    page: dict[str, Any] = {
        "texts": texts,
        "_": texts.gettext,
        "ngettext": texts.ngettext,
        "caller": caller,
        "csrf_token": None if caller is None else caller.csrf_token,
        "nav": nav,
        "Permission": Permission,
    }
    page.update(context or {})
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, page, status_code=status_code
    )
    return response
