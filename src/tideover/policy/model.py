"""The policy document: a typed model of the YAML/JSON a strategy manager writes.

The model checks shapes and single fields; cross-references, conditions and
ordering are checked by :mod:`tideover.policy.lint`, so that every problem of
a document is reported at once.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$", description="lower-case id")]
Condition = Annotated[
    str,
    Field(min_length=1, description="SQL boolean expression over the feature catalogue"),
]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Strict):
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    APP_PUSH = "app_push"
    LETTER = "letter"
    ROBOT_CALL = "robot_call"
    HUMAN_CALL = "human_call"
    FIELD_VISIT = "field_visit"
    LEGAL_REFERRAL = "legal_referral"

    @property
    def is_human(self) -> bool:
        """Work a person does, which goes to a queue with a priority."""
        return self in (Channel.HUMAN_CALL, Channel.FIELD_VISIT, Channel.LEGAL_REFERRAL)


class Tone(StrEnum):
    SUPPORTIVE = "supportive"
    NEUTRAL = "neutral"
    FIRM = "firm"


class Clock(StrEnum):
    DPD = "dpd"
    DAYS_IN_SEGMENT = "days_in_segment"


class Step(_Strict):
    """An action on day ``at`` of the treatment's clock, optionally repeated."""

    at: int = Field(ge=0, le=3650, description="day on the treatment's clock")
    every: int | None = Field(default=None, ge=1, description="repeat every N days")
    until: int | None = Field(default=None, ge=0, description="last day of the repeat")
    channel: Channel
    template: Id | None = None
    tone: Tone = Tone.NEUTRAL
    queue: Id | None = Field(default=None, description="collector queue (human work only)")
    priority: int | None = Field(default=None, ge=1, le=100, description="1 lowest, 100 highest")


class Treatment(_Strict):
    names: Names | None = None
    clock: Clock = Clock.DPD
    steps: list[Step] = Field(default_factory=list)
    stop_when: Condition | None = Field(
        default=None, description="no action is taken while this condition holds"
    )


class ReliefOption(StrEnum):
    DUE_DATE_SHIFT = "due_date_shift"
    EXTENSION = "extension"
    PAYMENT_HOLIDAY = "payment_holiday"
    INTEREST_WAIVER = "interest_waiver"
    PENALTY_WAIVER = "penalty_waiver"
    FEE_WAIVER = "fee_waiver"
    RESTRUCTURE = "restructure"
    SETTLEMENT = "settlement"


class ApprovalLevel(_Strict):
    """Who may grant a waiver up to ``max_waiver_pct``."""

    role: Id
    max_waiver_pct: Percent


class Offers(_Strict):
    """The relief a segment may be offered, and its limits."""

    options: list[ReliefOption] = Field(min_length=1)
    max_extension_months: int = Field(default=0, ge=0, le=60)
    max_holiday_months: int = Field(default=0, ge=0, le=12)
    max_waiver_pct: Percent = Decimal(0)
    settlement_floor_pct: Percent | None = Field(
        default=None, description="least share of the balance a settlement must recover"
    )
    approval_levels: list[ApprovalLevel] = Field(default_factory=list)


class Segment(_Strict):
    id: Id
    names: Names
    condition: Condition | None = Field(
        default=None, description="absent only on the default segment"
    )
    default: bool = False
    treatment: Id
    offers: Id | None = None


class ArmRole(StrEnum):
    CHAMPION = "champion"
    CHALLENGER = "challenger"
    HOLDOUT = "holdout"


class Arm(_Strict):
    id: Id
    role: ArmRole
    treatment: Id
    weight: Annotated[Decimal, Field(gt=0, le=1, decimal_places=4)]


class Experiment(_Strict):
    """Champion/challenger arms inside one segment; weights sum to 1."""

    id: Id
    segment: Id
    hypothesis: str | None = None
    arms: list[Arm] = Field(min_length=2)


class Policy(_Strict):
    """A platform's collection policy (催收策略), one version of it."""

    schema_version: int = Field(SCHEMA_VERSION, ge=SCHEMA_VERSION, le=SCHEMA_VERSION)
    policy: Id
    names: Names
    description: str | None = None
    jurisdiction: Annotated[str, Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")]
    rule_packs: list[Id] = Field(default_factory=list)
    templates: list[Id] = Field(default_factory=list)
    segments: list[Segment] = Field(min_length=1)
    treatments: dict[Id, Treatment]
    offers: dict[Id, Offers] = Field(default_factory=dict)
    experiments: list[Experiment] = Field(default_factory=list)
