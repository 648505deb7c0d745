"""Repositories: the questions the services ask of storage, each bound to ONE platform.

A repository resolves its platform code once, at construction (an unknown
code is ``NotFound``), and every statement it issues filters on that
platform's id.  Writes are set-based (one INSERT or COPY for many rows)
because the daily cycle and the demo write hundreds of thousands of rows.
"""

from tideover.adapters.repositories.access import AccessRepository, ApiKeyRecord, SessionRecord
from tideover.adapters.repositories.account_flags import AccountFlags, AccountFlagsRepository
from tideover.adapters.repositories.applications import (
    EvidenceFile,
    HardshipApplicationRepository,
)
from tideover.adapters.repositories.audit import AuditHead, AuditRepository
from tideover.adapters.repositories.borrowers import BorrowerRepository
from tideover.adapters.repositories.collectors import CollectorRepository
from tideover.adapters.repositories.comms import (
    CommsRepository,
    OutboxWork,
    TemplateRecord,
)
from tideover.adapters.repositories.contacts import ContactEvent, ContactRepository, ContactResult
from tideover.adapters.repositories.cycle import CycleRepository, CycleRun, ReplaceResult
from tideover.adapters.repositories.delinquency import DelinquencyRepository
from tideover.adapters.repositories.holds import HoldRepository
from tideover.adapters.repositories.imports import ImportBatchRecord, ImportBatchRepository
from tideover.adapters.repositories.jobs import JobRecord, JobRepository
from tideover.adapters.repositories.keyring import Ciphertext, KeyEntry, PiiKeyRepository
from tideover.adapters.repositories.loans import LoanRepository
from tideover.adapters.repositories.payments import PaymentRepository
from tideover.adapters.repositories.plans import PlanRepository, PlanTimeline, StoredPlan
from tideover.adapters.repositories.platforms import PlatformRecord, PlatformRepository
from tideover.adapters.repositories.policies import PolicyRepository, StoredEvent, StoredPolicy
from tideover.adapters.repositories.promises import PromiseRepository, StoredPromise
from tideover.adapters.repositories.queues import CallTarget, QueueItem, QueueRepository
from tideover.adapters.repositories.schedules import ScheduleRepository
from tideover.adapters.repositories.simulations import SimulationRepository, StoredSimulation
from tideover.adapters.repositories.users import UserRecord, UserRepository

__all__ = [
    "AccessRepository",
    "AccountFlags",
    "AccountFlagsRepository",
    "ApiKeyRecord",
    "AuditHead",
    "AuditRepository",
    "BorrowerRepository",
    "CallTarget",
    "Ciphertext",
    "CollectorRepository",
    "CommsRepository",
    "ContactEvent",
    "ContactRepository",
    "ContactResult",
    "CycleRepository",
    "CycleRun",
    "DelinquencyRepository",
    "EvidenceFile",
    "HardshipApplicationRepository",
    "HoldRepository",
    "ImportBatchRecord",
    "ImportBatchRepository",
    "JobRecord",
    "JobRepository",
    "KeyEntry",
    "LoanRepository",
    "OutboxWork",
    "PaymentRepository",
    "PiiKeyRepository",
    "PlanRepository",
    "PlanTimeline",
    "PlatformRecord",
    "PlatformRepository",
    "PolicyRepository",
    "PromiseRepository",
    "QueueItem",
    "QueueRepository",
    "ReplaceResult",
    "ScheduleRepository",
    "SessionRecord",
    "SimulationRepository",
    "StoredEvent",
    "StoredPlan",
    "StoredPolicy",
    "StoredPromise",
    "StoredSimulation",
    "TemplateRecord",
    "UserRecord",
    "UserRepository",
]
