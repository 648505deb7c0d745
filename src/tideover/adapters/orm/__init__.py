"""The relational schema (SQLAlchemy typed declarative), one module per migration.

Every table carries ``platform_id`` and every unique key includes it, so a
platform's rows can never collide with, or be reached from, another's.
Children point at their parent through ``(platform_id, parent pk)``: the
database itself refuses a payment of platform A booked on a loan of B.
Money is ``BigInteger`` minor units beside a currency column, never a float;
timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from tideover.adapters.orm.base import (
    ACTOR,
    CURRENCY,
    EXTERNAL_ID,
    HASH_HEX,
    JSON_DOC,
    NAMING,
    OPTION_ID,
    POLICY_ID,
    RATE_SCALE,
    RATE_SQLITE_TEXT_LENGTH,
    ROLE,
    STEP_KEY,
    Base,
    ExactRate,
    UtcDateTime,
    big_id,
    loan_fk,
    one_of,
    parent_fk,
    platform_fk,
    storable_rate,
    utcnow,
)
from tideover.adapters.orm.collectors import (
    COLLECTOR_ROLES,
    MAX_DAILY_CAPACITY,
    CallbackRequestRow,
    CollectorRow,
)
from tideover.adapters.orm.communications import (
    SEND_STATES,
    TEMPLATE_STATES,
    ChannelConsentRow,
    MessageTemplateRow,
    OutboxSendRow,
)
from tideover.adapters.orm.compliance import AuditHeadRow, AuditRecordRow, ContactEventRow
from tideover.adapters.orm.cycle import (
    CYCLE_RUN_STATUSES,
    OUTBOX_STATES,
    QUEUE_STATES,
    CycleRunRow,
    KpiSnapshotRow,
    OutboxMessageRow,
    QueueItemRow,
)
from tideover.adapters.orm.governance import (
    KEY_STATES,
    ROLLBACK_STATES,
    CycleRollbackRow,
    PiiKeyRow,
    UserRow,
)
from tideover.adapters.orm.holds import HOLD_KINDS, ContactHoldRow
from tideover.adapters.orm.plans import (
    APPLICATION_STATUSES,
    EVIDENCE_MEDIA_TYPES,
    MAX_EVIDENCE_BYTES,
    PLAN_STATUSES,
    PROMISE_OUTCOMES,
    EvidenceDocumentRow,
    HardshipApplicationRow,
    PlanApprovalRow,
    PromiseToPayRow,
    ReliefPlanRow,
    ScheduleVersionRow,
)
from tideover.adapters.orm.policy import POLICY_STATUSES, PolicyEventRow, PolicyVersionRow
from tideover.adapters.orm.portfolio import (
    BorrowerPhoneRow,
    BorrowerRow,
    DelinquencySnapshotRow,
    ImportBatchRow,
    InstallmentRow,
    LoanPauseRow,
    LoanRow,
    PaymentRow,
    PlatformRow,
)
from tideover.adapters.orm.simulations import PolicySimulationRow
from tideover.adapters.orm.web import JOB_STATES, ApiKeyRow, BorrowerCodeRow, JobRow, WebSessionRow

__all__ = [
    "ACTOR",
    "APPLICATION_STATUSES",
    "COLLECTOR_ROLES",
    "CURRENCY",
    "CYCLE_RUN_STATUSES",
    "EVIDENCE_MEDIA_TYPES",
    "EXTERNAL_ID",
    "HASH_HEX",
    "HOLD_KINDS",
    "JOB_STATES",
    "JSON_DOC",
    "KEY_STATES",
    "MAX_DAILY_CAPACITY",
    "MAX_EVIDENCE_BYTES",
    "NAMING",
    "OPTION_ID",
    "OUTBOX_STATES",
    "PLAN_STATUSES",
    "POLICY_ID",
    "POLICY_STATUSES",
    "PROMISE_OUTCOMES",
    "QUEUE_STATES",
    "RATE_SCALE",
    "RATE_SQLITE_TEXT_LENGTH",
    "ROLE",
    "ROLLBACK_STATES",
    "SEND_STATES",
    "STEP_KEY",
    "TEMPLATE_STATES",
    "ApiKeyRow",
    "AuditHeadRow",
    "AuditRecordRow",
    "Base",
    "BorrowerCodeRow",
    "BorrowerPhoneRow",
    "BorrowerRow",
    "CallbackRequestRow",
    "ChannelConsentRow",
    "CollectorRow",
    "ContactEventRow",
    "ContactHoldRow",
    "CycleRollbackRow",
    "CycleRunRow",
    "DelinquencySnapshotRow",
    "EvidenceDocumentRow",
    "ExactRate",
    "HardshipApplicationRow",
    "ImportBatchRow",
    "InstallmentRow",
    "JobRow",
    "KpiSnapshotRow",
    "LoanPauseRow",
    "LoanRow",
    "MessageTemplateRow",
    "OutboxMessageRow",
    "OutboxSendRow",
    "PaymentRow",
    "PiiKeyRow",
    "PlanApprovalRow",
    "PlatformRow",
    "PolicyEventRow",
    "PolicySimulationRow",
    "PolicyVersionRow",
    "PromiseToPayRow",
    "QueueItemRow",
    "ReliefPlanRow",
    "ScheduleVersionRow",
    "UserRow",
    "UtcDateTime",
    "WebSessionRow",
    "big_id",
    "loan_fk",
    "one_of",
    "parent_fk",
    "platform_fk",
    "storable_rate",
    "utcnow",
]
