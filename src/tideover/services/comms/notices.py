"""Policy-change notices: the borrowers whose treatment changes materially are told.

The accounts are exactly those the impact preview lists (``batch.impact``: a
treatment or offers that change in content, not just in name) on the stored
portfolio of ``as_of``: a version awaiting activation is compared with the
active one (the preview, nothing written); an active version with the one it
replaced (the notices queued, once per account and version).  Each notice is
in the borrower's language, on their preferred channel (else e-mail, else SMS,
else a letter), says what changes for them (the old and new treatment's names
and whether their offers change), from when, why, and what they can do — and
goes through the outbox like every message: the gate, the checker, the trail.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq

from tideover.batch.impact import impact
from tideover.comms.catalogue import LANGUAGES, language_of
from tideover.domain.borrowers import Borrower
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import Conflict, ValidationError
from tideover.domain.permissions import Permission
from tideover.i18n import N_, Wording
from tideover.policy.document import CompiledPolicy, parse_policy
from tideover.policy.workflow import Status
from tideover.services.common import acting_with
from tideover.services.comms.messages import (
    choose_template,
    platform_words,
    render_message,
)
from tideover.services.comms.results import NoticeLine, NoticePreview
from tideover.services.platforms import settings_of
from tideover.services.policy.assignment import platform_features
from tideover.services.portal.account import CHANNEL_ATTRIBUTE
from tideover.services.unit_of_work import UnitOfWork

NOTICE_STEP = "notice:policy:v{version}"
NOTICES_QUEUED = "policy_notices_queued"
PREVIEW_LINES = 50  # lines rendered in a preview; the count is always the whole set
REASON_MAX = 500
SEND_AT = time(10, 0)  # local time of the platform on the day the notices are queued


def _pair(
    uow: UnitOfWork, platform: str, version: int
) -> tuple[CompiledPolicy, CompiledPolicy, bool]:
    """(before, after, after is active) for ``version``."""
    with uow:
        repo = uow.policies(platform)
        ledger = repo.ledger()
        target = repo.get(version)
        active = ledger.active
        if target.version.status is Status.ACTIVE:
            earlier = [n for n in ledger.activations if n != version]
            if not earlier:
                raise Conflict(
                    N_(
                        "version %(version)s replaced no earlier version: there is nothing to "
                        "compare with, so no notice is owed"
                    ),
                    version=version,
                )
            before_number = earlier[-1]
        elif target.version.status in (Status.IN_REVIEW, Status.APPROVED) and active is not None:
            before_number = active.number
        else:
            raise Conflict(
                N_(
                    "version %(version)s is %(status)s: notices are previewed for a version "
                    "in review or approved, and queued for the active one"
                ),
                version=version,
                status=target.version.status.value,
            )
        before = repo.get(before_number)
    return (
        parse_policy(before.document, source=f"{platform} policy version {before_number}"),
        parse_policy(target.document, source=f"{platform} policy version {version}"),
        target.version.status is Status.ACTIVE,
    )


def material_accounts(
    *,
    uow: UnitOfWork,
    platform: str,
    version: int,
    as_of: date,
    model_registry: Path | None = None,
) -> list[dict[str, object]]:
    """The impact preview's accounts whose treatment or offers change, with old and new."""
    before, after, _active = _pair(uow, platform, version)
    features = platform_features(
        uow=uow, platform=platform, as_of=as_of, model_registry=model_registry
    )
    with tempfile.TemporaryDirectory(prefix="tideover-notices-") as scratch:
        out = Path(scratch) / "changed.parquet"
        impact(before, after, features, platform=platform, out=out)
        rows: list[dict[str, object]] = pq.read_table(out).to_pylist()
    return sorted(rows, key=lambda r: str(r["account_id"]))


def _check_reason(reason: dict[str, str]) -> dict[str, str]:
    for language in LANGUAGES:
        text = reason.get(language, "")
        if not text.strip() or len(text) > REASON_MAX or not text.isprintable():
            raise ValidationError(
                N_(
                    "the reason for the change is needed in %(language)s (1 to "
                    "%(reason_max)s printable characters)"
                ),
                language=language,
                reason_max=REASON_MAX,
            )
    return reason


def _summary(
    row: dict[str, object], before: CompiledPolicy, after: CompiledPolicy, language: str
) -> str:
    def name(policy: CompiledPolicy, treatment: object) -> str:
        found = policy.policy.treatments.get(str(treatment))
        names = found.names if found is not None else None
        if names is None:
            return str(treatment)
        return names.en if language == "en" else names.zh

    old, new = name(before, row["old_treatment"]), name(after, row["new_treatment"])
    lines = []
    if row["treatment_changed"]:
        said = Wording(N_("- How we contact you: from “%(old)s” to “%(new)s”."), old=old, new=new)
        lines.append(said.in_language(language))
    if row["offers_changed"]:
        said = Wording(
            N_("- The help you can ask for (plans, relief) changes; see it in the portal.")
        )
        lines.append(said.in_language(language))
    return "\n".join(lines)


def _channel(borrower: Borrower) -> str:
    preferred = borrower.attributes.get(CHANNEL_ATTRIBUTE)
    if preferred in ("email", "sms", "letter"):
        return str(preferred)
    if borrower.email:
        return "email"
    return "sms" if borrower.phones else "letter"


def _lines(
    uow: UnitOfWork,
    platform: str,
    rows: list[dict[str, object]],
    before: CompiledPolicy,
    after: CompiledPolicy,
    effective_from: date,
    reason: dict[str, str],
    today: date,
    render: int,
) -> tuple[list[NoticeLine], list[tuple[dict[str, object], Borrower, str, dict[str, object]]]]:
    with uow:
        loans = uow.loans(platform).get_many([str(r["account_id"]) for r in rows])
        borrowers = uow.borrowers(platform).get_many({loan.borrower_id for loan in loans.values()})
        record = uow.platforms.get(platform)
        active = uow.comms(platform).active_templates(
            [f"policy_change_notice_{c}" for c in ("email", "sms", "letter")]
        )
    settings = dict(record.settings) if record is not None else {}
    name = record.name if record is not None else platform
    lines: list[NoticeLine] = []
    planned = []
    for row in rows:
        loan = loans.get(str(row["account_id"]))
        borrower = None if loan is None else borrowers.get(loan.borrower_id)
        if borrower is None:
            continue
        language = language_of(borrower.locale)
        channel = _channel(borrower)
        payload: dict[str, object] = {
            "effective_from": effective_from.isoformat(),
            "change_summary": _summary(row, before, after, language),
            "change_reason": reason[language],
        }
        planned.append((row, borrower, channel, payload))
        if len(lines) >= render:
            continue
        chosen = choose_template(f"policy_change_notice_{channel}", active)
        values: dict[str, object] = {
            "borrower_name": borrower.name,
            "account_ref": str(row["account_id"])[-4:],
            "today": today,
            "effective_from": effective_from,
            "change_summary": payload["change_summary"],
            "change_reason": payload["change_reason"],
            **platform_words(settings, name, language),
        }
        prepared = render_message(chosen, values, borrower.locale)
        lines.append(
            NoticeLine(
                account_id=str(row["account_id"]),
                borrower_id=borrower.borrower_id,
                language=language,
                channel=channel,
                old_treatment=str(row["old_treatment"]),
                new_treatment=str(row["new_treatment"]),
                old_offers=None if row["old_offers"] is None else str(row["old_offers"]),
                new_offers=None if row["new_offers"] is None else str(row["new_offers"]),
                subject=None if prepared.subject is None else prepared.subject.text,
                body=prepared.body.text,
            )
        )
    return lines, planned


def policy_notices(
    *,
    uow: UnitOfWork,
    platform: str,
    version: int,
    as_of: date,
    effective_from: date,
    reason: dict[str, str],
    queue: bool = False,
    by: str | None = None,
    clock: Clock | None = None,
    model_registry: Path | None = None,
    preview_lines: int = PREVIEW_LINES,
) -> NoticePreview:
    """The notices owed for ``version``: previewed (nothing written) or, for the active
    version with ``queue``, written to the outbox once (a rerun adds none twice)."""
    reason = _check_reason(reason)
    now = (clock or SystemClock()).now()
    before, after, is_active = _pair(uow, platform, version)
    if queue and not is_active:
        raise Conflict(
            N_("version %(version)s is not active: its notices can be previewed, not sent"),
            version=version,
        )
    rows = material_accounts(
        uow=uow, platform=platform, version=version, as_of=as_of, model_registry=model_registry
    )
    with uow:
        zone = ZoneInfo(settings_of(uow, platform).time_zone)
    today = now.astimezone(zone).date()
    lines, planned = _lines(
        uow,
        platform,
        rows,
        before,
        after,
        effective_from,
        reason,
        today,
        render=preview_lines if not queue else 0,
    )
    queued = 0
    if queue:
        step = NOTICE_STEP.format(version=version)
        send_at = max(now, datetime.combine(today, SEND_AT, zone))
        with uow:
            who = acting_with(uow, platform, by or "", Permission.POLICY_ACTIVATE)
            queued = uow.comms(platform).add_messages(
                today,
                [
                    {
                        "account_id": str(row["account_id"]),
                        "borrower_id": b.borrower_id,
                        "step": step,
                        "channel": channel,
                        "template": f"policy_change_notice_{channel}",
                        "tone": "neutral",
                        "segment": "-",
                        "arm": "-",
                        "treatment": str(row["new_treatment"]),
                        "scheduled_at": send_at,
                        "state": "pending",
                        "rescheduled": False,
                        "rule_ids": [],
                        "run_id": 0,
                    }
                    for row, b, channel, _payload in planned
                ],
                [payload for *_rest, payload in planned],
            )
            uow.audit(platform).append(
                NOTICES_QUEUED,
                {
                    "version": version,
                    "accounts": len(planned),
                    "queued": queued,
                    "by": who,
                    "effective_from": effective_from.isoformat(),
                },
                at=now,
            )
            uow.commit()
    return NoticePreview(
        platform=platform,
        version=version,
        as_of=as_of,
        effective_from=effective_from,
        accounts=len(planned),
        notices=lines,
        queued=queued,
    )
