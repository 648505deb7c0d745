"""The log of data imports into one platform."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tideover.adapters.orm import ImportBatchRow
from tideover.adapters.repositories._base import PlatformScoped


@dataclass(frozen=True, slots=True)
class ImportBatchRecord:
    """What one import did: rows read, written, skipped (already there) and rejected."""

    kind: str
    file_name: str
    sha256: str
    rows: int
    written: int
    skipped: int
    rejected: int
    created_at: datetime


class ImportBatchRepository(PlatformScoped):
    """The log of imports into one platform, newest first."""

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
    ) -> ImportBatchRecord:
        row = ImportBatchRow(
            platform_id=self._platform_id,
            kind=kind,
            file_name=file_name,
            sha256=sha256,
            rows=rows,
            written=written,
            skipped=skipped,
            rejected=rejected,
        )
        self._session.add(row)
        self._session.flush()
        return self._record(row)

    def recent(self, limit: int = 20) -> builtins.list[ImportBatchRecord]:
        query = (
            select(ImportBatchRow)
            .where(ImportBatchRow.platform_id == self._platform_id)
            .order_by(ImportBatchRow.created_at.desc(), ImportBatchRow.id.desc())
            .limit(limit)
        )
        return [self._record(row) for row in self._session.scalars(query)]

    @staticmethod
    def _record(row: ImportBatchRow) -> ImportBatchRecord:
        return ImportBatchRecord(
            row.kind,
            row.file_name,
            row.sha256,
            row.rows,
            row.written,
            row.skipped,
            row.rejected,
            row.created_at,
        )
