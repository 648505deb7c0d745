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
            f"must have 18 characters, has {len(number)}",
            f"应为 18 位，实际为 {len(number)} 位",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise _id_error(
            shown, "must be 17 digits then a digit or X", "应为 17 位数字加一位数字或 X"
        )
    if number[-1] != ric.calc_check_digit(number):
        raise _id_error(shown, "check character does not match", "校验码不正确")
    try:
        born = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise _id_error(
            shown, f"birth date {number[6:14]} does not exist", f"出生日期 {number[6:14]} 不存在"
        ) from None
    if as_of is not None and born > as_of:
        raise _id_error(
            shown,
            f"birth date {born.isoformat()} is after {as_of.isoformat()}",
            f"出生日期 {born.isoformat()} 晚于 {as_of.isoformat()}",
        )
    if region and not resident_id_region_known(number):
        raise _id_error(
            shown,
            f"region code {number[:6]} is unknown for that birth year",
            f"地区码 {number[:6]} 在该出生年份无效",
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


def _id_error(value: str, why_en: str, why_zh: str) -> ValidationError:
    return ValidationError(
        f"resident ID {value!r} is invalid: {why_en}",
        f"居民身份证号 {value!r} 无效：{why_zh}",
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
        raise _phone_error(
            text, "it cannot be read as a phone number", "无法识别为电话号码"
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise _phone_error(
            text,
            f"it is not a valid number (default region {default_region})",
            f"不是有效号码（默认地区 {default_region}）",
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


def _phone_error(value: str, why_en: str, why_zh: str) -> ValidationError:
    return ValidationError(
        f"phone number {value!r} is invalid: {why_en}",
        f"电话号码 {value!r} 无效：{why_zh}",
    )


def check_time_zone(name: str) -> str:
    """``name`` if it is an IANA zone known to this system, else a ValidationError."""
    text = name.strip()
    valid = bool(text) and text in _available_zones()
    if not valid:
        raise ValidationError(
            f"unknown time zone {name!r} (expected an IANA name such as Asia/Shanghai)",
            f"未知时区 {name!r}（应为 IANA 名称，例如 Asia/Shanghai）",
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
