"""A data file uploaded through the console, imported all or nothing, then deleted.

The upload is written to ``<data dir>/uploads/`` under a random name that keeps
only its format (the name a person gave a file may hold a borrower's name, so
it is neither stored nor shown), imported by the same use case as ``tideover
import`` with ``skip_invalid`` off, and removed whatever happened.  A small file
is imported in the request; a big one by a background job (``import`` in
:mod:`tideover.services.jobs`), which runs this same function.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import InputRejected, NotFound, ValidationError
from tideover.i18n import N_, Bilingual, Wording
from tideover.ingest.contract import Kind
from tideover.services.platforms import business_date_of
from tideover.services.portfolio.imports import import_file
from tideover.services.portfolio.results import ImportResult
from tideover.services.unit_of_work import UnitOfWork

UPLOADS = "uploads"
KINDS: tuple[Kind, ...] = ("borrowers", "loans", "payments")
FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}\.(csv|parquet|jsonl)")


def upload_format(file_name: str) -> str:
    """The format of an uploaded file, from its extension (``csv``, ``parquet``, ``jsonl``)."""
    suffix = Path(file_name or "").suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise ValidationError(N_("upload a file ending in %(known)s"), known=known)
    return FORMATS[suffix]


def import_kind(value: str) -> Kind:
    for kind in KINDS:
        if value == kind:
            return kind
    raise ValidationError(
        N_("unknown kind of records %(value)s; one of %(kinds)s"),
        value=repr(value),
        kinds=tuple(KINDS),
    )


def new_upload(data_dir: Path, fmt: str) -> tuple[str, Path]:
    """A fresh upload id and the path to write the file to (its folder created)."""
    if fmt not in FORMATS.values():
        raise ValidationError(N_("unknown format %(fmt)s"), fmt=repr(fmt))
    upload_id = f"{uuid.uuid4().hex}.{fmt}"
    folder = data_dir / UPLOADS
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return upload_id, folder / upload_id


def upload_path(data_dir: Path, upload_id: str) -> Path:
    """Where upload ``upload_id`` is kept; an id not of the form ``new_upload`` gives is
    refused (it comes back from a job's parameters, never from a person)."""
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise ValidationError(N_("not an upload id: %(upload_id)s"), upload_id=repr(upload_id))
    return data_dir / UPLOADS / upload_id


def import_upload(
    *,
    uow: UnitOfWork,
    platform: str,
    kind: Kind,
    data_dir: Path,
    upload_id: str,
    clock: Clock | None = None,
) -> ImportResult:
    """Import upload ``upload_id`` into ``platform`` as of its business date, all or nothing;
    the file is deleted afterwards.  The result names the upload, not a path."""
    path = upload_path(data_dir, upload_id)
    if not path.is_file():
        raise NotFound(N_("the uploaded file is gone; upload it again"))
    try:
        today = business_date_of(uow=uow, platform=platform, clock=clock or SystemClock())
        result = import_file(
            uow=uow,
            platform=platform,
            kind=kind,
            path=path,
            today=today,
            skip_invalid=False,
            fmt=path.suffix.lstrip("."),
        )
    except InputRejected as exc:
        # Its message starts with the path: the server's folders are not the reader's business.
        raise InputRejected(_naming_upload(exc.wording, path, upload_id)) from None
    finally:
        path.unlink(missing_ok=True)
    return result.model_copy(
        update={"file": upload_id, "report": result.report.model_copy(update={"file": upload_id})}
    )


def _naming_upload(said: Wording, path: Path, upload_id: str) -> Wording:
    """``said`` with the upload's id wherever it named the server's path to the file."""

    def hidden(value: object) -> object:
        if isinstance(value, Wording):
            return _naming_upload(value, path, upload_id)
        if isinstance(value, Bilingual):
            return Bilingual(*(str(hidden(text)) for text in (value.en, value.zh)))
        if isinstance(value, tuple):
            return type(value)(hidden(part) for part in value)
        if isinstance(value, str | Path) and str(path) in str(value):
            return str(value).replace(str(path), upload_id)
        return value

    return Wording(said.message, **{name: hidden(value) for name, value in said.values})
