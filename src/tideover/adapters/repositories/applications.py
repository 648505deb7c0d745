"""Hardship applications and their evidence documents, of one platform.

The review is the pure ``tideover.plans.cases`` state machine; this repository
stores what it returns.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Executable, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from tideover.adapters.orm import (
    EvidenceDocumentRow,
    HardshipApplicationRow,
)
from tideover.adapters.repositories._base import (
    APPLICATIONS,
    PlatformScoped,
    among_param,
    dialect_of,
    key_batches,
    platform_param,
)
from tideover.domain.errors import Conflict, NotFound
from tideover.i18n import N_
from tideover.plans.application import EvidenceDocument, parse_application
from tideover.plans.cases import ApplicationCase, ApplicationStatus, Outcome, Reason, StatusChange


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """An evidence document's metadata and its bytes (already checked against each other)."""

    document: EvidenceDocument
    content: bytes


class HardshipApplicationRepository(PlatformScoped):
    """Hardship applications and their evidence of one platform."""

    def add_application(self, case: ApplicationCase, evidence: Sequence[EvidenceFile]) -> None:
        """Stores a new application with its evidence; a repeated id is a ``Conflict``."""
        app = case.application
        try:
            self._session.execute(
                insert(HardshipApplicationRow).values(
                    platform_id=self._platform_id,
                    application_id=app.application_id,
                    loan_id=app.loan_id,
                    submitted_on=app.submitted_on,
                    reason=app.reason.value,
                    vulnerable=app.vulnerable,
                    document=app.model_dump(mode="json"),
                    **_case_values(case),
                )
            )
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict(
                N_(
                    "hardship application %(application_id)s already exists on platform "
                    "%(platform_code)s"
                ),
                application_id=repr(app.application_id),
                platform_code=repr(self.platform_code),
            ) from exc
        pk = self._application_pk(app.application_id)
        for item in evidence:
            doc = item.document
            self._session.execute(
                insert(EvidenceDocumentRow).values(
                    platform_id=self._platform_id,
                    application_pk=pk,
                    document_type=doc.document_type.value,
                    file_name=doc.file_name,
                    media_type=doc.media_type,
                    size_bytes=doc.size_bytes,
                    sha256=doc.sha256,
                    content=item.content,
                )
            )
        self._session.flush()

    def application(self, application_id: str, *, lock: bool = False) -> ApplicationCase | None:
        query = select(HardshipApplicationRow).where(
            HardshipApplicationRow.platform_id == self._platform_id,
            HardshipApplicationRow.application_id == application_id,
        )
        if lock:  # FOR UPDATE on PostgreSQL; SQLite serialises writers itself
            query = query.with_for_update()
        row = self._session.scalars(query).first()
        return None if row is None else _case(row)

    def require_application(self, application_id: str, *, lock: bool = False) -> ApplicationCase:
        case = self.application(application_id, lock=lock)
        if case is None:
            raise NotFound(
                N_("no hardship application %(application_id)s on platform %(platform_code)s"),
                application_id=repr(application_id),
                platform_code=repr(self.platform_code),
            )
        return case

    def save_case(self, case: ApplicationCase) -> None:
        """Stores the review state of ``case`` (its document never changes)."""
        self._session.execute(
            update(HardshipApplicationRow)
            .where(
                HardshipApplicationRow.id == self._application_pk(case.application.application_id)
            )
            .values(**_case_values(case))
        )
        self._session.flush()

    def evidence(self, application_id: str) -> builtins.list[EvidenceDocument]:
        """Metadata of the application's documents, by file name."""
        query = (
            select(EvidenceDocumentRow)
            .where(
                EvidenceDocumentRow.platform_id == self._platform_id,
                EvidenceDocumentRow.application_pk == self._application_pk(application_id),
            )
            .order_by(EvidenceDocumentRow.file_name)
        )
        return [
            EvidenceDocument.model_validate(
                {
                    "document_type": row.document_type,
                    "file_name": row.file_name,
                    "media_type": row.media_type,
                    "size_bytes": row.size_bytes,
                    "sha256": row.sha256,
                }
            )
            for row in self._session.scalars(query)
        ]

    def evidence_content(self, application_id: str, file_name: str) -> bytes | None:
        query = select(EvidenceDocumentRow.content).where(
            EvidenceDocumentRow.platform_id == self._platform_id,
            EvidenceDocumentRow.application_pk == self._application_pk(application_id),
            EvidenceDocumentRow.file_name == file_name,
        )
        content = self._session.scalar(query)
        return None if content is None else bytes(content)

    def for_loans(self, loan_ids: Iterable[str]) -> builtins.list[ApplicationCase]:
        """The applications made for any of ``loan_ids``, oldest first."""
        query = _for_loans(dialect_of(self._session))
        rows = [
            row
            for batch in key_batches(self._session, loan_ids)
            for row in self._session.scalars(
                query, {"platform_id": self._platform_id, "loan_ids": list(batch)}
            )
        ]
        return [_case(row) for row in sorted(rows, key=lambda r: r.id)]

    def erase_evidence(self, application_ids: Iterable[str]) -> int:
        """Deletes the evidence documents of ``application_ids`` (erasure); their metadata
        goes with them."""
        count = 0
        for application_id in sorted(set(application_ids)):
            result = self._session.execute(
                delete(EvidenceDocumentRow).where(
                    EvidenceDocumentRow.platform_id == self._platform_id,
                    EvidenceDocumentRow.application_pk == self._application_pk(application_id),
                )
            )
            count += int(result.rowcount or 0)  # type: ignore[attr-defined]
        self._session.flush()
        return count

    def _application_pk(self, application_id: str) -> int:
        return self._require(HardshipApplicationRow.application_id, [application_id], APPLICATIONS)[
            application_id
        ]


def _case_values(case: ApplicationCase) -> dict[str, Any]:
    return {
        "status": case.status.value,
        "outcome": None if case.outcome is None else case.outcome.value,
        "plan_option_id": case.plan_option_id,
        "decline_reasons": [{"code": r.code, "en": r.en, "zh": r.zh} for r in case.decline_reasons],
        "history": [
            {"status": h.status.value, "at": h.at.isoformat(), "by": h.by, "note": h.note}
            for h in case.history
        ],
    }


def _case(row: HardshipApplicationRow) -> ApplicationCase:
    return ApplicationCase(
        application=parse_application(row.document),
        status=ApplicationStatus(row.status),
        history=tuple(
            StatusChange(
                ApplicationStatus(h["status"]), datetime.fromisoformat(h["at"]), h["by"], h["note"]
            )
            for h in row.history
        ),
        outcome=None if row.outcome is None else Outcome(row.outcome),
        plan_option_id=row.plan_option_id,
        decline_reasons=tuple(Reason(r["code"], r["en"], r["zh"]) for r in row.decline_reasons),
    )


@cache
def _for_loans(dialect: str) -> Executable:
    """The applications made for the loans bound as ``loan_ids``, oldest first."""
    t = HardshipApplicationRow
    return (
        select(t)
        .where(t.platform_id == platform_param(), among_param(dialect, t.loan_id, "loan_ids"))
        .order_by(t.id)
    )
