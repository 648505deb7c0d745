"""The REST API under ``/api/v1``: one router per feature, thin endpoints over the handlers."""

from __future__ import annotations

from fastapi import APIRouter

from tideover.web.api import policy, session

router = APIRouter()
router.include_router(session.router)
router.include_router(policy.router)
