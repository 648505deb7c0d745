"""The REST API under ``/api/v1``: one router per feature, thin endpoints over the handlers."""

from __future__ import annotations

from fastapi import APIRouter

from tideover.web.api import (
    admin,
    audit,
    borrowers,
    comms,
    compliance,
    experiments,
    kpi,
    policy,
    portal,
    queue,
    session,
    team,
)
from tideover.web.routing import API_PREFIX, sections

# Every feature's router, in the order they are matched (the isolation suite walks these).
FEATURES: tuple[APIRouter, ...] = (session.router, policy.router)
FEATURES += (compliance.router, audit.router, team.router, admin.router)
FEATURES += (queue.router, borrowers.router)
FEATURES += (portal.router,)
FEATURES += (experiments.router,)
FEATURES += (kpi.router,)
FEATURES += (comms.router,)

router = sections(FEATURES, under=API_PREFIX)
