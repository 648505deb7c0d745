"""The borrower 360: a borrower's loans where they stand, their history, contacts and holds.

One read handler for the collector's workbench, the API and the CLI
(``tideover borrower show|loan show --json`` later).  Each loan is replayed on
its schedule in force on the platform's business date (the daily cycle's rules,
``domain.schedule_in_force``); its DPD and bucket history are the cycle's stored
snapshots of the last ``HISTORY_DAYS`` days; its score is the latest of the day's
queue item and the cycle's scores file.

Who may read whom is part of the read: with ``collector`` given, the borrower
exists only if that collector holds (or worked) one of their queue items of the
last ``COLLECTOR_SCOPE_DAYS`` days, so any other borrower is ``NotFound`` —
exactly as one of another platform.

Every query is keyed by the borrower or their loans (no scan of the platform's
portfolio), so the cost does not grow with the book: see ``bench/web_bench.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from tideover.adapters.repositories import QueueItem
from tideover.adapters.repositories.plans import StoredPlan
from tideover.domain.allocation import Component, LoanPosition
from tideover.domain.borrowers import Borrower
from tideover.domain.clock import Clock, SystemClock, business_date
from tideover.domain.delinquency import DelinquencyStatus, PausePeriod
from tideover.domain.errors import NotFound
from tideover.domain.loans import Loan
from tideover.domain.money import total
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.redact import mask_address, mask_email, mask_name, mask_national_id, mask_phone
from tideover.domain.schedule_in_force import status_in_force, version_in_force
from tideover.i18n import N_
from tideover.plans.cases import ApplicationCase
from tideover.plans.lifecycle import ScheduleVersion
from tideover.services.common import now_and_today
from tideover.services.compliance.results import HoldStatus
from tideover.services.plans.results import PromiseInfo
from tideover.services.platforms import settings_of
from tideover.services.portfolio.borrower_results import (
    ApplicationBrief,
    BorrowerView,
    BucketDay,
    ContactLine,
    InstallmentLine,
    LoanDetail,
    LoanStanding,
    LoanView,
    PaymentLine,
    PlanBrief,
    ReasonCode,
    ScheduleInForce,
    ScoreInfo,
)
from tideover.services.repositories import LoanRepository
from tideover.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

HISTORY_DAYS = 90  # the bucket history shown: one quarter of daily snapshots
CONTACTS_SHOWN = 50  # the newest contacts of the ledger
COLLECTOR_SCOPE_DAYS = 7  # a collector sees a borrower while working them, and a week after
_HELD = ("assigned", "done")


def borrower_view(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    reveal_pii: bool = False,
    collector: str | None = None,
    scores_dir: Path | None = None,
    clock: Clock | None = None,
) -> BorrowerView:
    """The 360 of ``borrower_id`` on the platform's business date.

    ``collector``: read for that collector, who sees only the borrowers of their
    queue items (``NotFound`` otherwise).  ``reveal_pii``: names, ID and phone
    numbers unmasked (the caller's role must allow it).
    """
    with uow:
        # Each repository once: making one looks the platform up (a query per repository).
        settings = settings_of(uow, platform)
        now = (clock or SystemClock()).now()
        today = business_date(clock or SystemClock(), settings.time_zone)
        borrower = uow.borrowers(platform).get(borrower_id)
        if borrower is None:
            raise _not_found(platform, borrower_id)
        loan_repo = uow.loans(platform)
        loans = loan_repo.for_borrower(borrower_id)
        loan_ids = [loan.loan_id for loan in loans]
        items = uow.queues(platform).for_accounts(
            loan_ids, since=today - timedelta(days=max(HISTORY_DAYS, COLLECTOR_SCOPE_DAYS))
        )
        if collector is not None and not _works(items, collector, today):
            raise _not_found(platform, borrower_id)
        views = _loan_views(
            uow,
            platform,
            loans,
            items,
            settings,
            today,
            scores_dir=scores_dir,
            loans_repo=loan_repo,
        )
        since = now - timedelta(days=HISTORY_DAYS)
        contacts = uow.contacts(platform).for_borrower(borrower_id, since=since)
        holds = uow.holds(platform).for_borrower(borrower_id)
    shown = _person(borrower, reveal_pii)
    return BorrowerView(
        platform=platform,
        borrower_id=borrower_id,
        as_of=today,
        masked=not reveal_pii,
        **shown,
        locale=borrower.locale,
        time_zones=list(borrower.candidate_time_zones),
        loans=views,
        contacts=[
            ContactLine(
                attempt_id=c.attempt_id,
                at=c.at,
                debt_id=c.attempt.debt_id,
                channel=c.attempt.channel.value,
                target=c.attempt.target.value,
                outcome=c.outcome.value,
                result=c.result.value if c.result else None,
                inbound=c.inbound,
            )
            for c in reversed(contacts[-CONTACTS_SHOWN:])
        ],
        holds=[
            HoldStatus.at(h, now)
            for h in holds
            if h.until is None or h.until > now or h.in_force(now)
        ],
    )


def _loan_views(
    uow: UnitOfWork,
    platform: str,
    loans: list[Loan],
    items: Sequence[QueueItem],
    settings: PlatformSettings,
    today: date,
    *,
    scores_dir: Path | None,
    loans_repo: LoanRepository,
) -> list[LoanView]:
    """Every loan of the borrower where it stands (inside the open uow)."""
    if not loans:
        return []
    loan_ids = [loan.loan_id for loan in loans]
    payments = uow.payments(platform)
    schedules = uow.schedules(platform).schedule_histories(loan_ids)
    pauses = loans_repo.pauses_by_loan(loan_ids)
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS)]
    history = uow.delinquency(platform).history(loan_ids, days)
    promises = uow.promises(platform)
    plans = uow.plans(platform)
    cases = uow.applications(platform).for_loans(loan_ids)
    views = []
    for loan in loans:
        mine = [c for c in cases if c.application.loan_id == loan.loan_id]
        views.append(
            _loan_view(
                loan,
                payments.for_loan(loan.loan_id),
                schedules.get(loan.loan_id, []),
                pauses.get(loan.loan_id, []),
                settings,
                today,
                history=history.get(loan.loan_id, []),
                item=next((i for i in items if i.account_id == loan.loan_id), None),
                promises=[PromiseInfo.of(p) for p in promises.promises(loan.loan_id)],
                cases=mine,
                plans=[
                    p
                    for c in mine
                    for p in plans.plans_for_application(c.application.application_id)
                ],
                scores_dir=scores_dir,
                platform=platform,
            )
        )
    return views


def loan_view(
    *,
    uow: UnitOfWork,
    platform: str,
    loan_id: str,
    collector: str | None = None,
    scores_dir: Path | None = None,
    clock: Clock | None = None,
) -> LoanDetail:
    """One loan of the 360 (``collector``: only a loan of their recent queue items)."""
    with uow:
        settings = settings_of(uow, platform)
        today = business_date(clock or SystemClock(), settings.time_zone)
        loans_repo = uow.loans(platform)
        loan = loans_repo.get(loan_id)
        items = (
            []
            if loan is None
            else uow.queues(platform).for_accounts(
                [loan_id], since=today - timedelta(days=max(HISTORY_DAYS, COLLECTOR_SCOPE_DAYS))
            )
        )
        if loan is None or (collector is not None and not _works(items, collector, today)):
            raise NotFound(
                N_("no loan %(loan_id)s on platform %(platform)s"),
                loan_id=repr(loan_id),
                platform=repr(platform),
            )
        [view] = _loan_views(
            uow,
            platform,
            [loan],
            items,
            settings,
            today,
            scores_dir=scores_dir,
            loans_repo=loans_repo,
        )
    return LoanDetail(platform=platform, borrower_id=loan.borrower_id, as_of=today, loan=view)


def works_borrower(
    *, uow: UnitOfWork, platform: str, borrower_id: str, collector: str, clock: Clock | None = None
) -> bool:
    """Whether ``collector`` holds (or worked) a queue item of the borrower lately."""
    with uow:
        _, today = now_and_today(uow, platform, clock)
        loan_ids = [loan.loan_id for loan in uow.loans(platform).for_borrower(borrower_id)]
        since = today - timedelta(days=COLLECTOR_SCOPE_DAYS)
        items = uow.queues(platform).for_accounts(loan_ids, since=since)
    return _works(items, collector, today)


def _works(items: Sequence[QueueItem], collector: str, today: date) -> bool:
    first = today - timedelta(days=COLLECTOR_SCOPE_DAYS)
    return any(i.assigned_to == collector and i.state in _HELD and i.as_of >= first for i in items)


def _not_found(platform: str, borrower_id: str) -> NotFound:
    return NotFound(
        N_("no borrower %(borrower_id)s on platform %(platform)s"),
        borrower_id=repr(borrower_id),
        platform=repr(platform),
    )


def _person(borrower: Borrower, reveal: bool) -> dict[str, object]:
    if reveal:
        return {
            "name": borrower.name,
            "national_id": borrower.national_id,
            "phones": [p.e164 for p in borrower.phones],
            "email": borrower.email,
            "address": borrower.address,
        }
    return {
        "name": mask_name(borrower.name) if borrower.name else "",
        "national_id": mask_national_id(borrower.national_id) if borrower.national_id else None,
        "phones": [mask_phone(p.e164) for p in borrower.phones],
        "email": mask_email(borrower.email) if borrower.email else None,
        "address": mask_address(borrower.address) if borrower.address else "",
    }


def _loan_view(
    loan: Loan,
    payments: Sequence[Payment],
    versions: Sequence[ScheduleVersion],
    pauses: Sequence[PausePeriod],
    settings: PlatformSettings,
    today: date,
    *,
    history: Sequence[DelinquencyStatus],
    item: QueueItem | None,
    promises: list[PromiseInfo],
    cases: Sequence[ApplicationCase],
    plans: Sequence[StoredPlan],
    scores_dir: Path | None,
    platform: str,
) -> LoanView:
    position, status = status_in_force(
        loan,
        payments,
        today,
        versions=versions,
        waterfall=settings.waterfall,
        penalty=settings.penalty,
        pauses=pauses,
        scheme=settings.buckets,
    )
    chosen = version_in_force(versions, today)
    in_force = next((v for v in versions if chosen and v.version == chosen.version), None)
    terms = loan.terms
    return LoanView(
        loan_id=loan.loan_id,
        product=loan.product,
        currency=terms.principal.currency.code,
        principal=terms.principal.amount,
        annual_rate=terms.annual_rate,
        term=terms.term,
        method=terms.method.value,
        start_date=terms.start_date,
        standing=_standing(position, status),
        schedule=ScheduleInForce(
            version=None if in_force is None else in_force.version,
            reason="contract" if in_force is None else in_force.reason,
            effective_from=terms.start_date if in_force is None else in_force.effective_from,
            installments=_installments(position),
        ),
        payments=[
            PaymentLine(
                payment_id=p.payment_id,
                amount=p.amount.amount,
                paid_on=p.paid_on,
                reverses=p.reverses,
            )
            for p in payments
        ],
        history=[
            BucketDay(
                as_of=s.as_of, dpd=s.dpd, bucket=s.bucket, overdue_total=s.overdue_total.amount
            )
            for s in history
        ],
        score=_score(item, scores_dir, platform, loan.loan_id, today),
        promises=promises,
        applications=[
            ApplicationBrief(
                application_id=c.application.application_id,
                status=c.status.value,
                reason=c.application.reason.value,
                submitted_on=c.application.submitted_on,
                vulnerable=c.application.vulnerable,
            )
            for c in cases
        ],
        plans=[
            PlanBrief(
                plan_id=p.plan.plan_id,
                application_id=p.application_id,
                option_id=p.plan.option_id,
                status=p.plan.status.value,
                as_of=p.as_of,
                expires_on=p.plan.expires_on,
                starts_on=p.plan.starts_on,
                required_role=p.request.required_role,
                approved_by=None if p.approval is None else p.approval.approved_by,
            )
            for p in plans
        ],
    )


def _standing(position: LoanPosition, status: DelinquencyStatus) -> LoanStanding:
    def overdue(component: Component) -> Decimal:
        return status.overdue[component].amount

    return LoanStanding(
        dpd=status.dpd,
        bucket=status.bucket,
        oldest_unpaid_due=status.oldest_unpaid_due,
        overdue_principal=overdue(Component.PRINCIPAL),
        overdue_interest=overdue(Component.INTEREST),
        overdue_fees=overdue(Component.FEES),
        overdue_penalty=overdue(Component.PENALTY),
        overdue_total=status.overdue_total.amount,
        outstanding_principal=position.outstanding_principal.amount,
        outstanding_total=position.outstanding_total.amount,
    )


def _installments(position: LoanPosition) -> list[InstallmentLine]:
    lines = []
    for i in position.installments:
        scheduled = total(i.scheduled.values(), position.currency)
        paid = total(i.paid.values(), position.currency)
        lines.append(
            InstallmentLine(
                number=i.number,
                due_date=i.due_date,
                principal=i.scheduled[Component.PRINCIPAL].amount,
                interest=i.scheduled[Component.INTEREST].amount,
                fees=i.scheduled[Component.FEES].amount,
                penalty=i.scheduled[Component.PENALTY].amount,
                total=scheduled.amount,
                paid=paid.amount,
                outstanding=i.outstanding_total.amount,
                settled_on=i.settled_on,
                overdue=i.due_date < position.as_of and i.settled_on is None,
            )
        )
    return lines


# --- scores ----------------------------------------------------------------------------------


def _score(
    item: QueueItem | None, scores_dir: Path | None, platform: str, loan_id: str, today: date
) -> ScoreInfo | None:
    """The newer of the queue item's score and the latest scores file's (not after today)."""
    from_item = None if item is None else _item_score(item)
    path = None if scores_dir is None else latest_scores_file(scores_dir, platform, today)
    if path is not None and (from_item is None or date.fromisoformat(path.stem) > from_item.as_of):
        from_file = _file_score(path, loan_id)
        if from_file is not None:
            return from_file
    return from_item


def _item_score(item: QueueItem) -> ScoreInfo | None:
    summary = item.summary
    score = summary.get("score")
    reason = summary.get("reason")
    reasons = []
    if isinstance(reason, dict) and isinstance(reason.get("code"), str):
        code = reason["code"]
        reasons.append(
            ReasonCode(
                code=code, en=str(reason.get("en") or code), zh=str(reason.get("zh") or code)
            )
        )
    if score is None and not reasons:
        return None
    return ScoreInfo(
        as_of=item.as_of,
        source="queue_item",
        model_version=None,
        probability=None if score is None else Decimal(str(score)),
        band=None if summary.get("band") is None else str(summary.get("band")),
        reasons=reasons,
    )


def latest_scores_file(scores_dir: Path, platform: str, today: date) -> Path | None:
    """``<scores_dir>/<platform>/<date>.parquet`` of the latest date not after ``today``."""
    folder = scores_dir / platform
    if not folder.is_dir():
        return None
    dated = []
    for path in folder.glob("*.parquet"):
        try:
            day = date.fromisoformat(path.stem)
        except ValueError:
            continue
        if day <= today:
            dated.append((day, path))
    return max(dated)[1] if dated else None


def _file_score(path: Path, loan_id: str) -> ScoreInfo | None:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(
            path,
            columns=["account_id", "model_version", "role", "probability", "band", "reason_code"],
            filters=[("account_id", "=", loan_id)],
        )
    except (OSError, ValueError) as exc:  # a damaged file must not take the 360 down
        log.warning("scores file %s unreadable: %s", path.name, type(exc).__name__)
        return None
    rows = table.filter(pc.equal(table["role"].cast("string"), "champion")).to_pylist()
    if not rows:
        return None
    row = rows[0]
    code = row["reason_code"]
    return ScoreInfo(
        as_of=date.fromisoformat(path.stem),
        source="scores_file",
        model_version=row["model_version"],
        probability=row["probability"],
        band=row["band"],
        reasons=[] if code is None else [reason_text(code)],
    )


def reason_text(code: str) -> ReasonCode:
    """A reason code with its feature's text in both languages (the code itself if unknown)."""
    en, zh = _reason_texts().get(code, (code, code))
    return ReasonCode(code=code, en=en, zh=zh)


@lru_cache(maxsize=1)
def _reason_texts() -> dict[str, tuple[str, str]]:
    from tideover.policy.features import FEATURES
    from tideover.scoring.reasons import code_for

    return {code_for(name): (f.en, f.zh) for name, f in FEATURES.items()}
