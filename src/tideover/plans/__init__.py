"""Humane collection: hardship applications, affordability, plan options and their life.

Pure Python: no web or database framework is imported here.  The use cases
are in ``tideover.services.plans.options``; the rules and their sources in docs/plans.md.
"""

from tideover.plans.account import AccountSnapshot, snapshot_for, snapshot_of
from tideover.plans.affordability import Affordability, ExpenseFlag, assess
from tideover.plans.application import (
    EvidenceDocument,
    EvidenceType,
    ExpenseCategory,
    HardshipApplication,
    HardshipReason,
    IncomeCategory,
    Region,
    parse_application,
)
from tideover.plans.approval import (
    Approval,
    ApprovalRequest,
    approve,
    limit_problems,
    require_within_limits,
    required_role,
)
from tideover.plans.cases import ApplicationCase, ApplicationStatus, Reason
from tideover.plans.errors import (
    ApplicationRejected,
    ApprovalRefused,
    EvidenceRejected,
    InvalidTransition,
    OfferExpired,
    OfferOutsideLimits,
)
from tideover.plans.generator import Evaluation, OptionsResult, generate_options
from tideover.plans.limits import OfferLimits, limits_from_offers, parse_limits
from tideover.plans.npv import RiskAssumptions, expected_npv
from tideover.plans.options import PlanOption, PlanSpec, build_option

__all__ = [
    "AccountSnapshot",
    "Affordability",
    "ApplicationCase",
    "ApplicationRejected",
    "ApplicationStatus",
    "Approval",
    "ApprovalRefused",
    "ApprovalRequest",
    "Evaluation",
    "EvidenceDocument",
    "EvidenceRejected",
    "EvidenceType",
    "ExpenseCategory",
    "ExpenseFlag",
    "HardshipApplication",
    "HardshipReason",
    "IncomeCategory",
    "InvalidTransition",
    "OfferExpired",
    "OfferLimits",
    "OfferOutsideLimits",
    "OptionsResult",
    "PlanOption",
    "PlanSpec",
    "Reason",
    "Region",
    "RiskAssumptions",
    "approve",
    "assess",
    "build_option",
    "expected_npv",
    "generate_options",
    "limit_problems",
    "limits_from_offers",
    "parse_application",
    "parse_limits",
    "require_within_limits",
    "required_role",
    "snapshot_for",
    "snapshot_of",
]
