"""The installation's PII key ring, and the encrypted values a key rotation rewrites.

Not bound to a platform: one key protects every platform's personal data.
The ring stores fingerprints and the wrapped look-up key, never a key.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from tideover.adapters.orm import BorrowerPhoneRow, BorrowerRow, PiiKeyRow

# Every column that holds a PII ciphertext, by table: what a rotation re-encrypts.
CIPHERTEXT_COLUMNS = {
    "borrowers": BorrowerRow.national_id_ciphertext,
    "borrower_phones": BorrowerPhoneRow.e164_ciphertext,
}


@dataclass(frozen=True, slots=True)
class KeyEntry:
    fingerprint: str
    state: str  # active | rotating | retired
    wrapped_lookup_key: str
    created_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """One encrypted value: where it is (table, row key) and the token."""

    table: str
    row_id: int
    token: str


class PiiKeyRepository:
    """The key ring and the ciphertext columns, for the start-up check and key rotation."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def entries(self) -> builtins.list[KeyEntry]:
        rows = self._session.scalars(select(PiiKeyRow).order_by(PiiKeyRow.id))
        return [
            KeyEntry(r.fingerprint, r.state, r.wrapped_lookup_key, r.created_at, r.retired_at)
            for r in rows
        ]

    def in_state(self, state: str) -> KeyEntry | None:
        return next((e for e in self.entries() if e.state == state), None)

    def add(self, *, fingerprint: str, state: str, wrapped_lookup_key: str) -> None:
        self._session.execute(
            insert(PiiKeyRow).values(
                fingerprint=fingerprint, state=state, wrapped_lookup_key=wrapped_lookup_key
            )
        )
        self._session.flush()

    def set_state(self, fingerprint: str, state: str, *, at: datetime | None = None) -> None:
        values: dict[str, object] = {"state": state}
        if state == "retired":
            values["retired_at"] = at
        self._session.execute(
            update(PiiKeyRow).where(PiiKeyRow.fingerprint == fingerprint).values(**values)
        )
        self._session.flush()

    def sample(self) -> str | None:
        """One stored ciphertext, if any: enough to tell whether a key opens the data."""
        for column in CIPHERTEXT_COLUMNS.values():
            token = self._session.scalar(select(column).where(column.is_not(None)).limit(1))
            if token is not None:
                return str(token)
        return None

    def ciphertexts(self, table: str, *, after: int, limit: int) -> builtins.list[Ciphertext]:
        """The next ``limit`` encrypted values of ``table`` after row key ``after``."""
        column = CIPHERTEXT_COLUMNS[table]
        model = column.class_
        query = (
            select(model.id, column)
            .where(model.id > after, column.is_not(None))
            .order_by(model.id)
            .limit(limit)
        )
        return [Ciphertext(table, row_id, token) for row_id, token in self._session.execute(query)]

    def replace(self, values: Iterable[Ciphertext]) -> int:
        """Writes re-encrypted values over the old ones (one UPDATE per row, in one flush)."""
        count = 0
        for value in values:
            column = CIPHERTEXT_COLUMNS[value.table]
            model = column.class_
            self._session.execute(
                update(model).where(model.id == value.row_id).values({column.key: value.token})
            )
            count += 1
        self._session.flush()
        return count

    def count(self, table: str) -> int:
        column = CIPHERTEXT_COLUMNS[table]
        query = select(func.count()).select_from(column.class_).where(column.is_not(None))
        return int(self._session.scalar(query) or 0)
