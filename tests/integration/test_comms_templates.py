"""Template versions: drafted, refused at approval with the finding, approved by someone
else, activated; the active version is what the worker sends."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.comms_support import NOON, UowFactory, platform, queue

from tideover.adapters.channels.outbound import SinkOutbound
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict, ValidationError
from tideover.services.comms.channels import Channels
from tideover.services.comms.outbox import list_outbox
from tideover.services.comms.templates import (
    TemplateRefused,
    activate_template,
    approve_template,
    draft_template,
    list_templates,
    preview_template,
    reject_template,
)
from tideover.services.comms.worker import run_outbox

GOOD = {
    "name": "reminder_sms",
    "purpose": "reminder",
    "channel": "sms",
    "body": {
        "zh-CN": "【{{ platform_name }}】{{ borrower_name }}，您有{{ overdue_amount }}待还。"
        "回复TD退订",
        "en": "{{ platform_name }}: {{ borrower_name }}, {{ overdue_amount }} is due. "
        "Reply STOP to opt out.",
    },
}


def test_four_eyes_and_activation(uow_factory: UowFactory, tmp_path: Path) -> None:
    platform(uow_factory)
    drafted = draft_template(uow=uow_factory(), platform="acme", template=GOOD, by="alice")
    assert (drafted.info.version, drafted.info.status, drafted.findings) == (1, "draft", [])
    with pytest.raises(Conflict) as own:
        approve_template(
            uow=uow_factory(), platform="acme", name="reminder_sms", version=1, by="alice"
        )
    assert "四眼" in (own.value.zh or "")
    approved = approve_template(
        uow=uow_factory(), platform="acme", name="reminder_sms", version=1, by="bob"
    )
    assert approved.status == "approved"
    assert approved.approver == "bob"
    activate_template(uow=uow_factory(), platform="acme", name="reminder_sms", version=1, by="bob")
    queue(uow_factory, "acme", [("B0", "sms", "reminder_sms")])
    run_outbox(
        uow_factory=uow_factory,
        platform="acme",
        channels=Channels({"sms": SinkOutbound(tmp_path, "sms")}),
        clock=FixedClock(NOON),
    )
    sent = list_outbox(uow=uow_factory(), platform="acme").items[0]
    assert sent.state == "sent"
    assert sent.template_version == "1"
    text = (tmp_path / "sink" / "sms.jsonl").read_text()
    assert "您有¥1,234.56待还" in text
    second = draft_template(uow=uow_factory(), platform="acme", template=GOOD, by="carol")
    approve_template(
        uow=uow_factory(),
        platform="acme",
        name="reminder_sms",
        version=second.info.version,
        by="bob",
    )
    activate_template(uow=uow_factory(), platform="acme", name="reminder_sms", version=2, by="bob")
    states = {
        v.version: v.status for v in list_templates(uow=uow_factory(), platform="acme").versions
    }
    assert states == {1: "retired", 2: "active"}
    with uow_factory() as uow:
        kinds = [r.kind for r in uow.audit("acme").records() if r.kind.startswith("template_")]
    assert kinds.count("template_activate") == 2
    assert "template_retire" in kinds


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"body": {"zh-CN": "{{ salary }}", "en": "x"}}, "unknown_variable"),
        ({"body": {"zh-CN": "{% if %}", "en": "x"}}, "template_invalid"),
        ({"body": {"zh-CN": "您好", "en": ""}}, "missing_translation"),
        ({"body": {"zh-CN": "您好" * 150, "en": "Hi"}}, "too_long"),
        ({"body": {"zh-CN": "再不还钱就通知你单位和家人", "en": "Hi"}}, "message_check"),
    ],
)
def test_refused_at_approval_with_the_finding(
    uow_factory: UowFactory, change: dict[str, object], code: str
) -> None:
    platform(uow_factory)
    draft_template(uow=uow_factory(), platform="acme", template={**GOOD, **change}, by="alice")
    with pytest.raises(TemplateRefused) as refused:
        approve_template(
            uow=uow_factory(), platform="acme", name="reminder_sms", version=1, by="bob"
        )
    assert f"[{code}," in refused.value.en
    assert f"[{code}，" in (refused.value.zh or "")
    reject_template(
        uow=uow_factory(),
        platform="acme",
        name="reminder_sms",
        version=1,
        by="bob",
        reason="see findings",
    )


def test_bad_input_is_refused_before_storing(uow_factory: UowFactory) -> None:
    platform(uow_factory)
    for bad in (
        {**GOOD, "name": "Bad Name"},
        {**GOOD, "purpose": "threat"},
        {**GOOD, "body": {"fr": "bonjour"}},
        {**GOOD, "body": {"en": "a\x00b"}},
    ):
        with pytest.raises(ValidationError):
            draft_template(uow=uow_factory(), platform="acme", template=bad, by="alice")
    with pytest.raises(ValidationError):  # a collector may not write templates
        draft_template(uow=uow_factory(), platform="acme", template=GOOD, by="nobody-here")


def test_preview_of_the_shipped_template(uow_factory: UowFactory) -> None:
    platform(uow_factory)
    shown = preview_template(
        uow=uow_factory(), platform="acme", name="overdue_notice_email", version=None, language="en"
    )
    assert shown.version.startswith("builtin-")
    assert "CN¥1,234.56" in shown.body
