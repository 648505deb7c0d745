"""Errors of the hardship and plans engine; each says what, where and why in en and zh."""

from __future__ import annotations

from tideover.domain.errors import Conflict, TideoverError, ValidationError


class ApplicationRejected(ValidationError):
    """A hardship application (or its income and expenditure) is malformed."""

    code = "application_rejected"


class EvidenceRejected(ApplicationRejected):
    """An evidence document is of a forbidden type or too large."""

    code = "evidence_rejected"


class OfferOutsideLimits(ValidationError):
    """A plan asks for more relief than the offer limits allow."""

    code = "offer_outside_limits"


class InvalidTransition(Conflict):
    """A status change that the application's or plan's state does not allow."""

    code = "invalid_transition"


class OfferExpired(Conflict):
    """A plan offer was accepted after its expiry date."""

    code = "offer_expired"


class ReofferLimitReached(Conflict):
    """A broken plan's application has had as many re-offers as the offer limits allow."""

    code = "reoffer_limit_reached"


class ApprovalRefused(TideoverError):
    """The approver may not approve this request (own request, or role too junior)."""

    code = "approval_refused"
    http_status = 403
