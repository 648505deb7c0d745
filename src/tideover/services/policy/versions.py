"""Use cases on stored policy versions: submit, approve, reject, activate, roll back, show.

A version is submitted as its exact text (checked first: an invalid document
is never stored), approved by someone other than its author, activated from
an effective date and rolled back; each step is stored with who and when and
appended to the platform's audit trail in the same transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from tideover.adapters.repositories import StoredPolicy
from tideover.compliance.lint import check_jurisdiction, lint, platform_pack_codes
from tideover.compliance.loader import load_pack
from tideover.domain.clock import Clock, SystemClock, business_date
from tideover.domain.errors import Conflict, InputRejected, NotFound
from tideover.domain.permissions import Permission
from tideover.i18n import N_, Clauses, Wording
from tideover.policy.diff import diff_policies
from tideover.policy.document import CompiledPolicy, load_policy, parse_policy
from tideover.policy.workflow import Event, Ledger
from tideover.services.common import acting_with
from tideover.services.platforms import settings_of
from tideover.services.policy.results import (
    PolicyChange,
    PolicyDiff,
    PolicyEvent,
    PolicyProblem,
    PolicyVersionInfo,
    PolicyVersions,
    StoredPolicyEvent,
    SubmittedVersion,
    VersionDetail,
    VersionHistory,
    VersionTransition,
)
from tideover.services.repositories import PolicyRepository
from tideover.services.simulate.requests import queue_review_simulation, review_state_for_audit
from tideover.services.unit_of_work import UnitOfWork


def diff_against_active(*, uow: UnitOfWork, platform: str, new: Path) -> PolicyDiff:
    """Structural changes from the platform's active version to the file ``new``.

    ``NotFound`` when nothing is active; the active text is checked against its
    hash first, as for assignments (``Conflict`` when it was altered).
    """
    after = load_policy(new)
    with uow:
        stored = uow.policies(platform).active()
    if stored is None:
        raise _nothing_active(platform)
    _check_hash(platform, stored)
    number = stored.version.number
    before = parse_policy(stored.document, source=f"{platform} policy version {number}")
    return PolicyDiff(
        old=f"{platform} active version {number}",
        new=str(new),
        old_version=PolicyVersionInfo.of(stored),
        changes=[PolicyChange.of(c) for c in diff_policies(before.policy, after.policy)],
    )


# --- stored versions and their workflow ----------------------------------------------------

AUDIT_KIND_PREFIX = "policy_"  # audit kinds: policy_draft, policy_submit, ..., policy_rollback


def document_sha256(text: str) -> str:
    """The SHA-256 of the document's UTF-8 bytes (what ``sha256sum FILE`` prints)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def submit_policy(
    *,
    uow: UnitOfWork,
    platform: str,
    text: str,
    by: str,
    source: str = "<policy>",
    clock: Clock | None = None,
) -> SubmittedVersion:
    """Store ``text`` as a new version in review; ``PolicyRejected`` (nothing stored) if invalid."""
    compiled = parse_policy(text, source=source)
    now = (clock or SystemClock()).now()
    sha256 = document_sha256(text)
    with uow:
        who = acting_with(uow, platform, by, Permission.POLICY_WRITE)
        check_jurisdiction(settings_of(uow, platform).home_jurisdiction, compiled.policy)
        repo = uow.policies(platform)
        before = repo.ledger(lock=True)
        drafted = before.draft(author=who, at=now)
        number = max(v.number for v in drafted.versions)
        after = drafted.submit(number, actor=who, at=now)
        repo.add(
            after.version(number),
            policy=compiled.policy.policy,
            document=text,
            sha256=sha256,
            at=now,
        )
        _store(uow, repo, before, after)
        stored = repo.get(number)
        # Simulate before approve: requested with the version, in the same transaction.
        queue_review_simulation(
            uow, platform=platform, version=number, by=stored.version.author, at=now
        )
        uow.commit()
    return SubmittedVersion.model_validate(
        {
            **PolicyVersionInfo.fields_of(stored),
            "warnings": [PolicyProblem.of(p) for p in compiled.warnings],
        }
    )


class PolicyLintBlocked(InputRejected):
    """The compliance linter found blocking findings: the version cannot be approved."""

    code = "policy_lint_blocked"


def approve_policy_version(
    *, uow: UnitOfWork, platform: str, version: int, by: str, clock: Clock | None = None
) -> VersionTransition:
    """Approve a version in review; its author may not (four eyes, ``Conflict``).

    The version is linted against the rule packs it names first: a blocking
    finding refuses the approval (``PolicyLintBlocked``), and the lint result
    of an approved version is kept in the audit trail.
    """

    def lint_then_approve(ledger: Ledger, at: datetime, who: str) -> Ledger:
        _lint_gate(uow, platform, version, at)
        return ledger.approve(version, actor=who, at=at)

    return _transition(
        uow, platform, version, clock, lint_then_approve, by, Permission.POLICY_APPROVE
    )


def _lint_gate(uow: UnitOfWork, platform: str, version: int, at: datetime) -> None:
    """Lint a stored version (inside the open unit of work); refuse blocking findings."""
    stored = uow.policies(platform).get(version)
    compiled = parse_policy(stored.document, source=f"{platform} policy version {version}")
    jurisdiction = settings_of(uow, platform).home_jurisdiction
    check_jurisdiction(jurisdiction, compiled.policy)
    codes = platform_pack_codes(jurisdiction, compiled.policy)
    if not codes:
        raise PolicyLintBlocked(
            N_(
                "policy version %(version)s names no rule pack and its jurisdiction has "
                "none: it cannot be checked, so it cannot be approved"
            ),
            version=version,
        )
    report = lint(compiled, [load_pack(code) for code in codes])
    if not report.approvable:
        findings = Clauses(
            Wording(
                N_("%(rule_id)s (%(pack)s): %(finding)s"),
                rule_id=f.rule_id,
                pack=f.pack,
                finding=f.wording,
            )
            for f in report.blocking
        )
        raise PolicyLintBlocked(
            N_("policy version %(version)s has blocking compliance findings: %(findings)s"),
            version=version,
            findings=findings,
        )
    uow.audit(platform).append(
        AUDIT_KIND_PREFIX + "lint",
        {
            "version": version,
            "sha256": stored.sha256,
            "packs": [{"pack": code, "version": pack} for code, pack in report.packs],
            "warnings": [f.rule_id for f in report.warnings],
            # Approval does not wait for the simulation; what the approver could see is kept.
            "simulation": review_state_for_audit(uow, platform, version).to_json(),
        },
        at=at,
    )


def reject_policy_version(
    *,
    uow: UnitOfWork,
    platform: str,
    version: int,
    by: str,
    reason: str,
    clock: Clock | None = None,
) -> VersionTransition:
    """Send a version in review back to draft, with the reason."""
    return _transition(
        uow,
        platform,
        version,
        clock,
        lambda ledger, at, who: ledger.reject(version, actor=who, at=at, reason=reason),
        by,
        Permission.POLICY_APPROVE,
    )


def activate_policy_version(
    *,
    uow: UnitOfWork,
    platform: str,
    version: int,
    by: str,
    effective: date | None = None,
    clock: Clock | None = None,
) -> VersionTransition:
    """Make an approved version the active one from ``effective`` (default: the platform's
    business date); the version active until now retires."""
    clock = clock or SystemClock()

    def step(ledger: Ledger, at: datetime, who: str) -> Ledger:
        day = effective or _today(uow, platform, clock)
        return ledger.activate(version, actor=who, at=at, effective_from=day)

    return _transition(uow, platform, version, clock, step, by, Permission.POLICY_ACTIVATE)


def rollback_policy(
    *,
    uow: UnitOfWork,
    platform: str,
    by: str,
    effective: date | None = None,
    clock: Clock | None = None,
) -> VersionTransition:
    """Re-activate the version that was active before the current one."""
    clock = clock or SystemClock()

    def step(ledger: Ledger, at: datetime, who: str) -> Ledger:
        day = effective or _today(uow, platform, clock)
        return ledger.rollback(actor=who, at=at, effective_from=day)

    return _transition(uow, platform, None, clock, step, by, Permission.POLICY_ACTIVATE)


def list_policy_versions(*, uow: UnitOfWork, platform: str) -> PolicyVersions:
    """Every version of the platform's policy, oldest first, with its events."""
    with uow:
        repo = uow.policies(platform)
        stored = repo.list()
        events = repo.events()
    return PolicyVersions(
        platform=platform,
        active=next((s.version.number for s in stored if s.version.status == "active"), None),
        versions=[
            VersionHistory.model_validate(
                {
                    **PolicyVersionInfo.fields_of(s),
                    "events": [
                        StoredPolicyEvent.stored(e)
                        for e in events
                        if e.event.version == s.version.number
                    ],
                }
            )
            for s in stored
        ],
    )


def show_policy_version(*, uow: UnitOfWork, platform: str, version: int) -> VersionDetail:
    """One version: its metadata, events and exact document text."""
    with uow:
        repo = uow.policies(platform)
        stored = repo.get(version)
        events = repo.events(version)
    return VersionDetail.model_validate(
        {
            **PolicyVersionInfo.fields_of(stored),
            "events": [StoredPolicyEvent.stored(e) for e in events],
            "document": stored.document,
        }
    )


def active_policy(
    *, uow: UnitOfWork, platform: str, as_of: date
) -> tuple[CompiledPolicy, PolicyVersionInfo]:
    """The platform's active version, checked again, for assignments on ``as_of``.

    ``NotFound`` when nothing is active; ``Conflict`` when ``as_of`` precedes
    the version's effective date or its text no longer matches its hash.
    """
    with uow:
        stored = uow.policies(platform).active()
    if stored is None:
        raise _nothing_active(platform)
    number, effective = stored.version.number, stored.version.effective_from
    if effective is not None and as_of < effective:
        raise Conflict(
            N_(
                "platform %(platform)s: active policy version %(number)s takes effect on "
                "%(effective)s, after the business date %(as_of)s"
            ),
            platform=repr(platform),
            number=number,
            effective=effective.isoformat(),
            as_of=as_of.isoformat(),
        )
    _check_hash(platform, stored)
    compiled = parse_policy(stored.document, source=f"{platform} policy version {number}")
    return compiled, PolicyVersionInfo.of(stored)


def _nothing_active(platform: str) -> NotFound:
    return NotFound(
        N_("platform %(platform)s has no active policy version; submit, approve and activate one"),
        platform=repr(platform),
    )


def _check_hash(platform: str, stored: StoredPolicy) -> None:
    """Refuse a stored text that no longer matches the SHA-256 taken when it was submitted."""
    number = stored.version.number
    if document_sha256(stored.document) != stored.sha256:
        raise Conflict(
            N_(
                "platform %(platform)s: policy version %(number)s does not match its "
                "SHA-256; the stored document was altered"
            ),
            platform=repr(platform),
            number=number,
        )


def _today(uow: UnitOfWork, platform: str, clock: Clock) -> date:
    """The platform's business date (its IANA zone); called inside the open unit of work."""
    return business_date(clock, settings_of(uow, platform).time_zone)


def _transition(
    uow: UnitOfWork,
    platform: str,
    version: int | None,
    clock: Clock | None,
    step: Callable[[Ledger, datetime, str], Ledger],
    by: str,
    permission: Permission,
) -> VersionTransition:
    """Load the ledger (locked), apply ``step`` as the stored user ``by`` (who must hold
    ``permission``), store and audit what changed, commit once."""
    now = (clock or SystemClock()).now()
    with uow:
        who = acting_with(uow, platform, by, permission)
        repo = uow.policies(platform)
        before = repo.ledger(lock=True)
        after = step(before, now, who)
        events = _store(uow, repo, before, after)
        number = version if version is not None else events[-1].version
        stored = repo.get(number)
        uow.commit()
    return VersionTransition.model_validate(
        {**PolicyVersionInfo.fields_of(stored), "events": [PolicyEvent.of(e) for e in events]}
    )


def _store(uow: UnitOfWork, repo: PolicyRepository, before: Ledger, after: Ledger) -> list[Event]:
    """Writes the transition and appends one audit record per new event."""
    events = repo.record(before, after)
    audit = uow.audit(repo.platform_code)
    for event in events:
        stored = repo.get(event.version)
        payload = {
            **PolicyEvent.of(event).to_json(),
            "policy": stored.policy,
            "sha256": stored.sha256,
            "effective_from": _iso(stored.version.effective_from),
        }
        audit.append(AUDIT_KIND_PREFIX + event.action, payload, at=event.at)
    return events


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def diff_version_with_active(*, uow: UnitOfWork, platform: str, version: int) -> PolicyDiff:
    """Structural changes from the active version (if any) to stored ``version``."""
    with uow:
        repo = uow.policies(platform)
        candidate = repo.get(version)
        active = repo.active()
    after = parse_policy(candidate.document, source=f"{platform} policy version {version}")
    if active is None:
        return PolicyDiff(old="(none active)", new=f"{platform} version {version}", changes=[])
    number = active.version.number
    before = parse_policy(active.document, source=f"{platform} policy version {number}")
    return PolicyDiff(
        old=f"{platform} active version {number}",
        new=f"{platform} version {version}",
        old_version=PolicyVersionInfo.of(active),
        changes=[PolicyChange.of(c) for c in diff_policies(before.policy, after.policy)],
    )
