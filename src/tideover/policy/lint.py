"""Checks across the whole document: references, order, reachability, weights.

Each check yields :class:`Finding` objects with a path into the document (and
an offset inside a condition's text) so the caller can point at the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from tideover.i18n import N_, Worded, Wording
from tideover.policy.conditions import Condition, ConditionInvalid, parse_condition
from tideover.policy.loading import Path
from tideover.policy.model import ArmRole, Channel, Offers, Policy, ReliefOption, Treatment
from tideover.policy.reach import always_true, implies
from tideover.policy.suggest import hint

# Channels that send a written or recorded message need its template.
_NEEDS_TEMPLATE = {Channel.SMS, Channel.EMAIL, Channel.APP_PUSH, Channel.LETTER, Channel.ROBOT_CALL}


@dataclass(frozen=True)
class Finding(Worded):
    loc: Path
    code: str
    wording: Wording
    offset: int | None = None
    severity: str = "error"


@dataclass
class Checked:
    """The parsed conditions of a policy and what was found wrong with it."""

    segment_conditions: dict[str, Condition] = field(default_factory=dict)
    stop_conditions: dict[str, Condition] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def lint(policy: Policy) -> Checked:
    checked = Checked()
    checked.findings.extend(_conditions(policy, checked))
    for check in (_segments, _references, _steps, _offers, _experiments, _unused):
        checked.findings.extend(check(policy))
    checked.findings.extend(_unreachable(policy, checked))
    return checked


def _parse(text: str, loc: Path) -> tuple[Condition | None, list[Finding]]:
    try:
        return parse_condition(text), []
    except ConditionInvalid as exc:
        return None, [Finding(loc, "condition", i.wording, i.offset) for i in exc.issues]


def conditions_of(value: object, loc: Path) -> list[Finding]:
    """The problems of a condition read from a raw document (nothing if it is not text)."""
    return _parse(value, loc)[1] if isinstance(value, str) else []


def _conditions(policy: Policy, checked: Checked) -> Iterator[Finding]:
    for index, segment in enumerate(policy.segments):
        if segment.condition is None:
            continue
        condition, found = _parse(segment.condition, ("segments", index, "condition"))
        yield from found
        if condition is not None:
            checked.segment_conditions[segment.id] = condition
    for name, treatment in policy.treatments.items():
        if treatment.stop_when is None:
            continue
        condition, found = _parse(treatment.stop_when, ("treatments", name, "stop_when"))
        yield from found
        if condition is not None:
            checked.stop_conditions[name] = condition


def _segments(policy: Policy) -> Iterator[Finding]:
    yield from _duplicates([s.id for s in policy.segments], ("segments",), "segment")
    defaults = [i for i, s in enumerate(policy.segments) if s.default]
    last = len(policy.segments) - 1
    if not defaults:
        yield Finding(
            ("segments",),
            "no_default",
            Wording(N_("a default segment is required (default: true, last, without a condition)")),
        )
    for count, index in enumerate(defaults):
        segment = policy.segments[index]
        if count:
            yield Finding(
                ("segments", index, "default"),
                "two_defaults",
                Wording(N_("only one segment may be the default")),
            )
        elif index != last:
            yield Finding(
                ("segments", index, "default"),
                "default_not_last",
                Wording(
                    N_(
                        "the default segment %(id)s must be last: segments after it are unreachable"
                    ),
                    id=repr(segment.id),
                ),
            )
        if segment.condition is not None:
            yield Finding(
                ("segments", index, "condition"),
                "default_condition",
                Wording(N_("the default segment takes no condition")),
            )
    for index, segment in enumerate(policy.segments):
        if not segment.default and segment.condition is None:
            yield Finding(
                ("segments", index),
                "no_condition",
                Wording(N_("segment %(id)s needs a condition"), id=repr(segment.id)),
            )


def _duplicates(ids: list[str], loc: Path, what: str) -> Iterator[Finding]:
    for value, count in Counter(ids).items():
        if count > 1:
            yield Finding(
                loc,
                "duplicate_id",
                Wording(
                    N_("%(what)s id %(value)s is used %(count)s times"),
                    what=what,
                    value=repr(value),
                    count=count,
                ),
            )


_REFERENCES = {
    "treatment": N_("treatment"),
    "offers": N_("offers"),
    "segment": N_("segment"),
    "template": N_("template"),
}


def missing_reference(kind: str, name: str, loc: Path, known: list[str]) -> Finding:
    """A name that refers to nothing defined (a ``kind`` of ``_REFERENCES``), with the
    closest defined one."""
    return Finding(
        loc,
        f"unknown_{kind}",
        Wording(
            N_("unknown %(kind)s %(name)s%(hint)s (defined: %(defined)s)"),
            kind=Wording(_REFERENCES[kind]),
            name=repr(name),
            hint=hint(name, known),
            defined=tuple(sorted(known)) or Wording(N_("none")),
        ),
    )


_missing = missing_reference


def _references(policy: Policy) -> Iterator[Finding]:
    treatments, offers = list(policy.treatments), list(policy.offers)
    for index, segment in enumerate(policy.segments):
        if segment.treatment not in policy.treatments:
            yield _missing(
                "treatment",
                segment.treatment,
                ("segments", index, "treatment"),
                treatments,
            )
        if segment.offers is not None and segment.offers not in policy.offers:
            yield _missing("offers", segment.offers, ("segments", index, "offers"), offers)
    segment_ids = [s.id for s in policy.segments]
    for e_index, experiment in enumerate(policy.experiments):
        if experiment.segment not in segment_ids:
            yield _missing(
                "segment",
                experiment.segment,
                ("experiments", e_index, "segment"),
                segment_ids,
            )
        for a_index, arm in enumerate(experiment.arms):
            if arm.treatment not in policy.treatments:
                yield _missing(
                    "treatment",
                    arm.treatment,
                    ("experiments", e_index, "arms", a_index, "treatment"),
                    treatments,
                )


def _steps(policy: Policy) -> Iterator[Finding]:
    for name, treatment in policy.treatments.items():
        yield from _treatment_steps(name, treatment, policy.templates)


def _treatment_steps(name: str, treatment: Treatment, templates: list[str]) -> Iterator[Finding]:
    previous = -1
    seen: set[tuple[int, Channel]] = set()
    for index, step in enumerate(treatment.steps):
        loc: Path = ("treatments", name, "steps", index)
        if step.at < previous:
            yield Finding(
                (*loc, "at"),
                "steps_out_of_order",
                Wording(
                    N_(
                        "step on day %(at)s comes after a step on day %(previous)s; list steps "
                        "by day"
                    ),
                    at=step.at,
                    previous=previous,
                ),
            )
        previous = max(previous, step.at)
        if (step.at, step.channel) in seen:
            yield Finding(
                loc,
                "duplicate_step",
                Wording(
                    N_("two %(channel)s steps on day %(at)s"), channel=step.channel, at=step.at
                ),
            )
        seen.add((step.at, step.channel))
        if (step.every is None) != (step.until is None):
            yield Finding(
                loc,
                "repeat",
                Wording(N_("a repeat needs both every and until")),
            )
        if step.until is not None and step.until < step.at:
            yield Finding(
                (*loc, "until"),
                "repeat",
                Wording(
                    N_("until (%(until)s) is before at (%(at)s)"), until=step.until, at=step.at
                ),
            )
        if step.template is not None and step.template not in templates:
            yield _missing("template", step.template, (*loc, "template"), templates)
        if step.channel in _NEEDS_TEMPLATE and step.template is None:
            yield Finding(
                loc,
                "no_template",
                Wording(N_("a %(channel)s step needs a template"), channel=step.channel),
            )
        human = step.channel.is_human
        if human and (step.queue is None or step.priority is None):
            yield Finding(
                loc,
                "queue",
                Wording(
                    N_("%(channel)s is human work: give a queue and a priority"),
                    channel=step.channel,
                ),
            )
        if not human and (step.queue is not None or step.priority is not None):
            yield Finding(
                loc,
                "queue",
                Wording(
                    N_("%(channel)s is automatic: it takes no queue or priority"),
                    channel=step.channel,
                ),
            )


def _offers(policy: Policy) -> Iterator[Finding]:
    for name, offers in policy.offers.items():
        yield from _offer_limits(("offers", name), offers)


def _offer_limits(loc: Path, offers: Offers) -> Iterator[Finding]:
    options = set(offers.options)
    waivers = {ReliefOption.INTEREST_WAIVER, ReliefOption.PENALTY_WAIVER, ReliefOption.FEE_WAIVER}
    needs = [
        (
            ReliefOption.EXTENSION in options,
            offers.max_extension_months > 0,
            "max_extension_months",
        ),
        (
            ReliefOption.PAYMENT_HOLIDAY in options,
            offers.max_holiday_months > 0,
            "max_holiday_months",
        ),
        (bool(options & waivers), offers.max_waiver_pct > 0, "max_waiver_pct"),
        (
            ReliefOption.SETTLEMENT in options,
            offers.settlement_floor_pct is not None,
            "settlement_floor_pct",
        ),
    ]
    for offered, limited, limit in needs:
        if offered and not limited:
            yield Finding(
                (*loc, limit),
                "offer_limit",
                Wording(N_("an offered option needs %(limit)s"), limit=limit),
            )
    levels = offers.approval_levels
    if any(b.max_waiver_pct <= a.max_waiver_pct for a, b in pairwise(levels)):
        yield Finding(
            (*loc, "approval_levels"),
            "approval_levels",
            Wording(N_("approval levels must rise in max_waiver_pct")),
        )
    if levels and levels[-1].max_waiver_pct < offers.max_waiver_pct:
        yield Finding(
            (*loc, "approval_levels"),
            "approval_levels",
            Wording(N_("no approval level may grant the segment's max_waiver_pct")),
        )


def _experiments(policy: Policy) -> Iterator[Finding]:
    yield from _duplicates([e.id for e in policy.experiments], ("experiments",), "experiment")
    yield from _duplicates(
        [e.segment for e in policy.experiments],
        ("experiments",),
        "one experiment per segment; segment",
    )
    for index, experiment in enumerate(policy.experiments):
        loc: Path = ("experiments", index)
        yield from _duplicates([a.id for a in experiment.arms], (*loc, "arms"), "arm")
        total = sum((arm.weight for arm in experiment.arms), Decimal(0))
        if total != 1:
            yield Finding(
                (*loc, "arms"),
                "weights",
                Wording(
                    N_("arm weights of %(id)s sum to %(total)s, not 1"),
                    id=repr(experiment.id),
                    total=total,
                ),
            )
        roles = Counter(arm.role for arm in experiment.arms)
        if roles[ArmRole.CHAMPION] != 1:
            yield Finding(
                (*loc, "arms"),
                "champion",
                Wording(N_("an experiment needs exactly one champion arm")),
            )
        if roles[ArmRole.HOLDOUT] > 1:
            yield Finding((*loc, "arms"), "holdout", Wording(N_("at most one holdout arm")))


def _unused(policy: Policy) -> Iterator[Finding]:
    used = {s.treatment for s in policy.segments}
    used |= {a.treatment for e in policy.experiments for a in e.arms}
    for name in policy.treatments:
        if name not in used:
            yield Finding(
                ("treatments", name),
                "unused",
                Wording(N_("treatment %(name)s is never used"), name=repr(name)),
                severity="warning",
            )


def _unreachable(policy: Policy, checked: Checked) -> Iterator[Finding]:
    earlier: list[tuple[str, Condition]] = []
    for index, segment in enumerate(policy.segments):
        condition = checked.segment_conditions.get(segment.id)
        if condition is None:
            continue
        for earlier_id, before in earlier:
            if implies(condition.tree, before.tree):
                why = (
                    N_(
                        "segment %(segment)s is unreachable: every account it matches is taken "
                        "first by %(earlier)s, whose condition is always true"
                    )
                    if always_true(before.tree)
                    else N_(
                        "segment %(segment)s is unreachable: every account it matches is taken "
                        "first by %(earlier)s, whose condition is wider"
                    )
                )
                yield Finding(
                    ("segments", index, "condition"),
                    "unreachable",
                    Wording(why, segment=repr(segment.id), earlier=repr(earlier_id)),
                )
                break
        earlier.append((segment.id, condition))
