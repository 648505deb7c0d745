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

from tideover.policy.conditions import Condition, ConditionInvalid, parse_condition
from tideover.policy.loading import Path
from tideover.policy.model import ArmRole, Channel, Offers, Policy, ReliefOption, Treatment
from tideover.policy.reach import always_true, implies
from tideover.policy.suggest import hint

# Channels that send a written or recorded message need its template.
_NEEDS_TEMPLATE = {Channel.SMS, Channel.EMAIL, Channel.APP_PUSH, Channel.LETTER, Channel.ROBOT_CALL}


@dataclass(frozen=True)
class Finding:
    loc: Path
    code: str
    en: str
    zh: str
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
        return None, [Finding(loc, "condition", i.en, i.zh, i.offset) for i in exc.issues]


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
            "a default segment is required (default: true, last, without a condition)",
            "必须有一个默认分群（default: true，放在最后，不写条件）",
        )
    for count, index in enumerate(defaults):
        segment = policy.segments[index]
        if count:
            yield Finding(
                ("segments", index, "default"),
                "two_defaults",
                "only one segment may be the default",
                "只能有一个默认分群",
            )
        elif index != last:
            yield Finding(
                ("segments", index, "default"),
                "default_not_last",
                f"the default segment {segment.id!r} must be last: "
                "segments after it are unreachable",
                f"默认分群 {segment.id!r} 必须放在最后：其后的分群永远不会被选中",
            )
        if segment.condition is not None:
            yield Finding(
                ("segments", index, "condition"),
                "default_condition",
                "the default segment takes no condition",
                "默认分群不写条件",
            )
    for index, segment in enumerate(policy.segments):
        if not segment.default and segment.condition is None:
            yield Finding(
                ("segments", index),
                "no_condition",
                f"segment {segment.id!r} needs a condition",
                f"分群 {segment.id!r} 需要条件",
            )


def _duplicates(ids: list[str], loc: Path, what: str) -> Iterator[Finding]:
    for value, count in Counter(ids).items():
        if count > 1:
            yield Finding(
                loc,
                "duplicate_id",
                f"{what} id {value!r} is used {count} times",
                f"{what} 编号 {value!r} 重复了 {count} 次",
            )


def missing_reference(
    kind_en: str, kind_zh: str, name: str, loc: Path, known: list[str]
) -> Finding:
    """A name that refers to nothing defined, with the closest defined one."""
    shown = ", ".join(sorted(known)) or "none"
    en_hint, zh_hint = hint(name, known)
    return Finding(
        loc,
        f"unknown_{kind_en}",
        f"unknown {kind_en} {name!r}{en_hint} (defined: {shown})",
        f"未知{kind_zh} {name!r}{zh_hint}（已定义：{shown}）",
    )


_missing = missing_reference


def _references(policy: Policy) -> Iterator[Finding]:
    treatments, offers = list(policy.treatments), list(policy.offers)
    for index, segment in enumerate(policy.segments):
        if segment.treatment not in policy.treatments:
            yield _missing(
                "treatment",
                "处置方式",
                segment.treatment,
                ("segments", index, "treatment"),
                treatments,
            )
        if segment.offers is not None and segment.offers not in policy.offers:
            yield _missing(
                "offers", "减免方案", segment.offers, ("segments", index, "offers"), offers
            )
    segment_ids = [s.id for s in policy.segments]
    for e_index, experiment in enumerate(policy.experiments):
        if experiment.segment not in segment_ids:
            yield _missing(
                "segment",
                "分群",
                experiment.segment,
                ("experiments", e_index, "segment"),
                segment_ids,
            )
        for a_index, arm in enumerate(experiment.arms):
            if arm.treatment not in policy.treatments:
                yield _missing(
                    "treatment",
                    "处置方式",
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
                f"step on day {step.at} comes after a step on day {previous}; list steps by day",
                f"第 {step.at} 天的步骤排在第 {previous} 天之后；请按天数排序",
            )
        previous = max(previous, step.at)
        if (step.at, step.channel) in seen:
            yield Finding(
                loc,
                "duplicate_step",
                f"two {step.channel} steps on day {step.at}",
                f"第 {step.at} 天有两个 {step.channel} 步骤",
            )
        seen.add((step.at, step.channel))
        if (step.every is None) != (step.until is None):
            yield Finding(
                loc,
                "repeat",
                "a repeat needs both every and until",
                "重复步骤需要同时写 every 和 until",
            )
        if step.until is not None and step.until < step.at:
            yield Finding(
                (*loc, "until"),
                "repeat",
                f"until ({step.until}) is before at ({step.at})",
                f"until（{step.until}）早于 at（{step.at}）",
            )
        if step.template is not None and step.template not in templates:
            yield _missing("template", "模板", step.template, (*loc, "template"), templates)
        if step.channel in _NEEDS_TEMPLATE and step.template is None:
            yield Finding(
                loc,
                "no_template",
                f"a {step.channel} step needs a template",
                f"{step.channel} 步骤需要模板",
            )
        human = step.channel.is_human
        if human and (step.queue is None or step.priority is None):
            yield Finding(
                loc,
                "queue",
                f"{step.channel} is human work: give a queue and a priority",
                f"{step.channel} 为人工作业：需要 queue 和 priority",
            )
        if not human and (step.queue is not None or step.priority is not None):
            yield Finding(
                loc,
                "queue",
                f"{step.channel} is automatic: it takes no queue or priority",
                f"{step.channel} 为自动渠道：不需要 queue 或 priority",
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
                f"an offered option needs {limit}",
                f"已允许的减免选项需要设置 {limit}",
            )
    levels = offers.approval_levels
    if any(b.max_waiver_pct <= a.max_waiver_pct for a, b in pairwise(levels)):
        yield Finding(
            (*loc, "approval_levels"),
            "approval_levels",
            "approval levels must rise in max_waiver_pct",
            "审批层级的 max_waiver_pct 必须递增",
        )
    if levels and levels[-1].max_waiver_pct < offers.max_waiver_pct:
        yield Finding(
            (*loc, "approval_levels"),
            "approval_levels",
            "no approval level may grant the segment's max_waiver_pct",
            "没有任何审批层级能批准该分群的 max_waiver_pct",
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
                f"arm weights of {experiment.id!r} sum to {total}, not 1",
                f"实验 {experiment.id!r} 的分组权重之和为 {total}，而不是 1",
            )
        roles = Counter(arm.role for arm in experiment.arms)
        if roles[ArmRole.CHAMPION] != 1:
            yield Finding(
                (*loc, "arms"),
                "champion",
                "an experiment needs exactly one champion arm",
                "实验必须恰好有一个冠军组",
            )
        if roles[ArmRole.HOLDOUT] > 1:
            yield Finding(
                (*loc, "arms"), "holdout", "at most one holdout arm", "最多只能有一个留出组"
            )


def _unused(policy: Policy) -> Iterator[Finding]:
    used = {s.treatment for s in policy.segments}
    used |= {a.treatment for e in policy.experiments for a in e.arms}
    for name in policy.treatments:
        if name not in used:
            yield Finding(
                ("treatments", name),
                "unused",
                f"treatment {name!r} is never used",
                f"处置方式 {name!r} 未被使用",
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
                why = "always true" if always_true(before.tree) else "wider"
                yield Finding(
                    ("segments", index, "condition"),
                    "unreachable",
                    f"segment {segment.id!r} is unreachable: every account it matches is taken "
                    f"first by {earlier_id!r}, whose condition is {why}",
                    f"分群 {segment.id!r} 永远不会被选中：它匹配的账户都会先被 {earlier_id!r} 选走",
                )
                break
        earlier.append((segment.id, condition))
