"""Isolation cases of the platform administrator's area (see ``tests/web/isolation.py``)."""

from __future__ import annotations

from tests.web.conftest import CLOCK
from tests.web.isolation import Case
from tideover.bootstrap import App
from tideover.services.access.signin import create_api_key
from tideover.services.identity.users import add_user
from tideover.services.jobs import start_job

USERNAME = "isolation-user"
KEY_NAME = "isolation-key"
UPLOAD = "0123456789abcdef0123456789abcdef.csv"
PASSWORD = "a long enough password"


def _user(core: App) -> tuple[dict[str, str], str]:
    user = add_user(
        uow=core.uow(),
        platform="acme",
        username=USERNAME,
        roles=["collector"],
        by="admin",
        at=CLOCK.now(),
    )
    return {"user_id": str(user.user_id)}, USERNAME


def _key(core: App) -> tuple[dict[str, str], str]:
    key = create_api_key(
        uow=core.uow(),
        platform="acme",
        name=KEY_NAME,
        scopes=["audit:read"],
        by="admin",
        at=CLOCK.now(),
    )
    return {"key_id": key.key_id}, KEY_NAME


def _import(core: App) -> tuple[dict[str, str], str]:
    job = start_job(
        uow=core.uow(),
        platform="acme",
        kind="import",
        params={"kind": "borrowers", "upload": UPLOAD},
        created_by=1,
        at=CLOCK.now(),
    )
    return {"job_id": job.job_id}, UPLOAD


CASES: dict[str, Case] = {
    "/api/v1/admin/users/{user_id}": Case(_user, body={"active": "false"}),
    "/api/v1/admin/users/{user_id}/password": Case(_user, body={"password": PASSWORD}),
    "/api/v1/admin/api-keys/{key_id}": Case(_key),
    "/api/v1/admin/imports/{job_id}": Case(_import),
    "/admin/users/{user_id}": Case(_user, body={"etag": '"x"', "roles": "auditor"}),
    "/admin/users/{user_id}/password": Case(_user, body={"password": PASSWORD}),
    "/admin/keys/{key_id}/revoke": Case(_key),
    "/admin/jobs/{job_id}": Case(_import),
}
