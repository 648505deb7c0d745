"""Contact data checks: Chinese resident ID numbers, phone numbers, time zones.

The checks lean on maintained libraries rather than home-made rules:
python-stdnum for the resident ID (居民身份证, GB 11643-1999) and Google's
libphonenumber port for phone numbers and the zones a number may be in.
"""

from __future__ import annotations

import importlib.resources
import zoneinfo
from datetime import date
from functools import lru_cache
from pathlib import Path

import phonenumbers
from phonenumbers import timezone as phone_zones
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from tideover.domain.borrowers import PhoneNumber
from tideover.domain.errors import ValidationError
from tideover.i18n import N_, Wording

UNKNOWN_ZONE = "Etc/Unknown"  # libphonenumber's answer when a prefix has no zone


def validate_resident_id(value: str, *, as_of: date | None = None, region: bool = True) -> str:
    """The compact upper-case form of an 18-digit resident ID, or a ValidationError.

    Checks, in order (GB 11643-1999): length, digits, the ISO 7064 MOD 11-2
    check character, the birth date, the region code (unless ``region`` is
    False: see :func:`resident_id_region_known`); and, given ``as_of``, that
    the birth date is not after it.
    """
    # Spaces and hyphens are how people group the digits, not part of the number.
    number = "".join(value.split()).replace("-", "").upper()
    shown = value.strip()
    if len(number) != 18:
        raise _id_error(
            shown,
            Wording(N_("must have 18 characters, has %(count)s"), count=len(number)),
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise _id_error(shown, Wording(N_("must be 17 digits then a digit or X")))
    if number[-1] != ric.calc_check_digit(number):
        raise _id_error(shown, Wording(N_("check character does not match")))
    try:
        born = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise _id_error(
            shown, Wording(N_("birth date %(number)s does not exist"), number=number[6:14])
        ) from None
    if as_of is not None and born > as_of:
        raise _id_error(
            shown,
            Wording(
                N_("birth date %(born)s is after %(as_of)s"),
                born=born.isoformat(),
                as_of=as_of.isoformat(),
            ),
        )
    if region and not resident_id_region_known(number):
        raise _id_error(
            shown,
            Wording(N_("region code %(number)s is unknown for that birth year"), number=number[:6]),
        )
    return number


def resident_id_region_known(number: str) -> bool:
    """Whether the region code of a well-formed ID is in the validation library's table
    for the birth year.

    The table is incomplete (codes were created, merged and renumbered every year, and
    an ID keeps the code of where it was issued), so an unknown code is a doubt about
    the number, not proof that it is wrong; the check character is the proof.
    """
    try:
        ric.get_birth_place(number)
    except stdnum_errors.ValidationError:
        return False
    return True


def _id_error(value: str, why: Wording) -> ValidationError:
    return ValidationError(
        N_("resident ID %(value)s is invalid: %(why)s"), value=repr(value), why=why
    )


def parse_phone(value: str, default_region: str = "CN") -> PhoneNumber:
    """A valid phone number in E.164 with its region and candidate IANA zones.

    Numbers without a leading ``+`` are read as national numbers of
    ``default_region``.  The zones come from libphonenumber's prefix data;
    when it knows none (e.g. some mobile ranges) every zone of the region is
    a candidate, because a contact must then be allowed in all of them.
    """
    text = value.strip()
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise _phone_error(text, Wording(N_("it cannot be read as a phone number"))) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise _phone_error(
            text,
            Wording(
                N_("it is not a valid number (default region %(default_region)s)"),
                default_region=default_region,
            ),
        )
    region = phonenumbers.region_code_for_number(parsed) or default_region
    zones = tuple(z for z in phone_zones.time_zones_for_number(parsed) if z != UNKNOWN_ZONE)
    if not zones:
        zones = time_zones_for_region(region)
    return PhoneNumber(
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        region=region,
        time_zones=zones,
    )


def _phone_error(value: str, why: Wording) -> ValidationError:
    return ValidationError(
        N_("phone number %(value)s is invalid: %(why)s"), value=repr(value), why=why
    )


def check_time_zone(name: str) -> str:
    """``name`` if it is an IANA zone known to this system, else a ValidationError."""
    text = name.strip()
    valid = bool(text) and text in _available_zones()
    if not valid:
        raise ValidationError(
            N_("unknown time zone %(name)s (expected an IANA name such as Asia/Shanghai)"),
            name=repr(name),
        )
    return text


@lru_cache(maxsize=1)
def _available_zones() -> frozenset[str]:
    # available_timezones() rather than ZoneInfo(name): ZoneInfo also opens
    # files by relative path and accepts names such as "posixrules".
    return frozenset(zoneinfo.available_timezones())


def time_zones_for_region(region: str) -> tuple[str, ...]:
    """The IANA zones of ISO 3166 region ``region`` (from the tz database's zone.tab)."""
    return _zones_by_region().get(region.upper(), ())


@lru_cache(maxsize=1)
def _zones_by_region() -> dict[str, tuple[str, ...]]:
    text = _read_zone_tab()
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            table.setdefault(fields[0], []).append(fields[2])
    return {region: tuple(sorted(zones)) for region, zones in table.items()}


def _read_zone_tab() -> str:
    # The same sources zoneinfo uses: the system tz database first, then the
    # tzdata package.
    for directory in zoneinfo.TZPATH:
        candidate = Path(directory) / "zone.tab"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    try:
        resource = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab")
        return resource.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - no tz database
        return ""
