"""A structural diff between two policy versions: what a reviewer must read.

Conditions are compared in sqlglot's canonical spelling, so re-wrapping or
re-casing a condition is not a change; moving a segment is, because the first
matching segment wins.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tideover.i18n import N_, Worded, Wording
from tideover.policy.conditions import parse_condition
from tideover.policy.model import Policy, Step, Treatment


@dataclass(frozen=True)
class Change(Worded):
    kind: str  # added | removed | changed | moved
    area: str  # policy | segment | condition | treatment | step | offers | experiment
    path: str
    before: Any
    after: Any
    wording: Wording

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "area": self.area,
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "en": self.en,
            "zh": self.zh,
        }


_KINDS = {
    "added": N_("added"),
    "removed": N_("removed"),
    "changed": N_("changed"),
    "moved": N_("moved"),
}
# The parts of a policy as words, so that a Chinese line reads "策略 names：修改", not
# "policy names：修改" (the path after it is the document's own key, as written in YAML).
_AREAS = {
    "policy": N_("policy"),
    "segment": N_("segment"),
    "condition": N_("condition"),
    "step": N_("step"),
    "treatment": N_("treatment"),
    "offers": N_("offers"),
    "experiment": N_("experiment"),
}


def _change(kind: str, area: str, path: str, before: Any, after: Any) -> Change:
    values: dict[str, object] = {
        "area": Wording(_AREAS[area]) if area in _AREAS else area,
        "path": path,
        "kind": Wording(_KINDS[kind]),
    }
    if kind in ("changed", "moved"):
        wording = Wording(
            N_("%(area)s %(path)s: %(kind)s from %(before)s to %(after)s"),
            before=repr(before),
            after=repr(after),
            **values,
        )
    else:
        wording = Wording(N_("%(area)s %(path)s: %(kind)s"), **values)
    return Change(kind, area, path, before, after, wording)


def _plain(value: Any) -> Any:
    return (
        value.model_dump(mode="json", exclude_defaults=True)
        if isinstance(value, BaseModel)
        else value
    )


def diff_policies(old: Policy, new: Policy) -> list[Change]:
    """Every structural change from ``old`` to ``new``, in document order."""
    changes: list[Change] = []
    for field in ("policy", "names", "jurisdiction", "rule_packs", "templates"):
        before, after = _plain(getattr(old, field)), _plain(getattr(new, field))
        if before != after:
            changes.append(_change("changed", "policy", field, before, after))
    changes.extend(_segments(old, new))
    changes.extend(_keyed("treatment", old.treatments, new.treatments, _treatment))
    changes.extend(_keyed("offers", old.offers, new.offers, _fields))
    changes.extend(
        _keyed(
            "experiment",
            {e.id: e for e in old.experiments},
            {e.id: e for e in new.experiments},
            _fields,
        )
    )
    return changes


def _segments(old: Policy, new: Policy) -> Iterator[Change]:
    before = {s.id: s for s in old.segments}
    after = {s.id: s for s in new.segments}
    old_order = [i for i in before if i in after]
    new_order = [i for i in after if i in before]
    for key in before.keys() - after.keys():
        yield _change("removed", "segment", key, _plain(before[key]), None)
    for position, key in enumerate(new_order):
        if old_order.index(key) != position:
            yield _change("moved", "segment", key, old_order.index(key) + 1, position + 1)
    for key, segment in after.items():
        if key not in before:
            yield _change("added", "segment", key, None, _plain(segment))
            continue
        was = before[key]
        if _canonical(was.condition) != _canonical(segment.condition):
            yield _change("changed", "condition", key, was.condition, segment.condition)
        for field in ("names", "default", "treatment", "offers"):
            a, b = _plain(getattr(was, field)), _plain(getattr(segment, field))
            if a != b:
                yield _change("changed", "segment", f"{key}.{field}", a, b)


def _canonical(condition: str | None) -> str | None:
    return None if condition is None else parse_condition(condition).normalised()


def _keyed(
    area: str, before: Mapping[str, Any], after: Mapping[str, Any], inner: Any
) -> Iterator[Change]:
    for key in before:
        if key not in after:
            yield _change("removed", area, key, _plain(before[key]), None)
    for key, value in after.items():
        if key not in before:
            yield _change("added", area, key, None, _plain(value))
        else:
            yield from inner(area, key, before[key], value)


def _fields(area: str, key: str, before: BaseModel, after: BaseModel) -> Iterator[Change]:
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    for field, value in new.items():
        if old.get(field) != value:
            yield _change("changed", area, f"{key}.{field}", old.get(field), value)


def _treatment(area: str, key: str, before: Treatment, after: Treatment) -> Iterator[Change]:
    if before.clock != after.clock:
        yield _change("changed", area, f"{key}.clock", before.clock.value, after.clock.value)
    if _canonical(before.stop_when) != _canonical(after.stop_when):
        yield _change("changed", area, f"{key}.stop_when", before.stop_when, after.stop_when)
    yield from _keyed("step", _steps(key, before.steps), _steps(key, after.steps), _fields)


def _steps(treatment: str, steps: list[Step]) -> dict[str, Step]:
    """Steps keyed by day and channel, the identity a reviewer recognises."""
    return {f"{treatment}@{step.at}:{step.channel.value}": step for step in steps}
