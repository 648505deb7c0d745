"""Use cases of collectors: add, change, deactivate, list, and a file of collectors.

A change that takes away a collector's right to hold items — deactivation, or
a jurisdiction no longer permitted — hands those items (state ``assigned``) to
other collectors by the assignment rules, in the same transaction; items nobody
may take go back to the open queue with their reason.  Every change is audited
with who made it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tideover.compliance.jurisdictions import parse_jurisdiction, permits
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.collectors import Collector, CollectorRole
from tideover.domain.errors import TideoverError, UsageError, ValidationError
from tideover.domain.safe_yaml import YamlRejected, load_yaml
from tideover.i18n import N_, Bilingual, Clauses, Wording
from tideover.services.common import acting, actor_name
from tideover.services.queues.items import redistribute
from tideover.services.queues.results import (
    AddedCollectors,
    ChangedCollector,
    CollectorChange,
    CollectorImport,
    CollectorInfo,
    CollectorList,
    ListedCollector,
)
from tideover.services.unit_of_work import UnitOfWork

COLLECTOR_ADDED = "collector_added"
COLLECTOR_CHANGED = "collector_changed"
FILE_FIELDS = ("id", "name", "team", "role", "jurisdictions", "queues", "daily_capacity")
_LIST_SPLIT = str.maketrans({";": " ", ",": " ", "|": " "})


def build_collector(
    *,
    collector_id: str,
    name: str,
    team: str,
    role: str | CollectorRole = CollectorRole.COLLECTOR,
    jurisdictions: Iterable[str],
    queues: Iterable[str],
    daily_capacity: int,
    active: bool = True,
) -> Collector:
    """A collector from typed values: role and jurisdictions checked, lists de-duplicated."""
    return Collector(
        collector_id=collector_id.strip(),
        name=name.strip(),
        team=team.strip(),
        role=parse_role(role),
        jurisdictions=tuple(sorted({parse_jurisdiction(j) for j in jurisdictions})),
        queues=tuple(sorted({q.strip() for q in queues if q.strip()})),
        daily_capacity=daily_capacity,
        active=active,
    )


def parse_role(role: str | CollectorRole) -> CollectorRole:
    try:
        return CollectorRole(str(role).strip().lower().replace("-", "_"))
    except ValueError:
        roles = ", ".join(r.value for r in CollectorRole)
        raise ValidationError(
            N_("unknown collector role %(role)s; use one of %(roles)s"),
            role=repr(role),
            roles=roles,
        ) from None


def add_collectors(
    *,
    uow: UnitOfWork,
    platform: str,
    collectors: Sequence[Collector],
    by: str,
    clock: Clock | None = None,
) -> AddedCollectors:
    """Stores new collectors (an id already used on the platform is refused); audited."""
    by = actor_name(by)
    now = (clock or SystemClock()).now()
    with uow:
        by = acting(uow, platform, by)
        uow.collectors(platform).add_many(collectors)
        audit = uow.audit(platform)
        for c in collectors:
            audit.append(COLLECTOR_ADDED, {"platform": platform, "by": by, **c.to_json()}, at=now)
        uow.commit()
    return AddedCollectors(platform=platform, collectors=[CollectorInfo.of(c) for c in collectors])


def set_collector(
    *,
    uow: UnitOfWork,
    platform: str,
    collector_id: str,
    by: str,
    changes: Mapping[str, Any],
    clock: Clock | None = None,
) -> ChangedCollector:
    """Changes the given fields (``name``, ``team``, ``role``, ``jurisdictions``, ``queues``,
    ``daily_capacity``, ``active``); items the collector may no longer hold are handed on."""
    by = actor_name(by)
    now = (clock or SystemClock()).now()
    with uow:
        by = acting(uow, platform, by)
        before = uow.collectors(platform).require(collector_id)
        after = _changed(before, changes)
        result = _store(uow, platform, before, after, by=by, at=now)
        uow.commit()
    return result


def deactivate_collector(
    *, uow: UnitOfWork, platform: str, collector_id: str, by: str, clock: Clock | None = None
) -> ChangedCollector:
    """No more work for the collector; every item they hold goes to others (or back open)."""
    return set_collector(
        uow=uow,
        platform=platform,
        collector_id=collector_id,
        by=by,
        changes={"active": False},
        clock=clock,
    )


def list_collectors(
    *,
    uow: UnitOfWork,
    platform: str,
    active: bool | None = None,
    team: str | None = None,
    as_of: date | None = None,
) -> CollectorList:
    """Collectors by id; with ``as_of``, how many items each holds that day."""
    with uow:
        collectors = uow.collectors(platform).list(active=active, team=team)
        loads = uow.queues(platform).loads(as_of) if as_of is not None else {}
    rows = [
        ListedCollector.model_validate(
            {**c.to_json(), "load": None if as_of is None else loads.get(c.collector_id, 0)}
        )
        for c in collectors
    ]
    return CollectorList(platform=platform, as_of=as_of, collectors=rows)


def import_collectors(
    *, uow: UnitOfWork, platform: str, path: Path, by: str, clock: Clock | None = None
) -> CollectorImport:
    """Adds the file's new collectors and replaces the stored ones it names: all or nothing.

    YAML (a list, or ``collectors:`` with a list) or CSV with the columns of
    :data:`FILE_FIELDS` (and optionally ``active``); lists separated by ``;``.
    """
    by = actor_name(by)
    collectors = read_collectors_file(path)
    now = (clock or SystemClock()).now()
    added: list[str] = []
    changed: list[str] = []
    with uow:
        by = acting(uow, platform, by)
        repo = uow.collectors(platform)
        stored = {c.collector_id: c for c in repo.list()}
        new = [c for c in collectors if c.collector_id not in stored]
        repo.add_many(new)
        audit = uow.audit(platform)
        for c in new:
            audit.append(COLLECTOR_ADDED, {"platform": platform, "by": by, **c.to_json()}, at=now)
            added.append(c.collector_id)
        for c in collectors:
            before = stored.get(c.collector_id)
            if before is not None and before != c:
                _store(uow, platform, before, c, by=by, at=now)
                changed.append(c.collector_id)
        uow.commit()
    unchanged = len(collectors) - len(added) - len(changed)
    return CollectorImport(
        platform=platform, file=str(path), added=added, changed=changed, unchanged=unchanged
    )


def read_collectors_file(path: Path) -> list[Collector]:
    """Every collector of a YAML or CSV file; every bad record reported at once."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(
            N_("cannot read collectors file %(path)s: %(exc)s"), path=path, exc=exc
        ) from exc
    records = _csv_records(text) if path.suffix.lower() == ".csv" else _yaml_records(text, path)
    collectors: list[Collector] = []
    problems: list[Wording] = []
    seen: set[str] = set()
    for where, record in records:
        try:
            c = _from_record(record)
        except TideoverError as exc:
            problems.append(
                Wording(
                    N_("%(where)s: %(problem)s"), where=where, problem=Bilingual(exc.en, exc.zh)
                )
            )
            continue
        if c.collector_id in seen:
            problems.append(
                Wording(
                    N_("%(where)s: %(collector_id)s repeats"),
                    where=where,
                    collector_id=repr(c.collector_id),
                )
            )
        seen.add(c.collector_id)
        collectors.append(c)
    if problems:
        shown: list[Wording] = problems[:10]
        more = len(problems) - len(shown)
        if more:
            shown.append(Wording(N_("and %(more)s more"), more=more))
        raise ValidationError(
            N_("%(path)s: %(count)s bad record(s), nothing stored: %(problems)s"),
            path=path,
            count=len(problems),
            problems=Clauses(shown),
        )
    return collectors


# --- helpers ---------------------------------------------------------------------------------


def _changed(before: Collector, changes: Mapping[str, Any]) -> Collector:
    unknown = sorted(set(changes) - {*FILE_FIELDS, "active"} - {"id"})
    if unknown or "id" in changes:
        raise ValidationError(
            N_("cannot change %(unknown)s of a collector"),
            unknown=tuple(unknown or ["id"]),
        )
    values = {k: v for k, v in changes.items() if v is not None}
    if not values:
        raise UsageError(
            N_(
                "nothing to change: give a name, team, role, jurisdictions, queues, "
                "capacity or active state"
            ),
        )
    if "name" in values:
        values["name"] = str(values["name"]).strip()
    if "role" in values:
        values["role"] = parse_role(values["role"])
    if "jurisdictions" in values:
        values["jurisdictions"] = tuple(
            sorted({parse_jurisdiction(j) for j in values["jurisdictions"]})
        )
    if "queues" in values:
        values["queues"] = tuple(sorted({q.strip() for q in values["queues"] if q.strip()}))
    return replace(before, **values)


def _store(
    uow: UnitOfWork, platform: str, before: Collector, after: Collector, *, by: str, at: datetime
) -> ChangedCollector:
    """Saves ``after``; hands on the items ``after`` may no longer hold; audits the change."""
    uow.collectors(platform).save(after, at=at)
    held = uow.queues(platform).held_by(after.collector_id)
    lost = [i for i in held if not after.active or not permits(after.jurisdictions, i.jurisdiction)]
    moves, left = (
        redistribute(uow, platform, lost, at=at, by=by, exclude={after.collector_id})
        if lost
        else ([], [])
    )
    was = before.to_json()
    change = CollectorChange(
        platform=platform,
        by=by,
        collector_id=after.collector_id,
        changed={k: v for k, v in after.to_json().items() if was[k] != v},
        moves=moves,
        left=left,
    )
    uow.audit(platform).append(COLLECTOR_CHANGED, change.to_json(), at=at)
    return ChangedCollector(**dict(change), collector=CollectorInfo.of(after))


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.translate(_LIST_SPLIT).split()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    raise ValidationError(N_("expected a list or text, got %(value)s"), value=repr(value))


def _from_record(record: Mapping[str, Any]) -> Collector:
    missing = [f for f in FILE_FIELDS if record.get(f) in (None, "")]
    if missing:
        raise ValidationError(N_("missing %(missing)s"), missing=tuple(missing))
    capacity = str(record["daily_capacity"]).strip()
    if not capacity.isdigit():
        raise ValidationError(
            N_("daily_capacity %(capacity)s is not a whole number of items"),
            capacity=repr(capacity),
        )
    active = str(record.get("active", "true")).strip().lower()
    if active not in ("true", "false", "yes", "no", "1", "0"):
        raise ValidationError(N_("active %(active)s must be true or false"), active=repr(active))
    return build_collector(
        collector_id=str(record["id"]),
        name=str(record["name"]),
        team=str(record["team"]),
        role=str(record["role"]),
        jurisdictions=_words(record["jurisdictions"]),
        queues=_words(record["queues"]),
        daily_capacity=int(capacity),
        active=active in ("true", "yes", "1"),
    )


def _csv_records(text: str) -> list[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    return [(f"row {n}", dict(row)) for n, row in enumerate(reader, start=2)]


def _yaml_records(text: str, path: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        doc = load_yaml(text)
    except YamlRejected as exc:
        raise ValidationError(
            N_("%(path)s is not valid YAML: %(exc)s"), path=path, exc=exc
        ) from exc
    items = doc.get("collectors") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationError(
            N_("%(path)s: expected a list of collectors (or `collectors:` with a list)"),
            path=path,
        )
    return [(f"collector {n}", dict(item)) for n, item in enumerate(items, start=1)]
