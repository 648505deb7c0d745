"""Checks on where a contact is made and who makes a visit: the workplace, the visit team.

Neither depends on the time, so a denial has no retry instant: waiting does
not help, another number, place or team does.
"""

from __future__ import annotations

from datetime import datetime

from tideover.compliance.contacts import Channel
from tideover.compliance.evaluators import Check, Context, Denial
from tideover.compliance.rules import Rule, VisitParams, WorkplaceParams
from tideover.i18n import N_, Clauses, Wording


class WorkplaceCheck(Check):
    """No contact at the consumer's place of work, always or when the employer prohibits it.

    15 USC 1692c(a)(3): not at the place of employment if the collector knows
    or has reason to know the employer prohibits it; Consumer Credit Act 1995
    s.46 (Ireland): no calls or visits at the place of work without consent.
    """

    __slots__ = ("p",)

    def __init__(self, rule: Rule, params: WorkplaceParams) -> None:
        super().__init__(rule)
        self.p = params

    def evaluate(self, ctx: Context, at: datetime, now: int) -> Denial | None:
        if not ctx.attempt.at_workplace:
            return None
        p, profile = self.p, ctx.profile
        if p.consent_exempts and profile.workplace_consent:
            return None
        if p.when == "employer_prohibits":
            if not profile.employer_prohibits_contact:
                return None
            return self.deny(
                None,
                lambda: Wording(
                    N_("the consumer's employer prohibits contact at the place of work")
                ),
            )
        return self.deny(
            None,
            lambda: Wording(
                N_("no contact at the consumer's place of work without the consumer's consent")
            ),
        )


class VisitCheck(Check):
    """A visit's team: every visitor shows a staff credential, the visit is recorded, size cap.

    NIFA 2018 convention Art. 15 (identify the institution; on visits show
    credentials); recording of every collection contact (NIFA 2018; card rules
    Art. 68).  A visit planned before its team is known (``visitors`` None) is
    checked again when the team sets out.
    """

    __slots__ = ("p",)

    def __init__(self, rule: Rule, params: VisitParams) -> None:
        super().__init__(rule)
        self.p = params

    def evaluate(self, ctx: Context, at: datetime, now: int) -> Denial | None:
        attempt, p = ctx.attempt, self.p
        visitors = attempt.visitors
        if attempt.channel is not Channel.VISIT or visitors is None:
            return None
        problems: list[Wording] = []
        if p.credentials_required:
            missing = sum(1 for v in visitors if not v.strip())
            if not visitors:
                problems.append(Wording(N_("no visitor with a staff credential is named")))
            elif missing:
                problems.append(
                    Wording(
                        N_("%(missing)s of %(count)s visitors have no staff credential"),
                        missing=missing,
                        count=len(visitors),
                    )
                )
        if p.max_visitors is not None and len(visitors) > p.max_visitors:
            problems.append(
                Wording(
                    N_("%(count)s visitors, more than the %(most)s allowed"),
                    count=len(visitors),
                    most=p.max_visitors,
                )
            )
        if p.recording_required and not attempt.recorded:
            problems.append(Wording(N_("the visit is not recorded")))
        if not problems:
            return None
        return self.deny(None, lambda: Wording(N_("%(problems)s"), problems=Clauses(problems)))
