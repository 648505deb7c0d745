"""Platforms (tenants): the one repository not bound to a platform."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Executable, bindparam, select
from sqlalchemy.orm import Session

from tideover.adapters.orm import PlatformRow
from tideover.adapters.repositories._base import PLATFORM_IDS
from tideover.domain.errors import Conflict, ValidationError
from tideover.domain.money import Currency, currency
from tideover.i18n import N_


@dataclass(frozen=True, slots=True)
class PlatformRecord:
    """A platform (tenant) as stored; ``settings`` is its JSON settings document."""

    code: str
    name: str
    currency: Currency
    settings: dict[str, Any]


def _platform_record(row: PlatformRow) -> PlatformRecord:
    return PlatformRecord(row.code, row.name, currency(row.currency), dict(row.settings))


@cache
def _by_code() -> Executable:
    return select(PlatformRow).where(PlatformRow.code == bindparam("code"))


class PlatformRepository:
    """The platforms (tenants); the only repository not bound to one of them."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _row(self, code: str) -> PlatformRow | None:
        row = self._session.scalars(_by_code(), {"code": code}).first()
        if row is not None:
            # The platform's key, for the repositories scoped to it in this session
            # (``PlatformScoped``): a use case that reads the settings first asks once.
            self._session.info.setdefault(PLATFORM_IDS, {})[code] = row.id
        return row

    def get(self, code: str) -> PlatformRecord | None:
        row = self._row(code)
        return None if row is None else _platform_record(row)

    def ensure(
        self, code: str, *, name: str, currency: Currency | str, settings: Mapping[str, Any]
    ) -> PlatformRecord:
        """The platform ``code``, created if missing and its name and settings brought up to date.

        Its currency cannot change once created: stored amounts are in it.
        """
        if not code.strip():
            raise ValidationError(N_("a platform code must not be empty"))
        code_of_currency = currency if isinstance(currency, str) else currency.code
        row = self._row(code)
        if row is None:
            row = PlatformRow(
                code=code, name=name, currency=code_of_currency, settings=dict(settings)
            )
            self._session.add(row)
        elif row.currency != code_of_currency:
            raise Conflict(
                N_(
                    "platform %(code)s keeps its amounts in %(currency)s; it cannot switch "
                    "to %(code_of_currency)s"
                ),
                code=repr(code),
                currency=row.currency,
                code_of_currency=code_of_currency,
            )
        else:
            row.name, row.settings = name, dict(settings)
        self._session.flush()
        return _platform_record(row)

    def list(self) -> builtins.list[PlatformRecord]:
        rows = self._session.scalars(select(PlatformRow).order_by(PlatformRow.code))
        return [_platform_record(row) for row in rows]
