"""What the gate reasons about: channels, roles, targets, holds, attempts, decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum

from tideover.domain.borrowers import Borrower
from tideover.domain.errors import ValidationError
from tideover.i18n import N_, Bilingual, Worded, Wording


class Channel(StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    APP_PUSH = "app_push"
    VISIT = "visit"


class ActorRole(StrEnum):
    """Who makes the contact; US rules reach agencies and debt buyers, not creditors."""

    CREDITOR = "creditor"
    AGENCY = "agency"
    DEBT_BUYER = "debt_buyer"


class Target(StrEnum):
    DEBTOR = "debtor"
    CONTACT_PERSON = "contact_person"  # 联系人: named by the borrower
    THIRD_PARTY = "third_party"


class ThirdPartyRole(StrEnum):
    SPOUSE = "spouse"
    PARENT_OF_MINOR = "parent_of_minor"
    GUARDIAN = "guardian"
    EXECUTOR = "executor"
    ATTORNEY = "attorney"
    CREDIT_BUREAU = "credit_bureau"
    EMPLOYER = "employer"
    OTHER = "other"


class HoldKind(StrEnum):
    DISPUTE = "dispute"
    CEASE_CONTACT = "cease_contact"
    LEGAL_REPRESENTATION = "legal_representation"
    BREATHING_SPACE = "breathing_space"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    COMPLAINT = "complaint_under_investigation"


class Outcome(StrEnum):
    """What came of an attempt; ``CONVERSATION`` means the person was spoken to."""

    PLANNED = "planned"  # recorded before the outcome is known; counts as an attempt
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    CONNECTED = "connected"  # answered, not (yet) known to be a conversation about the debt
    CONVERSATION = "conversation"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Hold:
    """A reason not to contact in ``[since, until)`` (UTC-aware); ``None`` is open-ended."""

    kind: HoldKind
    debt_id: str | None = None  # None: every debt of the borrower
    until: datetime | None = None
    since: datetime | None = None  # None: in force already (a stored hold may start later)


@dataclass(frozen=True, slots=True)
class AgreedTime:
    """A local time range the borrower agreed to be contacted in (weekday 0 = Monday)."""

    start: time
    end: time
    weekdays: frozenset[int] = frozenset(range(7))


@dataclass(frozen=True, slots=True)
class ContactProfile:
    """What the gate must know about a borrower beyond the ledger."""

    borrower_id: str
    time_zones: tuple[str, ...]  # IANA candidates; allowed only if allowed in every one
    holds: tuple[Hold, ...] = ()
    opted_out: frozenset[Channel] = frozenset()
    automated_consent: frozenset[Channel] = frozenset()  # prior express consent (TCPA)
    agreed_times: tuple[AgreedTime, ...] = ()
    debtor_reachable: bool = True  # False once the platform has lost contact with the debtor
    # The collector knows or has reason to know the employer prohibits the consumer from
    # receiving such communication at work (15 USC 1692c(a)(3)).
    employer_prohibits_contact: bool = False
    # The consumer agreed to be contacted at the place of work (Consumer Credit Act 1995 s.46).
    workplace_consent: bool = False

    def __post_init__(self) -> None:
        if not self.time_zones:
            raise ValidationError(
                N_(
                    "borrower %(borrower_id)s: no candidate time zone; the gate cannot place "
                    "the contact in local time"
                ),
                borrower_id=self.borrower_id,
            )

    @classmethod
    def for_borrower(cls, borrower: Borrower, **state: object) -> ContactProfile:
        """Profile from a domain borrower: address zone if known, else the phones' zones."""
        return cls(borrower.borrower_id, borrower.candidate_time_zones, **state)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One planned contact.  ``planned_at`` must be UTC-aware."""

    borrower_id: str
    debt_id: str
    channel: Channel
    actor: ActorRole
    planned_at: datetime
    target: Target = Target.DEBTOR
    recipient_id: str | None = None  # the contact person or third party; None for the debtor
    third_party_role: ThirdPartyRole | None = None
    number: str | None = None  # phone number or address used
    automated: bool = False  # autodialled / prerecorded / bulk text
    debt_type: str = "consumer_loan"
    message: str | None = None
    sender_name: str | None = None  # institution name the message must identify
    # The debt's limitation period has run (supplied with the debt; 12 CFR 1006.26(b)).
    time_barred: bool = False
    at_workplace: bool = False  # the number or address used is the consumer's place of work
    voicemail: bool = False  # ``message`` is left as a recorded voice message (calls only)
    caller_name: str | None = None  # the natural person a voicemail names for the reply
    # A visit's team: each visitor's staff credential (work ID) number, "" for a visitor
    # without one.  None: a visit planned into a queue before its team is assigned (the
    # daily cycle); the team is checked when the visit is made.
    visitors: tuple[str, ...] | None = ()
    recorded: bool = False  # the visit is recorded (audio or video)

    def __post_init__(self) -> None:
        offset = self.planned_at.utcoffset()
        if offset is None:
            raise ValidationError(
                N_(
                    "attempt for %(borrower_id)s: planned_at %(planned_at)s has no time "
                    "zone; pass a UTC-aware instant"
                ),
                borrower_id=self.borrower_id,
                planned_at=self.planned_at,
            )
        if self.voicemail and self.channel is not Channel.CALL:
            raise ValidationError(
                N_(
                    "attempt for %(borrower_id)s: a voicemail is left on a call, not on %(channel)s"
                ),
                borrower_id=self.borrower_id,
                channel=self.channel,
            )


@dataclass(frozen=True, slots=True)
class LegalReferral:
    """A debt handed to lawyers or a court for suit: enforcement, not a contact.

    Only the rules on suing apply to it (e.g. 12 CFR 1006.26(b), no suit on a
    time-barred debt); ``planned_at`` must be UTC-aware.
    """

    borrower_id: str
    debt_id: str
    actor: ActorRole
    planned_at: datetime
    debt_type: str = "consumer_loan"
    time_barred: bool = False

    def __post_init__(self) -> None:
        if self.planned_at.utcoffset() is None:
            raise ValidationError(
                N_(
                    "legal referral of debt %(debt_id)s: planned_at %(planned_at)s has no "
                    "time zone; pass a UTC-aware instant"
                ),
                debt_id=self.debt_id,
                planned_at=self.planned_at,
            )


@dataclass(frozen=True, slots=True)
class Finding(Worded):
    """One problem in a message: rule ids, category, span in the original text."""

    rule_ids: tuple[str, ...]
    category: str
    start: int
    end: int
    matched: str
    wording: Wording | Bilingual  # Bilingual: a category of the lexicon file

    def reason(self, rule_id: str) -> Reason:
        if not self.matched:
            return Reason(rule_id, Wording(N_("message %(finding)s"), finding=self.wording))
        return Reason(
            rule_id,
            Wording(
                N_("message %(finding)s «%(matched)s» at %(start)s-%(end)s"),
                finding=self.wording,
                matched=self.matched,
                start=self.start,
                end=self.end,
            ),
        )


@dataclass(frozen=True, slots=True)
class Reason(Worded):
    """One rule that denied (or would deny) the attempt, with its explanation."""

    rule_id: str
    wording: Wording


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...]
    pack_version: str
    earliest_allowed: datetime | None = None  # None when denied and no later time would do
    findings: tuple[Finding, ...] = field(default=())

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.rule_id for r in self.reasons)

    def explain(self, locale: str = "en") -> str:
        """All reasons in one language (``zh*`` gives Chinese)."""
        if self.allowed:
            return Wording(N_("Contact allowed.")).in_language(locale)
        return "\n".join(f"[{r.rule_id}] {r.wording.in_language(locale)}" for r in self.reasons)
