"""The unit of work: one transaction, the repositories that share it, and one commit.

This is the protocol handlers depend on; ``tideover.adapters.unit_of_work`` has the
SQLAlchemy one (SQLite, PostgreSQL) and ``tests/fakes`` an in-memory one for unit
tests of handlers.

A handler opens a unit of work, asks it for the repositories of the platform
it works on, and commits once.  Leaving the ``with`` block without a commit
(including through an exception) rolls everything back, so a crash leaves
the last committed state intact.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Protocol, Self

from tideover.services.repositories import (
    AccessRepository,
    AccountFlagsRepository,
    AuditRepository,
    BorrowerRepository,
    CollectorRepository,
    CommsRepository,
    ContactRepository,
    CycleRepository,
    DelinquencyRepository,
    HardshipApplicationRepository,
    HoldRepository,
    ImportBatchRepository,
    JobRepository,
    LoanRepository,
    PaymentRepository,
    PiiKeyRepository,
    PlanRepository,
    PlatformRepository,
    PolicyRepository,
    PromiseRepository,
    QueueRepository,
    ScheduleRepository,
    SimulationRepository,
    UserRepository,
)


class UnitOfWork(Protocol):
    """What a service handler needs from storage."""

    @property
    def platforms(self) -> PlatformRepository: ...

    @property
    def pii_keys(self) -> PiiKeyRepository: ...

    @property
    def access(self) -> AccessRepository: ...

    @property
    def jobs(self) -> JobRepository: ...

    def users(self, platform_code: str) -> UserRepository: ...

    def borrowers(self, platform_code: str) -> BorrowerRepository: ...

    def loans(self, platform_code: str) -> LoanRepository: ...

    def payments(self, platform_code: str) -> PaymentRepository: ...

    def delinquency(self, platform_code: str) -> DelinquencyRepository: ...

    def import_batches(self, platform_code: str) -> ImportBatchRepository: ...

    def comms(self, platform_code: str) -> CommsRepository: ...

    def contacts(self, platform_code: str) -> ContactRepository: ...

    def audit(self, platform_code: str) -> AuditRepository: ...

    def holds(self, platform_code: str) -> HoldRepository: ...

    def policies(self, platform_code: str) -> PolicyRepository: ...

    def cycle(self, platform_code: str) -> CycleRepository: ...

    def applications(self, platform_code: str) -> HardshipApplicationRepository: ...

    def plans(self, platform_code: str) -> PlanRepository: ...

    def schedules(self, platform_code: str) -> ScheduleRepository: ...

    def promises(self, platform_code: str) -> PromiseRepository: ...

    def collectors(self, platform_code: str) -> CollectorRepository: ...

    def queues(self, platform_code: str) -> QueueRepository: ...

    def account_flags(self, platform_code: str) -> AccountFlagsRepository: ...

    def simulations(self, platform_code: str) -> SimulationRepository: ...

    def exclusive(self, name: str, *, label: str) -> AbstractContextManager[None]:
        """Hold the named lock across processes for a block, or refuse at once (a
        ``Conflict`` naming ``label``): one daily-cycle run per platform and date."""
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
