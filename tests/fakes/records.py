"""In-memory repositories, each over the lists and dicts of one platform's data.

They answer the questions the SQL repositories answer, with the same
refusals where a handler relies on them (an unknown id is ``NotFound``, a
repeated id a ``Conflict``); the bulk column reads the daily cycle uses are
not kept here.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, NoReturn

import pyarrow as pa

from tideover.adapters.repositories import (
    AuditHead,
    EvidenceFile,
    PlanTimeline,
    PlatformRecord,
    StoredEvent,
    StoredPlan,
    StoredPolicy,
    UserRecord,
)
from tideover.adapters.repositories.users import name_taken
from tideover.compliance.audit import AuditRecord, append
from tideover.domain.delinquency import PausePeriod
from tideover.domain.errors import Conflict, NotFound
from tideover.domain.identity import Role, name_key
from tideover.domain.loans import Loan, Schedule
from tideover.domain.money import Currency, currency
from tideover.domain.schedule_in_force import InForce
from tideover.i18n import N_, Wording
from tideover.plans.application import EvidenceDocument
from tideover.plans.approval import Approval, ApprovalRequest
from tideover.plans.cases import ApplicationCase
from tideover.plans.lifecycle import Plan, PlanStatus, ScheduleVersion
from tideover.plans.limits import OfferLimits
from tideover.policy.workflow import Event, Ledger, Status, Version

_ACTIVATING = ("activate", "rollback")


def _bulk_only(what: str) -> NoReturn:
    raise NotImplementedError(f"{what}: a bulk read of the daily cycle, not kept in memory")


# Named as the SQL repositories name them in their refusals.
LOANS = Wording(N_("loans"))
APPLICATIONS = Wording(N_("hardship applications"))


def _unknown(platform_code: str, kind: Wording, item_id: str) -> NotFound:
    return NotFound(
        N_("unknown %(kind)s on platform %(platform_code)s (%(count)s): %(shown)s"),
        kind=kind,
        platform_code=repr(platform_code),
        count=1,
        shown=item_id,
    )


class FakePlatformRepository:
    def __init__(self, platforms: dict[str, PlatformRecord]) -> None:
        self._platforms = platforms

    def get(self, code: str) -> PlatformRecord | None:
        return self._platforms.get(code)

    def ensure(
        self, code: str, *, name: str, currency: Currency | str, settings: Mapping[str, Any]
    ) -> PlatformRecord:
        found = self._platforms.get(code)
        cur = _currency(currency)
        if found is not None and found.currency != cur:
            raise Conflict(
                N_(
                    "platform %(code)s keeps its amounts in %(currency)s; it cannot switch to "
                    "%(code_of_currency)s"
                ),
                code=repr(code),
                currency=found.currency,
                code_of_currency=cur,
            )
        record = PlatformRecord(code, name, cur, dict(settings))
        self._platforms[code] = record
        return record

    def list(self) -> builtins.list[PlatformRecord]:
        return [self._platforms[code] for code in sorted(self._platforms)]


def _currency(value: Currency | str) -> Currency:
    return value if isinstance(value, Currency) else currency(value)


class FakePolicyRepository:
    def __init__(
        self, platform_code: str, versions: list[StoredPolicy], events: list[StoredEvent]
    ) -> None:
        self.platform_code = platform_code
        self._versions = versions
        self._events = events

    def ledger(self, *, lock: bool = False) -> Ledger:
        events = tuple(stored.event for stored in self._events)
        activations = tuple(e.version for e in events if e.action in _ACTIVATING)
        versions = tuple(s.version for s in self._versions)
        return Ledger(self.platform_code, versions, events, activations)

    def add(
        self, version: Version, *, policy: str, document: str, sha256: str, at: datetime
    ) -> None:
        if any(s.version.number == version.number for s in self._versions):
            raise Conflict(
                N_(
                    "policy version %(number)s of platform %(platform_code)s was written "
                    "concurrently; retry"
                ),
                number=version.number,
                platform_code=repr(self.platform_code),
            )
        self._versions.append(StoredPolicy(version, policy, document, sha256, at))

    def record(self, before: Ledger, after: Ledger) -> builtins.list[Event]:
        for index, stored in enumerate(self._versions):
            now = after.version(stored.version.number)
            if now != stored.version:
                self._versions[index] = dataclasses.replace(stored, version=now)
        if sum(s.version.status is Status.ACTIVE for s in self._versions) > 1:
            raise Conflict(
                N_(
                    "platform %(platform_code)s: the policy versions changed concurrently or the "
                    "change breaks a rule of the workflow; retry"
                ),
                platform_code=repr(self.platform_code),
            )  # the database's unique index
        new_events = builtins.list(after.events[len(before.events) :])
        for event in new_events:
            effective = after.version(event.version).effective_from
            self._events.append(
                StoredEvent(event, effective if event.action in _ACTIVATING else None)
            )
        return new_events

    def get(self, number: int) -> StoredPolicy:
        for stored in self._versions:
            if stored.version.number == number:
                return stored
        raise NotFound(
            N_("policy version %(number)s not found on platform %(platform_code)s"),
            number=number,
            platform_code=repr(self.platform_code),
        )

    def active(self) -> StoredPolicy | None:
        return next((s for s in self._versions if s.version.status is Status.ACTIVE), None)

    def list(self) -> builtins.list[StoredPolicy]:
        return sorted(self._versions, key=lambda s: s.version.number)

    def events(self, number: int | None = None) -> builtins.list[StoredEvent]:
        return [e for e in self._events if number is None or e.event.version == number]


class FakeAuditRepository:
    def __init__(self, platform_code: str, records: list[AuditRecord]) -> None:
        self.platform_code = platform_code
        self._records = records

    def append(self, kind: str, payload: Mapping[str, Any], *, at: datetime) -> AuditRecord:
        record = append(
            self._records, platform=self.platform_code, kind=kind, at=at, payload=payload
        )
        self._records.append(record)
        return record

    def append_many(
        self, entries: Sequence[tuple[str, Mapping[str, Any]]], *, at: datetime
    ) -> builtins.list[AuditRecord]:
        return [self.append(kind, payload, at=at) for kind, payload in entries]

    def records(self) -> builtins.list[AuditRecord]:
        return builtins.list(self._records)

    def head(self) -> AuditHead | None:
        return (
            None if not self._records else AuditHead(self._records[-1].seq, self._records[-1].hash)
        )

    def count(self) -> int:
        return len(self._records)


class FakeApplicationRepository:
    def __init__(
        self,
        platform_code: str,
        cases: dict[str, ApplicationCase],
        evidence: dict[str, list[tuple[EvidenceDocument, bytes]]],
    ) -> None:
        self.platform_code = platform_code
        self._cases = cases
        self._evidence = evidence

    def add_application(self, case: ApplicationCase, evidence: Sequence[EvidenceFile]) -> None:
        app_id = case.application.application_id
        if app_id in self._cases:
            raise Conflict(
                N_(
                    "hardship application %(application_id)s already exists on platform "
                    "%(platform_code)s"
                ),
                application_id=repr(app_id),
                platform_code=repr(self.platform_code),
            )
        self._cases[app_id] = case
        self._evidence[app_id] = [(e.document, e.content) for e in evidence]

    def application(self, application_id: str, *, lock: bool = False) -> ApplicationCase | None:
        return self._cases.get(application_id)

    def require_application(self, application_id: str, *, lock: bool = False) -> ApplicationCase:
        case = self._cases.get(application_id)
        if case is None:
            raise NotFound(
                N_("no hardship application %(application_id)s on platform %(platform_code)s"),
                application_id=repr(application_id),
                platform_code=repr(self.platform_code),
            )
        return case

    def save_case(self, case: ApplicationCase) -> None:
        self.require_application(case.application.application_id)
        self._cases[case.application.application_id] = case

    def evidence(self, application_id: str) -> builtins.list[EvidenceDocument]:
        items = self._evidence.get(application_id, [])
        return sorted((doc for doc, _ in items), key=lambda d: d.file_name)

    def for_loans(self, loan_ids: Iterable[str]) -> builtins.list[ApplicationCase]:
        wanted = set(loan_ids)
        return [c for c in self._cases.values() if c.application.loan_id in wanted]

    def erase_evidence(self, application_ids: Iterable[str]) -> int:
        count = 0
        for application_id in set(application_ids):
            count += len(self._evidence.pop(application_id, []))
        return count

    def evidence_content(self, application_id: str, file_name: str) -> bytes | None:
        for doc, content in self._evidence.get(application_id, []):
            if doc.file_name == file_name:
                return content
        return None


class FakePlanRepository:
    def __init__(
        self,
        platform_code: str,
        plans: dict[str, StoredPlan],
        cases: dict[str, ApplicationCase],
        loans: dict[str, Loan],
    ) -> None:
        self.platform_code = platform_code
        self._plans = plans
        self._cases = cases
        self._loans = loans

    def add_plan(
        self,
        plan: Plan,
        *,
        application_id: str,
        as_of: date,
        currency_code: str,
        summary: dict[str, Any],
        limits: OfferLimits,
        request: ApprovalRequest,
        requested_at: datetime,
        approval: Approval | None,
    ) -> None:
        if plan.loan_id not in self._loans:
            raise _unknown(self.platform_code, LOANS, plan.loan_id)
        if application_id not in self._cases:
            raise _unknown(self.platform_code, APPLICATIONS, application_id)
        if plan.plan_id in self._plans:
            raise Conflict(
                N_("plan %(plan_id)s already exists on platform %(platform_code)s"),
                plan_id=repr(plan.plan_id),
                platform_code=repr(self.platform_code),
            )
        self._plans[plan.plan_id] = StoredPlan(
            plan=plan,
            application_id=application_id,
            as_of=as_of,
            currency=currency_code,
            summary=summary,
            limits=limits,
            request=request,
            requested_at=requested_at,
            approval=approval,
        )

    def plan(self, plan_id: str, *, lock: bool = False) -> StoredPlan | None:
        return self._plans.get(plan_id)

    def require_plan(self, plan_id: str, *, lock: bool = False) -> StoredPlan:
        stored = self._plans.get(plan_id)
        if stored is None:
            raise NotFound(
                N_("no plan %(plan_id)s on platform %(platform_code)s"),
                plan_id=repr(plan_id),
                platform_code=repr(self.platform_code),
            )
        return stored

    def plans_for_application(self, application_id: str) -> builtins.list[StoredPlan]:
        return [s for s in self._plans.values() if s.application_id == application_id]

    def plans_with_status(self, *statuses: PlanStatus) -> builtins.list[StoredPlan]:
        return sorted(
            (s for s in self._plans.values() if s.plan.status in statuses),
            key=lambda s: s.plan.plan_id,
        )

    def plan_timelines(self, until: date) -> builtins.list[PlanTimeline]:
        return [
            PlanTimeline(s.plan.plan_id, s.plan.loan_id, s.plan.events)
            for s in sorted(self._plans.values(), key=lambda s: s.plan.plan_id)
            if s.plan.events[0].on <= until
        ]

    def plan_totals(self, plan_ids: Iterable[str]) -> dict[str, int]:
        totals: dict[str, int] = {}
        for plan_id in set(plan_ids):
            stored = self._plans.get(plan_id)
            if stored is not None:
                totals[plan_id] = sum(
                    i.principal.minor + i.interest.minor + i.fees.minor
                    for i in stored.plan.schedule.installments
                )
        return totals

    def save_plan(self, plan: Plan) -> None:
        stored = self.require_plan(plan.plan_id)
        saved = dataclasses.replace(
            stored.plan, status=plan.status, events=plan.events, starts_on=plan.starts_on
        )
        self._plans[plan.plan_id] = dataclasses.replace(stored, plan=saved)

    def record_approval(self, plan_id: str, approval: Approval) -> None:
        stored = self.require_plan(plan_id)
        if approval.approved_by == stored.request.requested_by:  # the database's check
            raise Conflict(
                N_("approval of plan %(plan_id)s refused by the database: %(orig)s"),
                plan_id=repr(plan_id),
                orig="the requester may not approve",
            )
        self._plans[plan_id] = dataclasses.replace(stored, approval=approval)


class FakeScheduleRepository:
    def __init__(
        self,
        platform_code: str,
        histories: dict[str, list[ScheduleVersion]],
        loans: dict[str, Loan],
    ) -> None:
        self.platform_code = platform_code
        self._histories = histories
        self._loans = loans

    def schedule_history(self, loan_id: str) -> builtins.list[ScheduleVersion]:
        return builtins.list(self._histories.get(loan_id, []))

    def schedule_histories(
        self, loan_ids: Iterable[str]
    ) -> dict[str, builtins.list[ScheduleVersion]]:
        return {i: builtins.list(self._histories[i]) for i in set(loan_ids) if i in self._histories}

    def schedules_in_force(
        self, as_of: date
    ) -> dict[int, tuple[InForce, str, builtins.list[dict[str, Any]]]]:
        _bulk_only("schedules_in_force")

    def append_schedule(
        self,
        loan_id: str,
        schedule: Schedule,
        *,
        reason: str,
        effective_from: date,
        plan_id: str | None = None,
    ) -> ScheduleVersion:
        if loan_id not in self._loans:
            raise _unknown(self.platform_code, LOANS, loan_id)
        history = self._histories.setdefault(loan_id, [])
        version = ScheduleVersion(len(history) + 1, schedule, reason, effective_from)
        history.append(version)
        return version


class FakeLoanRepository:
    def __init__(self, platform_code: str, loans: dict[str, Loan]) -> None:
        self.platform_code = platform_code
        self._loans = loans

    def get(self, loan_id: str) -> Loan | None:
        return self._loans.get(loan_id)

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        return {i for i in ids if i in self._loans}

    def get_many(self, ids: Iterable[str]) -> dict[str, Loan]:
        return {i: self._loans[i] for i in ids if i in self._loans}

    def add_many(self, loans: Sequence[Loan]) -> int:
        for loan in loans:
            if loan.loan_id in self._loans:
                raise Conflict(
                    N_(
                        "%(kind)s already on platform %(platform_code)s or repeated in the batch "
                        "(%(count)s): %(shown)s"
                    ),
                    kind=LOANS,
                    platform_code=repr(self.platform_code),
                    count=1,
                    shown=loan.loan_id,
                )
            self._loans[loan.loan_id] = loan
        return len(loans)

    def list_all(self) -> builtins.list[Loan]:
        return [self._loans[i] for i in sorted(self._loans)]

    def for_borrower(self, borrower_id: str) -> builtins.list[Loan]:
        return [loan for loan in self.list_all() if loan.borrower_id == borrower_id]

    def count(self) -> int:
        return len(self._loans)

    def pauses_by_loan(
        self, loan_ids: Iterable[str] | None = None
    ) -> dict[str, builtins.list[PausePeriod]]:
        return {}

    def key_columns(self) -> pa.Table | None:
        return None  # no columnar read in memory: the cycle reads the rows

    def account_columns(
        self, *, after: int | None = None, up_to: int | None = None
    ) -> pa.Table | None:
        return None

    def installment_columns(
        self, *, after: int | None = None, up_to: int | None = None
    ) -> pa.Table | None:
        return None

    def account_rows(self) -> builtins.list[tuple[Any, ...]]:
        _bulk_only("account_rows")

    def phone_zones(self) -> dict[int, tuple[str, ...]]:
        _bulk_only("phone_zones")

    def installment_rows(self) -> builtins.list[tuple[Any, ...]]:
        _bulk_only("installment_rows")

    def pause_rows(self) -> builtins.list[tuple[Any, ...]]:
        _bulk_only("pause_rows")

    def add_pause(self, loan_id: str, pause: PausePeriod, reason: str = "") -> None:
        _bulk_only("add_pause")


class FakeUserRepository:
    def __init__(self, platform_code: str, users: list[UserRecord]) -> None:
        self.platform_code = platform_code
        self._users = users

    def add(
        self, *, username: str, display_name: str, roles: Sequence[Role], created_by: str
    ) -> UserRecord:
        existing = self.by_name(username)
        if existing is not None:
            raise name_taken(username, existing, self.platform_code)
        record = UserRecord(
            user_id=len(self._users) + 1,
            username=username,
            display_name=display_name,
            roles=tuple(roles),
            active=True,
            failed_logins=0,
            locked_until=None,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            created_by=created_by,
        )
        self._users.append(record)
        return record

    def by_name(self, name: str) -> UserRecord | None:
        return next((u for u in self._users if name_key(u.username) == name_key(name)), None)

    def get(self, user_id: int) -> UserRecord | None:
        return next((u for u in self._users if u.user_id == user_id), None)

    def require(self, user_id: int) -> UserRecord:
        found = self.get(user_id)
        if found is None:
            raise NotFound(
                N_("no user %(user_id)s on platform %(platform_code)s"),
                user_id=user_id,
                platform_code=repr(self.platform_code),
            )
        return found

    def list(self) -> builtins.list[UserRecord]:
        return builtins.list(self._users)

    def update(
        self, user_id: int, *, roles: Sequence[Role] | None = None, active: bool | None = None
    ) -> UserRecord:
        found = self.require(user_id)
        changed = dataclasses.replace(
            found,
            roles=found.roles if roles is None else tuple(roles),
            active=found.active if active is None else active,
        )
        self._users[self._users.index(found)] = changed
        return changed

    def password_hash(self, user_id: int) -> str | None:
        return None

    def set_password_hash(self, user_id: int, password_hash: str | None) -> None:
        raise NotImplementedError("passwords are not kept in memory")

    def record_login(
        self, user_id: int, *, failed_logins: int, locked_until: datetime | None
    ) -> None:
        raise NotImplementedError("sign-ins are not kept in memory")
