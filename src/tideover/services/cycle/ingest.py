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
from tideover.i18n import N_, Bilingual, Clauses, Wording
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
                N_(
                    "inbox %(inbox)s: %(name)s is not a borrowers*, loans* or payments* file "
                    "(%(suffixes)s); move it out of the inbox"
                ),
                inbox=inbox,
                name=repr(path.name),
                suffixes=tuple(SUFFIXES),
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
    shown: list[Wording | Bilingual] = [
        Wording(
            N_("record %(row)s %(field)s: %(reason)s"),
            row=e.row,
            field=e.field,
            reason=Bilingual(e.reason_en, e.reason_zh),
        )
        for e in errors
    ]
    more = imported.rejected - len({e.row for e in errors})
    if more > 0:
        shown.append(Wording(N_("and %(more)s more record(s)"), more=more))
    return InputRejected(
        N_(
            "ingest: %(path)s refused, %(rejected)s of %(rows)s record(s) bad (%(errors)s); "
            "nothing of it was imported and the cycle did not run — fix the file and rerun"
        ),
        path=path,
        rejected=imported.rejected,
        rows=imported.rows,
        errors=Clauses(shown),
    )


def _move_done(path: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    counter = 1
    while target.exists():  # the same name again on the same date: keep both
        target = folder / f"{path.stem}.{counter}{path.suffix}"
        counter += 1
    shutil.move(str(path), target)
