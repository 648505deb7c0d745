"""The console's pages: one router per role's area, all rendered on the server."""

from __future__ import annotations

from fastapi import APIRouter

from tideover.web.ui import auth, policy

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(policy.router)
