"""Synthetic borrowers: names, phones, resident IDs and addresses from a seed.

Every value is made up but well-formed: Chinese mobile numbers and US numbers
that ``phonenumbers`` accepts as valid, 18-digit resident IDs with a real
region code, a possible birth date and a correct check digit (GB 11643-1999),
and addresses whose time zone matches the phone's area.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

import phonenumbers
from phonenumbers import timezone as phone_zones

from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.domain.errors import ValidationError
from tideover.i18n import N_

CN_TIME_ZONE = "Asia/Shanghai"  # China has one legal time zone
# Mobile prefixes of the three national carriers (and their sub-brands).
_CN_MOBILE_PREFIXES = tuple(
    str(n) for n in (*range(130, 140), 150, 151, 152, 153, *range(155, 160), 166, 173,
                     175, 176, 177, *range(180, 190), 198, 199)
)  # fmt: skip
_CN_STREETS = ("人民路", "解放路", "中山路", "建设路", "和平路", "新华路",
               "长江路", "文化路", "胜利路", "朝阳路", "光明街", "幸福路")  # fmt: skip
_US_STREETS = ("Main", "Oak", "Maple", "Cedar", "Pine", "Elm",
               "Washington", "Lake", "Hill", "Park", "Sunset", "Lincoln")  # fmt: skip
_US_SUFFIXES = ("St", "Ave", "Rd", "Blvd", "Dr", "Ln")
# GB 11643-1999: weights of the first 17 digits, and the check character for sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True, slots=True)
class CnRegion:
    code: str
    valid_from: int  # first birth year for which the code existed
    province: str
    city: str
    district: str


@dataclass(frozen=True, slots=True)
class UsPlace:
    state: str
    city: str
    area_code: str
    time_zone: str
    zip_code: str
    weight: int


def _lines(name: str) -> list[str]:
    text = resources.files("tideover.demo").joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def cn_regions() -> tuple[CnRegion, ...]:
    rows = (line.split("\t") for line in _lines("cn_regions.txt"))
    return tuple(CnRegion(c, int(y), p, city, d) for c, y, p, city, d in rows)


@cache
def us_places() -> dict[str, tuple[UsPlace, ...]]:
    places: dict[str, list[UsPlace]] = {}
    for line in _lines("us_places.txt"):
        state, city, area, zone, zip_code, weight = line.split("\t")
        places.setdefault(state, []).append(UsPlace(state, city, area, zone, zip_code, int(weight)))
    return {state: tuple(rows) for state, rows in places.items()}


@cache
def _zh_surnames() -> tuple[tuple[str, ...], tuple[int, ...]]:
    pairs = [line.split() for line in _lines("zh_surnames.txt")]
    return tuple(p[0] for p in pairs), tuple(int(p[1]) for p in pairs)


@cache
def _word_list(name: str) -> tuple[str, ...]:
    return tuple(word for line in _lines(name) for word in line.split())


def chinese_name(rng: random.Random) -> str:
    surnames, weights = _zh_surnames()
    given = _word_list("zh_given.txt")
    return rng.choices(surnames, weights)[0] + "".join(rng.sample(given, rng.choice((1, 2, 2))))


def english_name(rng: random.Random) -> str:
    first = rng.choice(_word_list("en_first_names.txt"))
    return f"{first} {rng.choice(_word_list('en_surnames.txt'))}"


def resident_id_check_digit(first17: str) -> str:
    """The 18th character of a resident ID (GB 11643-1999, ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValidationError(
            N_("a resident ID body has 17 digits, got %(first17)s"),
            first17=repr(first17),
        )
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id(region: str, birth: date, sequence: int) -> str:
    """An 18-digit resident ID: region, birth date, sequence (odd: male), check digit."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + resident_id_check_digit(body)


def _phone(number: str) -> PhoneNumber | None:
    parsed = phonenumbers.parse(number)
    if not phonenumbers.is_valid_number(parsed):
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(parsed) or ""
    return PhoneNumber(e164, region, tuple(phone_zones.time_zones_for_number(parsed)))


def cn_mobile(rng: random.Random) -> PhoneNumber:
    """A Chinese mobile number that ``phonenumbers`` accepts as valid."""
    for _ in range(100):
        found = _phone(f"+86{rng.choice(_CN_MOBILE_PREFIXES)}{rng.randrange(10**8):08d}")
        if found is not None:
            return found
    raise AssertionError("no valid Chinese mobile number in 100 draws")  # pragma: no cover


def us_phone(rng: random.Random, area_code: str) -> PhoneNumber:
    """A valid US number in ``area_code``; exchanges 555 and N11 are avoided."""
    for _ in range(100):
        exchange = rng.randrange(200, 1000)
        if exchange == 555 or exchange % 100 == 11:
            continue
        found = _phone(f"+1{area_code}{exchange}{rng.randrange(10**4):04d}")
        if found is not None:
            return found
    raise AssertionError(f"no valid number in area code {area_code}")  # pragma: no cover


def _birth_date(rng: random.Random, as_of: date, earliest_year: int) -> date:
    """A birth date making the borrower 22 to 60 years old, not before ``earliest_year``."""
    first = max(date(as_of.year - 60, 1, 1), date(earliest_year, 1, 1))
    last = date(as_of.year - 22, 12, 31)
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def chinese_borrower(
    *, platform: str, borrower_id: str, rng: random.Random, as_of: date
) -> Borrower:
    """A borrower of a Chinese platform: name, mobile, resident ID and address."""
    birth = _birth_date(rng, as_of, 1965)
    region = rng.choice([r for r in cn_regions() if r.valid_from <= birth.year])
    place = region.city if region.city == region.province else region.province + region.city
    address = (
        f"{place}{region.district}{rng.choice(_CN_STREETS)}{rng.randrange(1, 400)}号"
        f"{rng.randrange(1, 30)}栋{rng.randrange(1, 30)}{rng.randrange(1, 5):02d}室"
    )
    return Borrower(
        platform=platform,
        borrower_id=borrower_id,
        name=chinese_name(rng),
        phones=(cn_mobile(rng),),
        national_id=resident_id(region.code, birth, rng.randrange(1, 1000)),
        address=address,
        time_zone=CN_TIME_ZONE,
        locale="zh-CN",
        email=f"{borrower_id.lower()}@example.com",
        attributes={"birth_date": birth.isoformat(), "region_code": region.code},
    )


def us_place(rng: random.Random, state: str) -> UsPlace:
    """A place in ``state`` (weighted by size); unknown states raise ``ValidationError``."""
    places = us_places().get(state)
    if not places:
        raise ValidationError(N_("no demo place for US state %(state)s"), state=repr(state))
    return rng.choices(places, [p.weight for p in places])[0]


def english_borrower(
    *, platform: str, borrower_id: str, rng: random.Random, state: str, as_of: date
) -> Borrower:
    """A borrower of a US platform living in ``state``, with a phone of that area."""
    place = us_place(rng, state)
    name = english_name(rng)
    street = f"{rng.randrange(1, 9999)} {rng.choice(_US_STREETS)} {rng.choice(_US_SUFFIXES)}"
    birth = _birth_date(rng, as_of, 1900)
    mailbox = name.lower().replace(" ", ".").replace("'", "")
    return Borrower(
        platform=platform,
        borrower_id=borrower_id,
        name=name,
        phones=(us_phone(rng, place.area_code),),
        address=f"{street}, {place.city}, {state} {place.zip_code}",
        time_zone=place.time_zone,
        locale="en-US",
        email=f"{mailbox}.{borrower_id.lower()}@example.com",
        attributes={"birth_date": birth.isoformat(), "state": state},
    )
