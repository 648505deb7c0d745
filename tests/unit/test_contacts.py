"""Resident ID, phone number and time zone checks."""

from __future__ import annotations

from datetime import date

import pytest

from tideover.domain.contacts import (
    check_time_zone,
    parse_phone,
    time_zones_for_region,
    validate_resident_id,
)
from tideover.domain.errors import ValidationError

# 11010519491231002X is the worked example of GB 11643-1999 (check character X).
VALID_IDS = ["11010519491231002X", "310104198503120048", "44030619920708123X"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_resident_ids_come_back_compact(number: str) -> None:
    assert validate_resident_id(number) == number


def test_resident_id_is_compacted_and_upper_cased() -> None:
    assert validate_resident_id(" 110105 19491231 002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "en", "zh"),
    [
        ("11010519491231002", "18 characters, has 17", "应为 18 位"),
        ("1101051949123100XX", "17 digits then a digit or X", "17 位数字"),
        ("110105194912310029", "check character", "校验码"),
        ("110105198002300015", "birth date 19800230 does not exist", "出生日期"),
        ("999999198001010011", "region code 999999", "地区码"),
    ],
)
def test_invalid_resident_ids_say_why_in_both_languages(number: str, en: str, zh: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_resident_id(number)
    assert en in caught.value.en
    assert zh in caught.value.zh
    assert number in caught.value.en


def test_birth_date_after_the_business_date_is_refused() -> None:
    born_2027 = "110105202701010016"  # valid check character, born 2027-01-01
    assert validate_resident_id(born_2027) == born_2027
    with pytest.raises(ValidationError, match="after 2026-03-01"):
        validate_resident_id(born_2027, as_of=date(2026, 3, 1))
    assert validate_resident_id(born_2027, as_of=date(2027, 1, 1)) == born_2027


def test_chinese_mobile_without_prefix_reads_as_cn() -> None:
    phone = parse_phone("138 0013 8000")
    assert phone.e164 == "+8613800138000"
    assert phone.region == "CN"
    assert phone.time_zones == ("Asia/Shanghai",)


def test_us_number_with_one_zone() -> None:
    phone = parse_phone("+1 (212) 555-0100")
    assert (phone.e164, phone.region, phone.time_zones) == (
        "+12125550100",
        "US",
        ("America/New_York",),
    )


def test_toll_free_us_number_keeps_every_candidate_zone() -> None:
    phone = parse_phone("+1 800 555 0100")
    assert phone.region == "US"
    assert len(phone.time_zones) > 3
    assert {"America/New_York", "America/Los_Angeles", "Pacific/Honolulu"} <= set(phone.time_zones)
    assert "Etc/Unknown" not in phone.time_zones


def test_default_region_applies_to_national_numbers() -> None:
    assert parse_phone("(650) 253-0000", default_region="US").e164 == "+16502530000"


@pytest.mark.parametrize("text", ["12345", "not-a-phone", "+86 138 0013 800", ""])
def test_invalid_phone_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_phone(text)
    assert "phone number" in caught.value.en
    assert "电话号码" in caught.value.zh


def test_region_zones_come_from_the_tz_database() -> None:
    assert time_zones_for_region("cn") == ("Asia/Shanghai", "Asia/Urumqi")
    assert "America/Chicago" in time_zones_for_region("US")
    assert time_zones_for_region("XX") == ()


@pytest.mark.parametrize("name", ["Asia/Shanghai", "America/New_York", "UTC"])
def test_known_time_zones_pass(name: str) -> None:
    assert check_time_zone(name) == name


@pytest.mark.parametrize("name", ["Asia/Beijing", "", "../etc/passwd", "posixrules", "CST"])
def test_unknown_time_zones_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        check_time_zone(name)
