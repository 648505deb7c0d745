"""Route matching that skips a whole feature when the path is not under its prefix.

FastAPI matches a request against every route in order, and each check costs
microseconds: the call check, deep in the API, was tried against 93 routes
before its own, a page against up to 184.  A :class:`Section` holds one
feature's router and answers "no match" at once for a path outside the prefix
the feature is served under, so a request is tried only against its own
feature's routes.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from starlette.routing import Match
from starlette.types import Scope

API_PREFIX = "/api/v1"


class Section(APIRouter):
    """A router of the features served under ``under`` (a path prefix, no trailing ``/``)."""

    def __init__(self, under: str, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.under = under

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.under and not _route_path(scope).startswith(self.under):
            return Match.NONE, {}
        return super().matches(scope)


def sections(features: Iterable[APIRouter], under: str = "", **options: object) -> APIRouter:
    """One router of ``features``, each in a :class:`Section` under ``under`` + its prefix
    (a feature with no prefix is tried for every path below ``under``)."""
    top = Section(under, **options)
    for feature in features:
        section = Section(under + feature.prefix)
        section.include_router(feature)
        top.include_router(section)
    return top


def _route_path(scope: Scope) -> str:
    """The path the routes are matched against (without the ASGI ``root_path``)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
