"""The console's pages: one router per role's area, all rendered on the server."""

from __future__ import annotations

from fastapi import APIRouter

from tideover.web.ui import auth, policy, queue

# Every area's router, in the order they are matched (the isolation suite walks these).
FEATURES: tuple[APIRouter, ...] = (auth.router, policy.router)
FEATURES += (queue.router,)

router = APIRouter(include_in_schema=False)
for feature in FEATURES:
    router.include_router(feature)
