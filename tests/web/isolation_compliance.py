"""Isolation cases of the compliance area (see ``tests/web/isolation.py``)."""

from __future__ import annotations

from tests.web.conftest import CLOCK
from tests.web.isolation import Case
from tideover.bootstrap import App
from tideover.compliance.contacts import HoldKind
from tideover.services.compliance.holds import add_hold

REASON = "isolation-hold-reason"


def _hold(core: App) -> tuple[dict[str, str], str]:
    hold = add_hold(
        uow=core.uow(),
        platform="acme",
        borrower_id="B0001",
        kind=HoldKind.CEASE_CONTACT,
        reason=REASON,
        by="cco",
        clock=CLOCK,
    )
    return {"hold_id": hold.hold_id}, REASON


CASES: dict[str, Case] = {
    "/api/v1/compliance/holds/{hold_id}/lift": Case(_hold, body={"reason": "no"}),
    "/compliance/holds/{hold_id}/lift": Case(_hold, body={"reason": "no"}),
}
