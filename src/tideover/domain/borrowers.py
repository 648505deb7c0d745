"""Borrowers (借款人): natural persons with contact data and a time zone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A validated phone number in E.164 with the time zones it may be in."""

    e164: str
    region: str  # ISO 3166 alpha-2, e.g. "CN"
    time_zones: tuple[str, ...]  # IANA names; several when the number is ambiguous


@dataclass(frozen=True, slots=True)
class Borrower:
    """A borrower of one platform.  PII is plain here; storage encrypts it."""

    platform: str
    borrower_id: str  # the platform's own id, unique per platform
    name: str
    phones: tuple[PhoneNumber, ...] = ()
    national_id: str | None = None  # e.g. an 18-digit Chinese resident ID (居民身份证)
    address: str = ""
    time_zone: str | None = None  # IANA; from the address when known
    locale: str = "zh-CN"
    email: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def candidate_time_zones(self) -> tuple[str, ...]:
        """Zones the borrower may be in: the address zone if known, else the phones'."""
        return candidate_zones(self.time_zone, (p.time_zones for p in self.phones))


def candidate_zones(time_zone: str | None, phone_zones: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """The address zone if known, else every zone of the phones, in their order."""
    if time_zone:
        return (time_zone,)
    return tuple(dict.fromkeys(z for zones in phone_zones for z in zones))


@dataclass(frozen=True, slots=True)
class CallProfile:
    """What the contact gate needs of a borrower to place a call: the zones they may be in
    and the look-up hash of the number dialled (their first), never the number itself."""

    borrower_id: str
    zones: tuple[str, ...]
    number: str | None
