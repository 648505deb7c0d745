"""``/api/v1/borrower``: the borrower portal's API, for the signed-in borrower's own records.

A borrower signs in with their phone number and a code sent by SMS (``POST
/borrower/code``, then ``POST /borrower/session``); the session cookie then
reaches only their loans, applications, plans and holds: anyone else's id is
a 404 that names nothing.  A plan's ``ETag`` is sent with ``If-Match`` when it
is accepted, so a borrower never accepts a plan that changed since they read it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Request, Response, UploadFile
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from tideover.adapters.channels import sms_channel
from tideover.domain.errors import TideoverError, ValidationError
from tideover.i18n import N_
from tideover.plans import EvidenceType, ExpenseCategory, HardshipReason, IncomeCategory
from tideover.plans.application import MAX_EVIDENCE_BYTES, MAX_EVIDENCE_DOCUMENTS
from tideover.services.access.signin import CODE_LIFE, SendSms, sign_out
from tideover.services.plans.hardship import Upload
from tideover.services.portal import account, preferences, relief, requests, rights, signin
from tideover.services.portal.relief import MAX_UPLOAD_BYTES, HardshipRequest
from tideover.services.portal.results import (
    BorrowerOverview,
    CodeSent,
    Language,
    LoanOwed,
    LoanSchedule,
    PaymentInstructions,
    PortalApplication,
    PortalHold,
    PortalOption,
    PortalPlan,
    Preferences,
    PreferredChannel,
    RequestKind,
    RequestRecorded,
    Rights,
)
from tideover.web.deps import ClockDep, CurrentBorrower, NowDep, PageDep, TextsDep, UowFactoryDep
from tideover.web.i18n import Texts
from tideover.web.pagination import Page, paginate
from tideover.web.sessions import end_cookie, set_session_cookie

router = APIRouter(prefix="/borrower", tags=["borrower portal"])

# The whole upload: the files and the form around them (a few kilobytes of fields).
MAX_APPLICATION_BODY = MAX_UPLOAD_BYTES + 256 * 1024
# Parsing stops at 10 files (the most an application holds); the handler allows 5.
FORM_LIMITS = {"max_files": MAX_EVIDENCE_DOCUMENTS, "max_fields": 64, "max_part_size": 64 * 1024}
IfMatch = Annotated[str | None, Header(description="The plan's ETag as last read.")]
Amount = Annotated[Decimal | None, Field(default=None, ge=0, le=Decimal("1e12"), decimal_places=2)]


class PlanChanged(TideoverError):
    code = "precondition_failed"
    http_status = 412


class UploadTooLarge(TideoverError):
    code = "too_large"
    http_status = 413


class LengthRequired(TideoverError):
    code = "length_required"
    http_status = 411


class BoundedUpload(APIRoute):
    """A route whose body is refused by its declared length before a byte of it is read.

    The server reads no more than the declared ``Content-Length`` (HTTP/1.1 framing),
    so a body without one (chunked) is refused too; the answer is a coded error in
    the reader's language.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def bounded(request: Request) -> Response:
            declared = request.headers.get("content-length", "")
            if not declared.isdigit():
                raise LengthRequired(
                    N_("send the upload with its length (`Content-Length`)"),
                )
            if int(declared) > MAX_APPLICATION_BODY:
                mib = MAX_UPLOAD_BYTES // (1024 * 1024)
                raise UploadTooLarge(
                    N_(
                        "the upload is too large: the evidence files are at most %(mib)s MiB "
                        "together"
                    ),
                    mib=mib,
                )
            return await handler(request)

        return bounded


def send_code_by_sms(request: Request, platform: str, texts: Texts) -> SendSms:
    """The platform's SMS channel, sending a sign-in code in the reader's language."""
    channel = sms_channel(request.app.state.core.settings)
    minutes = int(CODE_LIFE.total_seconds() // 60)

    def send(phone: str, code: str) -> None:
        text = texts.gettext(
            "Your sign-in code is %(code)s. It expires in %(minutes)s minutes. "
            "Never tell it to anyone, not even staff of the platform.",
            code=code,
            minutes=minutes,
        )
        channel.send(phone, text, platform=platform, purpose="sign_in_code")

    return send


def plan_etag(plan: PortalPlan) -> str:
    """Changes when anything the borrower agrees to changes (status, approval, schedule)."""
    body = plan.model_dump_json(exclude={"may_accept"})
    return f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'


class CodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: str = Field(min_length=1, max_length=63)
    phone: str = Field(min_length=3, max_length=32, description="As on the loan contract.")


class BorrowerSignIn(CodeRequest):
    code: str = Field(min_length=4, max_length=12, description="The code the SMS gave.")


class BorrowerSignedIn(BaseModel):
    borrower_id: str
    csrf_token: str


class HardshipForm(BaseModel):
    """The income and expenditure form: monthly amounts in the loan's currency; empty is 0."""

    loan_id: str = Field(min_length=1, max_length=64)
    reason: HardshipReason
    description: str = Field(min_length=1, max_length=4000)
    expected_duration_months: int | None = Field(default=None, ge=1, le=120)
    adults: int = Field(default=1, ge=1, le=10)
    dependants: int = Field(default=0, ge=0, le=20)
    vulnerable: bool = False
    preferred_payment_day: int | None = Field(default=None, ge=1, le=28)
    lump_sum_available: Amount = None
    income_earnings: Amount = None
    income_benefits: Amount = None
    income_pensions: Amount = None
    income_other_income: Amount = None
    expense_home_and_contents: Amount = None
    expense_utilities: Amount = None
    expense_care_and_health: Amount = None
    expense_transport_and_travel: Amount = None
    expense_school_costs: Amount = None
    expense_pensions_and_insurances: Amount = None
    expense_professional_costs: Amount = None
    expense_other_essential_costs: Amount = None
    expense_communications_and_leisure: Amount = None
    expense_food_and_housekeeping: Amount = None
    expense_personal_costs: Amount = None
    expense_savings: Amount = None
    expense_priority_debts: Amount = None
    expense_other_creditors: Amount = None

    def to_request(self) -> HardshipRequest:
        fields = self.model_dump()
        return HardshipRequest(
            loan_id=self.loan_id,
            reason=self.reason,
            description=self.description,
            expected_duration_months=self.expected_duration_months,
            income={
                c: fields[f"income_{c.value}"]
                for c in IncomeCategory
                if fields[f"income_{c.value}"]
            },
            expenses={
                c: fields[f"expense_{c.value}"]
                for c in ExpenseCategory
                if fields[f"expense_{c.value}"]
            },
            adults=self.adults,
            dependants=self.dependants,
            vulnerable=self.vulnerable,
            preferred_payment_day=self.preferred_payment_day,
            lump_sum_available=self.lump_sum_available or Decimal(0),
        )


def read_uploads(types: list[str], files: list[UploadFile]) -> list[Upload]:
    """Each file with its document type, read up to the size limit (a larger one is refused
    by the handler, so nothing past the limit is read)."""
    chosen = [f for f in files if f.filename]
    if len(types) < len(chosen):
        raise ValidationError(N_("choose the type of each evidence file"))
    return [
        Upload(kind, f.filename or "", f.file.read(MAX_EVIDENCE_BYTES + 1))
        for kind, f in zip(types, chosen, strict=False)
    ]


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    option_id: str = Field(min_length=1, max_length=64)


class RequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request: RequestKind
    loan_id: str | None = Field(default=None, max_length=64, description="Needed for a dispute.")
    note: str = Field(default="", max_length=requests.MAX_NOTE)


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Language
    channel: PreferredChannel | None = None


# --- signing in ---------------------------------------------------------------------------


@router.post("/code", response_model=CodeSent, status_code=202, summary="Send a sign-in code")
def send_code(
    body: CodeRequest, request: Request, uow: UowFactoryDep, now: NowDep, texts: TextsDep
) -> CodeSent:
    send = send_code_by_sms(request, body.platform, texts)
    return signin.request_code(
        uow=uow(), platform=body.platform, phone=body.phone, at=now, send=send
    )


@router.post("/session", response_model=BorrowerSignedIn, summary="Sign in with the code")
def create_session(
    body: BorrowerSignIn,
    request: Request,
    response: Response,
    uow: UowFactoryDep,
    now: NowDep,
    texts: TextsDep,
) -> BorrowerSignedIn:
    started = signin.sign_in(
        uow=uow(),
        platform=body.platform,
        phone=body.phone,
        code=body.code,
        at=now,
        locale=texts.language,
    )
    set_session_cookie(request, response, started)
    borrower_id = getattr(started.subject, "borrower_id", "")
    return BorrowerSignedIn(borrower_id=borrower_id, csrf_token=started.csrf_token)


@router.delete("/session", status_code=204, summary="Sign out")
def delete_session(
    borrower: CurrentBorrower, response: Response, uow: UowFactoryDep, now: NowDep
) -> None:
    sign_out(uow=uow(), session_pk=borrower.session_pk, at=now)
    end_cookie(response)


# --- what I owe, my schedule, how to pay, my rights ---------------------------------------


@router.get("/me", response_model=BorrowerOverview, summary="Who is signed in (masked)")
def me(borrower: CurrentBorrower, uow: UowFactoryDep) -> BorrowerOverview:
    return account.overview(uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id)


@router.get("/loans", response_model=Page[LoanOwed], summary="What I owe and why")
def loans(
    request: Request, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep, page: PageDep
) -> Page[LoanOwed]:
    found = account.loans_owed(
        uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id, clock=clock
    )
    return paginate(request, found, page)


@router.get("/loans/{loan_id}", response_model=LoanSchedule, summary="One loan and its schedule")
def loan(
    loan_id: str, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep
) -> LoanSchedule:
    return account.loan_schedule(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        loan_id=loan_id,
        clock=clock,
    )


@router.get("/payment", response_model=PaymentInstructions, summary="How to pay")
def payment(borrower: CurrentBorrower, uow: UowFactoryDep) -> PaymentInstructions:
    return account.payment_instructions(uow=uow(), platform=borrower.platform)


@router.get("/rights", response_model=Rights, summary="My rights (interim)")
def my_rights(borrower: CurrentBorrower, uow: UowFactoryDep) -> Rights:
    return rights.rights(uow=uow(), platform=borrower.platform)


# --- hardship and plans -------------------------------------------------------------------


@router.get(
    "/applications", response_model=Page[PortalApplication], summary="My hardship applications"
)
def applications(
    request: Request, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep, page: PageDep
) -> Page[PortalApplication]:
    found = relief.applications(
        uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id, clock=clock
    )
    return paginate(request, found, page)


def apply(
    form: Annotated[HardshipForm, Form()],
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
    evidence: Annotated[list[UploadFile], File(description="PDF, JPEG or PNG, 10 MiB each")] = [],  # noqa: B006
    evidence_type: Annotated[list[EvidenceType], Form(description="One per file")] = [],  # noqa: B006
) -> PortalApplication:
    return relief.apply(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        request=form.to_request(),
        uploads=read_uploads([t.value for t in evidence_type], evidence),
        clock=clock,
    )


router.add_api_route(
    "/applications",
    apply,
    methods=["POST"],
    response_model=PortalApplication,
    status_code=201,
    summary="Apply for hardship (multipart: the form and up to 5 evidence files)",
    form_limits=FORM_LIMITS,  # type: ignore[arg-type]
    route_class_override=BoundedUpload,
)


@router.get(
    "/applications/{application_id}", response_model=PortalApplication, summary="One application"
)
def application(
    application_id: str, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep
) -> PortalApplication:
    return relief.application(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        application_id=application_id,
        clock=clock,
    )


@router.get(
    "/applications/{application_id}/options",
    response_model=Page[PortalOption],
    summary="The affordable options, best first",
)
def options(
    application_id: str,
    request: Request,
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
    page: PageDep,
) -> Page[PortalOption]:
    found = relief.options(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        application_id=application_id,
        clock=clock,
    )
    return paginate(request, found.options, page)


@router.post(
    "/applications/{application_id}/choice",
    response_model=PortalPlan,
    status_code=201,
    summary="Choose an option: it is offered, approved at once when automatic",
)
def choose(
    application_id: str,
    body: Choice,
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
    response: Response,
) -> PortalPlan:
    chosen = relief.choose(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        application_id=application_id,
        option_id=body.option_id,
        clock=clock,
    )
    response.headers["ETag"] = plan_etag(chosen)
    return chosen


@router.get("/plans/{plan_id}", response_model=PortalPlan, summary="One plan offered to me")
def plan(
    plan_id: str, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep, response: Response
) -> PortalPlan:
    found = relief.plan(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        plan_id=plan_id,
        clock=clock,
    )
    response.headers["ETag"] = plan_etag(found)
    return found


@router.post(
    "/plans/{plan_id}/accept", response_model=PortalPlan, summary="Accept an approved offer"
)
def accept(
    plan_id: str,
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
    response: Response,
    if_match: IfMatch = None,
) -> PortalPlan:
    accepted = accept_as_read(
        uow, borrower.platform, borrower.borrower_id, plan_id, if_match, clock
    )
    response.headers["ETag"] = plan_etag(accepted)
    return accepted


def accept_as_read(
    uow: UowFactoryDep,
    platform: str,
    borrower_id: str,
    plan_id: str,
    sent: str | None,
    clock: ClockDep,
) -> PortalPlan:
    """Accept the plan if it is still the one read (``sent``, its ETag; None: not checked)."""
    current = relief.plan(
        uow=uow(), platform=platform, borrower_id=borrower_id, plan_id=plan_id, clock=clock
    )
    if sent is not None and sent.strip() != plan_etag(current):
        raise PlanChanged(
            N_("the plan changed since you read it; read it again before you accept"),
        )
    return relief.accept(
        uow=uow(), platform=platform, borrower_id=borrower_id, plan_id=plan_id, clock=clock
    )


# --- requests and preferences -------------------------------------------------------------


@router.get("/requests", response_model=Page[PortalHold], summary="Holds in force on me")
def holds(
    request: Request, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep, page: PageDep
) -> Page[PortalHold]:
    found = requests.my_holds(
        uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id, clock=clock
    )
    return paginate(request, found, page)


@router.post(
    "/requests",
    response_model=RequestRecorded,
    status_code=201,
    summary="Ask to stop contact, dispute a loan, or complain",
)
def make_request(
    body: RequestIn, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep
) -> RequestRecorded:
    return requests.make_request(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        request=body.request,
        note=body.note,
        loan_id=body.loan_id or None,
        clock=clock,
    )


@router.get("/preferences", response_model=Preferences, summary="My language and channel")
def my_preferences(borrower: CurrentBorrower, uow: UowFactoryDep) -> Preferences:
    return preferences.preferences(
        uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id
    )


@router.put("/preferences", response_model=Preferences, summary="Choose language and channel")
def set_preferences(
    body: PreferencesIn, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep
) -> Preferences:
    return preferences.set_preferences(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        language=body.language,
        channel=body.channel,
        clock=clock,
    )
