"""The SQLAlchemy unit of work: one session, the repositories that share it, one commit.

It implements ``tideover.services.unit_of_work.UnitOfWork`` for SQLite and
PostgreSQL.  Leaving the ``with`` block without a commit (including through an
exception) rolls everything back, so a crash leaves the last committed state intact.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from tideover.adapters import locks
from tideover.adapters.pii import PiiCipher
from tideover.adapters.repositories import (
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
from tideover.domain.errors import UsageError
from tideover.i18n import N_


class SqlAlchemyUnitOfWork:
    """A unit of work over one SQLAlchemy session (SQLite or PostgreSQL)."""

    def __init__(self, session_factory: sessionmaker[Session], cipher: PiiCipher) -> None:
        self._session_factory = session_factory
        self._cipher = cipher
        self._session: Session | None = None

    def __enter__(self) -> Self:
        if self._session is not None:
            raise UsageError(
                N_("this unit of work is already open; create a new one per use case"),
            )
        self._session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            session.rollback()  # a no-op after commit; undoes everything otherwise
        finally:
            session.close()

    @property
    def session(self) -> Session:
        """The open session, for adapters that keep their own tables."""
        if self._session is None:
            raise UsageError(
                N_("the unit of work is not open; use it in a `with` block"),
            )
        return self._session

    @property
    def platforms(self) -> PlatformRepository:
        return PlatformRepository(self.session)

    @property
    def pii_keys(self) -> PiiKeyRepository:
        return PiiKeyRepository(self.session)

    @property
    def access(self) -> AccessRepository:
        return AccessRepository(self.session)

    @property
    def jobs(self) -> JobRepository:
        return JobRepository(self.session)

    def users(self, platform_code: str) -> UserRepository:
        return UserRepository(self.session, platform_code)

    def borrowers(self, platform_code: str) -> BorrowerRepository:
        return BorrowerRepository(self.session, platform_code, self._cipher)

    def loans(self, platform_code: str) -> LoanRepository:
        return LoanRepository(self.session, platform_code)

    def payments(self, platform_code: str) -> PaymentRepository:
        return PaymentRepository(self.session, platform_code)

    def delinquency(self, platform_code: str) -> DelinquencyRepository:
        return DelinquencyRepository(self.session, platform_code)

    def import_batches(self, platform_code: str) -> ImportBatchRepository:
        return ImportBatchRepository(self.session, platform_code)

    def comms(self, platform_code: str) -> CommsRepository:
        return CommsRepository(self.session, platform_code, self._cipher)

    def contacts(self, platform_code: str) -> ContactRepository:
        return ContactRepository(self.session, platform_code, self._cipher)

    def audit(self, platform_code: str) -> AuditRepository:
        return AuditRepository(self.session, platform_code)

    def holds(self, platform_code: str) -> HoldRepository:
        return HoldRepository(self.session, platform_code)

    def policies(self, platform_code: str) -> PolicyRepository:
        return PolicyRepository(self.session, platform_code)

    def cycle(self, platform_code: str) -> CycleRepository:
        return CycleRepository(self.session, platform_code)

    def applications(self, platform_code: str) -> HardshipApplicationRepository:
        return HardshipApplicationRepository(self.session, platform_code)

    def plans(self, platform_code: str) -> PlanRepository:
        return PlanRepository(self.session, platform_code)

    def schedules(self, platform_code: str) -> ScheduleRepository:
        return ScheduleRepository(self.session, platform_code)

    def promises(self, platform_code: str) -> PromiseRepository:
        return PromiseRepository(self.session, platform_code)

    def collectors(self, platform_code: str) -> CollectorRepository:
        return CollectorRepository(self.session, platform_code)

    def queues(self, platform_code: str) -> QueueRepository:
        return QueueRepository(self.session, platform_code)

    def account_flags(self, platform_code: str) -> AccountFlagsRepository:
        return AccountFlagsRepository(self.session, platform_code)

    def simulations(self, platform_code: str) -> SimulationRepository:
        return SimulationRepository(self.session, platform_code)

    def exclusive(self, name: str, *, label: str) -> AbstractContextManager[None]:
        engine = self._session_factory.kw["bind"]
        return locks.exclusive(engine, name, label=label)

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
