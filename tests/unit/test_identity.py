"""Names of people who act: compared through one key, refused when they could deceive."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.domain.errors import ValidationError
from tideover.domain.identity import Role, check_username, name_key, parse_roles, same_person


@pytest.mark.parametrize(
    "other", ["Ops1", "OPS1", "ｏｐｓ１", "ops\u200b1", "o\u202eps1", " ops1 "]
)
def test_spellings_of_one_name_have_one_key(other: str) -> None:
    assert same_person("ops1", other)


def test_different_names_stay_different() -> None:
    assert not same_person("ops1", "ops2")
    assert not same_person("王伟", "王玮")


@given(st.text())
def test_the_key_is_stable(text: str) -> None:
    assert name_key(name_key(text)) == name_key(text)


@pytest.mark.parametrize("name", ["ops\u200b1", "ｏｐｓ１", "a b", "-lead", "x\x00", "", "a" * 65])
def test_deceptive_or_malformed_user_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError):
        check_username(name)


@pytest.mark.parametrize("name", ["ops1", "li.wei", "王伟", "ana-maria@acme"])
def test_plain_user_names_pass(name: str) -> None:
    assert check_username(name) == name


def test_roles_are_known_and_kept_once() -> None:
    assert parse_roles(["collector", "COLLECTOR", "auditor"]) == (Role.COLLECTOR, Role.AUDITOR)
    with pytest.raises(ValidationError):
        parse_roles(["root"])
    with pytest.raises(ValidationError):
        parse_roles([])
