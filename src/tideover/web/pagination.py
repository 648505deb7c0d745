"""Every list the API serves is a page: its items, the total, and links to the neighbours."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request

from tideover.web.deps import PageParams

T = TypeVar("T")


class PageLinks(BaseModel):
    model_config = ConfigDict(frozen=True)

    self: str
    next: str | None
    prev: str | None


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``(page - 1) * per_page``, of ``total`` in all."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    total: int
    page: int
    per_page: int
    links: PageLinks


def paginate(request: Request, items: Sequence[T], params: PageParams) -> Page[T]:
    """The page ``params`` asks of ``items`` (a list already scoped to the caller)."""
    total = len(items)
    chosen = list(items[params.offset : params.offset + params.per_page])

    def link(page: int) -> str:
        return str(request.url.include_query_params(page=page, per_page=params.per_page))

    last = max(1, -(-total // params.per_page))
    return Page[T](
        items=chosen,
        total=total,
        page=params.page,
        per_page=params.per_page,
        links=PageLinks(
            self=link(params.page),
            next=link(params.page + 1) if params.page < last else None,
            prev=link(params.page - 1) if params.page > 1 else None,
        ),
    )
