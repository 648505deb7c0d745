"""The policy workflow's handlers on the in-memory unit of work: no database.

The same handlers run on SQLite and PostgreSQL in
``tests/integration/test_policy_versions.py``; here each rule of the workflow
is checked in isolation, quickly, including what a failure leaves behind.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from tests.fakes import InMemoryUnitOfWork

from tideover.compliance.audit import verify
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.domain.identity import Role
from tideover.domain.platforms import PlatformSettings
from tideover.policy.problems import PolicyRejected
from tideover.services.policy import versions as service
from tideover.services.policy.versions import PolicyLintBlocked

EXAMPLES = Path(service.__file__).parents[2] / "policy" / "examples"
SUPPORTIVE = (EXAMPLES / "supportive.yaml").read_text(encoding="utf-8")
AGGRESSIVE = (EXAMPLES / "aggressive.yaml").read_text(encoding="utf-8")
PLATFORM = "acme-cn"
# 17:30 UTC on 1 June is 2 June in Shanghai: the platform's business date.
CLOCK = FixedClock(datetime(2026, 6, 1, 17, 30, tzinfo=UTC))


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    unit = InMemoryUnitOfWork()
    with unit:
        unit.platforms.ensure(
            PLATFORM,
            name="Acme",
            currency="CNY",
            settings=PlatformSettings(time_zone="Asia/Shanghai").to_dict(),
        )
        for name in ("alice", "bob"):  # strategy managers: write, approve, activate
            unit.users(PLATFORM).add(
                username=name,
                display_name=name,
                roles=(Role.STRATEGY_MANAGER,),
                created_by="setup",
            )
        unit.users(PLATFORM).add(
            username="carol", display_name="carol", roles=(Role.COLLECTOR,), created_by="setup"
        )
        unit.commit()
    return unit


def _submitted(uow: InMemoryUnitOfWork, text: str = SUPPORTIVE) -> int:
    return service.submit_policy(
        uow=uow, platform=PLATFORM, text=text, by="alice", clock=CLOCK
    ).version


def test_a_version_goes_from_review_to_active_through_a_second_person(
    uow: InMemoryUnitOfWork,
) -> None:
    number = _submitted(uow)
    approved = service.approve_policy_version(
        uow=uow, platform=PLATFORM, version=number, by="bob", clock=CLOCK
    )
    assert (approved.status, approved.approver) == ("approved", "bob")
    active = service.activate_policy_version(
        uow=uow, platform=PLATFORM, version=number, by="bob", clock=CLOCK
    )
    assert active.status == "active"
    assert active.effective_from == date(2026, 6, 2)  # the platform's date, not UTC's
    assert [e.action for e in active.events] == ["activate"]
    listed = service.list_policy_versions(uow=uow, platform=PLATFORM)
    assert listed.active == number
    assert [e.action for e in listed.versions[0].events] == [
        "draft",
        "submit",
        "approve",
        "activate",
    ]


def test_the_author_cannot_approve_their_own_version(uow: InMemoryUnitOfWork) -> None:
    number = _submitted(uow)
    with pytest.raises(Conflict):
        service.approve_policy_version(
            uow=uow, platform=PLATFORM, version=number, by="alice", clock=CLOCK
        )
    assert service.show_policy_version(uow=uow, platform=PLATFORM, version=number).status == (
        "in_review"
    )


def test_a_refused_step_leaves_storage_as_it_was(uow: InMemoryUnitOfWork) -> None:
    number = _submitted(uow)
    with uow:
        before = (len(uow.audit(PLATFORM).records()), len(uow.policies(PLATFORM).events()))
    with pytest.raises(Conflict):
        service.approve_policy_version(
            uow=uow, platform=PLATFORM, version=number, by="alice", clock=CLOCK
        )
    with uow:
        after = (len(uow.audit(PLATFORM).records()), len(uow.policies(PLATFORM).events()))
    assert after == before


def test_an_invalid_document_is_never_stored(uow: InMemoryUnitOfWork) -> None:
    with pytest.raises(PolicyRejected):
        service.submit_policy(
            uow=uow, platform=PLATFORM, text="policy: [unclosed", by="alice", clock=CLOCK
        )
    assert service.list_policy_versions(uow=uow, platform=PLATFORM).versions == []
    assert uow.commits == 1  # the platform's set-up only


def test_blocking_lint_findings_refuse_approval(uow: InMemoryUnitOfWork) -> None:
    # Daily calls from day 1 break the US 7-calls-in-7-days cap (Regulation F).
    us_aggressive = AGGRESSIVE.replace("jurisdiction: CN", "jurisdiction: US").replace(
        "rule_packs: [cn]", "rule_packs: [us]"
    )
    with uow:
        uow.platforms.ensure("acme-us", name="Acme US", currency="USD", settings={})
        for name in ("alice", "bob"):
            uow.users("acme-us").add(
                username=name, display_name=name, roles=(Role.STRATEGY_MANAGER,), created_by="s"
            )
        uow.commit()
    number = service.submit_policy(
        uow=uow, platform="acme-us", text=us_aggressive, by="alice", clock=CLOCK
    ).version
    with pytest.raises(PolicyLintBlocked):
        service.approve_policy_version(
            uow=uow, platform="acme-us", version=number, by="bob", clock=CLOCK
        )
    with pytest.raises(ValidationError, match="written for US"):  # not on a CN platform
        service.submit_policy(
            uow=uow, platform=PLATFORM, text=us_aggressive, by="alice", clock=CLOCK
        )


def test_every_step_is_in_a_verifiable_audit_trail(uow: InMemoryUnitOfWork) -> None:
    number = _submitted(uow)
    service.approve_policy_version(
        uow=uow, platform=PLATFORM, version=number, by="bob", clock=CLOCK
    )
    service.activate_policy_version(
        uow=uow, platform=PLATFORM, version=number, by="bob", clock=CLOCK
    )
    with uow:
        records = uow.audit(PLATFORM).records()
    assert [r.kind for r in records] == [
        "policy_draft",
        "policy_submit",
        "policy_lint",
        "policy_approve",
        "policy_activate",
    ]
    assert verify(records).ok


def test_rollback_restores_the_previous_active_version(uow: InMemoryUnitOfWork) -> None:
    first = _submitted(uow)
    service.approve_policy_version(uow=uow, platform=PLATFORM, version=first, by="bob", clock=CLOCK)
    service.activate_policy_version(
        uow=uow, platform=PLATFORM, version=first, by="bob", clock=CLOCK
    )
    second = _submitted(uow)
    service.approve_policy_version(
        uow=uow, platform=PLATFORM, version=second, by="bob", clock=CLOCK
    )
    service.activate_policy_version(
        uow=uow, platform=PLATFORM, version=second, by="bob", clock=CLOCK
    )
    rolled = service.rollback_policy(uow=uow, platform=PLATFORM, by="bob", clock=CLOCK)
    assert (rolled.version, rolled.status) == (first, "active")
    assert service.list_policy_versions(uow=uow, platform=PLATFORM).active == first


def test_nothing_active_is_not_found(uow: InMemoryUnitOfWork) -> None:
    with pytest.raises(NotFound):
        service.active_policy(uow=uow, platform=PLATFORM, as_of=date(2026, 6, 2))


@pytest.mark.parametrize("spelling", ["Alice", "ALICE", "ａｌｉｃｅ", "ali\u200bce"])
def test_the_author_cannot_approve_under_another_spelling(
    uow: InMemoryUnitOfWork, spelling: str
) -> None:
    number = _submitted(uow)
    with pytest.raises(Conflict):
        service.approve_policy_version(
            uow=uow, platform=PLATFORM, version=number, by=spelling, clock=CLOCK
        )


def test_only_a_stored_user_with_the_permission_acts(uow: InMemoryUnitOfWork) -> None:
    with pytest.raises(ValidationError, match="no active user"):
        service.submit_policy(
            uow=uow, platform=PLATFORM, text=SUPPORTIVE, by="mallory", clock=CLOCK
        )
    with pytest.raises(ValidationError, match="policy:write"):  # a collector writes no policy
        service.submit_policy(uow=uow, platform=PLATFORM, text=SUPPORTIVE, by="carol", clock=CLOCK)
