"""Use cases of hardship applications: apply with evidence, review, decline, show.

Each works in one unit of work, appends its decision to the audit trail and
commits once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tideover.adapters.repositories import EvidenceFile
from tideover.domain.clock import Clock
from tideover.domain.errors import NotFound
from tideover.domain.identity import Role
from tideover.i18n import N_, Clauses, Wording
from tideover.plans import (
    ApplicationCase,
    EvidenceRejected,
    HardshipApplication,
    Reason,
    cases,
    parse_application,
)
from tideover.plans.application import MAX_EVIDENCE_BYTES
from tideover.services.common import acting, now_and_today
from tideover.services.plans.position import open_plan_of, require_no_open_plan
from tideover.services.plans.results import ApplicationInfo, CaseBrief
from tideover.services.unit_of_work import UnitOfWork

# Each handler works in one unit of work, appends every decision to the platform's
# audit trail and commits once; any error leaves storage as it was.

# File signatures (magic numbers) of the allowed evidence media types.
_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}

# Who reviews and decides hardship applications (a collector passes them on).
REVIEWERS = (Role.TEAM_LEAD, Role.COMPLIANCE_OFFICER, Role.STRATEGY_MANAGER, Role.PLATFORM_ADMIN)


def _sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in _SIGNATURES.items() if content.startswith(magic)), None)


@dataclass(frozen=True, slots=True)
class Upload:
    """An evidence file received in memory (the borrower portal): its type, name and bytes."""

    document_type: str
    file_name: str
    content: bytes


def read_evidence(
    data: Mapping[str, Any], files: Sequence[str]
) -> tuple[HardshipApplication, list[EvidenceFile]]:
    """The application with its evidence files, checked against each other.

    ``FILE`` must be listed in the application's ``evidence`` (same name, size
    and SHA-256); ``TYPE:FILE`` adds an unlisted document of that type.  The
    content must really be PDF, JPEG or PNG; every listed document needs a file.
    """
    uploads, problems = [], []
    for spec in files:
        prefix, colon, rest = spec.partition(":")
        kind, name = (prefix, rest) if colon and prefix.isidentifier() else ("", spec)
        path = Path(name)
        try:
            if path.stat().st_size > MAX_EVIDENCE_BYTES:
                problems.append(_too_large(path.name))
                continue
            uploads.append(Upload(kind, path.name, path.read_bytes()))
        except OSError as exc:
            problems.append(Wording(N_("%(path)s: %(strerror)s"), path=path, strerror=exc.strerror))
    return check_evidence(data, uploads, problems)


def _too_large(name: str) -> Wording:
    return Wording(
        N_("%(name)s: over %(max_evidence_bytes)s bytes"),
        name=name,
        max_evidence_bytes=MAX_EVIDENCE_BYTES,
    )


def check_evidence(
    data: Mapping[str, Any],
    uploads: Sequence[Upload],
    problems: Sequence[Wording] = (),
) -> tuple[HardshipApplication, list[EvidenceFile]]:
    """The application with ``uploads`` checked as ``read_evidence`` checks files.

    An upload with a ``document_type`` adds an unlisted document of that type;
    without one it must be listed in the application's ``evidence``.
    """
    listed = {e.get("file_name"): e for e in data.get("evidence") or [] if isinstance(e, Mapping)}
    entries, contents, problems = dict(listed), {}, list(problems)
    for upload in uploads:
        name, content, kind = upload.file_name, upload.content, upload.document_type
        if len(content) > MAX_EVIDENCE_BYTES:
            problems.append(_too_large(name))
            continue
        media = _sniff(content)
        actual = {
            "file_name": name,
            "media_type": media,
            "size_bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        declared = listed.get(name)
        if media is None:
            problems.append(Wording(N_("%(name)s: not a PDF, JPEG or PNG file"), name=name))
        elif declared is None and not kind:
            problems.append(
                Wording(
                    N_("%(name)s: not listed in the application's evidence; give it as TYPE:FILE"),
                    name=name,
                )
            )
        elif declared is not None and any(
            str(declared.get(k)).lower() != str(v) for k, v in actual.items()
        ):
            problems.append(
                Wording(
                    N_("%(name)s: media type, size or SHA-256 differ from the listing"), name=name
                )
            )
        entries[name] = dict(declared or {"document_type": kind}, **actual)
        contents[name] = content
    problems += [
        Wording(N_("%(name)s: listed but no file given"), name=name)
        for name in listed
        if name not in contents
    ]
    if problems:
        raise EvidenceRejected(N_("evidence rejected: %(problems)s"), problems=Clauses(problems))
    application = parse_application({**data, "evidence": list(entries.values())})
    evidence = [EvidenceFile(doc, contents[doc.file_name]) for doc in application.evidence]
    return application, evidence


def apply_for_hardship(
    *,
    uow: UnitOfWork,
    platform: str,
    data: Mapping[str, Any],
    evidence: Sequence[str] = (),
    uploads: Sequence[Upload] = (),
    by: str = "borrower",
    clock: Clock | None = None,
) -> ApplicationInfo:
    """Store a new application (submitted) with its evidence documents.

    ``evidence`` names files (``read_evidence``); ``uploads`` are files received in
    memory (``check_evidence``), for one or the other.  An application for a loan
    whose plan is still open is refused (``LoanHasOpenPlan``,
    ``tideover.services.plans.position``).
    """
    if uploads:
        application, files = check_evidence(data, uploads)
    else:
        application, files = read_evidence(data, evidence)
    with uow:
        now, _ = now_and_today(uow, platform, clock)
        loan_id = application.loan_id
        if loan_id is not None:
            if uow.loans(platform).get(loan_id) is None:
                raise NotFound(
                    N_(
                        "application %(application_id)s: no loan %(loan_id)s on platform "
                        "%(platform)s"
                    ),
                    application_id=repr(application.application_id),
                    loan_id=repr(loan_id),
                    platform=repr(platform),
                )
            require_no_open_plan(
                open_plan_of(uow, platform, loan_id), application_id=application.application_id
            )
        case = cases.submit(application, at=now, by=acting(uow, platform, by))
        uow.applications(platform).add_application(case, files)
        uow.audit(platform).append(
            "hardship_submitted",
            {
                **CaseBrief.of(case).to_json(),
                "evidence": [
                    {
                        "file_name": f.document.file_name,
                        "document_type": f.document.document_type.value,
                        "size_bytes": f.document.size_bytes,
                        "sha256": f.document.sha256,
                    }
                    for f in files
                ],
            },
            at=now,
        )
        uow.commit()
    return ApplicationInfo.with_evidence(case, [f.document for f in files])


def review_application(
    *, uow: UnitOfWork, platform: str, application_id: str, by: str, clock: Clock | None = None
) -> ApplicationInfo:
    """submitted → under review."""
    return _decide(
        uow,
        platform,
        application_id,
        clock,
        "hardship_review",
        by,
        lambda case, at, who: cases.start_review(case, at=at, by=who),
    )


def decline_application(
    *,
    uow: UnitOfWork,
    platform: str,
    application_id: str,
    by: str,
    reasons: Sequence[str],
    clock: Clock | None = None,
) -> ApplicationInfo:
    """under review → decided (declined), with the reviewer's reasons."""
    given = tuple(Reason("reviewer", r.strip(), r.strip()) for r in reasons if r.strip())
    return _decide(
        uow,
        platform,
        application_id,
        clock,
        "hardship_declined",
        by,
        lambda case, at, who: cases.decline(case, reasons=given, at=at, by=who),
    )


def _decide(
    uow: UnitOfWork,
    platform: str,
    application_id: str,
    clock: Clock | None,
    kind: str,
    by: str,
    step: Callable[[ApplicationCase, datetime, str], ApplicationCase],
) -> ApplicationInfo:
    with uow:
        who = acting(uow, platform, by, roles=REVIEWERS)
        now, _ = now_and_today(uow, platform, clock)
        applications = uow.applications(platform)
        case = step(applications.require_application(application_id, lock=True), now, who)
        applications.save_case(case)
        uow.audit(platform).append(kind, CaseBrief.of(case).to_json(), at=now)
        evidence = applications.evidence(application_id)
        uow.commit()
    return ApplicationInfo.with_evidence(case, evidence)
