"""Policy linter: a policy version checked against its rule packs before approval.

A policy says what happens on which day, not at what time or to whom, so the
linter reads it with two stated assumptions (docs/compliance.md, "Policy
linter"): steps are sent inside the dispatcher's send windows
(:data:`DEFAULT_SEND_TIMES` unless given), and every step addresses the debtor
unless its template is declared for a contact person or a third party.  Counts
are per debt and per treatment, from the treatment's own steps; the gate still
checks every real attempt against the whole ledger.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from tideover.compliance.contacts import ActorRole
from tideover.compliance.lint_checks import (
    check_caps,
    check_consent,
    check_forbearance,
    check_hours,
    check_queues,
    check_quiet,
    check_templates,
    check_third_parties,
    step_days,
)
from tideover.compliance.lint_enforcement import check_time_barred, check_visits
from tideover.compliance.lint_model import (
    DEFAULT_SEND_TIMES,
    JURISDICTION_PACK,
    LintContext,
    LintFinding,
    LintReport,
    Location,
    SendWindow,
    Severity,
    TemplateText,
)
from tideover.compliance.loader import PACK_CODES
from tideover.compliance.rules import Pack
from tideover.domain.errors import ValidationError
from tideover.i18n import N_
from tideover.policy.document import CompiledPolicy
from tideover.policy.model import Channel as StepChannel
from tideover.policy.model import Policy


def pack_codes(policy: Policy) -> tuple[str, ...]:
    """The packs a policy names: its ``rule_packs`` and its jurisdiction's pack."""
    codes: list[str] = []
    for name in policy.rule_packs:
        code = name.upper()
        if code not in PACK_CODES:
            raise ValidationError(
                N_("policy %(policy)s: rule pack %(name)s is unknown; known: %(pack_codes)s"),
                policy=policy.policy,
                name=repr(name),
                pack_codes=tuple(c.lower() for c in PACK_CODES),
            )
        codes.append(code)
    own = jurisdiction_pack(policy.jurisdiction)
    if own is not None:
        codes.append(own)
    return tuple(dict.fromkeys(codes))


def jurisdiction_pack(place: str) -> str | None:
    """The pack of a jurisdiction (``US-CA``: the federal pack), or None without one."""
    own = place if place in PACK_CODES else JURISDICTION_PACK.get(place.split("-")[0])
    if own is None and place.split("-")[0] in PACK_CODES:
        own = place.split("-")[0]
    return own


def platform_pack_codes(jurisdiction: str, policy: Policy) -> tuple[str, ...]:
    """The packs the platform's contacts are gated by: its own jurisdiction's pack, and any
    further pack its policy names (a policy can add law, never take the platform's away)."""
    own = jurisdiction_pack(jurisdiction)
    return tuple(dict.fromkeys([*([own] if own else []), *pack_codes(policy)]))


def check_jurisdiction(platform_jurisdiction: str, policy: Policy) -> None:
    """A policy written for another country's law is refused for this platform."""
    country, wanted = policy.jurisdiction.split("-")[0], platform_jurisdiction.split("-")[0]
    if country != wanted:
        raise JurisdictionMismatch(
            N_(
                "policy %(policy)s is written for %(jurisdiction)s, but the platform "
                "collects under %(platform_jurisdiction)s's law"
            ),
            policy=policy.policy,
            jurisdiction=policy.jurisdiction,
            platform_jurisdiction=platform_jurisdiction,
        )


class JurisdictionMismatch(ValidationError):
    """A policy's jurisdiction is not its platform's."""

    code = "jurisdiction_mismatch"


def lint(
    policy: CompiledPolicy,
    packs: Sequence[Pack],
    *,
    templates: Mapping[str, str | TemplateText] | None = None,
    actor: ActorRole | None = None,
    send_times: Mapping[StepChannel, SendWindow] | None = None,
    sender_name: str | None = None,
) -> LintReport:
    """Findings of ``policy`` against ``packs``; :attr:`LintReport.blocking` stops approval.

    ``actor`` None checks every rule any actor is bound by (the lender answers for
    its agencies); ``templates`` maps template ids to their text.
    """
    texts = None
    if templates is not None:
        texts = {
            k: v if isinstance(v, TemplateText) else TemplateText(v) for k, v in templates.items()
        }
    ctx = LintContext(
        policy,
        frozenset(ActorRole) if actor is None else frozenset({actor}),
        texts,
        DEFAULT_SEND_TIMES if send_times is None else send_times,
        sender_name,
        _usage(policy.policy),
    )
    found: list[LintFinding] = list(check_queues(ctx))
    for pack in packs:
        for check in (
            check_hours,
            check_caps,
            check_quiet,
            check_consent,
            check_third_parties,
            check_forbearance,
            check_time_barred,
            check_visits,
        ):
            found.extend(_with_pack(f, pack) for f in check(ctx, pack))
    found.extend(check_templates(ctx, packs))
    unique = list(dict.fromkeys(found))
    unique.sort(key=lambda f: f.severity is not Severity.BLOCKING)
    return LintReport(
        policy.policy.policy, tuple((p.code, p.version) for p in packs), tuple(unique)
    )


def _with_pack(finding: LintFinding, pack: Pack) -> LintFinding:
    return replace(finding, pack=pack.code)


def _usage(policy: Policy) -> dict[str, tuple[str, ...]]:
    """Treatment id → the segments whose accounts get it (directly or in an experiment arm)."""
    usage: dict[str, list[str]] = {}
    for segment in policy.segments:
        usage.setdefault(segment.treatment, []).append(segment.id)
    for experiment in policy.experiments:
        for arm in experiment.arms:
            users = usage.setdefault(arm.treatment, [])
            if experiment.segment not in users:
                users.append(experiment.segment)
    return {k: tuple(v) for k, v in usage.items()}


__all__ = [
    "DEFAULT_SEND_TIMES",
    "JURISDICTION_PACK",
    "LintContext",
    "LintFinding",
    "LintReport",
    "Location",
    "SendWindow",
    "Severity",
    "TemplateText",
    "lint",
    "pack_codes",
    "step_days",
]
