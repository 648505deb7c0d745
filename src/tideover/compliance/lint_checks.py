"""The linter's checks, one function per kind of rule (see ``lint``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import pairwise
from math import gcd

from tideover.compliance.contacts import Channel, Target
from tideover.compliance.gate import check_message
from tideover.compliance.lint_model import (
    AUTOMATED,
    DIFFICULTY_FEATURES,
    DIFFICULTY_RULES,
    FORBEARANCE_RULES,
    MONTH_DAYS,
    LintContext,
    LintFinding,
    Location,
    Severity,
    TemplateText,
)
from tideover.compliance.rules import (
    ConsentParams,
    FrequencyCapParams,
    Pack,
    QuietPeriodParams,
    Rule,
    ThirdPartyParams,
    TimeWindowParams,
)
from tideover.policy.model import Channel as StepChannel
from tideover.policy.model import Step


def step_days(step: Step) -> range:
    """The days on the treatment's clock a step acts on."""
    if step.every is None or step.until is None:
        return range(step.at, step.at + 1)
    return range(step.at, step.until + 1, step.every)


def hits_every_weekday(step: Step) -> bool:
    days = step_days(step)
    return len(days) >= 7 and gcd(days.step, 7) == 1


_WEEKDAY = (
    ("Monday", "周一"),
    ("Tuesday", "周二"),
    ("Wednesday", "周三"),
    ("Thursday", "周四"),
    ("Friday", "周五"),
    ("Saturday", "周六"),
    ("Sunday", "周日"),
)
_CLOCK = {"dpd": ("days-past-due", "逾期天数"), "days_in_segment": ("days-in-segment", "入组天数")}
_COUNT = {
    "attempts": ("attempts", "次联系尝试", "", ""),
    "connected": ("connected calls", "次接通", " if every call is answered", "（若每次都接通）"),
    "unanswered": ("unanswered calls", "次未接通", " if none is answered", "（若均未接通）"),
}
_PER = {"person": "人", "debt": "笔债务", "number": "个号码"}


def _who(ctx: LintContext, rule: Rule) -> tuple[str, str]:
    """When the actor is not given, say which actors a narrower rule binds."""
    roles = rule.scope.actor_roles
    if len(ctx.actors) == 1 or roles >= ctx.actors:
        return "", ""
    names = sorted(r.value for r in roles)
    return f" (binds {', '.join(names)})", f"（适用于 {'、'.join(names)}）"


def check_queues(ctx: LintContext) -> Iterator[LintFinding]:
    for tid, treatment in ctx.policy.treatments.items():
        for index, step in enumerate(treatment.steps):
            if step.channel.is_human and step.queue is None:
                yield LintFinding(
                    "LINT-QUEUE",
                    Severity.BLOCKING,
                    ctx.at(tid, index),
                    f"{step.channel} on day {step.at} has no queue: no collector would get it",
                    f"第 {step.at} 天的 {step.channel} 没有指定队列，不会分派给任何催收员",
                )


def check_hours(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    for rule in pack.rules:
        p = rule.params
        if not isinstance(p, TimeWindowParams):
            continue
        who, who_zh = _who(ctx, rule)
        allowed = f"{p.start:%H:%M}-{p.end:%H:%M}"
        for tid, index, step, channel in ctx.steps():
            if not ctx.reaches(rule, channel, ctx.target(step)):
                continue
            sent = ctx.send_times.get(step.channel)
            if sent is not None and (sent[0] < p.start or sent[1] > p.end):
                planned = f"{sent[0]:%H:%M}-{sent[1]:%H:%M}"
                yield LintFinding(
                    rule.id,
                    Severity.BLOCKING,
                    ctx.at(tid, index),
                    f"{step.channel} is sent {planned} local time, outside the allowed window "
                    f"{allowed}{who}",
                    f"{step.channel} 的发送时段为当地时间 {planned}，"
                    f"超出允许时段 {allowed}{who_zh}",
                )
            if p.closed_weekdays and hits_every_weekday(step):
                closed = sorted(p.closed_weekdays)
                en = ", ".join(_WEEKDAY[d][0] for d in closed)
                zh = "、".join(_WEEKDAY[d][1] for d in closed)
                yield LintFinding(
                    rule.id,
                    Severity.WARNING,
                    ctx.at(tid, index),
                    f"{step.channel} every {step.every} day(s) from day {step.at} to {step.until} "
                    f"falls on {en}, when no contact is allowed; the gate will hold those back "
                    f"to the next open day{who}",
                    f"{step.channel} 自第 {step.at} 天至第 {step.until} 天每 {step.every} 天一次，"
                    f"会落在禁止联系的{zh}；闸门会将其顺延至下一个可联系日{who_zh}",
                )


def _busiest(days: list[int], span: int) -> tuple[int, int]:
    """Indices ``(first, last)`` of the most events within ``span`` consecutive days."""
    best, first = (0, 0), 0
    for last, day in enumerate(days):
        while days[first] <= day - span:
            first += 1
        if last - first > best[1] - best[0]:
            best = (first, last)
    return best


def check_caps(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    for rule in pack.rules:
        p = rule.params
        if not isinstance(p, FrequencyCapParams):
            continue
        counted = p.counted_channels or rule.scope.channels
        span = p.length * (MONTH_DAYS if p.period == "month" else 1)
        for tid, treatment in ctx.policy.treatments.items():
            events = sorted(
                (day, index)
                for t, index, step, channel in ctx.steps()
                if t == tid and channel in counted and ctx.reaches(rule, channel, ctx.target(step))
                for day in step_days(step)
            )
            if len(events) <= p.limit:
                continue
            first, last = _busiest([day for day, _ in events], span)
            if last - first + 1 > p.limit:
                window = events[first : last + 1]
                yield _cap_finding(ctx, rule, p, tid, treatment.clock.value, window)


def _cap_finding(
    ctx: LintContext,
    rule: Rule,
    p: FrequencyCapParams,
    tid: str,
    clock: str,
    window: list[tuple[int, int]],
) -> LintFinding:
    steps = ctx.policy.treatments[tid].steps
    per_step: dict[int, int] = {}
    for _, index in window:
        per_step[index] = per_step.get(index, 0) + 1
    parts = [f"step {i} {steps[i].channel} ×{n}" for i, n in sorted(per_step.items())]
    kind, kind_zh, cond, cond_zh = _COUNT[p.count]
    if p.period == "month":
        span, span_zh = f"{p.length} calendar month(s)", f"{p.length} 个自然月内"
    else:
        span, span_zh = f"{p.length} local day(s)", f"{p.length} 个当地日内"
    who, who_zh = _who(ctx, rule)
    start, end, n = window[0][0], window[-1][0], len(window)
    return LintFinding(
        rule.id,
        Severity.BLOCKING,
        ctx.at(tid, window[0][1]),
        f"days {start}-{end} on the {_CLOCK[clock][0]} clock plan {n} {kind} "
        f"({', '.join(parts)}){cond}: more than the {p.limit} per {p.per} in {span}{who}",
        f"{_CLOCK[clock][1]}第 {start}-{end} 天计划 {n} {kind_zh}（{'，'.join(parts)}）"
        f"{cond_zh}，超过每{_PER[p.per]}{span_zh}不超过 {p.limit} 次的上限{who_zh}",
    )


def check_quiet(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    for rule in pack.rules:
        p = rule.params
        if not isinstance(p, QuietPeriodParams):
            continue
        who, who_zh = _who(ctx, rule)
        for tid in ctx.policy.treatments:
            calls = sorted(
                (day, index)
                for t, index, step, channel in ctx.steps()
                if t == tid and ctx.reaches(rule, channel, ctx.target(step))
                for day in step_days(step)
            )
            close = next(
                ((a, b) for a, b in pairwise(calls) if b[0] - a[0] < p.days),
                None,
            )
            if close is None:
                continue
            (a, _), (b, index) = close
            when = f"days {a} and {b}" if a != b else f"twice on day {a}"
            when_zh = f"第 {a} 天与第 {b} 天" if a != b else f"第 {a} 天两次"
            yield LintFinding(
                rule.id,
                Severity.WARNING,
                ctx.at(tid, index),
                f"calls {when}: after a conversation about the debt no call is "
                f"allowed for {p.days} days (its day is day 1), so the gate will hold back calls "
                f"planned closer together{who}",
                f"{when_zh}均有呼叫：就债务通话后 {p.days} 天内（通话当日为第 1 天）"
                f"不得再致电，闸门会暂缓间隔更近的呼叫{who_zh}",
            )


def check_consent(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    for rule in pack.rules:
        p = rule.params
        if not isinstance(p, ConsentParams) or not p.automated_needs_consent:
            continue
        for tid, index, step, channel in ctx.steps():
            if (
                step.channel in AUTOMATED
                and channel in p.automated_needs_consent
                and ctx.reaches(rule, channel, ctx.target(step))
            ):
                yield LintFinding(
                    rule.id,
                    Severity.WARNING,
                    ctx.at(tid, index),
                    f"automated {step.channel} needs the borrower's prior express consent; the "
                    "gate denies it for borrowers without one, so plan another channel for them",
                    f"自动 {step.channel} 须借款人事先明确同意；未同意者将被闸门拒绝，"
                    "请为其安排其他渠道",
                )


def check_third_parties(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    for rule in pack.rules:
        p = rule.params
        if not isinstance(p, ThirdPartyParams):
            continue
        for tid, index, step, channel in ctx.steps():
            target = ctx.target(step)
            if target is Target.DEBTOR or not ctx.reaches(rule, channel, target):
                continue
            at = ctx.at(tid, index)
            times = len(step_days(step))
            limit = p.max_contacts_per_recipient
            if target is Target.THIRD_PARTY and not p.allowed_roles and limit is None:
                yield LintFinding(
                    rule.id,
                    Severity.BLOCKING,
                    at,
                    f"{step.channel} to a third party: this pack allows no third-party contact",
                    f"{step.channel} 联系第三人：本规则包不允许联系第三人",
                )
            elif limit is not None and times > limit:
                yield LintFinding(
                    rule.id,
                    Severity.BLOCKING,
                    at,
                    f"{step.channel} to a {target} {times} times; at most {limit} allowed",
                    f"{step.channel} 联系{target} {times} 次；最多允许 {limit} 次",
                )
            if target is Target.CONTACT_PERSON and p.only_when_debtor_unreachable:
                yield LintFinding(
                    rule.id,
                    Severity.WARNING,
                    at,
                    f"a scheduled {step.channel} to a contact person: allowed only when the debtor "
                    "cannot be reached and only to restore contact; the gate denies it otherwise",
                    f"按计划 {step.channel} 联系联系人：仅在无法联系债务人时、"
                    "且仅为恢复联系才允许，否则闸门会拒绝",
                )


def check_forbearance(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    policy = ctx.policy
    conditions = ctx.compiled.segment_conditions

    def reads(segment_id: str, features: frozenset[str]) -> bool:
        condition = conditions.get(segment_id)
        return condition is not None and bool(condition.features & features)

    for rule in pack.rules:
        if rule.id in DIFFICULTY_RULES and not any(
            reads(s.id, DIFFICULTY_RULES[rule.id]) for s in policy.segments
        ):
            flags = " or ".join(sorted(DIFFICULTY_RULES[rule.id]))
            yield LintFinding(
                rule.id,
                Severity.WARNING,
                Location(),
                f"no segment reads {flags}: {rule.title_en}",
                f"没有分群使用 {flags}：{rule.title_zh}",
            )
        if rule.id not in FORBEARANCE_RULES:
            continue
        params = rule.params.model_dump()
        needs = ", ".join(params.get("requires", []))
        since = f" (applies from {params['applies_from']})" if "applies_from" in params else ""
        since_zh = f"（自 {params['applies_from']} 起适用）" if since else ""
        if not any(s.offers and reads(s.id, DIFFICULTY_FEATURES) for s in policy.segments):
            yield LintFinding(
                rule.id,
                Severity.BLOCKING,
                Location(),
                "no route for borrowers in difficulty: add a segment on hardship_flag or "
                f"vulnerable_flag with relief offers ({needs}){since}",
                "没有为困难借款人设置路径：请增加以 hardship_flag 或 vulnerable_flag 为条件、"
                f"并配有减免或分期方案的分群（{needs}）{since_zh}",
            )
        yield from _enforcement_without_relief(ctx, rule, since, since_zh)


def _enforcement_without_relief(
    ctx: LintContext, rule: Rule, since: str, since_zh: str
) -> Iterator[LintFinding]:
    """Forbearance comes before enforcement: a legal referral needs offers in its segment."""
    for segment in ctx.policy.segments:
        if segment.offers:
            continue
        used = {segment.treatment} | {
            arm.treatment
            for e in ctx.policy.experiments
            if e.segment == segment.id
            for arm in e.arms
        }
        for tid in sorted(used):
            steps = ctx.policy.treatments[tid].steps
            for index, step in enumerate(steps):
                if step.channel is StepChannel.LEGAL_REFERRAL:
                    yield LintFinding(
                        rule.id,
                        Severity.BLOCKING,
                        Location((segment.id,), tid, index),
                        f"legal referral on day {step.at} while segment {segment.id} offers no "
                        f"forbearance first{since}",
                        f"第 {step.at} 天移交法律程序，但分群 {segment.id} 此前未提供任何宽容措施"
                        f"{since_zh}",
                    )


def check_templates(ctx: LintContext, packs: Sequence[Pack]) -> Iterator[LintFinding]:
    """Each template once per channel and recipient, at its first step, under every pack."""
    first_use: dict[tuple[str, Channel, Target], tuple[str, int]] = {}
    for tid, index, step, channel in ctx.steps():
        if step.template is not None:
            first_use.setdefault((step.template, channel, ctx.target(step)), (tid, index))
    if ctx.templates is None:
        if first_use:
            names = sorted({key[0] for key in first_use})
            yield LintFinding(
                "LINT-TEMPLATE-TEXT",
                Severity.WARNING,
                Location(),
                f"template texts were not given: {len(names)} templates are not checked "
                f"({', '.join(names)})",
                f"未提供模板文本：{len(names)} 个模板未经消息检查（{'、'.join(names)}）",
            )
        return
    for (name, channel, _), (tid, index) in first_use.items():
        where = replace(ctx.at(tid, index), template=name)
        given = ctx.templates.get(name)
        if given is None:
            yield LintFinding(
                "LINT-TEMPLATE-TEXT",
                Severity.WARNING,
                where,
                f"no text given for template {name}: not checked",
                f"未提供模板 {name} 的文本，未经检查",
            )
            continue
        for pack in packs:
            yield from _template_findings(ctx, pack, given, channel, where)


def _template_findings(
    ctx: LintContext, pack: Pack, given: TemplateText, channel: Channel, where: Location
) -> Iterator[LintFinding]:
    sender = given.sender_name or ctx.sender_name
    seen: set[tuple[str, str, int]] = set()
    for actor in sorted(ctx.actors):
        findings = check_message(
            given.text, pack, channel=channel, actor=actor, target=given.target, sender_name=sender
        )
        for f in findings:
            for rule_id in f.rule_ids:
                if (rule_id, f.category, f.start) in seen:
                    continue
                seen.add((rule_id, f.category, f.start))
                reason = f.reason(rule_id)
                unknown_sender = f.category == "missing_institution" and sender is None
                yield LintFinding(
                    rule_id,
                    Severity.WARNING if unknown_sender else Severity.BLOCKING,
                    where,
                    f"template {where.template} ({channel} to {given.target}): {reason.en}",
                    f"模板 {where.template}（{channel}，发给{given.target}）：{reason.zh}",
                    pack.code,
                )
