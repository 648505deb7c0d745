"""What a simulation is asked to do, checked before any work: policies, priors, rule packs.

A policy is named as a stored version number, ``active`` (the platform's active
version), or a policy file (a what-if that stores nothing).  Every policy must
be written for the platform's jurisdiction, as for submission and the daily
cycle.  The rule packs are the platform's own and any the policy adds; their
caps, quiet periods and holds apply at month level (``simulate.gate``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from tideover.compliance.lint import check_jurisdiction, platform_pack_codes
from tideover.compliance.loader import load_pack
from tideover.domain.errors import NotFound, ValidationError
from tideover.i18n import N_
from tideover.policy.document import CompiledPolicy, load_policy, parse_policy
from tideover.services.platforms import settings_of
from tideover.services.policy.versions import document_sha256
from tideover.services.simulate.results import PolicySource
from tideover.services.unit_of_work import UnitOfWork
from tideover.simulate.engine import check_range
from tideover.simulate.gate import MonthGate, month_gate
from tideover.simulate.priors import PriorSet, load_priors

ACTIVE = "active"
MAX_POLICIES = 6  # a comparison table wider than this is unreadable; run it in parts


@dataclass(frozen=True)
class ChosenPolicy:
    compiled: CompiledPolicy
    source: PolicySource


def resolve_policy(uow: UnitOfWork, platform: str, name: str) -> ChosenPolicy:
    """A stored version (``3``), the active one (``active``) or a policy file, checked."""
    text = name.strip()
    if text == ACTIVE or text.isdigit():
        with uow:
            repo = uow.policies(platform)
            stored = repo.active() if text == ACTIVE else repo.get(int(text))
        if stored is None:
            raise NotFound(
                N_("platform %(platform)s has no active policy version to simulate"),
                platform=repr(platform),
            )
        number = stored.version.number
        if document_sha256(stored.document) != stored.sha256:
            raise ValidationError(
                N_("policy version %(number)s does not match its SHA-256; it cannot be simulated"),
                number=number,
            )
        compiled = parse_policy(stored.document, source=f"{platform} policy version {number}")
        active = " (active)" if stored.version.status.value == "active" else ""
        source = PolicySource(
            label=f"{stored.policy} v{number}{active}",
            policy=stored.policy,
            version=number,
            sha256=stored.sha256,
        )
        return ChosenPolicy(compiled, source)
    path = Path(text)
    if not path.is_file():
        raise NotFound(
            N_(
                "no policy version or file %(text)s: give a version number, 'active' or "
                "a policy file"
            ),
            text=repr(text),
        )
    compiled = load_policy(path)
    document = path.read_bytes().decode("utf-8", errors="replace")
    source = PolicySource(
        label=f"{compiled.policy.policy} ({path.name})",
        policy=compiled.policy.policy,
        version=None,
        sha256=document_sha256(document),
    )
    return ChosenPolicy(compiled, source)


def resolve_policies(uow: UnitOfWork, platform: str, names: list[str]) -> list[ChosenPolicy]:
    """Each policy checked against the platform's jurisdiction; labels made distinct."""
    if not names:
        raise ValidationError(N_("name at least one policy"))
    if len(names) > MAX_POLICIES:
        raise ValidationError(
            N_("at most %(max_policies)s policies in one comparison, not %(count)s"),
            max_policies=MAX_POLICIES,
            count=len(names),
        )
    with uow:
        jurisdiction = settings_of(uow, platform).home_jurisdiction
    chosen = [resolve_policy(uow, platform, name) for name in names]
    for choice in chosen:
        check_jurisdiction(jurisdiction, choice.compiled.policy)
    seen: dict[str, int] = {}
    distinct = []
    for index, choice in enumerate(chosen, start=1):
        label = choice.source.label
        if label in seen:
            label = f"{label} #{index}"
        seen[label] = index
        distinct.append(replace(choice, source=choice.source.model_copy(update={"label": label})))
    return distinct


def platform_gate(uow: UnitOfWork, platform: str, policies: list[ChosenPolicy]) -> MonthGate:
    """The month-level gate of every pack that governs the platform or a policy adds."""
    with uow:
        jurisdiction = settings_of(uow, platform).home_jurisdiction
    codes: list[str] = []
    for choice in policies:
        codes += platform_pack_codes(jurisdiction, choice.compiled.policy)
    gates = [month_gate(load_pack(code)) for code in dict.fromkeys(codes)]
    if not gates:
        raise ValidationError(
            N_(
                "platform %(platform)s: no rule pack governs its jurisdiction "
                "%(jurisdiction)s and the policy names none, so the gate cannot be "
                "simulated"
            ),
            platform=repr(platform),
            jurisdiction=jurisdiction,
        )
    return merged_gate(gates)


def merged_gate(gates: list[MonthGate]) -> MonthGate:
    """One gate applying every pack's rules (the strictest cap binds, as the daily gate)."""
    first = gates[0]
    if len(gates) == 1:
        return first
    return MonthGate(
        "+".join(g.pack for g in gates),
        "+".join(g.version for g in gates),
        tuple(c for g in gates for c in g.caps),
        tuple(q for g in gates for q in g.quiet),
        frozenset(h for g in gates for h in g.holds),
    )


def checked_priors(path: Path | None) -> PriorSet:
    """The shipped priors or the user's file; a prior without a source is refused."""
    return load_priors(path)


def checked_range(months: int, runs: int) -> None:
    check_range(months, runs)
