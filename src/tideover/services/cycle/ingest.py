"""The cycle's ingest stage: import what arrived in a platform's inbox since the last run.

An inbox is a folder of files named for what they hold — ``borrowers*``,
``loans*`` and ``payments*``, each CSV, Parquet or JSON Lines in the contract
of ``docs/import.md`` — imported in that order (new borrowers before their
loans, loans before their payments), each file by name within its kind.

Each file is imported all or nothing by the import service and, once
committed, moved to ``done/<business date>/``.  A file with any bad record is
refused as a whole: it stays in the inbox, nothing of it is written, and the
run stops before any other stage with the file and its first errors named.  A
rerun picks up where it stopped; a file imported twice (a crash between the
commit and the move) changes nothing the second time, since re-importing the
same records is idempotent.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from tideover.domain.errors import InputRejected, ValidationError
from tideover.ingest.contract import KINDS, Kind
from tideover.ingest.readers import FORMATS
from tideover.services.cycle.results import InboxIngest, IngestedFile
from tideover.services.portfolio.imports import ImportResult, import_file
from tideover.services.unit_of_work import UnitOfWork

SUFFIXES = tuple(FORMATS)  # the import readers' extensions
DONE = "done"
SHOWN_ERRORS = 3  # errors quoted in the message; the whole report is in the import log


def pending_files(inbox: Path) -> list[tuple[Kind, Path]]:
    """The inbox's files in import order; any other file there is an error, not ignored."""
    if not inbox.is_dir():
        return []
    found: list[tuple[Kind, Path]] = []
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")):
        kind = next((k for k in KINDS if path.name.startswith(k)), None)
        if kind is None or path.suffix.lower() not in SUFFIXES:
            raise ValidationError(
                f"inbox {inbox}: {path.name!r} is not a borrowers*, loans* or payments* file "
                f"({', '.join(SUFFIXES)}); move it out of the inbox",
                f"收件目录 {inbox}：{path.name!r} 不是 borrowers*、loans* 或 payments* 文件"
                f"（{', '.join(SUFFIXES)}）；请将其移出收件目录",
            )
        found.append((kind, path))
    return sorted(found, key=lambda item: (KINDS.index(item[0]), item[1].name))


def ingest_inbox(*, uow: UnitOfWork, platform: str, inbox: Path, as_of: date) -> InboxIngest:
    """Import every pending file of ``inbox`` into ``platform`` with ``as_of`` as today."""
    files: list[IngestedFile] = []
    for kind, path in pending_files(inbox):
        imported = import_file(uow=uow, platform=platform, kind=kind, path=path, today=as_of)
        if not imported.accepted:
            raise _refused(imported, path)
        _move_done(path, inbox / DONE / as_of.isoformat())
        files.append(
            IngestedFile(
                file=path.name,
                kind=kind,
                rows=imported.rows,
                written=imported.written,
                unchanged=imported.unchanged,
            )
        )
    return InboxIngest(files=files)


def _refused(imported: ImportResult, path: Path) -> InputRejected:
    errors = imported.report.errors[:SHOWN_ERRORS]
    en = "; ".join(f"record {e.row} {e.field}: {e.reason_en}" for e in errors)
    zh = "；".join(f"第 {e.row} 条 {e.field}：{e.reason_zh}" for e in errors)
    more = imported.rejected - len({e.row for e in errors})
    return InputRejected(
        f"ingest: {path} refused, {imported.rejected} of {imported.rows} record(s) bad "
        f"({en}{f'; and {more} more record(s)' if more > 0 else ''}); nothing of it was "
        "imported and the cycle did not run — fix the file and rerun",
        f"导入：{path} 被拒绝，{imported.rows} 条记录中有 {imported.rejected} 条有误"
        f"（{zh}{f'；另有 {more} 条' if more > 0 else ''}）；该文件未导入任何内容，"
        "批处理未运行——请修正文件后重跑",
    )


def _move_done(path: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    counter = 1
    while target.exists():  # the same name again on the same date: keep both
        target = folder / f"{path.stem}.{counter}{path.suffix}"
        counter += 1
    shutil.move(str(path), target)
