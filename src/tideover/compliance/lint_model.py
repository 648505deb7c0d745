"""The linter's findings, report and the context its checks read (see ``lint``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from tideover.compliance.contacts import ActorRole, Channel, Target
from tideover.compliance.rules import (
    Rule,
)
from tideover.i18n import Worded, Wording
from tideover.policy.document import CompiledPolicy
from tideover.policy.model import Channel as StepChannel
from tideover.policy.model import Policy, Step

# A legal referral hands the file to lawyers: no contact with the borrower is sent.
CONTACT_CHANNEL: Mapping[StepChannel, Channel] = {
    StepChannel.SMS: Channel.SMS,
    StepChannel.EMAIL: Channel.EMAIL,
    StepChannel.APP_PUSH: Channel.APP_PUSH,
    StepChannel.LETTER: Channel.LETTER,
    StepChannel.ROBOT_CALL: Channel.CALL,
    StepChannel.HUMAN_CALL: Channel.CALL,
    StepChannel.FIELD_VISIT: Channel.VISIT,
}
# Sent by machine: autodialled or prerecorded calls and bulk texts (47 CFR 64.1200).
AUTOMATED = frozenset({StepChannel.ROBOT_CALL, StepChannel.SMS})

SendWindow = tuple[time, time]
# Local [start, end) the dispatcher sends each channel in when nothing else is said.
# Letters are posted, so the time they arrive is not the sender's to choose.
DEFAULT_SEND_TIMES: Mapping[StepChannel, SendWindow] = {
    StepChannel.SMS: (time(9), time(20)),
    StepChannel.EMAIL: (time(9), time(20)),
    StepChannel.APP_PUSH: (time(9), time(20)),
    StepChannel.ROBOT_CALL: (time(9), time(20)),
    StepChannel.HUMAN_CALL: (time(9), time(20)),
    StepChannel.FIELD_VISIT: (time(9), time(18)),
}
MONTH_DAYS = 31  # a calendar-month cap is checked on every 31-day span: the worst month

# Rules the linter reads from documented (non-gate) rules, by id.
FORBEARANCE_RULES = frozenset({"UK-FORB", "EU-FORB"})  # CONC 7.3.4R; Dir. 2023/2225 Art. 35
DIFFICULTY_RULES = {
    "UK-VULN": frozenset({"vulnerable_flag"}),  # CONC 7.2, FG21/1
    "EU-ADVICE": frozenset({"hardship_flag", "vulnerable_flag"}),  # Dir. 2023/2225 Art. 36
}
DIFFICULTY_FEATURES = frozenset({"hardship_flag", "vulnerable_flag"})

# Jurisdictions whose pack has another name; EU members without their own pack use EU's.
_EU_MEMBERS = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IT LT LU LV MT NL PL PT RO SE SI SK"
JURISDICTION_PACK = {"GB": "UK"} | dict.fromkeys(_EU_MEMBERS.split(" "), "EU")


class Severity(StrEnum):
    BLOCKING = "blocking"  # approval is refused
    WARNING = "warning"  # approval may go ahead; a person should read it


@dataclass(frozen=True, slots=True)
class TemplateText:
    """A template's text, who it is sent to, and the institution it must name."""

    text: str
    target: Target = Target.DEBTOR
    sender_name: str | None = None


@dataclass(frozen=True, slots=True)
class Location:
    """Where in the policy: the treatment's step, the segments using it, or a template."""

    segments: tuple[str, ...] = ()
    treatment: str | None = None
    step: int | None = None  # index in the treatment's steps
    template: str | None = None

    def __str__(self) -> str:
        parts = [f"segment {', '.join(self.segments)}"] if self.segments else []
        if self.treatment is not None:
            parts.append(f"treatment {self.treatment}")
        if self.step is not None:
            parts.append(f"step {self.step}")
        if self.template is not None:
            parts.append(f"template {self.template}")
        return " / ".join(parts) or "(policy)"


@dataclass(frozen=True, slots=True)
class LintFinding(Worded):
    rule_id: str  # a pack rule (CN-HOURS) or the linter's own (LINT-QUEUE)
    severity: Severity
    location: Location
    wording: Wording
    pack: str | None = None


@dataclass(frozen=True)
class LintReport:
    policy: str
    packs: tuple[tuple[str, str], ...]  # (code, version)
    findings: tuple[LintFinding, ...]

    @property
    def blocking(self) -> tuple[LintFinding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.BLOCKING)

    @property
    def warnings(self) -> tuple[LintFinding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def approvable(self) -> bool:
        return not self.blocking


@dataclass
class LintContext:
    compiled: CompiledPolicy
    actors: frozenset[ActorRole]
    templates: Mapping[str, TemplateText] | None
    send_times: Mapping[StepChannel, SendWindow]
    sender_name: str | None
    usage: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def policy(self) -> Policy:
        return self.compiled.policy

    def target(self, step: Step) -> Target:
        found = (self.templates or {}).get(step.template or "")
        return found.target if found else Target.DEBTOR

    def reaches(self, rule: Rule, channel: Channel | None, target: Target) -> bool:
        scope = rule.scope
        return (
            (channel is None or channel in scope.channels)
            and target in scope.targets
            and bool(scope.actor_roles & self.actors)
        )

    def at(self, treatment: str, step: int | None = None) -> Location:
        return Location(self.usage.get(treatment, ()), treatment, step)

    def steps(self) -> Iterator[tuple[str, int, Step, Channel]]:
        """Every step that contacts someone, with its gate channel."""
        for tid, treatment in self.policy.treatments.items():
            for index, step in enumerate(treatment.steps):
                channel = CONTACT_CHANNEL.get(step.channel)
                if channel is not None:
                    yield tid, index, step, channel
