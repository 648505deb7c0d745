"""Borrowers of one platform; phone numbers and national IDs are encrypted at rest."""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Executable, and_, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from tideover.adapters.orm import BorrowerPhoneRow, BorrowerRow
from tideover.adapters.pii import PiiCipher
from tideover.adapters.repositories._base import (
    BORROWERS,
    PlatformScoped,
    among,
    bulk_insert,
    chunks,
    key_batches,
    platform_param,
)
from tideover.domain.borrowers import Borrower, CallProfile, PhoneNumber, candidate_zones
from tideover.domain.errors import NotFound
from tideover.i18n import N_


@cache
def _with_phones() -> Executable:
    phone, platform = BorrowerPhoneRow, platform_param()
    return (
        select(BorrowerRow, phone.e164_ciphertext, phone.region, phone.time_zones)
        .outerjoin(phone, and_(phone.platform_id == platform, phone.borrower_pk == BorrowerRow.id))
        .where(
            BorrowerRow.platform_id == platform,
            BorrowerRow.borrower_id == bindparam("borrower_id"),
        )
        .order_by(phone.position)
    )


class BorrowerRepository(PlatformScoped):
    """Borrowers of one platform; phone numbers and ID numbers are encrypted at rest."""

    def __init__(self, session: Session, platform_code: str, cipher: PiiCipher) -> None:
        super().__init__(session, platform_code)
        self._cipher = cipher

    def get(self, borrower_id: str) -> Borrower | None:
        """One borrower with their phones, in one query (the 360 asks on every request)."""
        rows = self._session.execute(
            _with_phones(), {"platform_id": self._platform_id, "borrower_id": borrower_id}
        ).all()
        if not rows:
            return None
        phones = tuple(
            PhoneNumber(self._cipher.decrypt(ciphertext), region, tuple(zones))
            for _, ciphertext, region, zones in rows
            if ciphertext is not None
        )
        return self._borrower(rows[0][0], phones)

    def phone_hash(self, phone: str) -> str:
        """The keyed hash phone numbers are looked up by (the number is never stored plain)."""
        return self._cipher.lookup_hash(phone)

    def erase(self, borrower_id: str) -> None:
        """Removes what identifies the borrower (name, ID number, phones, address, e-mail,
        attributes); the row stays so that their accounts keep their key."""
        pk = self._require(BorrowerRow.borrower_id, [borrower_id], BORROWERS)[borrower_id]
        self._session.execute(
            delete(BorrowerPhoneRow).where(
                BorrowerPhoneRow.platform_id == self._platform_id,
                BorrowerPhoneRow.borrower_pk == pk,
            )
        )
        self._session.execute(
            update(BorrowerRow)
            .where(BorrowerRow.id == pk)
            .values(
                name="",
                national_id_ciphertext=None,
                national_id_hash=None,
                address="",
                email=None,
                attributes={},
            )
        )
        self._session.flush()

    def set_preferences(
        self, borrower_id: str, *, locale: str, attributes: Mapping[str, str]
    ) -> None:
        """The borrower's language (``locale``) and ``attributes`` merged into theirs (the
        preferred channel is one: a column of its own is a later migration's)."""
        row = self._session.scalars(
            select(BorrowerRow)
            .where(
                BorrowerRow.platform_id == self._platform_id,
                BorrowerRow.borrower_id == borrower_id,
            )
            .with_for_update()
        ).one_or_none()
        if row is None:
            raise NotFound(
                N_("no borrower %(borrower_id)s on platform %(platform_code)s"),
                borrower_id=repr(borrower_id),
                platform_code=repr(self.platform_code),
            )
        row.locale = locale
        row.attributes = {**row.attributes, **attributes}  # a new dict: the JSON column sees it
        self._session.flush()

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        return set(self._pks(BorrowerRow.borrower_id, ids))

    def get_many(self, ids: Iterable[str]) -> dict[str, Borrower]:
        """The stored ones among ``ids``, by id, in a few batched queries."""
        found: dict[str, Borrower] = {}
        for chunk in chunks(sorted(set(ids))):
            found.update((x.borrower_id, x) for x in self._load(BorrowerRow.borrower_id.in_(chunk)))
        return found

    def call_profiles(self, ids: Iterable[str]) -> dict[str, CallProfile]:
        """What the gate needs to place a call to each stored one of ``ids``, by id: read
        from the time zones and the numbers' look-up hashes alone, so no number is
        decrypted and no borrower is built."""
        b, p = BorrowerRow.__table__.c, BorrowerPhoneRow.__table__.c
        found: dict[str, CallProfile] = {}
        for batch in key_batches(self._session, ids):
            query = (
                select(b.borrower_id, b.time_zone, p.e164_hash, p.time_zones)
                .select_from(BorrowerRow.__table__)
                .outerjoin(
                    BorrowerPhoneRow.__table__,
                    (p.platform_id == b.platform_id) & (p.borrower_pk == b.id),
                )
                .where(
                    b.platform_id == self._platform_id, among(self._session, b.borrower_id, batch)
                )
                .order_by(b.borrower_id, p.position)
            )
            rows: dict[str, tuple[str | None, list[tuple[str, list[str]]]]] = {}
            for borrower_id, zone, number, zones in self._session.execute(query):
                _, phones = rows.setdefault(borrower_id, (zone, []))
                if number is not None:
                    phones.append((number, zones))
            for borrower_id, (zone, phones) in rows.items():
                found[borrower_id] = CallProfile(
                    borrower_id,
                    candidate_zones(zone, (z for _, z in phones)),
                    phones[0][0] if phones else None,
                )
        return found

    def add_many(self, borrowers: Sequence[Borrower]) -> int:
        """Inserts new borrowers with their phones; an existing id is a ``Conflict``."""
        if not borrowers:
            return 0
        for b in borrowers:
            self._own(BORROWERS, b.borrower_id, b.platform)
        ids = [b.borrower_id for b in borrowers]
        self._refuse_duplicates(BorrowerRow.borrower_id, ids, BORROWERS)
        rows = [self._row(b) for b in borrowers]
        pks = self._insert_new(BorrowerRow, BorrowerRow.borrower_id, rows)
        phones = [
            self._phone_row(pks[b.borrower_id], position, phone)
            for b in borrowers
            for position, phone in enumerate(b.phones)
        ]
        bulk_insert(self._session, BorrowerPhoneRow, phones)
        return len(borrowers)

    def add_phone_if_new(self, borrower_id: str, phone: PhoneNumber) -> bool:
        """Adds ``phone`` after a stored borrower's numbers; ``False`` (and nothing written)
        when it is already one of theirs."""
        pk = self._require(BorrowerRow.borrower_id, [borrower_id], BORROWERS)[borrower_id]
        hashes = self._session.scalars(
            select(BorrowerPhoneRow.e164_hash).where(
                BorrowerPhoneRow.platform_id == self._platform_id,
                BorrowerPhoneRow.borrower_pk == pk,
            )
        ).all()
        if self._cipher.lookup_hash(phone.e164) in hashes:
            return False
        last = self._session.scalar(
            select(func.max(BorrowerPhoneRow.position)).where(
                BorrowerPhoneRow.platform_id == self._platform_id,
                BorrowerPhoneRow.borrower_pk == pk,
            )
        )
        position = 0 if last is None else last + 1
        bulk_insert(self._session, BorrowerPhoneRow, [self._phone_row(pk, position, phone)])
        return True

    def find_by_phone(self, e164: str) -> builtins.list[Borrower]:
        owners = select(BorrowerPhoneRow.borrower_pk).where(
            BorrowerPhoneRow.platform_id == self._platform_id,
            BorrowerPhoneRow.e164_hash == self._cipher.lookup_hash(e164),
        )
        return self._load(BorrowerRow.id.in_(owners))

    def find_by_national_id(self, national_id: str) -> builtins.list[Borrower]:
        return self._load(BorrowerRow.national_id_hash == self._cipher.lookup_hash(national_id))

    def list_all(self) -> builtins.list[Borrower]:
        return self._load(None)

    def count(self) -> int:
        return self._count(BorrowerRow)

    def _row(self, b: Borrower) -> dict[str, Any]:
        nid = b.national_id
        return {
            "platform_id": self._platform_id,
            "borrower_id": b.borrower_id,
            "name": b.name,
            "national_id_ciphertext": None if nid is None else self._cipher.encrypt(nid),
            "national_id_hash": None if nid is None else self._cipher.lookup_hash(nid),
            "address": b.address,
            "time_zone": b.time_zone,
            "locale": b.locale,
            "email": b.email,
            "attributes": dict(b.attributes),
        }

    def _phone_row(self, borrower_pk: int, position: int, phone: PhoneNumber) -> dict[str, Any]:
        return {
            "platform_id": self._platform_id,
            "borrower_pk": borrower_pk,
            "position": position,
            "e164_ciphertext": self._cipher.encrypt(phone.e164),
            "e164_hash": self._cipher.lookup_hash(phone.e164),
            "region": phone.region,
            "time_zones": list(phone.time_zones),
        }

    def _load(self, condition: ColumnElement[bool] | None) -> builtins.list[Borrower]:
        query = select(BorrowerRow).where(BorrowerRow.platform_id == self._platform_id)
        if condition is not None:
            query = query.where(condition)
        rows = self._session.scalars(query.order_by(BorrowerRow.id)).all()
        if not rows:
            return []
        phones: dict[int, builtins.list[PhoneNumber]] = defaultdict(list)
        phone_query = select(BorrowerPhoneRow).where(
            BorrowerPhoneRow.platform_id == self._platform_id
        )
        if condition is not None:
            phone_query = phone_query.where(
                BorrowerPhoneRow.borrower_pk.in_([row.id for row in rows])
            )
        for p in self._session.scalars(phone_query.order_by(BorrowerPhoneRow.position)):
            e164 = self._cipher.decrypt(p.e164_ciphertext)
            phones[p.borrower_pk].append(PhoneNumber(e164, p.region, tuple(p.time_zones)))
        return [self._borrower(row, tuple(phones.get(row.id, ()))) for row in rows]

    def _borrower(self, row: BorrowerRow, phones: tuple[PhoneNumber, ...]) -> Borrower:
        nid = row.national_id_ciphertext
        return Borrower(
            platform=self.platform_code,
            borrower_id=row.borrower_id,
            name=row.name,
            phones=phones,
            national_id=None if nid is None else self._cipher.decrypt(nid),
            address=row.address,
            time_zone=row.time_zone,
            locale=row.locale,
            email=row.email,
            attributes=dict(row.attributes),
        )
