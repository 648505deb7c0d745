"""The borrower portal's pages (mobile first): sign in by SMS code, what I owe and why, my
schedule, how to pay, my rights, hardship (apply, options, accept), requests, settings.

The same handlers as ``/api/v1/borrower`` (``tideover.services.portal``).  Forms post
with htmx where the page has it, so an error appears next to the form in the
reader's language; without script they post normally and the answer is a page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tideover.adapters.channels import SmsNotConfigured
from tideover.domain.errors import Conflict, ValidationError
from tideover.i18n import N_
from tideover.plans import EvidenceType
from tideover.plans.application import MAX_EVIDENCE_BYTES
from tideover.services.access.signin import SignInRefused, TooManyCodes, sign_out
from tideover.services.access.subjects import BorrowerSubject
from tideover.services.access.tokens import same
from tideover.services.plans.hardship import Upload
from tideover.services.portal import account, preferences, relief, requests, rights, signin
from tideover.services.portal.relief import MAX_UPLOADS
from tideover.services.portal.results import Language, PreferredChannel, RequestKind
from tideover.web.api.portal import (
    FORM_LIMITS,
    BoundedUpload,
    HardshipForm,
    accept_as_read,
    plan_etag,
    send_code_by_sms,
)
from tideover.web.deps import ClockDep, CurrentBorrower, NowDep, UowFactoryDep, subject_of
from tideover.web.i18n import LANGUAGE_COOKIE
from tideover.web.sessions import end_cookie, set_session_cookie
from tideover.web.ui.pages import render, texts_of
from tideover.web.ui.portal_words import DONE, LABELS

router = APIRouter(prefix="/borrower")

Platform = Annotated[str, Form(min_length=1, max_length=63)]
Phone = Annotated[str, Form(min_length=3, max_length=32)]
Code = Annotated[str, Form(min_length=1, max_length=12)]
Slot = Annotated[UploadFile | None, File()]
SlotType = Annotated[EvidenceType | None, Form()]
HOME = "/borrower"


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    borrower: BorrowerSubject | None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    done = request.query_params.get("done")
    page: dict[str, Any] = {
        "borrower": borrower,
        "csrf_token": None if borrower is None else borrower.csrf_token,
        "labels": LABELS,
        "flash": texts_of(request).gettext(DONE[done]) if done in DONE else None,
        "path": request.url.path,
    }
    return render(request, template, {**page, **context}, status_code=status_code)


def _go(request: Request, url: str) -> Response:
    """After a change: back to a page (htmx follows ``HX-Redirect``; a form, the 303)."""
    if "HX-Request" in request.headers:
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# --- signing in ---------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, platform: Annotated[str, Query(max_length=63)] = "") -> Response:
    if isinstance(subject_of(request), BorrowerSubject):
        return RedirectResponse(HOME, status_code=303)
    return _page(request, "portal/login.html", {"platform": platform, "step": "phone"}, None)


@router.post("/login/code", response_class=HTMLResponse)
def login_code(
    request: Request, uow: UowFactoryDep, now: NowDep, platform: Platform, phone: Phone
) -> HTMLResponse:
    texts = texts_of(request)
    context: dict[str, Any] = {"platform": platform.strip(), "phone": phone, "step": "code"}
    try:
        send = send_code_by_sms(request, platform.strip(), texts)
        signin.request_code(uow=uow(), platform=platform.strip(), phone=phone, at=now, send=send)
    except (TooManyCodes, ValidationError, SmsNotConfigured) as exc:
        context.update(step="phone", error=exc.message(texts.language))
        return _page(request, "portal/login.html", context, None, status_code=exc.http_status)
    return _page(request, "portal/login.html", context, None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    uow: UowFactoryDep,
    now: NowDep,
    platform: Platform,
    phone: Phone,
    code: Code,
) -> Response:
    texts = texts_of(request)
    try:
        started = signin.sign_in(
            uow=uow(),
            platform=platform.strip(),
            phone=phone,
            code=code,
            at=now,
            locale=texts.language,
        )
    except (SignInRefused, ValidationError, Conflict) as exc:
        context = {"platform": platform, "phone": phone, "step": "code"}
        context["error"] = exc.message(texts.language)
        return _page(request, "portal/login.html", context, None, status_code=exc.http_status)
    response = RedirectResponse(HOME, status_code=303)
    set_session_cookie(request, response, started)
    return response


@router.post("/logout")
async def logout(request: Request, uow: UowFactoryDep, now: NowDep) -> Response:
    """Ends the session (when the form carries its CSRF token) and forgets the cookie."""
    subject = subject_of(request)
    target = "/borrower/login"
    if isinstance(subject, BorrowerSubject):
        target += f"?platform={subject.platform}"
        token = (await request.form()).get("csrf_token")
        if isinstance(token, str) and same(token, subject.csrf_token):
            sign_out(uow=uow(), session_pk=subject.session_pk, at=now)
    response = RedirectResponse(target, status_code=303)
    end_cookie(response)
    return response


# --- what I owe, my schedule, how to pay, my rights ---------------------------------------


@router.get("", response_class=HTMLResponse)
def home(
    request: Request, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep
) -> HTMLResponse:
    me = account.overview(uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id)
    loans = account.loans_owed(
        uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id, clock=clock
    )
    return _page(request, "portal/home.html", {"me": me, "loans": loans}, borrower)


@router.get("/loans/{loan_id}", response_class=HTMLResponse)
def loan(
    request: Request, loan_id: str, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep
) -> HTMLResponse:
    found = account.loan_schedule(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        loan_id=loan_id,
        clock=clock,
    )
    return _page(request, "portal/loan.html", {"loan": found}, borrower)


@router.get("/pay", response_class=HTMLResponse)
def pay(request: Request, borrower: CurrentBorrower, uow: UowFactoryDep) -> HTMLResponse:
    found = account.payment_instructions(uow=uow(), platform=borrower.platform)
    return _page(request, "portal/pay.html", {"pay": found}, borrower)


@router.get("/rights", response_class=HTMLResponse)
def my_rights(request: Request, borrower: CurrentBorrower, uow: UowFactoryDep) -> HTMLResponse:
    found = rights.rights(uow=uow(), platform=borrower.platform)
    return _page(request, "portal/rights.html", {"rights": found}, borrower)


# --- hardship and plans -------------------------------------------------------------------


@router.get("/hardship", response_class=HTMLResponse)
def hardship(
    request: Request, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep
) -> HTMLResponse:
    found = relief.applications(
        uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id, clock=clock
    )
    return _page(request, "portal/hardship.html", {"applications": found}, borrower)


@router.get("/hardship/new", response_class=HTMLResponse)
def new_application(
    request: Request,
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
    loan: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    loans = account.loans_owed(
        uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id, clock=clock
    )
    context = {"loans": loans, "chosen": loan, "slots": range(1, MAX_UPLOADS + 1)}
    return _page(request, "portal/apply.html", context, borrower)


def apply(
    request: Request,
    form: Annotated[HardshipForm, Form()],
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
    evidence_1: Slot = None,
    evidence_2: Slot = None,
    evidence_3: Slot = None,
    evidence_4: Slot = None,
    evidence_5: Slot = None,
    evidence_type_1: SlotType = None,
    evidence_type_2: SlotType = None,
    evidence_type_3: SlotType = None,
    evidence_type_4: SlotType = None,
    evidence_type_5: SlotType = None,
) -> Response:
    slots = zip(
        (evidence_type_1, evidence_type_2, evidence_type_3, evidence_type_4, evidence_type_5),
        (evidence_1, evidence_2, evidence_3, evidence_4, evidence_5),
        strict=True,
    )
    uploads = [_upload(kind, file) for kind, file in slots if file is not None and file.filename]
    stored = relief.apply(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        request=form.to_request(),
        uploads=uploads,
        clock=clock,
    )
    return _go(request, f"/borrower/hardship/{stored.application_id}?done=applied")


router.add_api_route(
    "/hardship",
    apply,
    methods=["POST"],
    response_class=HTMLResponse,
    form_limits=FORM_LIMITS,  # type: ignore[arg-type]
    route_class_override=BoundedUpload,
)


def _upload(kind: EvidenceType | None, file: UploadFile) -> Upload:
    if kind is None:
        raise ValidationError(N_("choose the type of each evidence file"))
    return Upload(kind.value, file.filename or "", file.file.read(MAX_EVIDENCE_BYTES + 1))


@router.get("/hardship/{application_id}", response_class=HTMLResponse)
def application(
    request: Request,
    application_id: str,
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
) -> HTMLResponse:
    found = relief.application(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        application_id=application_id,
        clock=clock,
    )
    options = None
    if found.may_choose:
        options = relief.options(
            uow=uow(),
            platform=borrower.platform,
            borrower_id=borrower.borrower_id,
            application_id=application_id,
            clock=clock,
        )
    etags = {p.plan_id: plan_etag(p) for p in found.plans}
    context = {"application": found, "options": options, "etags": etags}
    return _page(request, "portal/application.html", context, borrower)


@router.post("/hardship/{application_id}/choose")
def choose(
    request: Request,
    application_id: str,
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
    option_id: Annotated[str, Form(min_length=1, max_length=64)],
) -> Response:
    relief.choose(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        application_id=application_id,
        option_id=option_id,
        clock=clock,
    )
    return _go(request, f"/borrower/hardship/{application_id}?done=chosen")


@router.post("/plans/{plan_id}/accept")
def accept(
    request: Request,
    plan_id: str,
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
    etag: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    accepted = accept_as_read(uow, borrower.platform, borrower.borrower_id, plan_id, etag, clock)
    return _go(request, f"/borrower/hardship/{accepted.application_id}?done=accepted")


# --- requests and settings ----------------------------------------------------------------


@router.get("/requests", response_class=HTMLResponse)
def my_requests(
    request: Request, borrower: CurrentBorrower, uow: UowFactoryDep, clock: ClockDep
) -> HTMLResponse:
    holds = requests.my_holds(
        uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id, clock=clock
    )
    loans = account.loans_owed(
        uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id, clock=clock
    )
    context = {"holds": holds, "loans": loans, "max_note": requests.MAX_NOTE}
    return _page(request, "portal/requests.html", context, borrower)


@router.post("/requests")
def make_request(
    request: Request,
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
    kind: Annotated[RequestKind, Form(alias="request")],
    loan_id: Annotated[str, Form(max_length=64)] = "",
    note: Annotated[str, Form(max_length=requests.MAX_NOTE)] = "",
) -> Response:
    recorded = requests.make_request(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        request=kind,
        note=note,
        loan_id=loan_id or None,
        clock=clock,
    )
    done = "already" if recorded.already_in_force else kind
    return _go(request, f"/borrower/requests?done={done}")


@router.get("/settings", response_class=HTMLResponse)
def settings(request: Request, borrower: CurrentBorrower, uow: UowFactoryDep) -> HTMLResponse:
    found = preferences.preferences(
        uow=uow(), platform=borrower.platform, borrower_id=borrower.borrower_id
    )
    return _page(request, "portal/settings.html", {"preferences": found}, borrower)


@router.post("/settings")
def save_settings(
    request: Request,
    borrower: CurrentBorrower,
    uow: UowFactoryDep,
    clock: ClockDep,
    language: Annotated[Language, Form()],
    channel: Annotated[PreferredChannel | None, Form()] = None,
) -> Response:
    preferences.set_preferences(
        uow=uow(),
        platform=borrower.platform,
        borrower_id=borrower.borrower_id,
        language=language,
        channel=channel,
        clock=clock,
    )
    response = _go(request, "/borrower/settings?done=saved")
    # The pages follow the language chosen here from now on (the same cookie as ?lang=).
    page_language = "en" if language == "en" else "zh_CN"
    response.set_cookie(
        LANGUAGE_COOKIE, page_language, max_age=365 * 86400, samesite="lax", path="/"
    )
    return response
