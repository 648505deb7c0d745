"""``/api/v1/policy``: the platform's policy versions and their four-eyes workflow.

A version's ETag is its document's SHA-256 and its status: a change sent with
``If-Match`` is refused (412) when the version moved on since it was read.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tideover.domain.errors import TideoverError
from tideover.domain.permissions import Permission
from tideover.i18n import N_
from tideover.services.policy.documents import validate_text
from tideover.services.policy.results import (
    PolicyValidation,
    PolicyVersionInfo,
    SubmittedVersion,
    VersionHistory,
    VersionTransition,
)
from tideover.services.policy.versions import (
    activate_policy_version,
    approve_policy_version,
    list_policy_versions,
    reject_policy_version,
    rollback_policy,
    show_policy_version,
    submit_policy,
)
from tideover.services.simulate.results import ReviewSimulation, VersionReview
from tideover.services.simulate.review import (
    request_review_again,
    review_simulation,
    review_version,
)
from tideover.web.deps import Authorized, Caller, ClockDep, PageDep, UowFactoryDep
from tideover.web.pagination import Page, paginate

router = APIRouter(prefix="/policy", tags=["policy"])

Reader = Annotated[Caller, Authorized(Permission.POLICY_READ)]
Writer = Annotated[Caller, Authorized(Permission.POLICY_WRITE)]
Approver = Annotated[Caller, Authorized(Permission.POLICY_APPROVE)]
Activator = Annotated[Caller, Authorized(Permission.POLICY_ACTIVATE)]
IfMatch = Annotated[str | None, Header(description="The version's ETag as last read.")]

MAX_DOCUMENT = 256 * 1024


class PreconditionFailed(TideoverError):
    code = "precondition_failed"
    http_status = 412


class PolicyText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_DOCUMENT, description="The YAML document.")


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class Activation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective: date | None = Field(
        default=None, description="From when (default: the platform's business date)."
    )


def etag(version: PolicyVersionInfo) -> str:
    return f'"{version.sha256[:32]}-{version.status}"'


def _check(uow: UowFactoryDep, caller: Caller, number: int, if_match: str | None) -> None:
    if if_match is None:
        return
    current = show_policy_version(uow=uow(), platform=caller.platform, version=number)
    if if_match.strip() != etag(current):
        raise PreconditionFailed(
            N_("policy version %(number)s changed since it was read"),
            number=number,
        )


@router.get("/versions", response_model=Page[VersionHistory], summary="The policy versions")
def versions(
    request: Request, caller: Reader, uow: UowFactoryDep, page: PageDep
) -> Page[VersionHistory]:
    listed = list_policy_versions(uow=uow(), platform=caller.platform)
    return paginate(request, listed.versions, page)


@router.get(
    "/versions/{number}",
    response_model=VersionReview,
    summary="One version, with the simulation its review reads",
)
def version(number: int, caller: Reader, uow: UowFactoryDep, response: Response) -> VersionReview:
    found = review_version(uow=uow(), platform=caller.platform, version=number)
    response.headers["ETag"] = etag(found)
    return found


@router.get(
    "/versions/{number}/simulation",
    response_model=ReviewSimulation,
    summary="The review's simulation of a version: queued, running, failed or done",
)
def simulation(number: int, caller: Reader, uow: UowFactoryDep) -> ReviewSimulation:
    return review_simulation(uow=uow(), platform=caller.platform, version=number)


@router.post(
    "/versions/{number}/simulation",
    response_model=ReviewSimulation,
    status_code=202,
    summary="Simulate a version again, against today's active version (a background job)",
)
def simulate_again(
    number: int, caller: Writer, uow: UowFactoryDep, clock: ClockDep
) -> ReviewSimulation:
    return request_review_again(
        uow=uow(), platform=caller.platform, version=number, by=caller.name, clock=clock
    )


@router.post("/validate", response_model=PolicyValidation, summary="Check a document")
def validate(body: PolicyText, caller: Reader) -> PolicyValidation:
    return validate_text(text=body.text)


@router.post(
    "/versions", response_model=SubmittedVersion, status_code=201, summary="Submit for review"
)
def submit(
    body: PolicyText, caller: Writer, uow: UowFactoryDep, clock: ClockDep
) -> SubmittedVersion:
    return submit_policy(
        uow=uow(), platform=caller.platform, text=body.text, by=caller.name, clock=clock
    )


@router.post(
    "/versions/{number}/approve", response_model=VersionTransition, summary="Approve (four eyes)"
)
def approve(
    number: int, caller: Approver, uow: UowFactoryDep, clock: ClockDep, if_match: IfMatch = None
) -> VersionTransition:
    _check(uow, caller, number, if_match)
    return approve_policy_version(
        uow=uow(), platform=caller.platform, version=number, by=caller.name, clock=clock
    )


@router.post("/versions/{number}/reject", response_model=VersionTransition, summary="Send back")
def reject(
    number: int,
    body: Rejection,
    caller: Approver,
    uow: UowFactoryDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> VersionTransition:
    _check(uow, caller, number, if_match)
    return reject_policy_version(
        uow=uow(),
        platform=caller.platform,
        version=number,
        by=caller.name,
        reason=body.reason,
        clock=clock,
    )


@router.post("/versions/{number}/activate", response_model=VersionTransition, summary="Activate")
def activate(
    number: int,
    body: Activation,
    caller: Activator,
    uow: UowFactoryDep,
    clock: ClockDep,
    if_match: IfMatch = None,
) -> VersionTransition:
    _check(uow, caller, number, if_match)
    return activate_policy_version(
        uow=uow(),
        platform=caller.platform,
        version=number,
        by=caller.name,
        effective=body.effective,
        clock=clock,
    )


@router.post("/rollback", response_model=VersionTransition, summary="Back to the previous version")
def rollback(
    body: Activation, caller: Activator, uow: UowFactoryDep, clock: ClockDep
) -> VersionTransition:
    return rollback_policy(
        uow=uow(), platform=caller.platform, by=caller.name, effective=body.effective, clock=clock
    )
