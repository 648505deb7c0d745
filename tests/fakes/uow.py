"""An in-memory unit of work: the repositories the handlers' unit tests need, in dicts.

It implements ``tideover.services.unit_of_work.UnitOfWork`` (mypy checks it:
``make lint`` type-checks this folder).  Leaving the ``with`` block without a
commit restores the state it was entered with, as a database transaction would,
so a handler that fails half-way leaves nothing behind here either.

Only the kinds of record the handler unit tests use are kept; asking for
another repository is a ``NotImplementedError`` naming it, so a handler that
starts to need one shows up at once.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import NoReturn, Self

from tests.fakes.records import (
    FakeApplicationRepository,
    FakeAuditRepository,
    FakeLoanRepository,
    FakePlanRepository,
    FakePlatformRepository,
    FakePolicyRepository,
    FakeScheduleRepository,
    FakeUserRepository,
)
from tests.fakes.simulations import FakeJobRepository, FakeSimulationRepository
from tideover.adapters.repositories import (
    JobRecord,
    PlatformRecord,
    StoredEvent,
    StoredPlan,
    StoredPolicy,
    StoredSimulation,
    UserRecord,
)
from tideover.compliance.audit import AuditRecord
from tideover.domain.errors import NotFound, UsageError
from tideover.domain.loans import Loan
from tideover.i18n import N_
from tideover.plans.application import EvidenceDocument
from tideover.plans.cases import ApplicationCase
from tideover.plans.lifecycle import ScheduleVersion
from tideover.services.repositories import (
    AccessRepository,
    AccountFlagsRepository,
    BorrowerRepository,
    CollectorRepository,
    CommsRepository,
    ContactRepository,
    CycleRepository,
    DelinquencyRepository,
    HoldRepository,
    ImportBatchRepository,
    PaymentRepository,
    PiiKeyRepository,
    PromiseRepository,
    QueueRepository,
)
from tideover.services.unit_of_work import UnitOfWork


@dataclass
class PlatformData:
    """Everything stored for one platform."""

    policies: list[StoredPolicy] = field(default_factory=list)
    policy_events: list[StoredEvent] = field(default_factory=list)
    audit: list[AuditRecord] = field(default_factory=list)
    applications: dict[str, ApplicationCase] = field(default_factory=dict)
    evidence: dict[str, list[tuple[EvidenceDocument, bytes]]] = field(default_factory=dict)
    plans: dict[str, StoredPlan] = field(default_factory=dict)
    schedules: dict[str, list[ScheduleVersion]] = field(default_factory=dict)
    loans: dict[str, Loan] = field(default_factory=dict)
    users: list[UserRecord] = field(default_factory=list)
    simulations: dict[int, StoredSimulation] = field(default_factory=dict)


@dataclass
class Store:
    """The whole in-memory database: platforms and their data."""

    platforms: dict[str, PlatformRecord] = field(default_factory=dict)
    data: dict[str, PlatformData] = field(default_factory=dict)
    locks: set[str] = field(default_factory=set)
    jobs: list[JobRecord] = field(default_factory=list)

    def of(self, platform: str) -> PlatformData:
        if platform not in self.platforms:  # as the SQL repositories refuse it
            raise NotFound(
                N_("unknown platform %(platform_code)s; create it first"),
                platform_code=repr(platform),
            )
        return self.data.setdefault(platform, PlatformData())


class InMemoryUnitOfWork:
    """A unit of work over a :class:`Store`; one commit makes the changes stay."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store if store is not None else Store()
        self._saved: Store | None = None
        self._open = False
        self.commits = 0

    def __enter__(self) -> Self:
        if self._open:
            raise UsageError(N_("this unit of work is already open; create a new one per use case"))
        self._open = True
        self._saved = copy.deepcopy(self.store)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self._open = False

    @contextmanager
    def exclusive(self, name: str, *, label: str) -> Iterator[None]:
        """In one process: a name held twice is refused, as the real locks refuse it."""
        from tideover.adapters.locks import LockHeld

        if name in self.store.locks:
            raise LockHeld(
                N_(
                    "%(name)s is in progress in another process; wait for it to finish, or "
                    "check `tideover cycle runs`"
                ),
                name=label,
            )
        self.store.locks.add(name)
        try:
            yield
        finally:
            self.store.locks.discard(name)

    def commit(self) -> None:
        self._require_open()
        self._saved = copy.deepcopy(self.store)
        self.commits += 1

    def rollback(self) -> None:
        if self._saved is not None:
            restored = copy.deepcopy(self._saved)
            self.store.platforms, self.store.data = restored.platforms, restored.data
            self.store.jobs = restored.jobs

    def _require_open(self) -> None:
        if not self._open:
            raise UsageError(N_("the unit of work is not open; use it in a `with` block"))

    # -- the repositories the handler tests use ----------------------------------------

    @property
    def platforms(self) -> FakePlatformRepository:
        self._require_open()
        return FakePlatformRepository(self.store.platforms)

    def policies(self, platform_code: str) -> FakePolicyRepository:
        data = self._data(platform_code)
        return FakePolicyRepository(platform_code, data.policies, data.policy_events)

    def audit(self, platform_code: str) -> FakeAuditRepository:
        return FakeAuditRepository(platform_code, self._data(platform_code).audit)

    def applications(self, platform_code: str) -> FakeApplicationRepository:
        data = self._data(platform_code)
        return FakeApplicationRepository(platform_code, data.applications, data.evidence)

    def plans(self, platform_code: str) -> FakePlanRepository:
        data = self._data(platform_code)
        return FakePlanRepository(platform_code, data.plans, data.applications, data.loans)

    def schedules(self, platform_code: str) -> FakeScheduleRepository:
        data = self._data(platform_code)
        return FakeScheduleRepository(platform_code, data.schedules, data.loans)

    def loans(self, platform_code: str) -> FakeLoanRepository:
        return FakeLoanRepository(platform_code, self._data(platform_code).loans)

    def users(self, platform_code: str) -> FakeUserRepository:
        return FakeUserRepository(platform_code, self._data(platform_code).users)

    def simulations(self, platform_code: str) -> FakeSimulationRepository:
        return FakeSimulationRepository(platform_code, self._data(platform_code).simulations)

    @property
    def jobs(self) -> FakeJobRepository:
        """Queued jobs are kept (what was asked for); running them is not faked."""
        self._require_open()
        return FakeJobRepository(self.store.jobs)

    def _data(self, platform_code: str) -> PlatformData:
        self._require_open()
        return self.store.of(platform_code)

    # -- not kept in memory --------------------------------------------------------------

    def _not_faked(self, kind: str) -> NoReturn:
        raise NotImplementedError(f"the in-memory unit of work keeps no {kind}")

    @property
    def pii_keys(self) -> PiiKeyRepository:
        self._not_faked("the PII key ring")

    @property
    def access(self) -> AccessRepository:
        self._not_faked("sessions and API keys")

    def borrowers(self, platform_code: str) -> BorrowerRepository:
        self._not_faked("borrowers")

    def payments(self, platform_code: str) -> PaymentRepository:
        self._not_faked("payments")

    def delinquency(self, platform_code: str) -> DelinquencyRepository:
        self._not_faked("delinquency snapshots")

    def import_batches(self, platform_code: str) -> ImportBatchRepository:
        self._not_faked("import batches")

    def comms(self, platform_code: str) -> CommsRepository:
        self._not_faked("comms")

    def contacts(self, platform_code: str) -> ContactRepository:
        self._not_faked("contacts")

    def holds(self, platform_code: str) -> HoldRepository:
        self._not_faked("holds")

    def cycle(self, platform_code: str) -> CycleRepository:
        self._not_faked("cycle runs")

    def promises(self, platform_code: str) -> PromiseRepository:
        self._not_faked("promises")

    def collectors(self, platform_code: str) -> CollectorRepository:
        self._not_faked("collectors")

    def queues(self, platform_code: str) -> QueueRepository:
        self._not_faked("queues")

    def account_flags(self, platform_code: str) -> AccountFlagsRepository:
        self._not_faked("account flags")


def as_unit_of_work(uow: InMemoryUnitOfWork) -> UnitOfWork:
    """The fake where a handler wants a unit of work (mypy checks it fits the protocol)."""
    return uow
