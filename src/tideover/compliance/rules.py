"""Rule packs as typed data: one pydantic model per rule kind's parameters."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_validator,
)

from tideover.compliance.contacts import (
    ActorRole,
    Channel,
    HoldKind,
    Target,
    ThirdPartyRole,
)
from tideover.i18n import N_

Confidence = Literal["A", "B", "C", "A/B", "A/C"]


class RuleKind(StrEnum):
    HOLD = "hold"
    CONSENT = "consent"
    TIME_WINDOW = "time_window"
    FREQUENCY_CAP = "frequency_cap"
    QUIET_PERIOD = "quiet_period"
    THIRD_PARTY = "third_party"
    MESSAGE = "message"
    REQUIRED_ELEMENTS = "required_elements"
    WORKPLACE = "workplace"
    VISIT = "visit"
    TIME_BARRED = "time_barred"
    VOICEMAIL = "voicemail"
    # Kinds the gate does not evaluate; the policy linter, notices and storage will.
    DOCUMENTED = "documented"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_serializer("*", mode="wrap", when_used="json")
    def _sets_in_order(self, value: Any, handler: SerializerFunctionWrapHandler) -> Any:
        """A set written out in sorted order, not in its hash order: the same rule gives the
        same JSON (and the same OpenAPI document) in every process."""
        written = handler(value)
        return sorted(written) if isinstance(value, frozenset) else written


class HoldParams(_Frozen):
    blocks: frozenset[HoldKind]


class ConsentParams(_Frozen):
    honour_opt_out: bool = True
    automated_needs_consent: frozenset[Channel] = frozenset()


class TimeWindowParams(_Frozen):
    """Allowed local window ``[start, end)``; the end instant itself is refused (stricter)."""

    start: time
    end: time
    closed_weekdays: frozenset[int] = frozenset()  # 0 = Monday ... 6 = Sunday
    closed_on_public_holidays: bool = False
    agreed_time_exempts: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindowParams:
        if not self.start < self.end:
            raise ValueError(f"window start {self.start} must be before end {self.end}")
        if not self.closed_weekdays <= set(range(7)):
            raise ValueError("closed_weekdays must be 0 (Monday) to 6 (Sunday)")
        return self


class FrequencyCapParams(_Frozen):
    """At most ``limit`` counted events per ``per`` in the last ``length`` local periods."""

    limit: int = Field(ge=0)
    period: Literal["day", "month"]
    length: int = Field(default=1, ge=1)
    count: Literal["attempts", "connected", "unanswered"]
    per: Literal["person", "debt", "number"]
    counted_channels: frozenset[Channel] | None = None  # None: the rule's scope channels


# How a cap's count and unit read in a sentence ("3 connected calls per debt").
COUNTED = {
    "attempts": N_("attempts"),
    "connected": N_("connected calls"),
    "unanswered": N_("unanswered calls"),
}
PER = {"person": N_("per person"), "debt": N_("per debt"), "number": N_("per number")}


class QuietPeriodParams(_Frozen):
    """No contact for ``days`` local days after a conversation (its day is day 1)."""

    days: int = Field(ge=1)
    per: Literal["person", "debt"] = "debt"
    include_inbound: bool = True


class ThirdPartyParams(_Frozen):
    only_when_debtor_unreachable: bool = False
    allowed_roles: frozenset[ThirdPartyRole] = frozenset()
    max_contacts_per_recipient: int | None = Field(default=None, ge=0)
    no_debt_disclosure: bool = True


class MessageParams(_Frozen):
    categories: frozenset[str]


class RequiredElementsParams(_Frozen):
    elements: frozenset[Literal["institution", "opt_out"]]


class WorkplaceParams(_Frozen):
    """No contact at the consumer's place of work: ``when`` the employer prohibits it, or always."""

    when: Literal["employer_prohibits", "always"]
    consent_exempts: bool = False  # the consumer's agreement to be contacted there lifts it


class VisitParams(_Frozen):
    """What a field visit's team must meet; ``max_visitors`` None sets no team size."""

    credentials_required: bool = True
    recording_required: bool = False
    max_visitors: int | None = Field(default=None, ge=1)


class TimeBarredParams(_Frozen):
    """On a time-barred debt: no legal referral (suit), no message in ``categories`` (threats)."""

    no_legal_referral: bool = True
    categories: frozenset[str] = frozenset({"suit_threat"})


VoicemailPart = Literal["business_name", "reply_request", "callback_number", "caller_name"]


class VoicemailParams(_Frozen):
    """A voicemail must be a limited-content message: ``required`` parts, nothing ``forbidden``."""

    required: frozenset[VoicemailPart]
    forbidden: frozenset[str]  # message-checker categories, plus ``debt_amount``


class DocumentedParams(_Frozen):
    """Free parameters; ``min_*`` may only rise and ``max_*`` only fall in overrides."""

    model_config = ConfigDict(frozen=True, extra="allow")


RuleParams = (
    HoldParams
    | ConsentParams
    | TimeWindowParams
    | FrequencyCapParams
    | QuietPeriodParams
    | ThirdPartyParams
    | MessageParams
    | RequiredElementsParams
    | WorkplaceParams
    | VisitParams
    | TimeBarredParams
    | VoicemailParams
    | DocumentedParams
)

PARAMS_BY_KIND: dict[RuleKind, type[_Frozen]] = {
    RuleKind.HOLD: HoldParams,
    RuleKind.CONSENT: ConsentParams,
    RuleKind.TIME_WINDOW: TimeWindowParams,
    RuleKind.FREQUENCY_CAP: FrequencyCapParams,
    RuleKind.QUIET_PERIOD: QuietPeriodParams,
    RuleKind.THIRD_PARTY: ThirdPartyParams,
    RuleKind.MESSAGE: MessageParams,
    RuleKind.REQUIRED_ELEMENTS: RequiredElementsParams,
    RuleKind.WORKPLACE: WorkplaceParams,
    RuleKind.VISIT: VisitParams,
    RuleKind.TIME_BARRED: TimeBarredParams,
    RuleKind.VOICEMAIL: VoicemailParams,
    RuleKind.DOCUMENTED: DocumentedParams,
}


class Scope(_Frozen):
    """Where a rule applies; an empty ``debt_types`` means every debt type."""

    channels: frozenset[Channel] = frozenset(Channel)
    actor_roles: frozenset[ActorRole] = frozenset(ActorRole)
    targets: frozenset[Target] = frozenset(Target)
    debt_types: frozenset[str] = frozenset()


class Source(_Frozen):
    document: str
    article: str


class Rule(_Frozen):
    id: str = Field(pattern=r"^[A-Z]{2,3}(-[A-Z0-9]+)+$")
    kind: RuleKind
    title_en: str
    title_zh: str
    scope: Scope = Scope()
    params: RuleParams
    sources: tuple[Source, ...] = Field(min_length=1)
    confidence: Confidence
    note: str = ""  # e.g. which of two differing sources was taken, and why

    @model_validator(mode="before")
    @classmethod
    def _typed_params(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("params", {}), dict):
            kind = RuleKind(str(data.get("kind")))
            model = PARAMS_BY_KIND[kind]
            data = {**data, "params": model.model_validate(data.get("params") or {})}
        return data

    @field_validator("params", mode="wrap")
    @classmethod
    def _keep_typed(cls, value: Any, handler: Any) -> Any:
        # The union would otherwise re-validate into its first matching member.
        if isinstance(value, _Frozen):
            return value
        return handler(value)


class Pack(_Frozen):
    """An effective pack: base rules with overlays and overrides applied."""

    code: str
    name_en: str
    name_zh: str
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    extends: str | None = None
    rules: tuple[Rule, ...]
    version: str = ""  # sha256 of the effective content; set by the loader

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
