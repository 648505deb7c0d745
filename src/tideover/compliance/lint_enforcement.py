"""Linter checks on enforcement and field work: referrals of time-barred debts, visit teams.

A policy cannot say whether a debt is time-barred or who will make a visit,
so both checks are warnings: the gate refuses the referral of a debt known to
be time-barred and the visit of a team that fails the pack, whatever the policy
says.  What the policy can do is keep time-barred debts away from its legal
referrals, which is what the first check reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from sqlglot import exp

from tideover.compliance.contacts import Channel
from tideover.compliance.lint_model import LintContext, LintFinding, Location, Severity
from tideover.compliance.rules import Pack, Rule, TimeBarredParams, VisitParams
from tideover.policy.conditions import parse_condition
from tideover.policy.model import Channel as StepChannel
from tideover.policy.model import Segment
from tideover.policy.reach import implies

TIME_BARRED = "time_barred"  # the catalogue feature the exclusion must read


@cache
def _trees() -> tuple[exp.Expr, exp.Expr]:
    """``time_barred`` and ``NOT time_barred`` as condition trees."""
    return parse_condition(TIME_BARRED).tree, parse_condition(f"NOT {TIME_BARRED}").tree


def check_time_barred(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    """Legal-referral steps that a time-barred debt could reach (12 CFR 1006.26(b)).

    A step is safe when its segment's condition excludes time-barred debts, when
    an earlier segment catches every one of them (first match wins), or when its
    treatment's ``stop_when`` holds for every one of them.  Proofs are those of
    :func:`tideover.policy.reach.implies`: sound, not complete.
    """
    rules = [
        r
        for r in pack.rules
        if isinstance(r.params, TimeBarredParams)
        and r.params.no_legal_referral
        and r.scope.actor_roles & ctx.actors
    ]
    if not rules:
        return
    barred, not_barred = _trees()
    conditions = ctx.compiled.segment_conditions
    stops = ctx.compiled.stop_conditions
    caught = False  # an earlier segment takes every time-barred debt
    for segment in ctx.policy.segments:
        condition = conditions.get(segment.id)
        if segment.default or condition is None:
            excluded, catches = False, True
        else:
            excluded = implies(condition.tree, not_barred)
            catches = implies(barred, condition.tree)
        if not (caught or excluded):
            for tid in _treatments(ctx, segment):
                stop = stops.get(tid)
                if stop is not None and implies(barred, stop.tree):
                    continue
                for index, step in enumerate(ctx.policy.treatments[tid].steps):
                    if step.channel is StepChannel.LEGAL_REFERRAL:
                        for rule in rules:
                            yield _referral_finding(rule, segment, tid, index, step.at)
        caught = caught or catches


def _treatments(ctx: LintContext, segment: Segment) -> list[str]:
    used = {segment.treatment} | {
        arm.treatment for e in ctx.policy.experiments if e.segment == segment.id for arm in e.arms
    }
    return sorted(used)


def _referral_finding(rule: Rule, segment: Segment, tid: str, index: int, day: int) -> LintFinding:
    return LintFinding(
        rule.id,
        Severity.WARNING,
        Location((segment.id,), tid, index),
        f"legal referral on day {day} may reach time-barred debts, which may not be sued on: "
        f"exclude them with `NOT {TIME_BARRED}` in segment {segment.id}'s condition, an earlier "
        f"segment on `{TIME_BARRED}`, or `{TIME_BARRED}` in the treatment's stop_when; the "
        "gate refuses the referral of a debt known to be time-barred",
        f"第 {day} 天的法律移交可能涉及已过诉讼时效的债务（不得起诉）：请在分群 {segment.id} "
        f"的条件中加入 `NOT {TIME_BARRED}`、在其之前设置以 `{TIME_BARRED}` 为条件的分群，"
        f"或在处置方式的 stop_when 中加入 `{TIME_BARRED}`；闸门会拒绝移交已知已过时效的债务",
    )


def check_visits(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    """Field visits under a pack with visit-team rules: the team is checked when it sets out."""
    for rule in pack.rules:
        p = rule.params
        if not isinstance(p, VisitParams):
            continue
        needs_en, needs_zh = _team_needs(p)
        if not needs_en:
            continue
        for tid, index, step, channel in ctx.steps():
            if channel is not Channel.VISIT or not ctx.reaches(rule, channel, ctx.target(step)):
                continue
            yield LintFinding(
                rule.id,
                Severity.WARNING,
                ctx.at(tid, index),
                f"field visit on day {step.at}: the gate refuses a visit unless "
                f"{' and '.join(needs_en)}; the queue's workflow must record the team",
                f"第 {step.at} 天外访：{'，且'.join(needs_zh)}，否则闸门会拒绝；"
                "外访队列须登记外访人员",
            )


def _team_needs(p: VisitParams) -> tuple[list[str], list[str]]:
    en: list[str] = []
    zh: list[str] = []
    if p.credentials_required:
        en.append("every visitor shows a staff credential")
        zh.append("每名外访人员须出示工作证件")
    if p.recording_required:
        en.append("the visit is recorded")
        zh.append("外访须录音或录像")
    if p.max_visitors is not None:
        en.append(f"at most {p.max_visitors} people go")
        zh.append(f"外访人员不超过 {p.max_visitors} 名")
    return en, zh
