"""Reading a platform's audit trail: its records found by kind, day and text, newest first.

The trail is append-only and verified by :func:`~tideover.services.compliance.checks.
verify_audit_trail`; this is the reader's side.  Days are the platform's own
(its time zone), so "1 June" means the records a person there saw on 1 June.
A payload keeps ids, hashes and names of staff, but a reason typed by a person
may hold a phone number or an ID number: for readers who may not see personal
data every text in it is masked, and the search runs on what they see, so it
cannot confirm a number they are not shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import JsonValue

from tideover.compliance.audit import AuditRecord
from tideover.domain.errors import ValidationError
from tideover.domain.redact import scrub
from tideover.i18n import N_
from tideover.services.compliance.results import AuditEntry, AuditTrailPage
from tideover.services.platforms import settings_of
from tideover.services.unit_of_work import UnitOfWork

MAX_TEXT = 200
# The days a reader may ask about: the calendars and zones behind the records are defined
# there (services/inputs.py bounds instants alike).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def check_days(first: date | None, last: date | None) -> None:
    """Refuses a day outside 1900..2199, or a range that ends before it starts."""
    for day in (first, last):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise ValidationError(
                N_("%(day)s is not a day between 1900 and 2199"),
                day=day.isoformat(),
            )
    if first is not None and last is not None and last < first:
        raise ValidationError(
            N_("the last day %(last)s is before the first %(first)s"),
            last=last.isoformat(),
            first=first.isoformat(),
        )


def search_audit_trail(
    *,
    uow: UnitOfWork,
    platform: str,
    kind: str | None = None,
    first: date | None = None,
    last: date | None = None,
    text: str | None = None,
    masked: bool = True,
) -> AuditTrailPage:
    """The records of ``kind`` written on ``first``..``last`` (the platform's days) whose
    payload contains ``text`` (ignoring case), newest first; every kind on the trail too."""
    check_days(first, last)
    wanted = (text or "").strip().casefold()
    if len(wanted) > MAX_TEXT:
        raise ValidationError(N_("search for at most %(max_text)s characters"), max_text=MAX_TEXT)
    with uow:
        zone = ZoneInfo(settings_of(uow, platform).time_zone)
        records = uow.audit(platform).records()
    since = None if first is None else datetime.combine(first, time(), zone)
    until = None if last is None else datetime.combine(last + timedelta(days=1), time(), zone)
    kinds = sorted({r.kind for r in records})
    found: list[AuditEntry] = []
    for record in reversed(records):
        if kind and record.kind != kind:
            continue
        at = datetime.fromisoformat(record.at)
        if (since is not None and at < since) or (until is not None and at >= until):
            continue
        entry = _entry(record, at, masked)
        if wanted and wanted not in _searchable(entry):
            continue
        found.append(entry)
    return AuditTrailPage(platform=platform, kinds=kinds, records=found)


def _entry(record: AuditRecord, at: datetime, masked: bool) -> AuditEntry:
    payload = dict(record.payload)
    return AuditEntry(
        seq=record.seq,
        kind=record.kind,
        at=at,
        payload=_masked(payload) if masked else payload,
        prev_hash=record.prev_hash,
        hash=record.hash,
    )


def _masked(value: JsonValue | Mapping[str, JsonValue]) -> JsonValue:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _searchable(entry: AuditEntry) -> str:
    body = json.dumps(entry.payload, ensure_ascii=False, sort_keys=True)
    return f"{entry.kind} {body}".casefold()
