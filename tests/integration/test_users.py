"""Users of a platform on real databases: one name is one person however it is spelled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.errors import Conflict, ValidationError
from tideover.domain.identity import Role
from tideover.services.identity.users import add_user, change_user, list_users, resolve_actor

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
pytestmark = pytest.mark.own_users
AT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def uow(uow_factory: UowFactory) -> UowFactory:
    with uow_factory() as unit:
        for code in ("acme", "other"):
            unit.platforms.ensure(code, name=code, currency="CNY", settings={})
        unit.commit()
    add_user(uow=uow_factory(), platform="acme", username="admin", roles=["platform_admin"], at=AT)
    return uow_factory


@pytest.mark.parametrize("spelling", ["Ops1", "OPS1", "ｏｐｓ１", "ops\u200b1", "ops\u202e1"])
def test_every_spelling_of_a_name_is_the_same_user(uow: UowFactory, spelling: str) -> None:
    ops = add_user(
        uow=uow(), platform="acme", username="ops1", roles=["strategy_manager"], by="admin", at=AT
    )
    with uow() as unit:
        assert resolve_actor(unit, "acme", spelling).user_id == ops.user_id


@pytest.mark.parametrize("spelling", ["OPS1", "ops\u200b1", "ｏｐｓ１"])
def test_a_name_confusable_with_a_user_is_never_a_second_user(
    uow: UowFactory, spelling: str
) -> None:
    add_user(uow=uow(), platform="acme", username="ops1", roles=["collector"], by="admin", at=AT)
    with pytest.raises((Conflict, ValidationError)):
        add_user(
            uow=uow(), platform="acme", username=spelling, roles=["collector"], by="admin", at=AT
        )


def test_only_the_first_user_is_added_without_an_administrator(uow: UowFactory) -> None:
    with pytest.raises(ValidationError):
        add_user(uow=uow(), platform="acme", username="bob", roles=["collector"], at=AT)
    add_user(uow=uow(), platform="acme", username="bob", roles=["collector"], by="admin", at=AT)
    with pytest.raises(ValidationError):  # a collector adds nobody
        add_user(uow=uow(), platform="acme", username="eve", roles=["auditor"], by="bob", at=AT)


def test_users_belong_to_one_platform(uow: UowFactory) -> None:
    with uow() as unit, pytest.raises(ValidationError):
        resolve_actor(unit, "other", "admin")
    assert list_users(uow=uow(), platform="other").users == []


def test_a_deactivated_user_can_no_longer_act(uow: UowFactory) -> None:
    add_user(uow=uow(), platform="acme", username="bob", roles=["collector"], by="admin", at=AT)
    changed = change_user(
        uow=uow(), platform="acme", username="BOB", by="admin", active=False, at=AT
    )
    assert not changed.active
    with uow() as unit, pytest.raises(ValidationError):
        resolve_actor(unit, "acme", "bob")
    with pytest.raises(Conflict):  # nobody removes their own power
        change_user(uow=uow(), platform="acme", username="admin", by="admin", active=False, at=AT)


def test_roles_are_checked(uow: UowFactory) -> None:
    add_user(uow=uow(), platform="acme", username="carol", roles=["auditor"], by="admin", at=AT)
    with uow() as unit:
        with pytest.raises(ValidationError):
            resolve_actor(unit, "acme", "carol", roles=(Role.COMPLIANCE_OFFICER,))
        assert resolve_actor(unit, "acme", "carol", roles=(Role.AUDITOR,)).username == "carol"
    with uow() as unit:
        kinds = [r.kind for r in unit.audit("acme").records()]
    assert kinds == ["user_added", "user_added"]
