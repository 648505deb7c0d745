"""Compliance engine (pure): rule packs as data, the contact gate, the message checker, audit.

No web or database imports here; the database-backed ledger, the policy linter,
the CLI and audit storage build on these pieces.
"""

from tideover.compliance.audit import AuditRecord, Verification, append, verify
from tideover.compliance.contacts import (
    ActorRole,
    AgreedTime,
    Attempt,
    Channel,
    ContactProfile,
    Decision,
    Finding,
    Hold,
    HoldKind,
    Outcome,
    Reason,
    Target,
    ThirdPartyRole,
)
from tideover.compliance.errors import LooserOverride, RulePackError
from tideover.compliance.gate import CompiledPack, check, check_message, compile_pack
from tideover.compliance.ledger import ContactLedger, InMemoryLedger
from tideover.compliance.loader import PACK_CODES, load_pack
from tideover.compliance.rules import Pack, Rule, RuleKind
from tideover.compliance.text import MessageChecker, default_checker

__all__ = [
    "PACK_CODES",
    "ActorRole",
    "AgreedTime",
    "Attempt",
    "AuditRecord",
    "Channel",
    "CompiledPack",
    "ContactLedger",
    "ContactProfile",
    "Decision",
    "Finding",
    "Hold",
    "HoldKind",
    "InMemoryLedger",
    "LooserOverride",
    "MessageChecker",
    "Outcome",
    "Pack",
    "Reason",
    "Rule",
    "RuleKind",
    "RulePackError",
    "Target",
    "ThirdPartyRole",
    "Verification",
    "append",
    "check",
    "check_message",
    "compile_pack",
    "default_checker",
    "load_pack",
    "verify",
]
