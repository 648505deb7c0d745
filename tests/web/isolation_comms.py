"""Isolation cases of the communications area (see ``tests/web/isolation.py``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.web.conftest import CLOCK
from tests.web.isolation import Case
from tideover.bootstrap import App
from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.services.comms.templates import draft_template
from tideover.services.policy.versions import submit_policy

SECRET = "只给甲平台看的提醒"
TEMPLATE = {
    "name": "secret_reminder",
    "purpose": "reminder",
    "channel": "sms",
    "body": {"zh-CN": SECRET + "。回复TD退订", "en": "Acme only. Reply STOP to opt out."},
}
SUPPORTIVE = (
    Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
).read_text(encoding="utf-8")


def _template(core: App) -> tuple[dict[str, str], str]:
    done = draft_template(
        uow=core.uow(), platform="acme", template=TEMPLATE, by="manager", clock=CLOCK
    )
    return {"name": done.info.name, "version": str(done.info.version)}, SECRET


def _message(core: App) -> tuple[dict[str, str], str]:
    with core.uow() as uow:
        uow.borrowers("acme").add_many(
            [
                Borrower(
                    platform="acme",
                    borrower_id="ISO-B",
                    name="甲",
                    phones=(PhoneNumber("+8613800000999", "CN", ("Asia/Shanghai",)),),
                    time_zone="Asia/Shanghai",
                )
            ]
        )
        uow.comms("acme").add_messages(
            date(2026, 6, 1),
            [
                {
                    "account_id": "ISO-L-0001",
                    "borrower_id": "ISO-B",
                    "step": "t#0",
                    "channel": "sms",
                    "template": "secret_reminder",
                    "tone": "neutral",
                    "segment": "s",
                    "arm": "a",
                    "treatment": "t",
                    "scheduled_at": CLOCK.now(),
                    "state": "pending",
                    "rescheduled": False,
                    "rule_ids": [],
                    "run_id": 0,
                }
            ],
            [{}],
        )
        uow.commit()
        found, _ = uow.comms("acme").page(account_id="ISO-L-0001")
    return {"message_id": str(found[0].message_id)}, "ISO-L-0001"


def _policy(core: App) -> tuple[dict[str, str], str]:
    done = submit_policy(
        uow=core.uow(), platform="acme", text=SUPPORTIVE, by="manager", clock=CLOCK
    )
    return {"version": str(done.version)}, done.sha256


NOTICE = {
    "as_of": "2026-06-01",
    "effective_from": "2026-06-15",
    "reason_zh": "原因",
    "reason_en": "why",
}

CASES: dict[str, Case] = {
    "/api/v1/comms/templates/{name}/versions/{version}": Case(_template),
    "/api/v1/comms/templates/{name}/versions/{version}/preview": Case(_template),
    "/api/v1/comms/templates/{name}/versions/{version}/approve": Case(_template),
    "/api/v1/comms/templates/{name}/versions/{version}/reject": Case(
        _template, body={"reason": "no"}
    ),
    "/api/v1/comms/templates/{name}/versions/{version}/activate": Case(_template),
    "/api/v1/comms/outbox/{message_id}": Case(_message),
    "/api/v1/comms/outbox/{message_id}/receipt": Case(_message, body={"status": "delivered"}),
    "/api/v1/comms/notices/{version}/preview": Case(_policy, body=NOTICE),
    "/api/v1/comms/notices/{version}/send": Case(_policy, body=NOTICE),
    "/comms/templates/{name}/{version}": Case(_template),
    "/comms/templates/{name}/{version}/approve": Case(_template, body={"etag": '"x"'}),
    "/comms/templates/{name}/{version}/reject": Case(
        _template, body={"etag": '"x"', "reason": "no"}
    ),
    "/comms/templates/{name}/{version}/activate": Case(_template, body={"etag": '"x"'}),
}
