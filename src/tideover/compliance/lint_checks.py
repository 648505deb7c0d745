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
    COUNTED,
    PER,
    ConsentParams,
    FrequencyCapParams,
    Pack,
    QuietPeriodParams,
    Rule,
    ThirdPartyParams,
    TimeWindowParams,
)
from tideover.i18n import N_, Bilingual, Wording
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
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
_CLOCK = {"dpd": N_("days-past-due"), "days_in_segment": N_("days-in-segment")}
_IF_COUNTED = {  # what a plan's count assumes of the calls' outcomes
    "attempts": "",
    "connected": N_(" if every call is answered"),
    "unanswered": N_(" if none is answered"),
}


def _who(ctx: LintContext, rule: Rule) -> Wording | str:
    """When the actor is not given, say which actors a narrower rule binds."""
    roles = rule.scope.actor_roles
    if len(ctx.actors) == 1 or roles >= ctx.actors:
        return ""
    names = sorted(r.value for r in roles)
    return Wording(N_(" (binds %(names)s)"), names=tuple(names))


def check_queues(ctx: LintContext) -> Iterator[LintFinding]:
    for tid, treatment in ctx.policy.treatments.items():
        for index, step in enumerate(treatment.steps):
            if step.channel.is_human and step.queue is None:
                yield LintFinding(
                    "LINT-QUEUE",
                    Severity.BLOCKING,
                    ctx.at(tid, index),
                    Wording(
                        N_("%(channel)s on day %(at)s has no queue: no collector would get it"),
                        channel=step.channel,
                        at=step.at,
                    ),
                )


def check_hours(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    for rule in pack.rules:
        p = rule.params
        if not isinstance(p, TimeWindowParams):
            continue
        who = _who(ctx, rule)
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
                    Wording(
                        N_(
                            "%(channel)s is sent %(planned)s local time, outside the allowed "
                            "window %(allowed)s%(who)s"
                        ),
                        channel=step.channel,
                        planned=planned,
                        allowed=allowed,
                        who=who,
                    ),
                )
            if p.closed_weekdays and hits_every_weekday(step):
                closed = tuple(Wording(_WEEKDAY[d]) for d in sorted(p.closed_weekdays))
                yield LintFinding(
                    rule.id,
                    Severity.WARNING,
                    ctx.at(tid, index),
                    Wording(
                        N_(
                            "%(channel)s every %(every)s day(s) from day %(at)s to %(until)s "
                            "falls on %(closed)s, when no contact is allowed; the gate will hold "
                            "those back to the next open day%(who)s"
                        ),
                        channel=step.channel,
                        every=step.every,
                        at=step.at,
                        until=step.until,
                        closed=closed,
                        who=who,
                    ),
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
    parts = tuple(
        Wording(
            N_("step %(step)s %(channel)s ×%(times)s"), step=i, channel=steps[i].channel, times=n
        )
        for i, n in sorted(per_step.items())
    )
    if p.period == "month":
        span = Wording(N_("%(length)s calendar month(s)"), length=p.length)
    else:
        span = Wording(N_("%(length)s local day(s)"), length=p.length)
    counted = _IF_COUNTED[p.count]
    return LintFinding(
        rule.id,
        Severity.BLOCKING,
        ctx.at(tid, window[0][1]),
        Wording(
            N_(
                "days %(start)s-%(end)s on the %(clock)s clock plan %(n)s %(count)s "
                "(%(parts)s)%(counted)s: more than the %(limit)s %(per)s in %(span)s%(who)s"
            ),
            start=window[0][0],
            end=window[-1][0],
            clock=Wording(_CLOCK[clock]),
            n=len(window),
            count=Wording(COUNTED[p.count]),
            parts=parts,
            counted=Wording(counted) if counted else "",
            limit=p.limit,
            per=Wording(PER[p.per]),
            span=span,
            who=_who(ctx, rule),
        ),
    )


def check_quiet(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    for rule in pack.rules:
        p = rule.params
        if not isinstance(p, QuietPeriodParams):
            continue
        who = _who(ctx, rule)
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
            when = (
                Wording(N_("days %(a)s and %(b)s"), a=a, b=b)
                if a != b
                else Wording(N_("twice on day %(a)s"), a=a)
            )
            yield LintFinding(
                rule.id,
                Severity.WARNING,
                ctx.at(tid, index),
                Wording(
                    N_(
                        "calls %(when)s: after a conversation about the debt no call is allowed "
                        "for %(days)s days (its day is day 1), so the gate will hold back calls "
                        "planned closer together%(who)s"
                    ),
                    when=when,
                    days=p.days,
                    who=who,
                ),
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
                    Wording(
                        N_(
                            "automated %(channel)s needs the borrower's prior express consent; the "
                            "gate denies it for borrowers without one, so plan another channel for "
                            "them"
                        ),
                        channel=step.channel,
                    ),
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
                    Wording(
                        N_("%(channel)s to a third party: this pack allows no third-party contact"),
                        channel=step.channel,
                    ),
                )
            elif limit is not None and times > limit:
                yield LintFinding(
                    rule.id,
                    Severity.BLOCKING,
                    at,
                    Wording(
                        N_(
                            "%(channel)s to a %(target)s %(times)s times; at most %(limit)s allowed"
                        ),
                        channel=step.channel,
                        target=target,
                        times=times,
                        limit=limit,
                    ),
                )
            if target is Target.CONTACT_PERSON and p.only_when_debtor_unreachable:
                yield LintFinding(
                    rule.id,
                    Severity.WARNING,
                    at,
                    Wording(
                        N_(
                            "a scheduled %(channel)s to a contact person: allowed only when the "
                            "debtor cannot be reached and only to restore contact; the gate denies "
                            "it otherwise"
                        ),
                        channel=step.channel,
                    ),
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
            flags = sorted(DIFFICULTY_RULES[rule.id])
            yield LintFinding(
                rule.id,
                Severity.WARNING,
                Location(),
                Wording(
                    N_("no segment reads %(flags)s: %(title)s")
                    if len(flags) == 1
                    else N_("no segment reads any of %(flags)s: %(title)s"),
                    flags=tuple(flags),
                    title=Bilingual(rule.title_en, rule.title_zh),
                ),
            )
        if rule.id not in FORBEARANCE_RULES:
            continue
        params = rule.params.model_dump()
        since: Wording | str = ""
        if "applies_from" in params:
            since = Wording(N_(" (applies from %(day)s)"), day=params["applies_from"])
        if not any(s.offers and reads(s.id, DIFFICULTY_FEATURES) for s in policy.segments):
            yield LintFinding(
                rule.id,
                Severity.BLOCKING,
                Location(),
                Wording(
                    N_(
                        "no route for borrowers in difficulty: add a segment on hardship_flag or "
                        "vulnerable_flag with relief offers (%(needs)s)%(since)s"
                    ),
                    needs=tuple(params.get("requires", [])),
                    since=since,
                ),
            )
        yield from _enforcement_without_relief(ctx, rule, since)


def _enforcement_without_relief(
    ctx: LintContext, rule: Rule, since: Wording | str
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
                        Wording(
                            N_(
                                "legal referral on day %(at)s while segment %(segment)s offers "
                                "no forbearance first%(since)s"
                            ),
                            at=step.at,
                            segment=segment.id,
                            since=since,
                        ),
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
                Wording(
                    N_(
                        "template texts were not given: %(count)s templates are not checked "
                        "(%(names)s)"
                    ),
                    count=len(names),
                    names=tuple(names),
                ),
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
                Wording(N_("no text given for template %(name)s: not checked"), name=name),
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
                    Wording(
                        N_("template %(template)s (%(channel)s to %(target)s): %(reason)s"),
                        template=where.template,
                        channel=channel,
                        target=given.target,
                        reason=reason.wording,
                    ),
                    pack.code,
                )
