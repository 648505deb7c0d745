"""The console's pages: one router per role's area, all rendered on the server."""

from __future__ import annotations

from fastapi import APIRouter

from tideover.web.routing import sections
from tideover.web.ui import (
    admin,
    audit,
    auth,
    comms,
    compliance,
    experiments,
    kpi,
    policy,
    portal,
    queue,
    team,
)

# Every area's router, in the order they are matched (the isolation suite walks these).
FEATURES: tuple[APIRouter, ...] = (auth.router, policy.router)
FEATURES += (portal.router,)
FEATURES += (queue.router,)
FEATURES += (compliance.router, audit.router, team.router, admin.router)
FEATURES += (experiments.router,)
FEATURES += (kpi.router,)
FEATURES += (comms.router,)

router = sections(FEATURES, include_in_schema=False)
