"""What the communications use cases return (the CLI's tables, the API's models)."""

from __future__ import annotations

from datetime import date

from tideover.adapters.repositories import OutboxWork, TemplateRecord
from tideover.services.results import Instant, Result


class TemplateFinding(Result):
    code: str
    language: str
    en: str
    zh: str
    rule_ids: list[str]


class TemplateVersionInfo(Result):
    name: str
    version: int
    purpose: str
    channel: str
    status: str
    sha256: str
    author: str
    approver: str | None
    note: str | None
    created_at: Instant
    decided_at: Instant | None
    activated_at: Instant | None

    @classmethod
    def of(cls, r: TemplateRecord) -> TemplateVersionInfo:
        return cls(
            name=r.name,
            version=r.version,
            purpose=r.purpose,
            channel=r.channel,
            status=r.status,
            sha256=r.sha256,
            author=r.author,
            approver=r.approver,
            note=r.note,
            created_at=r.created_at,
            decided_at=r.decided_at,
            activated_at=r.activated_at,
        )


class TemplateDetail(Result):
    info: TemplateVersionInfo
    body: dict[str, str]
    subject: dict[str, str]
    findings: list[TemplateFinding]


class TemplateList(Result):
    platform: str
    versions: list[TemplateVersionInfo]
    builtin: list[str]  # the shipped templates' names, used where no version is active


class RenderedPreview(Result):
    name: str
    version: str
    language: str
    channel: str
    subject: str | None
    body: str


class OutboxItem(Result):
    message_id: int
    as_of: date
    account_id: str
    borrower_id: str
    step: str
    channel: str
    template: str | None
    state: str
    send_state: str | None
    attempts: int
    next_at: Instant | None
    template_version: str | None
    content_sha256: str | None
    error_code: str | None
    error: str | None
    rule_ids: list[str]
    sent_at: Instant | None
    receipt_at: Instant | None

    @classmethod
    def of(cls, w: OutboxWork) -> OutboxItem:
        return cls(
            message_id=w.message_id,
            as_of=w.as_of,
            account_id=w.account_id,
            borrower_id=w.borrower_id,
            step=w.step,
            channel=w.send_channel or w.channel,
            template=w.template,
            state=w.state,
            send_state=w.send_state,
            attempts=w.attempts,
            next_at=w.next_at,
            template_version=w.template_version,
            content_sha256=w.content_sha256,
            error_code=w.error_code,
            error=w.error,
            rule_ids=list(w.rule_ids),
            sent_at=w.sent_at,
            receipt_at=w.receipt_at,
        )


class OutboxPage(Result):
    platform: str
    total: int
    offset: int
    items: list[OutboxItem]


class OutboxRun(Result):
    """What one run of the worker did."""

    platform: str
    started_at: Instant
    finished_at: Instant
    picked: int
    sent: int
    deferred: int
    retried: int
    failed: int
    dropped: int
    skipped: int  # taken by another worker first
    by_channel: dict[str, int]


class ReceiptResult(Result):
    message_id: int
    state: str
    receipt_at: Instant


class ConsentResult(Result):
    borrower_id: str
    channel: str
    opted_out: bool
    source: str
    at: Instant


class NoticeLine(Result):
    account_id: str
    borrower_id: str
    language: str
    channel: str
    old_treatment: str
    new_treatment: str
    old_offers: str | None
    new_offers: str | None
    subject: str | None
    body: str


class NoticePreview(Result):
    platform: str
    version: int
    as_of: date
    effective_from: date
    accounts: int
    notices: list[NoticeLine]
    queued: int


class StatementSource(Result):
    document: str
    article: str
    confidence: str


class StatementSection(Result):
    id: str
    title: str
    text: str
    sources: list[StatementSource]


class RightsStatement(Result):
    platform: str
    jurisdiction: str
    pack: str
    language: str
    sections: list[StatementSection]


class QueuedMessage(Result):
    message_id: int | None
    account_id: str
    borrower_id: str
    channel: str
    template: str
    step: str
    queued: bool
