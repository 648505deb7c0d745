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
from tideover.i18n import N_, Wording, all_of
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
        Wording(
            N_(
                "legal referral on day %(day)s may reach time-barred debts, which may "
                "not be sued on: exclude them with `NOT %(time_barred)s` in segment "
                "%(id)s's condition, an earlier segment on `%(time_barred)s`, or "
                "`%(time_barred)s` in the treatment's stop_when; the gate refuses the "
                "referral of a debt known to be time-barred"
            ),
            day=day,
            time_barred=TIME_BARRED,
            id=segment.id,
        ),
    )


def check_visits(ctx: LintContext, pack: Pack) -> Iterator[LintFinding]:
    """Field visits under a pack with visit-team rules: the team is checked when it sets out."""
    for rule in pack.rules:
        p = rule.params
        if not isinstance(p, VisitParams):
            continue
        needs = _team_needs(p)
        if needs is None:
            continue
        for tid, index, step, channel in ctx.steps():
            if channel is not Channel.VISIT or not ctx.reaches(rule, channel, ctx.target(step)):
                continue
            yield LintFinding(
                rule.id,
                Severity.WARNING,
                ctx.at(tid, index),
                Wording(
                    N_(
                        "field visit on day %(at)s: the gate refuses a visit unless %(needs)s; "
                        "the queue's workflow must record the team"
                    ),
                    at=step.at,
                    needs=needs,
                ),
            )


def _team_needs(p: VisitParams) -> object | None:
    """What a visiting team must satisfy, as one clause ("a and b"), or None."""
    needs: list[Wording] = []
    if p.credentials_required:
        needs.append(Wording(N_("every visitor shows a staff credential")))
    if p.recording_required:
        needs.append(Wording(N_("the visit is recorded")))
    if p.max_visitors is not None:
        needs.append(Wording(N_("at most %(most)s people go"), most=p.max_visitors))
    return all_of(needs) if needs else None
