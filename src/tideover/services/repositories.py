"""What the use cases ask of storage: one protocol per kind of record, bound to one platform.

The SQLAlchemy repositories in ``tideover.adapters.repositories`` implement these
for SQLite and PostgreSQL; ``tests/fakes`` holds in-memory ones for unit tests of
handlers.  mypy keeps both in step with these shapes: the SQLAlchemy unit of work
is checked against ``UnitOfWork`` wherever the CLI passes it to a handler, and
``make lint`` type-checks the fakes too.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

import pyarrow as pa

from tideover.adapters.repositories.access import ApiKeyRecord, SessionRecord
from tideover.adapters.repositories.account_flags import AccountFlags
from tideover.adapters.repositories.applications import EvidenceFile
from tideover.adapters.repositories.audit import AuditHead
from tideover.adapters.repositories.comms import OutboxWork, TemplateRecord
from tideover.adapters.repositories.contacts import ContactCounts, ContactEvent, ContactResult
from tideover.adapters.repositories.cycle import CycleRun, ReplaceResult, RollbackRequest
from tideover.adapters.repositories.imports import ImportBatchRecord
from tideover.adapters.repositories.jobs import JobRecord
from tideover.adapters.repositories.keyring import Ciphertext, KeyEntry
from tideover.adapters.repositories.plans import PlanTimeline, StoredPlan
from tideover.adapters.repositories.platforms import PlatformRecord
from tideover.adapters.repositories.policies import StoredEvent, StoredPolicy
from tideover.adapters.repositories.promises import StoredPromise
from tideover.adapters.repositories.queues import CallTarget, QueueItem
from tideover.adapters.repositories.simulations import StoredSimulation
from tideover.adapters.repositories.users import UserRecord
from tideover.compliance.audit import AuditRecord
from tideover.compliance.contacts import Attempt, Hold, HoldKind, Outcome
from tideover.compliance.holds import HoldRecord
from tideover.compliance.ledger import InMemoryLedger
from tideover.domain.borrowers import Borrower, CallProfile, PhoneNumber
from tideover.domain.collectors import Collector
from tideover.domain.delinquency import DelinquencyStatus, PausePeriod
from tideover.domain.identity import Role
from tideover.domain.loans import Loan, Schedule
from tideover.domain.money import Currency
from tideover.domain.payments import Payment
from tideover.domain.schedule_in_force import InForce
from tideover.plans.application import EvidenceDocument
from tideover.plans.approval import Approval, ApprovalRequest
from tideover.plans.cases import ApplicationCase
from tideover.plans.lifecycle import Outcome as PromiseOutcome
from tideover.plans.lifecycle import Plan, PlanStatus, PromiseToPay, ScheduleVersion
from tideover.plans.limits import OfferLimits
from tideover.policy.workflow import Event, Ledger, Version


class AccessRepository(Protocol):
    """Sessions, API keys and one-time codes of every platform (each record names its own)."""

    def add_session(
        self,
        *,
        platform: str,
        token_hash: str,
        subject: str,
        user_id: int | None,
        borrower_id: str | None,
        csrf_token: str,
        locale: str | None,
        at: datetime,
        expires_at: datetime,
    ) -> None: ...

    def session_by_token(self, token_hash: str) -> SessionRecord | None: ...

    def touch_session(self, session_pk: int, *, at: datetime, expires_at: datetime) -> None: ...

    def set_session_locale(self, session_pk: int, locale: str) -> None: ...

    def end_session(self, session_pk: int, *, at: datetime) -> None: ...

    def end_user_sessions(self, platform: str, user_id: int, *, at: datetime) -> None:
        """Ends every session of a user (deactivated, password changed)."""

    def add_api_key(
        self,
        *,
        platform: str,
        key_id: str,
        secret_hash: str,
        name: str,
        scopes: Sequence[str],
        created_by: int,
        at: datetime,
    ) -> None: ...

    def api_key(self, key_id: str) -> ApiKeyRecord | None: ...

    def api_keys(self, platform: str) -> builtins.list[ApiKeyRecord]: ...

    def key_used(self, key_id: str, *, at: datetime) -> None: ...

    def revoke_api_key(self, platform: str, key_id: str, *, at: datetime) -> bool: ...

    def add_code(
        self, *, platform: str, phone_hash: str, code_hash: str, at: datetime, expires_at: datetime
    ) -> None: ...

    def codes_sent_since(self, platform: str, phone_hash: str, since: datetime) -> int: ...

    def live_code(
        self, platform: str, phone_hash: str, *, at: datetime
    ) -> tuple[int, str, int] | None:
        """The newest unused, unexpired code: (key, code hash, wrong tries so far)."""

    def code_tried(self, code_pk: int, *, used_at: datetime | None) -> None:
        """One more try of a code; ``used_at`` when it was the right one (never usable
        again)."""


class AccountFlagsRepository(Protocol):
    """The per-account flags of one platform for one business date."""

    @property
    def platform_code(self) -> str: ...

    def flags(self, *, as_of: date, day_start: datetime, day_end: datetime) -> AccountFlags:
        """Flags on ``as_of``; ``day_start``/``day_end`` bound the date in the platform's
        zone."""


class HardshipApplicationRepository(Protocol):
    """Hardship applications and their evidence of one platform."""

    @property
    def platform_code(self) -> str: ...

    def add_application(self, case: ApplicationCase, evidence: Sequence[EvidenceFile]) -> None:
        """Stores a new application with its evidence; a repeated id is a ``Conflict``."""

    def application(self, application_id: str, *, lock: bool = False) -> ApplicationCase | None: ...

    def require_application(
        self, application_id: str, *, lock: bool = False
    ) -> ApplicationCase: ...

    def save_case(self, case: ApplicationCase) -> None:
        """Stores the review state of ``case`` (its document never changes)."""

    def evidence(self, application_id: str) -> builtins.list[EvidenceDocument]:
        """Metadata of the application's documents, by file name."""

    def evidence_content(self, application_id: str, file_name: str) -> bytes | None: ...

    def for_loans(self, loan_ids: Iterable[str]) -> builtins.list[ApplicationCase]:
        """The applications made for any of ``loan_ids``, oldest first."""

    def erase_evidence(self, application_ids: Iterable[str]) -> int:
        """Deletes the evidence documents of ``application_ids`` (erasure); their metadata
        goes with them."""


class AuditRepository(Protocol):
    """Append-only audit records of one platform."""

    @property
    def platform_code(self) -> str: ...

    def append(self, kind: str, payload: Mapping[str, Any], *, at: datetime) -> AuditRecord:
        """Chains a new record after the head and stores it (in the caller's transaction)."""

    def append_many(
        self, entries: Sequence[tuple[str, Mapping[str, Any]]], *, at: datetime
    ) -> builtins.list[AuditRecord]:
        """``append`` for many records at once: the head is locked and moved once and the
        records are written in one statement (the outbox worker's batches)."""

    def records(self) -> builtins.list[AuditRecord]:
        """Every record in storage order (the order they were written in)."""

    def head(self) -> AuditHead | None: ...

    def count(self) -> int: ...


class BorrowerRepository(Protocol):
    """Borrowers of one platform; phone numbers and ID numbers are encrypted at rest."""

    @property
    def platform_code(self) -> str: ...

    def get(self, borrower_id: str) -> Borrower | None: ...

    def phone_hash(self, phone: str) -> str:
        """The keyed hash phone numbers are looked up by (the number is never stored plain)."""

    def erase(self, borrower_id: str) -> None:
        """Removes what identifies the borrower (name, ID number, phones, address, e-mail,
        attributes); the row stays so that their accounts keep their key."""

    def set_preferences(
        self, borrower_id: str, *, locale: str, attributes: Mapping[str, str]
    ) -> None:
        """The borrower's language (``locale``) and ``attributes`` merged into theirs (the
        preferred channel is one: a column of its own is a later migration's)."""

    def existing_ids(self, ids: Iterable[str]) -> set[str]: ...

    def get_many(self, ids: Iterable[str]) -> dict[str, Borrower]:
        """The stored ones among ``ids``, by id, in a few batched queries."""

    def call_profiles(self, ids: Iterable[str]) -> dict[str, CallProfile]:
        """What the gate needs to place a call to each stored one of ``ids``, by id (no
        number decrypted)."""

    def add_many(self, borrowers: Sequence[Borrower]) -> int:
        """Inserts new borrowers with their phones; an existing id is a ``Conflict``."""

    def add_phone_if_new(self, borrower_id: str, phone: PhoneNumber) -> bool:
        """Adds ``phone`` after a stored borrower's numbers; ``False`` (and nothing written)
        when it is already one of theirs."""

    def find_by_phone(self, e164: str) -> builtins.list[Borrower]: ...

    def find_by_national_id(self, national_id: str) -> builtins.list[Borrower]: ...

    def list_all(self) -> builtins.list[Borrower]: ...

    def count(self) -> int: ...


class CollectorRepository(Protocol):
    """Collectors of one platform, by their own id."""

    @property
    def platform_code(self) -> str: ...

    def get(self, collector_id: str) -> Collector | None: ...

    def require(self, collector_id: str) -> Collector:
        """The collector, or ``NotFound`` (an id of another platform is not found either)."""

    def list(
        self, *, active: bool | None = None, team: str | None = None, lock: bool = False
    ) -> builtins.list[Collector]:
        """By id; ``lock`` holds the rows until commit (PostgreSQL), serialising assignment."""

    def add_many(self, collectors: Sequence[Collector]) -> int:
        """Stores new collectors; an id already used on this platform is a ``Conflict``."""

    def save(self, collector: Collector, *, at: datetime) -> None:
        """Writes every field of a stored collector."""

    def count(self) -> int: ...


class CommsRepository(Protocol):
    """Templates, sending records and consents, always of one platform."""

    @property
    def platform_code(self) -> str: ...

    def recipient_key(self, address: str) -> str:
        """The keyed look-up hash of an address (a number, an e-mail): what is recorded."""

    def add_template(self, record: TemplateRecord) -> None: ...

    def template_versions(
        self, name: str, *, lock: bool = False
    ) -> builtins.list[TemplateRecord]: ...

    def templates(self) -> builtins.list[TemplateRecord]: ...

    def active_templates(self, names: Iterable[str]) -> dict[str, TemplateRecord]: ...

    def set_template_status(
        self,
        name: str,
        version: int,
        *,
        status: str,
        at: datetime,
        approver: str | None = None,
        note: str | None = None,
    ) -> None: ...

    def set_consent(
        self, borrower_id: str, channel: str, *, opted_out: bool, source: str, at: datetime
    ) -> None: ...

    def opt_outs(self, borrower_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """The channels each borrower opted out of (borrowers without any left out)."""

    def due(
        self, at: datetime, *, limit: int, channels: Sequence[str] | None = None
    ) -> builtins.list[OutboxWork]:
        """Messages to try now, oldest planned first: pending ones never tried whose time has
        come, ones to try again or deferred until now, and ones whose worker's lease
        ran out (a worker that died mid-send; the caller decides what became of them)."""

    def work(self, message_id: int) -> OutboxWork | None: ...

    def claim(self, work: OutboxWork, *, worker: str, at: datetime, lease_until: datetime) -> bool:
        """Takes ``work`` for ``worker`` if nobody took it since it was read (one conditional
        write: of two workers, exactly one wins)."""

    def record(self, message_id: int, *, state: str, at: datetime, **fields: Any) -> None:
        """Stores what came of a try; the outbox message's state follows
        (``OUTBOX_STATE_OF``)."""

    def record_many(self, outcomes: Sequence[Mapping[str, Any]], *, at: datetime) -> None:
        """``record`` for many messages in two statements: each outcome names its
        ``message_id``, ``state`` and every field of :data:`RECORDED` (the worker
        fills them all, so one statement shape serves every row)."""

    def add_messages(
        self, as_of: date, rows: Sequence[Mapping[str, Any]], payloads: Sequence[Mapping[str, Any]]
    ) -> int:
        """Writes messages planned outside the daily cycle (notices, statements) with their
        own values; a message already planned (same account, date and step) is kept as
        it is."""

    def page(
        self,
        *,
        first: date | None = None,
        last: date | None = None,
        states: Sequence[str] = (),
        channels: Sequence[str] = (),
        account_id: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[builtins.list[OutboxWork], int]:
        """Outbox messages by filter, newest date first, and how many match."""


class ContactRepository(Protocol):
    """Contact attempts and outcomes of one platform."""

    @property
    def platform_code(self) -> str: ...

    def keyed(self, attempt: Attempt) -> Attempt:
        """``attempt`` with its number replaced by the look-up hash the ledger is keyed by."""

    def add_many(self, events: Sequence[ContactEvent]) -> int:
        """Records new contacts; an attempt id already recorded is a ``Conflict``."""

    def add(self, event: ContactEvent) -> None: ...

    def set_outcome(
        self,
        attempt_id: str,
        outcome: Outcome,
        *,
        result: ContactResult | None = None,
        at: datetime | None = None,
    ) -> ContactEvent:
        """The outcome of an attempt recorded earlier (e.g. as planned) now that it is known."""

    def get(self, attempt_id: str) -> ContactEvent | None: ...

    def for_borrower(
        self, borrower_id: str, *, since: datetime | None = None
    ) -> builtins.list[ContactEvent]:
        """One borrower's contacts in time order, from ``since`` on."""

    def forget_numbers(self, borrower_id: str) -> int:
        """Drops the keyed hashes of the numbers dialled for one borrower (erasure); the
        contacts themselves stay, as the ledger the frequency caps count."""

    def load_ledger(
        self,
        *,
        since: datetime,
        borrower_ids: Iterable[str] | None = None,
        into: InMemoryLedger | None = None,
    ) -> InMemoryLedger:
        """The in-process ledger of contacts from ``since`` on (of ``borrower_ids`` if
        given)."""

    def attempts_and_complaints(
        self, *, since: datetime, until: datetime
    ) -> builtins.list[ContactCounts]:
        """Attempts and complaints in ``[since, until)`` per borrower, debt and channel."""

    def count(self) -> int: ...


class CycleRepository(Protocol):
    """The daily cycle's rows of one platform."""

    @property
    def platform_code(self) -> str: ...

    def start_run(self, as_of: date, *, engine: str, at: datetime) -> int:
        """Records a run as ``running``; an earlier run of the date still running is
        abandoned."""

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        at: datetime,
        stages: Mapping[str, Any],
        counts: Mapping[str, Any],
        versions: Mapping[str, Any],
        error: str | None = None,
    ) -> None: ...

    def runs(self, as_of: date | None = None) -> builtins.list[CycleRun]: ...

    def last_completed_date(self, *, before: date | None = None) -> date | None:
        """The latest business date with a completed run (strictly before ``before``)."""

    def add_rollback(
        self, *, to_date: date, reason: str, requested_by: int, at: datetime
    ) -> RollbackRequest:
        """A new request, numbered ``RB-1``, ``RB-2``… per platform."""

    def rollback(self, request_id: str) -> RollbackRequest | None: ...

    def rollbacks(self) -> builtins.list[RollbackRequest]:
        """Every request of the platform, newest first."""

    def decide_rollback(
        self,
        request_id: str,
        *,
        state: str,
        decided_by: int,
        at: datetime,
        removed: Mapping[str, int] | None = None,
    ) -> None:
        """A requested rollback becomes ``done`` or ``rejected`` (once: a decided one stays)."""

    def remove_from(self, first: date, *, note: str) -> dict[str, int]:
        """Undo the cycle from ``first`` on: its runs are marked abandoned (``note`` as their
        error), and what they produced that no borrower or collector has seen yet is
        deleted — pending outbox messages, open and assigned queue items, KPI
        snapshots, delinquency snapshots.  Sent messages, worked items and the contact
        ledger are history and stay."""

    def replace_outbox(self, as_of: date, rows: Sequence[Mapping[str, Any]]) -> ReplaceResult:
        """The date's outbox becomes ``rows``, except messages already past ``pending``."""

    def replace_queue_items(self, as_of: date, rows: Sequence[Mapping[str, Any]]) -> ReplaceResult:
        """The date's queue items become ``rows``, except items a collector already worked;
        an assigned item planned again keeps its id and collector (see the module
        doc)."""

    def outbox(self, as_of: date) -> builtins.list[dict[str, Any]]: ...

    def queue_items(self, as_of: date) -> builtins.list[dict[str, Any]]: ...

    def mark_outbox(self, as_of: date, states: Mapping[tuple[str, str], str]) -> int:
        """Pending messages of the date, keyed by (account, step), move on to their new
        state."""

    def mark_queue_items(self, as_of: date, states: Mapping[tuple[str, str], str]) -> int:
        """Open or assigned items of the date, keyed by (account, step), move to their state."""

    def replace_kpis(self, as_of: date, rows: Sequence[Mapping[str, Any]]) -> int: ...

    def kpis(self, first: date, last: date) -> builtins.list[dict[str, Any]]:
        """KPI rows with ``first <= as_of <= last``, by date, segment, arm, metric and key."""


class DelinquencyRepository(Protocol):
    """Daily delinquency snapshots of one platform: the bucket history behind roll rates."""

    @property
    def platform_code(self) -> str: ...

    def replace(self, as_of: date, statuses: Sequence[DelinquencyStatus]) -> int:
        """Stores ``statuses`` as the whole of ``as_of``'s snapshot; a rerun replaces it."""

    def replace_columns(self, as_of: date, table: pa.Table) -> int:
        """``replace`` for a whole portfolio: the snapshot as columns (``SNAPSHOT_SCHEMA`` of
        ``adapters.repositories.delinquency``, loans by key), written in bulk."""

    def for_date(self, as_of: date) -> dict[str, DelinquencyStatus]: ...

    def history(
        self, loan_ids: Iterable[str], dates: Iterable[date]
    ) -> dict[str, builtins.list[DelinquencyStatus]]:
        """The snapshots of ``loan_ids`` on ``dates`` (those stored), oldest first, by loan."""

    def buckets_on(self, as_of: date) -> builtins.list[tuple[Any, ...]]:
        """(loan id, bucket, balance) of ``as_of``'s snapshot, by loan key: what roll and
        cure rates read of the previous date, without objects.  The balance is the
        KPIs' (``tideover.domain.kpis``): principal plus overdue interest, fees and
        penalty."""

    def bucket_columns(self, as_of: date) -> pa.Table | None:
        """``buckets_on`` as Arrow columns account_id, bucket, balance_minor; None where
        the database is read as rows."""

    def days_past_due(self, dates: Sequence[date]) -> builtins.list[tuple[Any, ...]]:
        """(loan id, day number, days past due, bucket, outstanding principal) of every loan
        on each of ``dates`` (those stored), by loan key and date: the loans' paths,
        without objects."""

    def dates(self) -> builtins.list[date]: ...

    def previous_date(self, before: date) -> date | None:
        """The latest snapshot date strictly before ``before``."""


class HoldRepository(Protocol):
    """Holds of one platform."""

    @property
    def platform_code(self) -> str: ...

    def add_many(self, holds: Sequence[HoldRecord]) -> int:
        """Stores new holds; a hold id already used on this platform is a ``Conflict``."""

    def add(self, hold: HoldRecord) -> None: ...

    def get(self, hold_id: str) -> HoldRecord | None: ...

    def raised_by_contact(self, attempt_id: str) -> builtins.list[HoldRecord]:
        """The holds a contact's result raised."""

    def lift(self, hold_id: str, *, at: datetime, by: str, reason: str) -> HoldRecord:
        """Ends a hold at ``at``; lifting one already lifted is a ``Conflict``."""

    def for_borrower(self, borrower_id: str) -> builtins.list[HoldRecord]:
        """Every hold of one borrower, lifted or not, by start."""

    def listed(
        self, *, kind: HoldKind | None = None, not_ended_at: datetime | None = None
    ) -> builtins.list[HoldRecord]:
        """The platform's holds by start: of ``kind`` if given, not ended by ``not_ended_at``
        if given (as :meth:`gate_holds` counts them), else every one, lifted or not."""

    def gate_holds(
        self, *, at: datetime, borrower_ids: Iterable[str] | None = None
    ) -> dict[str, tuple[Hold, ...]]:
        """Holds not ended by ``at``, as the gate reads them, by borrower (all if not given)."""

    def count(self) -> int: ...


class ImportBatchRepository(Protocol):
    """The log of imports into one platform, newest first."""

    @property
    def platform_code(self) -> str: ...

    def record(
        self,
        *,
        kind: str,
        file_name: str,
        sha256: str,
        rows: int,
        written: int,
        skipped: int,
        rejected: int,
    ) -> ImportBatchRecord: ...

    def recent(self, limit: int = 20) -> builtins.list[ImportBatchRecord]: ...


class JobRepository(Protocol):
    """The job queue of every platform; each job names its platform."""

    def enqueue(
        self,
        *,
        platform: str,
        job_id: str,
        kind: str,
        params: Mapping[str, Any],
        created_by: int,
        at: datetime,
    ) -> None: ...

    def get(self, platform: str, job_id: str) -> JobRecord | None: ...

    def list(
        self, platform: str, *, limit: int = 50, offset: int = 0
    ) -> builtins.list[JobRecord]: ...

    def claim_next(self, *, worker: str, at: datetime) -> JobRecord | None:
        """Takes the oldest queued job for ``worker`` (in the caller's transaction)."""

    def progress(self, job_pk: int, *, label: str, done: int, total: int, at: datetime) -> None: ...

    def finish(
        self,
        job_pk: int,
        *,
        at: datetime,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None: ...

    def requeue_stale(self, *, heartbeat_before: datetime) -> int:
        """Running jobs whose worker stopped beating before ``heartbeat_before`` go back."""


class PiiKeyRepository(Protocol):
    """The key ring and the ciphertext columns, for the start-up check and key rotation."""

    def entries(self) -> builtins.list[KeyEntry]: ...

    def in_state(self, state: str) -> KeyEntry | None: ...

    def add(self, *, fingerprint: str, state: str, wrapped_lookup_key: str) -> None: ...

    def set_state(self, fingerprint: str, state: str, *, at: datetime | None = None) -> None: ...

    def sample(self) -> str | None:
        """One stored ciphertext, if any: enough to tell whether a key opens the data."""

    def ciphertexts(self, table: str, *, after: int, limit: int) -> builtins.list[Ciphertext]:
        """The next ``limit`` encrypted values of ``table`` after row key ``after``."""

    def replace(self, values: Iterable[Ciphertext]) -> int:
        """Writes re-encrypted values over the old ones (one UPDATE per row, in one flush)."""

    def count(self, table: str) -> int: ...


class LoanRepository(Protocol):
    """Loans of one platform with their schedules, and the pauses that stop them ageing."""

    def get(self, loan_id: str) -> Loan | None: ...

    def existing_ids(self, ids: Iterable[str]) -> set[str]: ...

    def get_many(self, ids: Iterable[str]) -> dict[str, Loan]:
        """The stored ones among ``ids``, by id, in a few batched queries."""

    def add_many(self, loans: Sequence[Loan]) -> int:
        """Inserts new loans and their installments; borrowers must exist already."""

    def list_all(self) -> builtins.list[Loan]: ...

    def for_borrower(self, borrower_id: str) -> builtins.list[Loan]:
        """One borrower's loans, by when they were stored."""

    def count(self) -> int: ...

    def pauses_by_loan(
        self, loan_ids: Iterable[str] | None = None
    ) -> dict[str, builtins.list[PausePeriod]]: ...

    def account_rows(self) -> builtins.list[tuple[Any, ...]]:
        """Every loan with what the cycle needs of it and its borrower, by loan key."""

    def phone_zones(self) -> dict[int, tuple[str, ...]]:
        """Time zones of the phones of borrowers without an address zone, in phone order,
        each zone once, by borrower key (what ``Borrower.candidate_time_zones``
        gives)."""

    def key_columns(self) -> pa.Table | None:
        """Every loan's key as an Arrow column (loan_key), ascending; None where the database
        is read as rows (SQLite)."""

    def account_columns(
        self, *, after: int | None = None, up_to: int | None = None
    ) -> pa.Table | None:
        """``account_rows`` as Arrow columns: loan_key, loan_id, borrower_id, borrower_key,
        product, currency, start_day, time_zone, region_code, state (``_columns``), of the
        loans whose key is in (``after``, ``up_to``] (an open end is no bound); None where
        the database is read as rows (SQLite)."""

    def installment_columns(
        self, *, after: int | None = None, up_to: int | None = None
    ) -> pa.Table | None:
        """``installment_rows`` as Arrow columns: loan_key, due, principal, interest, fees,
        of the loans whose key is in (``after``, ``up_to``] (an open end is no bound);
        None where the database is read as rows."""

    def installment_rows(self) -> builtins.list[tuple[Any, ...]]:
        """(loan key, due day number, principal, interest, fees) of every contract
        installment, by loan key and installment number."""

    def pause_rows(self) -> builtins.list[tuple[Any, ...]]:
        """(loan key, first day number, last day number) of every pause, by loan key."""

    def add_pause(self, loan_id: str, pause: PausePeriod, reason: str = "") -> None: ...


class PaymentRepository(Protocol):
    """Payments (and reversals) received by one platform, in value-date order."""

    def existing(self, ids: Iterable[str]) -> dict[str, Payment]:
        """The stored payments among ``ids``, to tell a re-import from a changed record."""

    def add_many(self, payments: Sequence[Payment]) -> int:
        """Inserts new payments; their loans must exist and be in the same currency."""

    def for_loan(self, loan_id: str) -> builtins.list[Payment]: ...

    def by_loan(self) -> dict[str, builtins.list[Payment]]: ...

    def by_loan_paid_on(self, day: date) -> dict[str, builtins.list[Payment]]:
        """Payments up to ``day`` of the loans that received money (or a reversal) on
        ``day``."""

    def payment_columns(
        self, *, after: int | None = None, up_to: int | None = None
    ) -> pa.Table | None:
        """``payment_rows`` as Arrow columns: loan_key, payment_id, amount, currency, day,
        reverses (``''`` when the row reverses nothing), of the loans whose key is in
        (``after``, ``up_to``]; None where the database is read as rows."""

    def payment_rows(self) -> builtins.list[tuple[Any, ...]]:
        """(loan key, payment id, amount, currency, day number, reverses) of every payment
        and reversal, grouped by loan key (in the order of the loan's index, no sort):
        the daily cycle's bulk read, no objects; the replay puts each loan's in value
        order."""

    def count(self) -> int: ...


class PlanRepository(Protocol):
    """Relief plans and their approval requests of one platform."""

    @property
    def platform_code(self) -> str: ...

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
        """Stores a new offered plan and its approval request (approved when automatic)."""

    def plan(self, plan_id: str, *, lock: bool = False) -> StoredPlan | None: ...

    def require_plan(self, plan_id: str, *, lock: bool = False) -> StoredPlan: ...

    def plans_for_application(self, application_id: str) -> builtins.list[StoredPlan]: ...

    def plans_with_status(self, *statuses: PlanStatus) -> builtins.list[StoredPlan]:
        """Every plan of the platform in one of ``statuses``, by plan id."""

    def plan_timelines(self, until: date) -> builtins.list[PlanTimeline]:
        """Every plan offered on or before ``until`` with its events, by plan id (one query)."""

    def plan_totals(self, plan_ids: Iterable[str]) -> dict[str, int]:
        """What each plan's schedule asks in all (principal + interest + fees), minor units."""

    def save_plan(self, plan: Plan) -> None:
        """Stores the status, events and start of ``plan`` (its schedule never changes)."""

    def record_approval(self, plan_id: str, approval: Approval) -> None: ...


class PlatformRepository(Protocol):
    """The platforms (tenants); the only repository not bound to one of them."""

    def get(self, code: str) -> PlatformRecord | None: ...

    def ensure(
        self, code: str, *, name: str, currency: Currency | str, settings: Mapping[str, Any]
    ) -> PlatformRecord:
        """The platform ``code``, created if missing and its name and settings brought up to
        date."""

    def list(self) -> builtins.list[PlatformRecord]: ...


class PolicyRepository(Protocol):
    """Policy versions and workflow events of one platform."""

    @property
    def platform_code(self) -> str: ...

    def ledger(self, *, lock: bool = False) -> Ledger:
        """The platform's versions and history; ``lock`` holds the rows until commit."""

    def add(
        self, version: Version, *, policy: str, document: str, sha256: str, at: datetime
    ) -> None:
        """Stores a new version with its document (number and author come from ``version``)."""

    def record(self, before: Ledger, after: Ledger) -> builtins.list[Event]:
        """Stores what changed from ``before`` to ``after``; returns the new events."""

    def get(self, number: int) -> StoredPolicy: ...

    def active(self) -> StoredPolicy | None: ...

    def list(self) -> builtins.list[StoredPolicy]: ...

    def events(self, number: int | None = None) -> builtins.list[StoredEvent]:
        """Workflow events in the order they happened (of one version, or all)."""


class PromiseRepository(Protocol):
    """Promises to pay of one platform, kept or broken by the payments."""

    @property
    def platform_code(self) -> str: ...

    def add_promise(
        self, promise: PromiseToPay, *, loan_id: str, plan_id: str | None, by: str
    ) -> None: ...

    def promises(self, loan_id: str) -> builtins.list[StoredPromise]: ...

    def all_promises(
        self, *, outcome: PromiseOutcome | None = None
    ) -> builtins.list[StoredPromise]:
        """Every promise of the platform (or those with ``outcome``), by loan, date and id."""

    def promises_on(
        self, day: date, *, made_since: date | None = None
    ) -> builtins.list[StoredPromise]:
        """Promises due or decided on ``day``, or made on ``made_since``..``day`` (one
        query)."""

    def promise_count(self) -> int: ...

    def decide_promise(self, promise_id: str, outcome: PromiseOutcome, on: date) -> None:
        """Records a pending promise as kept or broken."""


class QueueRepository(Protocol):
    """Queue items and callback requests of one platform."""

    @property
    def platform_code(self) -> str: ...

    def refresh_precedence(self, as_of: date) -> dict[str, int]:
        """Puts first the open and assigned items of borrowers with a callback requested for
        ``as_of`` (2) or a pending promise to pay due on it (1); every other item gets
        0."""

    def open_unassigned(self, as_of: date) -> builtins.list[tuple[int, str, str, int, int]]:
        """(id, jurisdiction, queue, priority, precedence) of the date's open, unassigned
        items."""

    def loads(self, as_of: date) -> dict[str, int]:
        """Items of the date each collector holds (assigned or done)."""

    def assign(self, assigned: Mapping[int, str], *, at: datetime, by: str) -> int:
        """Gives open items to collectors (one executemany UPDATE by primary key)."""

    def items(
        self, *, as_of: date | None = None, collector: str | None = None
    ) -> builtins.list[QueueItem]:
        """Items by date, then rank: precedence and priority descending, then id."""

    def page(
        self,
        *,
        as_of: date | None = None,
        collector: str | None = None,
        states: Iterable[str] = (),
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[builtins.list[QueueItem], int]:
        """One page of ``items`` (same filters and rank, ``states`` if given) and the total:
        what a console page shows, without reading the rest of the queue."""

    def call_targets(self, as_of: date, *, limit: int) -> builtins.list[CallTarget]:
        """The items assigned to a collector on ``as_of`` (at most ``limit``, by id), as the
        call gate keeps them."""

    def for_accounts(
        self, account_ids: Iterable[str], *, since: date | None = None
    ) -> builtins.list[QueueItem]:
        """The items of ``account_ids`` (from ``since`` on), newest date first: through the
        (platform, account, date, step) key, never a scan of a date's queue."""

    def item(self, item_id: int, *, lock: bool = False) -> QueueItem | None: ...

    def held_by(self, collector_id: str, *, as_of: date | None = None) -> builtins.list[QueueItem]:
        """The items a collector has been given and not yet worked (state ``assigned``)."""

    def move(self, ids: Iterable[int], *, to: str, at: datetime, by: str) -> int:
        """Gives open or assigned items to collector ``to`` (a re-assignment)."""

    def release(self, ids: Iterable[int]) -> int:
        """Takes assigned items back into the open queue, with no collector."""

    def add_callback(
        self,
        callback_id: str,
        *,
        loan_id: str,
        due_on: date,
        at: datetime | None,
        note: str | None,
        by: str,
    ) -> None: ...

    def callbacks(self, due_on: date) -> builtins.list[dict[str, Any]]: ...


class ScheduleRepository(Protocol):
    """The schedule history of one platform's loans."""

    @property
    def platform_code(self) -> str: ...

    def schedule_history(self, loan_id: str) -> builtins.list[ScheduleVersion]:
        """Every schedule version of the loan, oldest first."""

    def schedule_histories(
        self, loan_ids: Iterable[str]
    ) -> dict[str, builtins.list[ScheduleVersion]]:
        """``schedule_history`` of many loans in a few batched queries; loans without
        versions are left out."""

    def schedules_in_force(
        self, as_of: date
    ) -> dict[int, tuple[InForce, str, builtins.list[dict[str, Any]]]]:
        """By loan key, for every loan with a schedule history: the version in force on
        ``as_of`` (``domain.schedule_in_force``), its currency and its stored
        installments (``schedule_json``).  Two queries: the versions' dates and
        reasons, then the installments of the chosen ones only."""

    def append_schedule(
        self,
        loan_id: str,
        schedule: Schedule,
        *,
        reason: str,
        effective_from: date,
        plan_id: str | None = None,
    ) -> ScheduleVersion:
        """Adds the next version of the loan's schedule; earlier versions stay as they are."""


class SimulationRepository(Protocol):
    """The simulations attached to one platform's policy versions."""

    @property
    def platform_code(self) -> str: ...

    def request(
        self,
        *,
        version: int,
        against_version: int | None,
        settings: dict[str, Any],
        job_id: str | None,
        requested_by: str,
        requested_at: datetime,
    ) -> None:
        """Store a request for ``version`` (replacing an earlier one and its result)."""

    def finish(self, version: int, *, result: dict[str, Any], at: datetime) -> None:
        """Store the finished comparison of ``version``."""

    def get(self, version: int) -> StoredSimulation | None: ...


class UserRepository(Protocol):
    """The people who act on one platform; a name is found through its key, never as typed."""

    @property
    def platform_code(self) -> str: ...

    def add(
        self, *, username: str, display_name: str, roles: Sequence[Role], created_by: str
    ) -> UserRecord:
        """Stores a new, active user; a name with the key of an existing one is a
        ``Conflict``."""

    def by_name(self, name: str) -> UserRecord | None:
        """The user whose name has the key of ``name`` (``Ops1`` finds ``ops1``)."""

    def get(self, user_id: int) -> UserRecord | None: ...

    def require(self, user_id: int) -> UserRecord: ...

    def list(self) -> builtins.list[UserRecord]: ...

    def update(
        self, user_id: int, *, roles: Sequence[Role] | None = None, active: bool | None = None
    ) -> UserRecord:
        """Changes a user's roles or whether they may act; the name never changes."""

    def password_hash(self, user_id: int) -> str | None: ...

    def set_password_hash(self, user_id: int, password_hash: str | None) -> None: ...

    def record_login(
        self, user_id: int, *, failed_logins: int, locked_until: datetime | None
    ) -> None:
        """Stores the lock-out counters after a sign-in attempt."""
