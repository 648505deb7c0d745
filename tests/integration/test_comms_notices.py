"""Policy-change notices go to exactly the accounts the impact preview lists, in each
borrower's language, previewable before activation and queued once after it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict, ValidationError
from tideover.services.comms.notices import policy_notices
from tideover.services.comms.outbox import list_outbox
from tideover.services.demo.story import load_demo_platform
from tideover.services.policy import versions as policies
from tideover.services.policy.assignment import impact_on_platform

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "src" / "tideover" / "policy" / "examples"
PLATFORM = "demo-cn"
AS_OF = date(2026, 11, 30)
CLOCK = FixedClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
REASON = {"zh-CN": "为更早地提供帮助", "en": "To offer help earlier"}


@pytest.fixture
def demo_cn(uow_factory: UowFactory) -> UowFactory:
    frame = pd.read_csv(ROOT / "tests" / "data" / "lendingclub_sample.csv")
    load_demo_platform(
        uow=uow_factory(), preset=DEMO_PLATFORMS[PLATFORM], load_source=lambda: frame, as_of=AS_OF
    )
    return uow_factory


def _submit(uow: UowFactory, name: str) -> int:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    done = policies.submit_policy(uow=uow(), platform=PLATFORM, text=text, by="alice")
    policies.approve_policy_version(uow=uow(), platform=PLATFORM, version=done.version, by="bob")
    return done.version


@pytest.mark.slow
def test_notices_go_to_exactly_the_impact_previews_accounts(
    demo_cn: UowFactory, tmp_path: Path
) -> None:
    first = _submit(demo_cn, "supportive.yaml")
    policies.activate_policy_version(
        uow=demo_cn(), platform=PLATFORM, version=first, by="bob", effective=AS_OF
    )
    second = _submit(demo_cn, "aggressive.yaml")
    # The preview of the impact, as the review shows it, with the changed accounts' ids.
    changed = tmp_path / "changed.parquet"
    impact_on_platform(
        uow=demo_cn(), platform=PLATFORM, new=EXAMPLES / "aggressive.yaml", as_of=AS_OF, out=changed
    )
    listed = {r["account_id"] for r in pq.read_table(changed).to_pylist()}
    assert listed

    preview = policy_notices(
        uow=demo_cn(),
        platform=PLATFORM,
        version=second,
        as_of=AS_OF,
        effective_from=date(2026, 12, 15),
        reason=REASON,
        clock=CLOCK,
        preview_lines=10_000,
    )
    assert {n.account_id for n in preview.notices} == listed  # set equality
    assert preview.accounts == len(listed)
    assert preview.queued == 0
    assert list_outbox(uow=demo_cn(), platform=PLATFORM).total == 0  # a preview writes nothing
    line = preview.notices[0]
    if line.language == "zh-CN":
        assert "2026年12月15日" in line.body
        assert "为更早地提供帮助" in line.body
    else:
        assert "December 15, 2026" in line.body
        assert "To offer help earlier" in line.body
    with pytest.raises(Conflict):  # not active yet: nothing may be sent
        policy_notices(
            uow=demo_cn(),
            platform=PLATFORM,
            version=second,
            as_of=AS_OF,
            effective_from=date(2026, 12, 15),
            reason=REASON,
            queue=True,
            by="bob",
        )

    policies.activate_policy_version(
        uow=demo_cn(), platform=PLATFORM, version=second, by="bob", effective=AS_OF
    )
    sent = policy_notices(
        uow=demo_cn(),
        platform=PLATFORM,
        version=second,
        as_of=AS_OF,
        effective_from=date(2026, 12, 15),
        reason=REASON,
        queue=True,
        by="bob",
        clock=CLOCK,
    )
    assert sent.queued == len(listed)
    again = policy_notices(
        uow=demo_cn(),
        platform=PLATFORM,
        version=second,
        as_of=AS_OF,
        effective_from=date(2026, 12, 15),
        reason=REASON,
        queue=True,
        by="bob",
        clock=CLOCK,
    )
    assert again.queued == 0  # once per account and version
    outbox = list_outbox(uow=demo_cn(), platform=PLATFORM, limit=1000)
    assert {i.account_id for i in outbox.items if i.step == f"notice:policy:v{second}"} == listed


def test_a_reason_is_needed_in_both_languages(uow_factory: UowFactory) -> None:
    with pytest.raises(ValidationError):
        policy_notices(
            uow=uow_factory(),
            platform="x",
            version=1,
            as_of=AS_OF,
            effective_from=AS_OF,
            reason={"en": "why"},
        )
